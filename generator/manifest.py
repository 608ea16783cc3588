"""Batch manifests: every file of a batch with its row count and SHA-256.

A manifest lets a loader or a test prove that nothing was lost or added between the
generator, the lake and the warehouse.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

MANIFEST_FORMAT = 1


@dataclass(frozen=True)
class ManifestFile:
    source: str
    path: str  # relative to the lake root, POSIX separators
    rows: int  # data rows: lines, less the header row for CSV
    bytes: int
    sha256: str


@dataclass
class Manifest:
    batch_id: str
    batch_number: int
    ingest_date: str  # YYYY-MM-DD
    files: list[ManifestFile] = field(default_factory=list)
    format: int = MANIFEST_FORMAT

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2, sort_keys=True) + "\n"

    @classmethod
    def from_json(cls, text: str) -> Manifest:
        raw = json.loads(text)
        if raw.get("format") != MANIFEST_FORMAT:
            raise ValueError(f"unsupported manifest format {raw.get('format')!r}")
        files = [ManifestFile(**f) for f in raw["files"]]
        return cls(
            batch_id=raw["batch_id"],
            batch_number=raw["batch_number"],
            ingest_date=raw["ingest_date"],
            files=files,
        )


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: Path, chunk_size: int = 1 << 20) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(chunk_size):
            digest.update(chunk)
    return digest.hexdigest()


def read_manifests(lake_root: Path) -> list[Manifest]:
    """Every batch manifest under a local lake root, in batch order."""
    manifests = [
        Manifest.from_json(p.read_text(encoding="utf-8"))
        for p in sorted((lake_root / "_manifests").glob("ingest_date=*/*.json"))
    ]
    return sorted(manifests, key=lambda m: (m.ingest_date, m.batch_number))
