"""Property: whatever a delivery holds (hostile file names, headers in any order, quoted
text with commas and quotes, numbers of any scale and size, files edited after their
manifest or not listed at all), every record of every file is either accepted with
exactly the values written, or quarantined with a reason, or its file is refused or left
pending with a reason. Hypothesis builds the deliveries; a handful per `make test`, many
more in `make test-slow`."""

from __future__ import annotations

import csv
import io
import itertools
import json
import os
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from warehouse.dbt import Dbt, dbt_environment
from warehouse.runner.tests.conftest import AIR_GAPPED, deliver_manifest

LINE_COLUMNS = ["line_code", "line_name", "line_group", "is_active", "record_status", "updated_at"]
EXAMPLES = 40 if os.environ.get("WAREHOUSE_TEST_SCALE") == "large" else 4
UPDATED_AT = "2026-01-01T00:00:00Z"
COUNTER = itertools.count(1)

# Text as a source system might write it: any printable character, quotes and commas
# included, but no line break (the contract's producers replace them with a space).
TEXT = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp")), min_size=1, max_size=16
).filter(lambda t: t.strip() == t)
FILE_NAME = st.text(alphabet="abcXYZ019 '\";-_()$é*?[]{},", min_size=1, max_size=14).filter(
    lambda t: t.strip() == t and t not in (".", "..")
)


@st.composite
def line_rows(draw):
    rows = []
    for kind in draw(
        st.lists(st.sampled_from(["good", "good", "bad_bool", "short"]), min_size=1, max_size=5)
    ):
        rows.append(
            {
                "kind": kind,
                "line_name": draw(TEXT),
                "line_group": draw(TEXT),
                "is_active": "maybe"
                if kind == "bad_bool"
                else draw(st.sampled_from(["true", "false"])),
            }
        )
    return rows


@st.composite
def claim_rows(draw):
    rows = []
    for _ in range(draw(st.integers(1, 4))):
        integer = draw(st.integers(0, 10**16 - 1))
        decimals = draw(st.integers(0, 4))
        fraction = draw(st.integers(0, 10**decimals - 1)) if decimals else 0
        text = f"{integer}.{fraction:0{decimals}d}" if decimals else str(integer)
        rows.append({"paid": text, "duplicate": draw(st.booleans()) and draw(st.booleans())})
    return rows


@st.composite
def deliveries(draw):
    return {
        "lines": draw(line_rows()),
        "order": draw(st.permutations(LINE_COLUMNS)),
        "claims": draw(claim_rows()),
        "name": draw(FILE_NAME),
        "damage": draw(st.sampled_from(["none", "none", "none", "edited", "unlisted"])),
    }


@pytest.fixture(scope="module")
def lake_and_warehouse(tmp_path_factory: pytest.TempPathFactory):
    base = tmp_path_factory.mktemp("properties")
    lake = base / "lake"
    lake.mkdir()
    dbt = Dbt(AIR_GAPPED, dbt_environment(str(lake), base / "warehouse.duckdb", base / "target"))
    # the base models leave out the records of erased insureds (docs/access.md): the
    # suppression list, empty here, is read by every base model
    assert dbt.invoke("seed", "--select", "erasure_requests").success
    return lake, base / "warehouse.duckdb", dbt


def _csv_text(rows: list[dict], order: list[str], number: int) -> tuple[str, list[dict]]:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(order)
    expected = []
    for i, row in enumerate(rows):
        values = {
            "line_code": f"TST-E{number}R{i}",
            "line_name": row["line_name"],
            "line_group": row["line_group"],
            "is_active": row["is_active"],
            "record_status": "active",
            "updated_at": UPDATED_AT,
        }
        fields = [values[c] for c in order]
        if row["kind"] == "short":
            fields = fields[:-1]
        writer.writerow(fields)
        expected.append({**values, "kind": row["kind"]})
    return out.getvalue(), expected


