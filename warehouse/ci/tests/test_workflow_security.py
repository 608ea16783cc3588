"""The CI workflows cannot be turned against production (docs/access.md, "CI security model").

Each rule reads the parsed workflows (.github/workflows/*.yml) and returns its findings; the
real workflows must have none, and each rule is shown to catch the regression it guards
against on a small bad workflow.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from warehouse.ci.core import REPO_ROOT

WORKFLOWS = REPO_ROOT / ".github" / "workflows"
# Secrets that open production: they may appear only in a job of the `production` environment.
PRODUCTION_SECRETS = frozenset({"SNOWFLAKE_PRIVATE_KEY", "SNOWFLAKE_USER"})
PRODUCTION_ENVIRONMENT = "production"
CI_ROLE = "CI_RUNNER"
CI_DATABASE = "INSURANCE_CI"
PINNED = re.compile(r"^[\w.-]+/[\w.-]+(/[\w./-]+)?@[0-9a-f]{40}$")
SECRET = re.compile(r"secrets\.([A-Za-z_][A-Za-z0-9_]*)")
# Artifact paths that may hold data: database files, lake files, diffs with sample rows,
# and whole folders (a folder uploads whatever lands in it).
DATA_PATH = re.compile(r"(\.duckdb|\.wal|\.jsonl|\.csv|\.parquet|(^|/)lake(/|$)|diff\.json|/$)")

Workflow = dict[str, Any]
Finding = str


def load(path: Path) -> Workflow:
    workflow = yaml.safe_load(path.read_text(encoding="utf-8"))
    # PyYAML reads the key `on` as the boolean True
    if True in workflow:
        workflow["on"] = workflow.pop(True)
    return workflow


def triggers(workflow: Workflow) -> set[str]:
    on = workflow.get("on") or {}
    if isinstance(on, str):
        return {on}
    return set(on)


def jobs(workflow: Workflow) -> Iterator[tuple[str, dict[str, Any]]]:
    yield from (workflow.get("jobs") or {}).items()


def steps(job: dict[str, Any]) -> list[dict[str, Any]]:
    return list(job.get("steps") or [])


def environment(job: dict[str, Any]) -> str | None:
    env = job.get("environment")
    return env.get("name") if isinstance(env, dict) else env


def strings(node: Any, path: str = "") -> Iterator[tuple[str, str]]:
    """(path, string) for every string in the workflow, keys joined with '.'."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield from strings(value, f"{path}.{key}" if path else str(key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from strings(value, f"{path}[{i}]")
    elif isinstance(node, str):
        yield path, node


def pr_triggered(workflow: Workflow) -> bool:
    return bool(triggers(workflow) & {"pull_request", "pull_request_target"})


# -- the rules -------------------------------------------------------------------------------
def actions_pinned(workflow: Workflow) -> list[Finding]:
    found = []
    for name, job in jobs(workflow):
        uses = [job["uses"]] if "uses" in job else []
        uses += [s["uses"] for s in steps(job) if "uses" in s]
        for use in uses:
            if not use.startswith("./") and not PINNED.match(use):
                found.append(f"{name}: {use} is not pinned to a commit SHA")
    return found


def secrets_only_in_env(workflow: Workflow) -> list[Finding]:
    """A secret is handed to a job or step through `env:`, never pasted in a command."""
    found = []
    for path, text in strings(workflow):
        if not SECRET.search(text):
            continue
        parts = path.split(".")
        # jobs.<job>.env.<VAR> or jobs.<job>.steps[i].env.<VAR>
        in_env = len(parts) >= 4 and parts[0] == "jobs" and parts[-2] == "env"
        if not in_env:
            found.append(f"{path}: a secret outside a job's or step's env")
    return found


def production_secrets_fenced(workflow: Workflow) -> list[Finding]:
    """Production secrets only in main-branch jobs of the `production` environment."""
    found = []
    for name, job in jobs(workflow):
        used = {m for _, text in strings(job) for m in SECRET.findall(text)}
        prod = used & PRODUCTION_SECRETS
        if not prod:
            continue
        if pr_triggered(workflow):
            found.append(f"{name}: pull-request workflow uses {sorted(prod)}")
        if environment(job) != PRODUCTION_ENVIRONMENT:
            found.append(f"{name}: uses {sorted(prod)} outside the production environment")
        if "refs/heads/main" not in str(job.get("if", "")):
            found.append(f"{name}: uses {sorted(prod)} without `if: github.ref == main`")
    return found


