"""Same seed, arguments and as-of date: byte-identical files; any batch alone equals the
same batch of a full run."""

from __future__ import annotations

import hashlib
from pathlib import Path

from generator.generate import generate
from generator.tests.conftest import faulty_config


def _hashes(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def test_two_runs_give_identical_files(tmp_path, faulty_lake):
    root, _ = faulty_lake
    again = tmp_path / "again"
    generate(faulty_config(), again)
    assert _hashes(again) == _hashes(root)


def test_each_batch_alone_equals_that_batch_of_a_full_run(tmp_path, faulty_lake):
    root, reports = faulty_lake
    full = _hashes(root)
    redelivered = {
        n for n, r in reports.items() if any(f["kind"] == "redelivered_file" for f in r.file_faults)
    }
    assert redelivered, "the configuration should re-deliver a file (needs the batch before)"
    for number in reports:
        alone = tmp_path / f"alone-{number}"
        generate(faulty_config(), alone, [number])
        date = reports[number].ingest_date
        expected = {k: v for k, v in full.items() if f"ingest_date={date}/" in k}
        assert _hashes(alone) == expected, f"batch {number}"


def test_another_seed_gives_another_lake(tmp_path, faulty_lake):
    root, _ = faulty_lake
    other = tmp_path / "other"
    generate(faulty_config(seed=8), other)
    a, b = _hashes(root), _hashes(other)
    assert a.keys() & b.keys()
    assert all(a[k] != b[k] for k in a.keys() & b.keys() if k.endswith(".jsonl"))


def test_regenerating_a_batch_replaces_it_whole(tmp_path):
    cfg = faulty_config(policies=300)
    generate(cfg, tmp_path)
    before = _hashes(tmp_path)
    stray = tmp_path / "claims" / f"ingest_date={cfg.batch_dates()[1]}" / "claims_stray.jsonl"
    stray.write_text("{}\n")
    generate(cfg, tmp_path, [2])
    assert _hashes(tmp_path) == before


def test_files_do_not_depend_on_the_python_hash_seed(tmp_path):
    """Two processes with different string hashing write byte-identical lakes (Faker
    locales that build lists from sets would otherwise reorder their values)."""
    import subprocess
    import sys

    digests = []
    for hash_seed in ("1", "2"):
        out = tmp_path / f"lake-{hash_seed}"
        subprocess.run(
            [
                sys.executable,
                "-m",
                "generator",
                "generate",
                "--out",
                str(out),
                "--policies",
                "300",
                "--batches",
                "2",
                "--as-of",
                "2026-11-22",
                "--quiet",
            ],
            check=True,
            capture_output=True,
            env={**__import__("os").environ, "PYTHONHASHSEED": hash_seed},
        )
        digests.append(_hashes(out))
    assert digests[0] == digests[1]
