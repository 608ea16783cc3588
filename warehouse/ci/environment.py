"""environment: build the plan's rebuild set, and only that set, into a branch's own schemas.

The environment is the project under the target schema ``ci_<env>`` (dbt then writes
``ci_<env>_staging``, ``ci_<env>_marts``...), in the same database as production. Every
model outside the rebuild set is read from production: ``--defer --state <production state>``
resolves its ``ref`` to production's relation. Unit tests run first (a failure stops there);
then ``dbt build`` builds the set with each model's data tests right after it.

On Snowflake, incremental models in the set whose change is non-breaking are first cloned from
production with ``dbt clone`` (zero-copy), so they run incrementally instead of from scratch.

``--compare-full`` also builds the whole project into a scratch schema, times it beside the
environment's build and drops it.
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections import Counter
from pathlib import Path
from typing import Any

from warehouse.ci.categories import ChangeCategory
from warehouse.ci.core import (
    FAILED_STATUSES,
    META_SCHEMA,
    DbtCall,
    Manifest,
    Settings,
    Warehouse,
    dbt,
    read_json,
    write_json,
)
from warehouse.ci.plan import Plan, rebuild_selectors
from warehouse.errors import PlanError


def statuses(run_results: dict[str, Any]) -> dict[str, dict[str, int]]:
    """resource type -> status -> count."""
    out: dict[str, Counter[str]] = {}
    for r in run_results.get("results", []):
        kind = r["unique_id"].split(".")[0]
        out.setdefault(kind, Counter())[r["status"]] += 1
    return {k: dict(v) for k, v in out.items()}


def failures(run_results: dict[str, Any]) -> list[str]:
    return [
        f"{r['unique_id']}: {r['status']}: {(r.get('message') or '').strip()[:200]}"
        for r in run_results.get("results", [])
        if r["status"] in FAILED_STATUSES
    ]


def _timed(call: DbtCall, results_name: str | None = None) -> dict[str, Any]:
    results = call.run_results(results_name)
    return {
        "command": " ".join(call.args[:1]),
        "returncode": call.returncode,
        "seconds": round(call.seconds, 2),
        "statuses": statuses(results),
        "failures": failures(results) if call.ok else failures(results) or [call.tail(15)],
    }


def build_environment(
    settings: Settings, state: Path, *, compare_full: bool = False
) -> dict[str, Any]:
    plan = Plan.load(settings)
    if not plan.ok:
        raise PlanError("the plan has errors; fix them before building:\n" + "\n".join(plan.errors))
    working = Manifest.load(settings.env_dir / "compile" / "manifest.json")
    selected = rebuild_selectors(plan, working)
    build_dir = settings.env_dir / "build"
    record: dict[str, Any] = {
        "environment": settings.env,
        "schema": settings.env_schema,
        "engine": settings.engine,
        "state": str(state),
        "selected": selected,
        "steps": [],
        "built_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
    }
    common = ["--defer", "--state", str(state)]
    if selected:
        if settings.engine == "snowflake":  # pragma: no cover - needs Snowflake
            clones = [
                s
                for s, c in zip(selected, plan.rebuild, strict=True)
                if c.materialized == "incremental" and c.category == ChangeCategory.NON_BREAKING
            ]
            if clones:
                call = dbt(
                    settings,
                    ["clone", "--select", *clones, "--state", str(state)],
                    target_path=settings.env_dir / "clone",
                    schema=settings.env_schema,
                )
                record["steps"].append({"step": "clone", **_timed(call)})
        planned = {c.unique_id for c in plan.rebuild}
        unit_tests = [
            uid
            for uid, test in working.data.get("unit_tests", {}).items()
            if set(test.get("depends_on", {}).get("nodes", [])) & planned
        ]
        unit_ok = True
        if unit_tests:
            settings.say(f"{len(unit_tests)} unit test(s) of the planned models")
            unit = dbt(
                settings,
                ["test", "--select", *selected, "--resource-type", "unit_test", *common],
                target_path=build_dir,
                schema=settings.env_schema,
            )
            shutil.move(build_dir / "run_results.json", build_dir / "run_results.unit_tests.json")
            record["steps"].append({"step": "unit tests", **_timed(unit, "unit_tests")})
            unit_ok = unit.ok
        if unit_ok:
            settings.say(f"building {len(selected)} node(s) into {settings.env_schema}_*")
            build = dbt(
                settings,
                ["build", "--select", *selected, "--exclude-resource-type", "unit_test", *common],
                target_path=build_dir,
                schema=settings.env_schema,
            )
            record["steps"].append({"step": "build", **_timed(build)})
    record["ok"] = all(not s["failures"] and s["returncode"] == 0 for s in record["steps"])
    build_results = build_dir / "run_results.json"
    record["models_built"] = (
        sum(
            1
            for r in read_json(build_results).get("results", [])
            if r["unique_id"].startswith("model.") and r["status"] == "success"
        )
        if selected and build_results.exists()
        else 0
    )
    record["seconds"] = round(sum(s["seconds"] for s in record["steps"]), 2)
    if compare_full:
        record["full_build"] = full_build(settings)
    write_json(settings.env_dir / "environment.json", record)
    register(settings, record)
    return record


def full_build(settings: Settings) -> dict[str, Any]:
    """Build everything into a scratch schema, for comparison; the schemas are dropped after."""
    scratch = settings.env_schema + ("__FULL" if settings.engine == "snowflake" else "__full")
    settings.say(f"full build into {scratch}_* for comparison")
    call = dbt(settings, ["build"], target_path=settings.env_dir / "full", schema=scratch)
    results = call.run_results()
    out = _timed(call)
    out["models_built"] = sum(
        1
        for r in results.get("results", [])
        if r["unique_id"].startswith("model.") and r["status"] == "success"
    )
    drop_schemas(settings, [s for s in list_schemas(settings) if s.startswith(scratch + "_")])
    return out


def list_schemas(settings: Settings) -> list[str]:
    with Warehouse(settings) as wh:
        return wh.schemas()


def drop_schemas(settings: Settings, schemas: list[str]) -> None:
    if not schemas:
        return
    with Warehouse(settings) as wh:
        for schema in schemas:
            wh.execute(f'drop schema if exists "{schema}" cascade')


def register(settings: Settings, record: dict[str, Any]) -> None:
    """Note the environment in the warehouse (for the janitor)."""
    with Warehouse(settings) as wh:
        wh.execute(f"create schema if not exists {META_SCHEMA}")
        wh.execute(
            f"create table if not exists {META_SCHEMA}.environments ("
            "name varchar, schema_name varchar, built_at timestamp, ok boolean)"
        )
        wh.execute(f"delete from {META_SCHEMA}.environments where name = ?", (settings.env,))
        wh.execute(
            f"insert into {META_SCHEMA}.environments values (?, ?, ?, ?)",
            (settings.env, settings.env_schema, record["built_at"], record["ok"]),
        )


def render_text(record: dict[str, Any]) -> str:
    lines = [f"environment {record['environment']} (schema {record['schema']}_*)"]
    for step in record["steps"]:
        counts = "; ".join(
            f"{k}: " + " ".join(f"{s}={n}" for s, n in sorted(v.items()))
            for k, v in sorted(step["statuses"].items())
        )
        lines.append(f"  {step['step']}: {step['seconds']:.1f}s  {counts or 'nothing to run'}")
        lines.extend(f"    FAILED {f}" for f in step["failures"][:20])
    lines.append(
        f"environment build: {record['models_built']} model(s) in {record['seconds']:.1f}s"
        + (
            f"   |   full build: {record['full_build']['models_built']} model(s) in "
            f"{record['full_build']['seconds']:.1f}s"
            if record.get("full_build")
            else ""
        )
    )
    lines.append("status: " + ("ok" if record["ok"] else "FAILED"))
    return "\n".join(lines)
