"""The command line reads well and refuses bad input clearly."""

from __future__ import annotations

import subprocess
import sys

import pytest

from generator.cli import main
from generator.verify import verify_lake


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "generator", *args], capture_output=True, text=True, check=False
    )


def test_help_lists_every_command():
    out = run("--help")
    assert out.returncode == 0
    for command in ("generate", "verify", "upload", "bench", "fx-rates"):
        assert command in out.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["generate", "--as-of", "2026-02-30"], "is not a date"),
        (["generate", "--policies", "0"], "must be at least 1"),
        (["generate", "--fault", "gremlins=0.1"], "expected KIND=RATE"),
        (["generate", "--fault", "malformed=2"], "not between 0 and 1"),
        (["generate", "--as-of", "2031-01-01"], "outside"),
        (["generate", "--batches", "3", "--only-batch", "4"], "outside 1..3"),
    ],
)
def test_bad_input_is_refused_with_a_clear_message(args, message, tmp_path):
    out = run(*args, "--out", str(tmp_path / "lake"))
    assert out.returncode == 2
    assert message in out.stderr


def test_generate_then_verify_round_trip(tmp_path, capsys):
    lake = tmp_path / "lake"
    assert (
        main(
            [
                "generate",
                "--out",
                str(lake),
                "--policies",
                "200",
                "--batches",
                "3",
                "--as-of",
                "2026-11-22",
                "--quiet",
            ]
        )
        == 0
    )
    summary = capsys.readouterr().out
    assert "batch   3  2026-11-22" in summary
    assert main(["verify", "--lake", str(lake)]) == 0
    assert "0 problems" in capsys.readouterr().out


def test_verify_finds_a_changed_a_missing_and_an_unlisted_file(tmp_path):
    lake = tmp_path / "lake"
    main(
        [
            "generate",
            "--out",
            str(lake),
            "--policies",
            "200",
            "--batches",
            "2",
            "--as-of",
            "2026-11-22",
            "--quiet",
        ]
    )
    files = sorted(lake.glob("policies/ingest_date=*/*.jsonl"))
    files[0].write_bytes(files[0].read_bytes() + b"{}\n")
    claims = sorted(lake.glob("claims/ingest_date=*/*.jsonl"))
    claims[0].unlink()
    (files[0].parent / "policies_stray.jsonl").write_text("{}\n")
    problems, _ = verify_lake(lake)
    text = "\n".join(problems)
    assert "SHA-256 differs" in text
    assert "missing" in text
    assert "in no manifest" in text


def test_fx_rates_cover_every_currency_for_every_month(tmp_path):
    out = tmp_path / "fx.csv"
    assert main(["fx-rates", "--out", str(out)]) == 0
    rows = out.read_text().splitlines()
    assert rows[0] == "month,currency,units_per_usd,usd_per_unit"
    from generator.catalog import CURRENCIES
    from generator.fx import months

    assert len(rows) - 1 == len(CURRENCIES) * len(months())
