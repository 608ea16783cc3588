"""Running dbt: the one module that does it, for the runner, the CI, the checks, the dashboard.

One way to build the environment (:func:`variables`, :func:`flags`); dbt runs in-process
(:func:`invoke`, :class:`Dbt`) unless isolation is the point (:func:`run_subprocess`); the
engine of a target is the profile's adapter type (:func:`adapter_type`).
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from warehouse.errors import ConfigurationError

if TYPE_CHECKING:
    from dbt.cli.main import dbtRunnerResult

    from warehouse.runner.modes import Mode

ROOT = Path(__file__).resolve().parents[1]
PROFILE_TARGET_VARIABLE = "DBT_TARGET"


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


def variables(
    *,
    profiles_dir: Path = ROOT,
    target: str | None = None,
    database: Path | None = None,
    lake: str | None = None,
    target_path: Path | None = None,
    extra: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """The environment dbt runs with: what ``profiles.yml`` and ``dbt_project.yml`` read
    (``DBT_TARGET``, ``DUCKDB_PATH``, ``LAKE_ROOT``...), then ``extra`` (a schema, the hub
    packages' folder, the offline check's placeholders)."""
    env = {
        "DBT_PROFILES_DIR": str(profiles_dir),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }
    if target is not None:
        env[PROFILE_TARGET_VARIABLE] = target
    if lake is not None:
        env["LAKE_ROOT"] = lake
    if database is not None:
        env["DUCKDB_PATH"] = str(database)
    if target_path is not None:
        env["DBT_TARGET_PATH"] = str(target_path)
    extension = httpfs_extension()
    if extension is not None:
        env["DUCKDB_HTTPFS_EXTENSION"] = str(extension)
    env.update(extra or {})
    return env


def dbt_environment(lake: str, database: Path, target_path: Path | None = None) -> dict[str, str]:
    """The runner's environment: the project's profiles, a lake and a DuckDB file."""
    return variables(lake=lake, database=database, target_path=target_path)


def flags(project_dir: Path, **where: Path | str | None) -> list[str]:
    """The options that place one dbt command: ``--project-dir`` and, when given,
    ``profiles_dir``, ``target``, ``target_path``, ``log_path``."""
    out = ["--project-dir", str(project_dir)]
    for name in ("profiles_dir", "target", "target_path", "log_path"):
        if where.get(name) is not None:
            out += ["--" + name.replace("_", "-"), str(where[name])]
    return out


@contextlib.contextmanager
def environment_applied(values: Mapping[str, str], *, override: bool = True) -> Iterator[None]:
    """``values`` in ``os.environ`` (only the unset ones unless ``override``) while dbt runs
    in this process; the environment is restored afterwards."""
    saved = dict(os.environ)
    os.environ.update({k: v for k, v in values.items() if override or k not in os.environ})
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


def invoke(args: Sequence[str], *, callbacks: Sequence[Any] = ()) -> dbtRunnerResult:
    """One dbt command in this process: the default, and the only way dbt sees a stand-in
    adapter installed here (the offline Snowflake check)."""
    from dbt.cli.main import dbtRunner

    return dbtRunner(callbacks=list(callbacks)).invoke(list(args))


def dbt_executable() -> str:
    found = Path(sys.executable).with_name("dbt")
    return str(found) if found.exists() else "dbt"


def run_subprocess(
    args: Sequence[str],
    env: Mapping[str, str],
    *,
    log: Path | None = None,
    timeout: float | None = None,
) -> tuple[subprocess.CompletedProcess[str], float]:
    """One dbt command in a fresh process, where isolation is the point: the CI runs a
    sequence of commands on several schemas and targets, each with its own log (its tail
    goes into the error), and connects to the DuckDB file between them; `dbt deps` runs
    with a timeout. Output goes to ``log``, else it is captured. (The emulator's worker runs
    dbt in fakesnow's own virtual environment and cannot import this module.)"""
    start = time.perf_counter()
    with contextlib.ExitStack() as stack:
        out = stack.enter_context(log.open("w")) if log is not None else subprocess.PIPE
        proc = subprocess.run(
            [dbt_executable(), *args],
            env={**os.environ, **env},
            stdout=out,
            stderr=subprocess.STDOUT if log is not None else subprocess.PIPE,
            text=True,
            timeout=timeout,
            check=False,
        )
    return proc, time.perf_counter() - start


def adapter_type(project_dir: Path, profiles_dir: Path, target: str) -> str:
    """The engine (``duckdb``, ``snowflake``) of ``target`` in the profile ``project_dir``
    names, as ``profiles.yml`` in ``profiles_dir`` declares it."""
    try:
        project = yaml.safe_load((project_dir / "dbt_project.yml").read_text())
        profiles = yaml.safe_load((profiles_dir / "profiles.yml").read_text())
    except OSError as error:
        raise ConfigurationError(f"cannot read the dbt project or profile: {error}") from error
    name = str((project or {}).get("profile", ""))
    outputs = ((profiles or {}).get(name) or {}).get("outputs") or {}
    output = outputs.get(target)
    if not isinstance(output, dict) or not output.get("type"):
        known = ", ".join(sorted(outputs)) or "none"
        raise ConfigurationError(
            f"profile {name!r} in {profiles_dir / 'profiles.yml'} has no target {target!r}"
            f" with a type (targets: {known})"
        )
    return str(output["type"])


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
