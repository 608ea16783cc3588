"""The lake layout of the source contract: where each file and manifest lives."""

from __future__ import annotations

import datetime as dt
from pathlib import PurePosixPath

SOURCES: tuple[str, ...] = (
    "insureds",
    "reinsurance_treaties",
    "specialty_lines",
    "policies",
    "claims",
)
CSV_SOURCES = frozenset({"insureds", "reinsurance_treaties", "specialty_lines"})
JSONL_SOURCES = frozenset({"policies", "claims"})

MANIFEST_DIR = "_manifests"
FAULTS_DIR = "_faults"


def extension(source: str) -> str:
    """The file extension (without compression suffix) a source is delivered in."""
    if source in CSV_SOURCES:
        return "csv"
    if source in JSONL_SOURCES:
        return "jsonl"
    raise ValueError(f"unknown source {source!r}; expected one of {', '.join(SOURCES)}")


def partition(ingest_date: dt.date) -> str:
    return f"ingest_date={ingest_date.isoformat()}"


def data_file_path(
    source: str, ingest_date: dt.date, written_at: dt.datetime, seq: int, *, gzip: bool = False
) -> str:
    """Relative lake path of one data file, e.g.
    ``claims/ingest_date=2026-11-20/claims_20261120T060000Z_0001.jsonl``."""
    stamp = written_at.strftime("%Y%m%dT%H%M%SZ")
    name = f"{source}_{stamp}_{seq:04d}.{extension(source)}" + (".gz" if gzip else "")
    return str(PurePosixPath(source) / partition(ingest_date) / name)


def manifest_path(ingest_date: dt.date, batch_id: str) -> str:
    return str(PurePosixPath(MANIFEST_DIR) / partition(ingest_date) / f"{batch_id}.json")


def faults_path(ingest_date: dt.date, batch_id: str) -> str:
    return str(PurePosixPath(FAULTS_DIR) / partition(ingest_date) / f"{batch_id}.json")


def batch_id(batch_number: int) -> str:
    return f"batch-{batch_number:04d}"