def pull_requests_run_as_ci(workflow: Workflow) -> list[Finding]:
    """Pull-request jobs: no production environment, and the CI role in the CI database."""
    if not pr_triggered(workflow):
        return []
    found = []
    if "pull_request_target" in triggers(workflow):
        found.append("pull_request_target runs with the base repository's secrets")
    top = workflow.get("env") or {}
    for name, job in jobs(workflow):
        if environment(job) == PRODUCTION_ENVIRONMENT:
            found.append(f"{name}: a pull-request job in the production environment")
        used = {m for _, text in strings(job) for m in SECRET.findall(text)}
        if not any(s.startswith("SNOWFLAKE") for s in used):
            continue
        env = {**top, **(job.get("env") or {})}
        if env.get("SNOWFLAKE_ROLE") != CI_ROLE or env.get("SNOWFLAKE_DATABASE") != CI_DATABASE:
            found.append(f"{name}: Snowflake without SNOWFLAKE_ROLE={CI_ROLE} in {CI_DATABASE}")
    return found


def key_files_removed(workflow: Workflow) -> list[Finding]:
    """A job that writes a private key has a later `if: always()` step removing it."""
    found = []
    for name, job in jobs(workflow):
        job_steps = steps(job)
        for i, step in enumerate(job_steps):
            env = step.get("env") or {}
            if not any("PRIVATE_KEY" in str(v) and "secrets." in str(v) for v in env.values()):
                continue
            cleanup = [
                s
                for s in job_steps[i + 1 :]
                if "always()" in str(s.get("if", ""))
                and "rm -f" in str(s.get("run", ""))
                and "SNOWFLAKE_PRIVATE_KEY_PATH" in str(s.get("run", ""))
            ]
            if not cleanup:
                found.append(f"{name}: key written by {step.get('name')!r} is never removed")
    return found


def artifacts_hold_no_data(workflow: Workflow) -> list[Finding]:
    found = []
    for name, job in jobs(workflow):
        for step in steps(job):
            if "upload-artifact" not in str(step.get("uses", "")):
                continue
            paths = str((step.get("with") or {}).get("path", "")).split("\n")
            for path in (p.strip() for p in paths):
                if path and DATA_PATH.search(path):
                    found.append(f"{name}: artifact path {path!r} may hold data")
    return found


def write_tokens_run_no_branch_code(workflow: Workflow) -> list[Finding]:
    """A token that can write runs only in jobs that neither check out nor run the code."""
    found = []
    top = workflow.get("permissions") or {}
    if top == "write-all" or (isinstance(top, dict) and "write" in top.values()):
        found.append("workflow-level permissions grant write")
    for name, job in jobs(workflow):
        perms = job.get("permissions") or {}
        writes = perms == "write-all" or (isinstance(perms, dict) and "write" in perms.values())
        if not writes:
            continue
        runs_code = any(
            "checkout" in str(s.get("uses", ""))
            or re.search(r"\bmake\b|\.venv/|python|dbt", str(s.get("run", "")))
            for s in steps(job)
        )
        if runs_code:
            found.append(f"{name}: a write token in a job that runs the repository's code")
    return found


def diffs_without_samples(workflow: Workflow) -> list[Finding]:
    found = []
    for name, job in jobs(workflow):
        for step in steps(job):
            for line in str(step.get("run", "")).splitlines():
                if "warehouse diff" in line and "--samples 0" not in line:
                    found.append(f"{name}: {line.strip()!r} keeps sample rows")
    return found


RULES: list[Callable[[Workflow], list[Finding]]] = [
    actions_pinned,
    secrets_only_in_env,
    production_secrets_fenced,
    pull_requests_run_as_ci,
    key_files_removed,
    artifacts_hold_no_data,
    write_tokens_run_no_branch_code,
    diffs_without_samples,
]


