"""Check a local lake against its batch manifests: nothing lost, nothing added."""

from __future__ import annotations

from pathlib import Path

from generator import lake
from generator.manifest import read_manifests, sha256_file


def verify_lake(root: Path) -> tuple[list[str], int]:
    """Problems found, and how many listed files were checked."""
    if not root.is_dir():
        return [f"{root} is not a folder"], 0
    manifests = read_manifests(root)
    if not manifests:
        return [f"{root} has no batch manifests under {lake.MANIFEST_DIR}/"], 0
    problems: list[str] = []
    listed: set[str] = set()
    checked = 0
    for manifest in manifests:
        for entry in manifest.files:
            listed.add(entry.path)
            path = root / entry.path
            checked += 1
            if not path.is_file():
                problems.append(f"{entry.path}: listed in {manifest.batch_id}, missing")
                continue
            if path.stat().st_size != entry.bytes:
                problems.append(
                    f"{entry.path}: {path.stat().st_size} bytes, manifest says {entry.bytes}"
                )
            if sha256_file(path) != entry.sha256:
                problems.append(f"{entry.path}: SHA-256 differs from the manifest")
    for source in lake.SOURCES:
        for path in sorted((root / source).glob("ingest_date=*/*")):
            rel = path.relative_to(root).as_posix()
            if rel not in listed:
                problems.append(f"{rel}: data file in no manifest")
    return problems, checked
