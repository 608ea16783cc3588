"""Running dbt in-process, with the environment the project's profiles expect."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from warehouse.runner.modes import ROOT, Mode

if TYPE_CHECKING:
    from dbt.cli.main import dbtRunnerResult


def httpfs_extension() -> Path | None:
    """The httpfs extension shipped by the duckdb-extension-httpfs wheel (DuckDB cannot
    download extensions here), for an s3:// lake."""
    try:
        import duckdb
        import duckdb_extension_httpfs
    except ImportError:
        return None
    base = Path(duckdb_extension_httpfs.__file__).parent / "extensions"
    found = sorted(base.glob(f"v{duckdb.__version__}/httpfs.duckdb_extension"))
    return found[0] if found else None


def dbt_environment(lake: str, database: Path, target_path: Path | None = None) -> dict[str, str]:
    env = {
        "DBT_PROFILES_DIR": str(ROOT),
        "LAKE_ROOT": lake,
        "DUCKDB_PATH": str(database),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }
    if target_path is not None:
        env["DBT_TARGET_PATH"] = str(target_path)
    extension = httpfs_extension()
    if extension is not None:
        env["DUCKDB_HTTPFS_EXTENSION"] = str(extension)
    return env


@dataclass(frozen=True)
class WarnedTest:
    """A test that warned: its name, the model (or source) it tests, its failing rows."""

    test: str
    tested: str
    failing_rows: int | None

    def render(self) -> str:
        rows = "?" if self.failing_rows is None else f"{self.failing_rows:,}"
        return f"{self.test} on {self.tested}: {rows} failing row(s)"


def _tested(node: object) -> str:
    """The model, snapshot, seed or source a test node is attached to."""
    attached = getattr(node, "attached_node", None)
    if attached:
        return str(attached).split(".")[-1]
    depends = getattr(getattr(node, "depends_on", None), "nodes", None) or []
    return ", ".join(str(n).split(".")[-1] for n in depends) or "?"


@dataclass
class DbtOutcome:
    command: str
    success: bool
    statuses: dict[str, dict[str, int]] = field(default_factory=dict)  # type -> status -> n
    failures: list[str] = field(default_factory=list)
    warnings: list[WarnedTest] = field(default_factory=list)
    seconds: float = 0.0


class Dbt:
    """dbt commands against one project directory, sharing one process."""

    def __init__(self, mode: Mode, env: dict[str, str], quiet: bool = True) -> None:
        from dbt.cli.main import dbtRunner

        self.mode = mode
        self.quiet = quiet
        os.environ.update(env)
        os.environ.update(mode.environment())
        self._errors: list[str] = []
        self.adapter_type = ""  # the target's engine, once parsed (duckdb, snowflake)
        self._runner = dbtRunner(callbacks=[self._collect_error])

    def _collect_error(self, event: object) -> None:
        """dbt's own error messages (what its console shows), for failures that carry
        no message of their own (a run-operation that raised)."""
        info = getattr(event, "info", None)
        if info is not None and str(getattr(info, "level", "")) == "error":
            message = " ".join(str(getattr(info, "msg", "")).split())
            if message:
                self._errors.append(message[:400])

    def _run(self, args: tuple[str, ...]) -> dbtRunnerResult:
        flags = ["--quiet"] if self.quiet else []
        argv = [*flags, *args, "--project-dir", str(self.mode.project_dir)]
        self._errors.clear()
        return self._runner.invoke(argv)

    def parse(self, *args: str) -> DbtOutcome:
        """`dbt parse`; the next invocations reuse its manifest instead of parsing the
        project again, until the next parse."""
        from dbt.cli.main import dbtRunner
        from dbt.contracts.graph.manifest import Manifest

        self._runner = dbtRunner(callbacks=[self._collect_error])
        # no manifest.json here: a build writes it (a run that builds nothing needs none)
        result = self._run(("parse", "--no-write-json", *args))
        outcome = self._outcome(("parse", *args), result)
        if outcome.success and isinstance(result.result, Manifest):
            self.adapter_type = str(result.result.metadata.adapter_type or "")
            self._runner = dbtRunner(manifest=result.result, callbacks=[self._collect_error])
        return outcome

    def ls(self, *args: str) -> list[str] | None:
        """`dbt ls` with ``args``: the selected nodes' unique ids; None when it failed."""
        result = self._run(
            ("ls", "--log-level", "none", "--output", "json", "--output-keys", "unique_id", *args)
        )
        if not result.success or not isinstance(result.result, list):
            return None
        ids: list[str] = []
        for line in result.result:
            try:
                ids.append(str(json.loads(line)["unique_id"]))
            except (ValueError, KeyError, TypeError):
                continue
        return ids

    def invoke(self, *args: str) -> DbtOutcome:
        return self._outcome(args, self._run(args))

    def _outcome(self, args: tuple[str, ...], result: dbtRunnerResult) -> DbtOutcome:
        outcome = DbtOutcome(command=" ".join(args), success=bool(result.success))
        if result.exception is not None:
            outcome.failures.append(f"{args[0]}: {result.exception}")
        results = getattr(result.result, "results", None) or []
        for r in results:
            node = getattr(r, "node", None)
            kind = getattr(node, "resource_type", "operation")
            kind = str(getattr(kind, "value", kind))
            status = str(getattr(r.status, "value", r.status))
            outcome.statuses.setdefault(kind, {}).setdefault(status, 0)
            outcome.statuses[kind][status] += 1
            outcome.seconds += float(getattr(r, "execution_time", 0.0) or 0.0)
            if status == "warn":
                failing = getattr(r, "failures", None)
                outcome.warnings.append(
                    WarnedTest(
                        test=str(getattr(node, "name", "?")),
                        tested=_tested(node),
                        failing_rows=None if failing is None else int(failing),
                    )
                )
            if status in ("error", "fail", "runtime error"):
                name = getattr(node, "unique_id", None) or " ".join(args[:2])
                message = getattr(r, "message", None) or "; ".join(self._errors[-3:])
                outcome.failures.append(f"{name}: {status}: {message or 'no message'}")
        if not outcome.success and not outcome.failures:
            outcome.failures.append(
                f"{' '.join(args[:2])}: " + ("; ".join(self._errors[-3:]) or "failed")
            )
        return outcome