# -- the workflows as they are ---------------------------------------------------------------
def workflow_files() -> list[Path]:
    return sorted(WORKFLOWS.glob("*.yml"))


def test_the_workflows_are_found() -> None:
    names = {p.name for p in workflow_files()}
    assert {"pull-request.yml", "main.yml", "nightly.yml"} <= names


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.__name__)
@pytest.mark.parametrize("path", workflow_files(), ids=lambda p: p.name)
def test_workflow_follows_the_rule(path: Path, rule: Callable[[Workflow], list[Finding]]) -> None:
    assert rule(load(path)) == []


def test_production_credentials_live_in_main_only() -> None:
    users = {
        p.name
        for p in workflow_files()
        for _, job in jobs(load(p))
        if {m for _, t in strings(job) for m in SECRET.findall(t)} & PRODUCTION_SECRETS
    }
    assert users == {"main.yml"}
    promote = load(WORKFLOWS / "main.yml")["jobs"]["promote"]
    assert environment(promote) == PRODUCTION_ENVIRONMENT


# -- each rule catches its regression --------------------------------------------------------
def wf(text: str) -> Workflow:
    workflow = yaml.safe_load(text)
    if True in workflow:
        workflow["on"] = workflow.pop(True)
    return workflow


BAD = {
    actions_pinned: """
on: push
jobs:
  a:
    steps:
      - uses: marocchino/sticky-pull-request-comment@v2
""",
    secrets_only_in_env: """
on: push
jobs:
  a:
    steps:
      - run: printf '%s' "${{ secrets.SNOWFLAKE_PRIVATE_KEY }}" > key.p8
""",
    production_secrets_fenced: """
on: push
jobs:
  a:
    steps:
      - env:
          K: ${{ secrets.SNOWFLAKE_PRIVATE_KEY }}
        run: echo
""",
    pull_requests_run_as_ci: """
on: pull_request
jobs:
  a:
    env:
      SNOWFLAKE_ROLE: TRANSFORMER
    steps:
      - env:
          A: ${{ secrets.SNOWFLAKE_ACCOUNT }}
        run: dbt build
""",
    key_files_removed: """
on: push
jobs:
  a:
    steps:
      - env:
          K: ${{ secrets.SNOWFLAKE_CI_PRIVATE_KEY }}
        run: printf '%s' "$K" > "$SNOWFLAKE_PRIVATE_KEY_PATH"
      - run: dbt build
""",
    artifacts_hold_no_data: """
on: push
jobs:
  a:
    steps:
      - uses: actions/upload-artifact@ea165f8d65b6e75b540449e92b4886f43607fa02
        with:
          path: prod-state/
""",
    write_tokens_run_no_branch_code: """
on: pull_request
permissions:
  pull-requests: write
jobs:
  a:
    steps:
      - run: make venv
""",
    diffs_without_samples: """
on: push
jobs:
  a:
    steps:
      - run: .venv/bin/warehouse diff
""",
}


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.__name__)
def test_rule_catches_its_regression(rule: Callable[[Workflow], list[Finding]]) -> None:
    assert rule(wf(BAD[rule])) != []


def test_the_workflows_before_the_fix_break_the_rules() -> None:
    """The pull-request workflow as it was: tag-pinned sticky comment, secrets in run lines,
    production key in a pull-request job, the production database in the artifact."""
    before = wf("""
on:
  pull_request:
    branches: [main]
permissions:
  pull-requests: write
env:
  SNOWFLAKE_USER: ${{ secrets.SNOWFLAKE_USER }}
jobs:
  plan:
    steps:
      - uses: actions/checkout@v4
      - run: printf '%s' "${{ secrets.SNOWFLAKE_PRIVATE_KEY }}" > "$SNOWFLAKE_PRIVATE_KEY_PATH"
      - uses: marocchino/sticky-pull-request-comment@v2
      - uses: actions/upload-artifact@v4
        with:
          path: prod-state/
""")
    broken = {rule.__name__ for rule in RULES if rule(before)}
    assert broken >= {
        "actions_pinned",
        "secrets_only_in_env",
        "production_secrets_fenced",
        "artifacts_hold_no_data",
        "write_tokens_run_no_branch_code",
    }
