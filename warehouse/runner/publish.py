"""Publishing the warehouse for its readers (the dashboard, `mf` on a copy).

dbt-duckdb opens the database read-write: a dashboard holding the live file open makes the
next build fail with "Could not set lock on file". Readers therefore open a copy that each
run publishes at its end, beside the database (``published/``): the database, its semantic
manifest (MetricFlow's view of the metrics) and the run's facts a data-quality page shows
(source freshness). Each file is copied to a temporary name in the same folder, then moved
over the old one (``os.replace``, atomic): a reader sees the previous copy or the new one,
never half a file.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

import duckdb

DATABASE = "warehouse.duckdb"
SEMANTIC_MANIFEST = "semantic_manifest.json"
RUN_FACTS = "run.json"


def published_dir(database: Path) -> Path:
    return database.parent / "published"


def _atomic_copy(source: Path, target: Path) -> None:
    temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        shutil.copyfile(source, temporary)
        os.replace(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)


def _atomic_write(text: str, target: Path) -> None:
    temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    temporary.write_text(text)
    os.replace(temporary, target)


def publish(database: Path, semantic_manifest: Path, facts: dict[str, Any], folder: Path) -> Path:
    """Copy ``database`` (checkpointed first: nothing left in its WAL) and
    ``semantic_manifest`` into ``folder``, with ``facts`` as run.json; the folder."""
    folder.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(database)) as connection:  # dbt may hold it open in-process
        connection.execute("checkpoint")
    if semantic_manifest.exists():
        _atomic_copy(semantic_manifest, folder / SEMANTIC_MANIFEST)
    _atomic_write(json.dumps(facts, indent=1, default=str), folder / RUN_FACTS)
    _atomic_copy(database, folder / DATABASE)
    return folder
