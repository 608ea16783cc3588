"""promote: make a tested environment production, atomically, with the previous one kept.

Refused unless the environment's unit tests and build (models and data tests) all passed and
its plan had no error.

**DuckDB.** One transaction (DuckDB's DDL is transactional): drop last time's
``<schema>__previous`` schemas; copy each relation about to be replaced into
``<schema>__previous``; replace it by the environment's; record the promotion in
``warehouse_ci.promotions``; commit. A reader sees production before or after, never half;
a failure rolls everything back. Production then holds every model: the rebuilt ones from the
environment, the others untouched.

**Snowflake.** Per production schema: ``create schema <s>__candidate clone <s>`` (zero-copy),
replace the rebuilt tables in the candidate by zero-copy clones of the environment's, then
``alter schema <s> swap with <s>__candidate`` and rename the candidate to ``<s>__previous``.
Each swap is atomic; a change spanning several schemas swaps them one after the other.

``--rollback`` puts back what the last promotion replaced (and drops what it added), from the
``__previous`` schemas, in one transaction too.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path
from typing import Any

from warehouse.ci.core import META_SCHEMA, Relation, Settings, Warehouse, dbt, read_json
from warehouse.ci.diff import environment_relations
from warehouse.ci.plan import Plan
from warehouse.errors import (
    DbtInvocationError,
    EnvironmentNotFoundError,
    PromotionRefusedError,
)

PREVIOUS = "__previous"


def check_promotable(settings: Settings) -> tuple[Plan, dict[str, Any]]:
    plan = Plan.load(settings)
    problems = list(plan.errors)
    built = settings.env_dir / "environment.json"
    if not built.exists() and not problems:
        raise EnvironmentNotFoundError(
            f"environment {settings.env} was never built ({built}): run `warehouse env` first"
        )
    record = read_json(built) if built.exists() else {"ok": True}
    if not record.get("ok"):
        problems.append("the environment's build or tests failed")
        for step in record.get("steps", []):
            problems.extend(f"{step['step']}: {f}" for f in step.get("failures", [])[:10])
    if plan.rebuild and not any(s["step"] == "build" for s in record.get("steps", [])):
        problems.append("the environment was not built")
    if problems:
        raise PromotionRefusedError("promotion refused:\n  " + "\n  ".join(problems))
    return plan, record


def _ensure_meta(wh: Warehouse) -> None:
    wh.execute(f"create schema if not exists {META_SCHEMA}")
    wh.execute(
        f"create table if not exists {META_SCHEMA}.promotions ("
        "promoted_at timestamp, environment varchar, relations varchar, rolled_back boolean)"
    )


def promote(settings: Settings) -> dict[str, Any]:
    plan, _record = check_promotable(settings)
    pairs = [
        (p, e) for uid, p, e in environment_relations(settings, plan) if "snapshot." not in uid
    ]
    if settings.engine == "snowflake":  # pragma: no cover - needs Snowflake
        return _promote_snowflake(settings, pairs)
    moved: list[dict[str, Any]] = []
    with Warehouse(settings) as wh:
        _ensure_meta(wh)
        missing = [str(e) for _, e in pairs if not wh.exists(e)]
        if missing:
            raise PromotionRefusedError(
                "promotion refused: not in the environment: " + ", ".join(missing)
            )
        wh.execute("begin transaction")
        try:
            for schema in sorted({p.schema for p, _ in pairs}):
                wh.execute(f'drop schema if exists "{schema}{PREVIOUS}" cascade')
                wh.execute(f'create schema "{schema}{PREVIOUS}"')
            for prod, env in pairs:
                kind = wh.relation_type(prod)
                backup = Relation(prod.database, prod.schema + PREVIOUS, prod.name)
                if kind is not None:
                    _copy(wh, prod, backup, kind)
                wh.execute(f'create schema if not exists "{prod.schema}"')
                _drop(wh, prod, kind)
                _copy(wh, env, prod, wh.relation_type(env) or "table", rewrite=(env, prod))
                moved.append({"relation": str(prod), "from": str(env), "previous": kind})
            wh.execute(
                f"insert into {META_SCHEMA}.promotions values (?, ?, ?, false)",
                (
                    dt.datetime.now(dt.timezone.utc).replace(tzinfo=None),
                    settings.env,
                    json.dumps(moved),
                ),
            )
            wh.execute("commit")
        except Exception:
            wh.execute("rollback")
            raise
    return {"environment": settings.env, "promoted": moved}


def _drop(wh: Warehouse, relation: Relation, kind: str | None) -> None:
    if kind == "view":
        wh.execute(f"drop view if exists {relation.sql()}")
    elif kind == "table":
        wh.execute(f"drop table if exists {relation.sql()}")


def _copy(
    wh: Warehouse,
    source: Relation,
    dest: Relation,
    kind: str,
    rewrite: tuple[Relation, Relation] | None = None,
) -> None:
    """A table is copied; a view is re-created from its definition (pointed at production)."""
    if kind == "view":
        sql = wh.query(
            "select sql from duckdb_views() where schema_name = ? and view_name = ?",
            (source.schema, source.name),
        )[0][0]
        body = sql[sql.lower().index(" as ") + 4 :].rstrip().rstrip(";")
        if rewrite is not None:
            env_prefix = rewrite[0].schema.rsplit("_", 1)[0]
            prod_prefix = rewrite[1].schema.rsplit("_", 1)[0]
            body = body.replace(f"{env_prefix}_", f"{prod_prefix}_")
        wh.execute(f"create or replace view {dest.sql()} as {body}")
    else:
        wh.execute(f"create or replace table {dest.sql()} as select * from {source.sql()}")


def rollback(settings: Settings) -> dict[str, Any]:
    if settings.engine == "snowflake":  # pragma: no cover - needs Snowflake
        return _rollback_snowflake(settings)
    with Warehouse(settings) as wh:
        _ensure_meta(wh)
        rows = wh.query(
            f"select promoted_at, environment, relations from {META_SCHEMA}.promotions "
            "where not rolled_back order by promoted_at desc limit 1"
        )
        if not rows:
            raise PromotionRefusedError("nothing to roll back: no promotion on record")
        promoted_at, environment, relations = rows[0]
        moved = json.loads(relations)
        schemas = sorted({m["relation"].split(".")[0] for m in moved})
        for schema in schemas:
            if schema + PREVIOUS not in wh.schemas():
                raise PromotionRefusedError(f"cannot roll back: {schema}{PREVIOUS} is gone")
        wh.execute("begin transaction")
        try:
            for m in moved:
                schema, name = m["relation"].split(".", 1)
                prod = Relation("", schema, name)
                _drop(wh, prod, wh.relation_type(prod))
                if m["previous"] is not None:
                    backup = Relation("", schema + PREVIOUS, name)
                    _copy(wh, backup, prod, m["previous"])
            for schema in schemas:
                wh.execute(f'drop schema if exists "{schema}{PREVIOUS}" cascade')
            wh.execute(
                f"update {META_SCHEMA}.promotions set rolled_back = true where promoted_at = ?",
                (promoted_at,),
            )
            wh.execute("commit")
        except Exception:
            wh.execute("rollback")
            raise
    return {"rolled_back": environment, "promoted_at": str(promoted_at), "relations": moved}


# -- Snowflake ---------------------------------------------------------------------------------


def snowflake_promotion_sql(pairs: list[tuple[Relation, Relation]]) -> list[str]:
    """The statements of a Snowflake promotion (zero-copy clones and schema swaps)."""
    statements: list[str] = []
    for schema in sorted({p.schema for p, _ in pairs}):
        candidate = f"{schema}__CANDIDATE"
        statements.append(f"create or replace schema {candidate} clone {schema}")
        for prod, env in pairs:
            if prod.schema == schema:
                statements.append(
                    # copy grants: the replaced table's grants (reporters' SELECT) stay
                    f"create or replace table {candidate}.{prod.name} clone {env.schema}.{env.name}"
                    " copy grants"
                )
        statements.append(f"alter schema {schema} swap with {candidate}")
        statements.append(f"drop schema if exists {schema}{PREVIOUS.upper()}")
        statements.append(f"alter schema {candidate} rename to {schema}{PREVIOUS.upper()}")
    return statements


def snowflake_rollback_sql(schemas: list[str]) -> list[str]:
    return [f"alter schema {s} swap with {s}{PREVIOUS.upper()}" for s in sorted(schemas)]


def _promote_snowflake(
    settings: Settings, pairs: list[tuple[Relation, Relation]]
) -> dict[str, Any]:  # pragma: no cover - needs Snowflake
    statements = snowflake_promotion_sql(pairs)
    with Warehouse(settings) as wh:
        _ensure_meta(wh)
        for statement in statements:
            wh.execute(statement)
        moved = [{"relation": str(p), "from": str(e), "previous": "table"} for p, e in pairs]
        wh.execute(
            f"insert into {META_SCHEMA}.promotions values (current_timestamp, ?, ?, false)",
            (settings.env, json.dumps(moved)),
        )
    return {"environment": settings.env, "promoted": moved}


def _rollback_snowflake(settings: Settings) -> dict[str, Any]:  # pragma: no cover
    with Warehouse(settings) as wh:
        rows = wh.query(
            f"select promoted_at, environment, relations from {META_SCHEMA}.promotions "
            "where not rolled_back order by promoted_at desc limit 1"
        )
        if not rows:
            raise PromotionRefusedError("nothing to roll back: no promotion on record")
        promoted_at, environment, relations = rows[0]
        moved = json.loads(relations)
        for statement in snowflake_rollback_sql(
            sorted({m["relation"].split(".")[0] for m in moved})
        ):
            wh.execute(statement)
        wh.execute(
            f"update {META_SCHEMA}.promotions set rolled_back = true where promoted_at = ?",
            (promoted_at,),
        )
    return {"rolled_back": environment, "promoted_at": str(promoted_at), "relations": moved}


def save_production_state(settings: Settings, out: Path) -> Path:
    """Compile the working tree against production and keep its manifest as the new state."""
    target = settings.env_dir / "state"
    call = dbt(settings, ["compile"], target_path=target, schema=settings.production_schema)
    if not call.ok:
        raise DbtInvocationError("compile", call.log, call.tail())
    out.mkdir(parents=True, exist_ok=True)
    if (out / "manifest.json").exists():
        shutil.copyfile(out / "manifest.json", out / "manifest.previous.json")
    shutil.copyfile(target / "manifest.json", out / "manifest.json")
    return out / "manifest.json"


def restore_previous_state(out: Path) -> Path | None:
    """After a rollback: the manifest kept by the last save becomes the state again."""
    previous = out / "manifest.previous.json"
    if not previous.exists():
        return None
    shutil.copyfile(previous, out / "manifest.json")
    return out / "manifest.json"
