"""The whole check and its report: the rules (:mod:`.rules`) over everything the project
compiles for Snowflake (:mod:`.compile`), and what `dbt build` sent on the emulator."""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from warehouse.checks.snowflake_sql.compile import (
    DEFAULT_TARGET,
    OFFLINE_PROJECT,
    REPO_ROOT,
    CompiledSql,
    compile_project,
    stage_external_sources,
)
from warehouse.checks.snowflake_sql.rules import (
    FUNCTIONS_FILE,
    check_sql,
    check_target_branches,
    load_allowed_functions,
    stage_prefix,
)
from warehouse.errors import MissingInputError

# --- the whole check -------------------------------------------------------------------------


@dataclass
class Report:
    problems: dict[str, list[str]] = field(default_factory=dict)  # "label (path)" -> problems
    checked: int = 0
    node_count: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.problems

    def add(self, where: str, problems: Iterable[str]) -> None:
        problems = list(problems)
        if problems:
            self.problems.setdefault(where, []).extend(problems)

    def render(self) -> str:
        counts = ", ".join(f"{n} {kind}s" for kind, n in sorted(self.node_count.items()))
        lines = [
            f"Snowflake SQL check: {self.checked} SQL texts checked ({counts or 'no nodes'})"
            f" in {self.seconds:.1f} s"
        ]
        lines += [f"  note: {note}" for note in self.notes]
        for where in sorted(self.problems):
            lines.append(where)
            lines += [f"  - {problem}" for problem in self.problems[where]]
        total = sum(len(p) for p in self.problems.values())
        lines.append(f"{total} problem(s)" if total else "OK: no problem found")
        return "\n".join(lines)


def check_compiled(
    compiled: Iterable[CompiledSql], allowed: frozenset[str]
) -> dict[str, list[str]]:
    problems: dict[str, list[str]] = {}
    for item in compiled:
        found = check_sql(item.sql, allowed)
        if found:
            where = f"{item.label} ({item.path})" if item.path else item.label
            problems.setdefault(where, []).extend(found)
    return problems


def _profiles_home(project_dir: Path) -> Path:
    """The project's own profiles.yml, else the repository's (the offline project's)."""
    return project_dir if (project_dir / "profiles.yml").is_file() else REPO_ROOT


def run_check(
    project_dir: Path = OFFLINE_PROJECT,
    *,
    target: str = DEFAULT_TARGET,
    profiles_dir: Path | None = None,
    work_dir: Path | None = None,
    functions_file: Path = FUNCTIONS_FILE,
    packages_dir: Path | None = None,
    statements_file: Path | None = None,
) -> Report:
    """Check ``project_dir`` (default: the offline project, which needs no package); with
    ``packages_dir`` (the hub packages), also the root's `stage_external_sources`; with
    ``statements_file`` (the emulator's log, warehouse/checks/emulator.py), every
    statement a `dbt build` sent."""
    from warehouse.checks import sent_sql

    for needed in (project_dir / "dbt_project.yml", functions_file, statements_file):
        if needed is None:
            continue
        if not needed.is_file():
            raise MissingInputError(f"no {needed.name} at {needed.parent}")
    started = time.perf_counter()
    report = Report()
    allowed = load_allowed_functions(functions_file)
    for path, problems in check_target_branches(project_dir).items():
        report.add(path, problems)
    results = [
        compile_project(
            project_dir,
            target=target,
            profiles_dir=profiles_dir or _profiles_home(project_dir),
            work_dir=work_dir and work_dir / "compile",
        )
    ]
    if packages_dir is not None:
        staged = stage_external_sources(
            REPO_ROOT,
            packages_dir,
            target=target,
            profiles_dir=profiles_dir,
            work_dir=work_dir and work_dir / "stage",
        )
        created = [q for q in staged.sql if "create or replace external table" in q.sql.lower()]
        if not created:
            staged.errors.setdefault(
                "stage_external_sources", "no `create or replace external table` statement"
            )
        for label, error in staged.errors.items():
            report.add(label, [f"fails for Snowflake offline: {error}"])
        # dbt-external-tables' DDL as sent: parsed, functions and types checked, and
        # every file_name stripped of the stage's prefix
        sent = sent_sql.check_statements(
            [sent_sql.SentStatement("stage_external_sources", item.sql) for item in staged.sql],
            allowed,
            stage_prefix(REPO_ROOT),
        )
        for where, problems in sent.problems.items():
            report.add(where, problems)
        report.checked += sent.checked
        report.notes.append(
            f"stage_external_sources at the root (hub packages from {packages_dir}):"
            f" {len(created)} external table(s) created by dbt-external-tables"
        )
    if statements_file is not None:
        sent = sent_sql.check_statements(
            sent_sql.load_statements(statements_file), allowed, stage_prefix(project_dir)
        )
        for where, problems in sent.problems.items():
            report.add(where, problems)
        report.checked += sent.checked
        report.notes.append(f"statements dbt sent ({statements_file}): {sent.summary()}")
    for compiled in results:
        for kind, n in compiled.node_count.items():
            report.node_count[kind] = report.node_count.get(kind, 0) + n
        report.notes += compiled.notes
        for label, error in compiled.errors.items():
            report.add(label, [f"does not compile for Snowflake offline: {error}"])
        for label, problems in compiled.problems.items():
            report.add(label, problems)
        for where, problems in check_compiled(compiled.sql, allowed).items():
            report.add(where, problems)
        report.checked += len(compiled.sql)
    report.seconds = time.perf_counter() - started
    return report