def _claims_text(rows: list[dict], number: int) -> str:
    lines = []
    for i, row in enumerate(rows):
        amounts = f'"paid": {row["paid"]}, "reserve": 0.00, "recovered": 0.00'
        if row["duplicate"]:
            amounts += ', "paid": 1.00'
        lines.append(
            "{"
            f'"claim_id": "CLM-{number:04d}{i:05d}", "policy_id": "POL-00000001", '
            '"loss_date": "2026-01-02", "reported_date": "2026-01-03", "status": "open", '
            f'"currency": "USD", "amounts": {{{amounts}}}, "record_status": "active", '
            f'"updated_at": "{UPDATED_AT}"'
            "}"
        )
    return "\n".join(lines) + "\n"


def _query(database: Path, sql: str, parameters: list) -> list[tuple]:
    with duckdb.connect(str(database)) as con:
        return con.execute(sql, parameters).fetchall()


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=os.environ.get("WAREHOUSE_TEST_SCALE") != "large",
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(delivery=deliveries())
def test_every_record_is_exact_quarantined_or_its_file_refused(lake_and_warehouse, delivery):
    lake, database, dbt = lake_and_warehouse
    number = next(COUNTER)
    day = f"2026-{1 + number // 28:02d}-{1 + number % 28:02d}"
    text, expected = _csv_text(delivery["lines"], delivery["order"], number)
    lines_file = lake / "specialty_lines" / f"ingest_date={day}" / f"{delivery['name']}.csv"
    claims_file = lake / "claims" / f"ingest_date={day}" / f"{delivery['name']}.jsonl"
    for path, content in (
        (lines_file, text),
        (claims_file, _claims_text(delivery["claims"], number)),
    ):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8")
    if delivery["damage"] != "unlisted":
        deliver_manifest(lake, [lines_file, claims_file], day, batch_number=number)
    if delivery["damage"] == "edited":
        lines_file.write_text(text.replace("TST-", "TSX-"), encoding="utf-8")

    assert dbt.invoke("run-operation", "stage_external_sources").success
    built = dbt.invoke(
        "run",
        "--select",
        "base_landing__erased_records",
        "base_landing__specialty_lines",
        "base_landing__claims",
    )
    assert built.success, built.failures

    lines_name = lines_file.relative_to(lake).as_posix()
    claims_name = claims_file.relative_to(lake).as_posix()
    issues = dict(
        _query(
            database,
            "select file_name, severity || ': ' || reason from landing._landing_issues",
            [],
        )
    )
    landed = _query(
        database,
        "select line_code, line_name, line_group, is_active, quarantine_reason "
        "from main_staging.base_landing__specialty_lines where file_name = ? "
        "order by record_number",
        [lines_name],
    )
    if delivery["damage"] == "edited":
        assert landed == []
        assert issues[lines_name].startswith("error: refused")
    elif delivery["damage"] == "unlisted":
        assert landed == []
        assert issues[lines_name].startswith("warn: pending")
    else:
        assert lines_name not in issues
        assert len(landed) == len(expected)
        for got, want in zip(landed, expected, strict=True):
            code, name, group, active, reason = got
            if want["kind"] == "short":
                assert reason == f"malformed: {len(LINE_COLUMNS) - 1} fields, expected 6"
                continue
            if want["kind"] == "bad_bool":
                assert reason == "unparsable is_active: maybe"
                continue
            assert reason is None
            assert (code, name, group, active) == (
                want["line_code"],
                want["line_name"],
                want["line_group"],
                want["is_active"] == "true",
            )

    claims = _query(
        database,
        "select paid_amount, quarantine_reason from main_staging.base_landing__claims "
        "where file_name = ? order by record_number",
        [claims_name],
    )
    if delivery["damage"] == "unlisted":
        assert claims == []
        return
    assert len(claims) == len(delivery["claims"])
    for (paid, reason), row in zip(claims, delivery["claims"], strict=True):
        decimals = len(row["paid"].split(".")[1]) if "." in row["paid"] else 0
        if row["duplicate"]:
            assert reason == "duplicate key: amounts.paid"
        elif decimals > 2:
            assert reason == f"unparsable amounts.paid: {row['paid']}"
        else:
            assert reason is None, reason
            assert paid == Decimal(row["paid"]), json.dumps(row)
