"""Landing streams a file into its table: a large file, with lines the reader rejects at its
start, in its middle, in runs and at its end, lands every line once with the record number
Snowflake gives it (its line number; a CSV header is record 0), its text exact, and the
rejected lines kept with their error."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from warehouse.runner.tests.conftest import deliver_manifest
from warehouse.runner.tests.test_landing import NEW_DATE, Warehouse, clean_lake, delivered, query

pytestmark = pytest.mark.cost(45)

LINES = 120_000
# physical line numbers (1-based) of lines that are not UTF-8; 2 is the first data line of
# a CSV, the run 70_001..70_003 shifts the lines after it by three at once
INVALID = (2, 17, 18, 50_000, 70_001, 70_002, 70_003, LINES)
TOO_LONG = 90_000  # a line beyond the reader's 2 MB limit


@dataclass(frozen=True)
class BigFile:
    name: str  # relative to the lake root
    texts: dict[int, str]  # by physical line number, the text of every good line
    offset: int  # 1 for a CSV (its header is record 0)


Landed = tuple[Warehouse, dict[str, BigFile]]


def big_file(header: str | None) -> tuple[bytes, dict[int, str]]:
    """The file's bytes and, by physical line number, the text every good line holds."""
    lines: list[bytes] = []
    texts: dict[int, str] = {}
    for number in range(1, LINES + 1):
        if number == 1 and header is not None:
            text = header
        elif number in INVALID:
            lines.append(b"\xff\xfe line " + str(number).encode() + b"\n")
            continue
        elif number == TOO_LONG:
            lines.append(b'{"line": ' + str(number).encode() + b', "x": "' + b"x" * 2_200_000)
            lines.append(b'"}\n')
            continue
        else:
            text = f'{{"line": {number}, "text": "quoted, ""comma"", and \\\\ back"}}'
        texts[number] = text
        lines.append(text.encode() + b"\n")
    return b"".join(lines), texts


@pytest.fixture(scope="module")
def landed(tmp_path_factory: pytest.TempPathFactory) -> Landed:
    base = tmp_path_factory.mktemp("streaming")
    lake = clean_lake(base / "lake", batches=1, policies=50)
    warehouse = Warehouse(lake, base / "warehouse.duckdb", base / "target")
    warehouse.stage()
    files: dict[str, BigFile] = {}
    paths = []
    for source, name, header in (
        ("claims", "big.jsonl", None),
        ("insureds", "big.csv", "insured_id,name"),
    ):
        data, texts = big_file(header)
        path = delivered(lake, source, name, data)
        paths.append(path)
        files[source] = BigFile(path.relative_to(lake).as_posix(), texts, int(header is not None))
    deliver_manifest(lake, paths, NEW_DATE)
    warehouse.stage()
    return warehouse, files


@pytest.mark.parametrize("source", ["claims", "insureds"])
def test_every_line_lands_once_with_its_line_number(landed: Landed, source: str) -> None:
    warehouse, files = landed
    file = files[source]
    rows = query(
        warehouse.database,
        f"select record_number, line, encoding_error from landing.{source} "
        "where file_name = ? order by record_number",
        [file.name],
    )
    offset = file.offset
    assert [r[0] for r in rows] == list(range(-offset + 1, LINES - offset + 1))
    good = {r[0] + offset: r[1] for r in rows if r[2] is None}
    assert good == file.texts
    errors = {r[0] + offset: r[2] for r in rows if r[2] is not None}
    assert errors == {**dict.fromkeys(INVALID, "INVALID ENCODING"), TOO_LONG: "LINE TOO LONG"}
    kept = {r[0] + offset: r[1] for r in rows if r[2] == "INVALID ENCODING"}
    assert all(kept[n].endswith(f" line {n}") for n in INVALID)


@pytest.mark.parametrize("source", ["claims", "insureds"])
def test_the_landed_files_entry_counts_the_records(landed: Landed, source: str) -> None:
    warehouse, files = landed
    file = files[source]
    records = query(
        warehouse.database,
        "select records from landing._landed_files where file_name = ?",
        [file.name],
    )
    assert records == [(LINES - file.offset,)]


def test_a_second_run_lands_nothing_again(landed: Landed) -> None:
    warehouse, files = landed
    before = query(warehouse.database, "select count(*) from landing.claims")
    warehouse.stage()
    assert query(warehouse.database, "select count(*) from landing.claims") == before
    name = files["claims"].name
    assert query(
        warehouse.database, "select count(*) from landing._landed_files where file_name = ?", [name]
    ) == [(1,)]
