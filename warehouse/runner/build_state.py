"""Whether a run has anything to build: what landing recorded and what the code is, now and
at the last successful build.

After `stage_external_sources`, the runner builds when:
  - it is asked to (--force, --full-refresh, --full-tests);
  - no build succeeded on this database yet (no saved state), or the landing record is
    missing (external tables on Snowflake keep none: there every run builds);
  - landing recorded something since the last successful build: a file landed
    (`_landed_files`), or what was refused, pending or skipped changed (`_landing_issues`,
    whose source test must then run);
  - the project's code changed since the last successful build (dbt's `state:modified`
    against the manifest saved then): only the modified nodes and what depends on them
    are built.
Otherwise it builds nothing. The state is a folder beside the database
(``<database>.state/``: the manifest of the last successful build and the landing
fingerprint it saw), so a deleted or replaced database is never mistaken for a built one.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from pathlib import Path

import duckdb
import yaml

STATE_SUFFIX = ".state"


@dataclass(frozen=True)
class LandingFingerprint:
    """What landing recorded: files landed, their records, the last landing, and a digest
    of the current landing issues."""

    files: int
    records: int
    last_loaded_at: str | None
    issues: str

    def describe(self) -> str:
        return f"{self.files} file(s), {self.records:,} record(s) landed"


def state_dir(database: Path) -> Path:
    return database.with_name(database.name + STATE_SUFFIX)


def landing_fingerprint(database: Path) -> LandingFingerprint | None:
    """The landing record of a DuckDB warehouse; None when there is none (no database, no
    `_landed_files` table: nothing landed through the project's loader)."""
    if not database.exists():
        return None
    with duckdb.connect(str(database)) as con:  # dbt-duckdb may hold it open in-process
        tables = dict(
            con.execute(
                "select table_name, table_schema from information_schema.tables "
                "where table_name in ('_landed_files', '_landing_issues')"
            ).fetchall()
        )
        if "_landed_files" not in tables:
            return None
        files, records, last = con.execute(
            "select count(*), coalesce(sum(records), 0), max(loaded_at)::varchar "
            f"from {tables['_landed_files']}._landed_files"
        ).fetchone() or (0, 0, None)
        issues = ""
        if "_landing_issues" in tables:
            row = con.execute(
                "select coalesce(md5(string_agg(concat_ws('|', source_table, file_name, "
                "severity, reason), chr(10) order by source_table, file_name, reason)), '') "
                f"from {tables['_landing_issues']}._landing_issues"
            ).fetchone()
            issues = str(row[0]) if row else ""
    return LandingFingerprint(int(files), int(records), last, issues)


PATH_KEYS = {
    "model-paths": ["models"],
    "macro-paths": ["macros"],
    "seed-paths": ["seeds"],
    "snapshot-paths": ["snapshots"],
    "test-paths": ["tests"],
    "analysis-paths": ["analyses"],
}
# environment variables that can change what dbt renders (secrets left out)
ENV_PREFIXES = ("DBT_", "DUCKDB_", "LAKE_", "SNOWFLAKE_")
SECRET_WORDS = ("KEY", "PASS", "SECRET", "TOKEN")


def _stat_lines(folder: Path) -> Iterable[str]:
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if d not in ("target", "logs", "__pycache__"))
        for name in sorted(files):
            path = Path(root, name)
            try:
                info = path.stat()
            except OSError:
                continue
            yield f"{path}\t{info.st_size}\t{info.st_mtime_ns}"


def code_digest(
    project_dir: Path,
    packages_dir: Path | None,
    variables: Iterable[str],
    environ: Mapping[str, str],
) -> str:
    """A digest of what dbt reads to make its manifest: the project's files (by path, size
    and modification time), its packages, the profiles, dbt's version, the --vars given
    and the dbt-related environment variables."""
    from dbt.version import __version__ as dbt_version

    project_file = project_dir / "dbt_project.yml"
    config = yaml.safe_load(project_file.read_text()) or {}
    folders = [
        project_dir / path
        for key, default in PATH_KEYS.items()
        for path in config.get(key, default)
    ]
    profiles = Path(environ.get("DBT_PROFILES_DIR", str(project_dir))) / "profiles.yml"
    digest = hashlib.sha256(f"dbt {dbt_version}\n".encode())
    for path in (project_file, project_dir / "packages.yml", profiles):
        if path.is_file():
            digest.update(path.read_bytes())
    for folder in [*folders, *([packages_dir] if packages_dir else [])]:
        for line in _stat_lines(folder.resolve()):
            digest.update(line.encode() + b"\n")
    for name in sorted(environ):
        if name.startswith(ENV_PREFIXES) and not any(w in name for w in SECRET_WORDS):
            digest.update(f"{name}={environ[name]}\n".encode())
    digest.update("\n".join(variables).encode())
    return digest.hexdigest()


def lake_digest(lake: Path) -> str | None:
    """A digest of every file in a local lake (path, size, modification time); None when
    there is no such folder."""
    if not lake.is_dir():
        return None
    digest = hashlib.sha256()
    for line in _stat_lines(lake.resolve()):
        digest.update(line.encode() + b"\n")
    return digest.hexdigest()


@dataclass(frozen=True)
class SavedState:
    manifest_dir: Path  # holds manifest.json: dbt's --state
    landing: LandingFingerprint | None
    code: str  # code_digest at the last successful build
    lake: str | None = None  # lake_digest when it was staged


def load_state(database: Path) -> SavedState | None:
    folder = state_dir(database)
    manifest = folder / "manifest.json"
    saved = folder / "build.json"
    if not (manifest.is_file() and saved.is_file()):
        return None
    data = json.loads(saved.read_text())
    landing = data.get("landing")
    return SavedState(
        folder,
        LandingFingerprint(**landing) if landing else None,
        data["code"],
        data.get("lake"),
    )


def save_state(
    database: Path,
    manifest: Path,
    landing: LandingFingerprint | None,
    code: str,
    lake: str | None,
) -> None:
    """After a successful build: the manifest it built, the landing it saw, the code and
    lake digests."""
    folder = state_dir(database)
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(manifest, folder / "manifest.json")
    _write_build(folder, landing, code, lake)


def note_lake(database: Path, saved: SavedState, lake: str | None) -> None:
    """After a pass that found nothing to build: the lake as it is now (a file touched
    but not changed), so that the next run can decide without dbt."""
    _write_build(state_dir(database), saved.landing, saved.code, lake)


def _write_build(
    folder: Path, landing: LandingFingerprint | None, code: str, lake: str | None
) -> None:
    data = {"landing": asdict(landing) if landing else None, "code": code, "lake": lake}
    (folder / "build.json").write_text(json.dumps(data, indent=2))


def forget_state(database: Path) -> None:
    shutil.rmtree(state_dir(database), ignore_errors=True)


@dataclass(frozen=True)
class Decision:
    """What to build after staging, and why."""

    build: bool
    reason: str
    arguments: tuple[str, ...] = ()  # for `dbt build`: () builds everything

    def render(self) -> str:
        if not self.build:
            return f"nothing to build: {self.reason}"
        what = " ".join(self.arguments) if self.arguments else "everything"
        return f"build {what}: {self.reason}"


@dataclass(frozen=True)
class Asked:
    """What the command line asks for."""

    force: bool = False
    full_refresh: bool = False
    full_tests: bool = False


def decide_on_data(
    asked: Asked, saved: SavedState | None, landing: LandingFingerprint | None
) -> Decision | None:
    """The decision that needs no look at the code: a build (of everything), or None when
    the data is what the last successful build saw (then only a code change builds)."""
    if asked.full_refresh:
        return Decision(True, "--full-refresh asked for", ("--full-refresh",))
    if asked.force:
        return Decision(True, "--force asked for")
    if asked.full_tests:
        return Decision(True, "--full-tests asked for: every test over whole tables")
    if landing is None:
        return Decision(
            True,
            "no landing record to compare (external tables on Snowflake record none: "
            "every run builds there)",
        )
    if saved is None:
        return Decision(True, "no successful build of this database yet")
    before = saved.landing
    if (
        before is None
        or before.files != landing.files
        or before.last_loaded_at != (landing.last_loaded_at)
    ):
        was = before.describe() if before else "nothing"
        return Decision(True, f"new data landed ({landing.describe()}; last build saw {was})")
    if before.issues != landing.issues:
        return Decision(True, "what landing refused, holds pending or skipped changed")
    return None


def decide_on_code(modified: list[str], saved: SavedState) -> Decision:
    """No new data: build what the code changed (state:modified+), or nothing."""
    if not modified:
        return Decision(
            False,
            "no new data since the last successful build, and the project's code is "
            "unchanged (state:modified is empty)",
        )
    names = sorted({n.split(".")[2] if n.count(".") >= 2 else n for n in modified})
    shown = ", ".join(names[:5])
    more = f" and {len(names) - 5} more" if len(names) > 5 else ""
    # a changed test must judge every row, not only the newest: whole-table tests
    return Decision(
        True,
        f"no new data, but the code changed: {len(modified)} node(s) modified ({shown}{more}); "
        "their tests read whole tables",
        (
            "--select",
            "state:modified+",
            "--state",
            str(saved.manifest_dir),
            "--vars",
            "{full_tests: true}",
        ),
    )


def decide_without_dbt(
    asked: Asked, database: Path, lake: str | None, code: str
) -> Decision | None:
    """Nothing to build, decided before dbt starts, when nothing it reads can have moved:
    the lake's files (paths, sizes, modification times), the landing record and the code
    are as at the last successful build, so staging would land nothing. None otherwise
    (then dbt stages and decides)."""
    if asked.force or asked.full_refresh or asked.full_tests:
        return None
    saved = load_state(database)
    if saved is None or saved.landing is None or lake is None:
        return None
    if saved.lake != lake or saved.code != code:
        return None
    if landing_fingerprint(database) != saved.landing:
        return None
    return Decision(
        False,
        "no new data: the lake's files, the landing record and the project's code are as "
        "at the last successful build, so staging would land nothing (dbt not started)",
    )
