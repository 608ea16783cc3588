"""diff: compare every rebuilt model in the environment with production, on its grain.

For each model: the schema diff (columns added, removed, retyped), row counts, rows whose
grain key is only in one side, duplicate keys, the match rate of each column shared by both
sides over the keys in both, the number of rows that differ in any column, and a few sample
differences. The key is the model's ``meta.grain``; a model without one is compared as a
multiset of whole rows (``except all``). One full outer join per model runs inside the
warehouse: nothing but the counts and the samples leaves it. Audit columns (when a run
wrote the row: ``processed_at``) differ between any two builds and are not compared.
"""

from __future__ import annotations

from typing import Any

from warehouse.ci.core import Manifest, Relation, Settings, Warehouse, read_json, write_json
from warehouse.ci.plan import Plan

# when a run wrote the row (docs/incremental.md): differs between any two builds
AUDIT_COLUMNS = frozenset({"processed_at"})


def q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _norm_type(t: str) -> str:
    return t.lower().replace(" ", "")


def schema_diff(prod: list[tuple[str, str]], env: list[tuple[str, str]]) -> list[dict[str, str]]:
    before = {n.lower(): t for n, t in prod}
    after = {n.lower(): t for n, t in env}
    out = []
    for name, kind in after.items():
        if name not in before:
            out.append({"column": name, "change": "added", "after": kind})
        elif _norm_type(before[name]) != _norm_type(kind):
            out.append({"column": name, "change": "retyped", "before": before[name], "after": kind})
    for name, kind in before.items():
        if name not in after:
            out.append({"column": name, "change": "removed", "before": kind})
    return out


def diff_sql(
    prod: Relation, env: Relation, keys: list[str], columns: list[tuple[str, bool]]
) -> str:
    """One row of counts. ``columns``: (name, same type on both sides) for non-key columns."""

    def value(side: str, name: str, same_type: bool) -> str:
        ref = f"{side}.{q(name)}"
        return ref if same_type else f"cast({ref} as varchar)"

    on = " and ".join(f"p.{q(k)} is not distinct from e.{q(k)}" for k in keys)
    both = "p.__present is not null and e.__present is not null"
    differs = " or ".join(
        f"{value('p', c, s)} is distinct from {value('e', c, s)}" for c, s in columns
    )
    parts = [
        "count(p.__present) as prod_rows",
        "count(e.__present) as env_rows",
        "sum(case when e.__present is null then 1 else 0 end) as only_in_prod",
        "sum(case when p.__present is null then 1 else 0 end) as only_in_env",
        f"sum(case when {both} then 1 else 0 end) as in_both",
        f"sum(case when {both} and ({differs or 'false'}) then 1 else 0 end) as changed_rows",
    ]
    for i, (name, same) in enumerate(columns):
        parts.append(
            f"sum(case when {both} and {value('p', name, same)} is not distinct from "
            f"{value('e', name, same)} then 1 else 0 end) as match_{i}"
        )
    return (
        f"select {', '.join(parts)} from "
        f"(select *, 1 as __present from {prod.sql()}) as p full outer join "
        f"(select *, 1 as __present from {env.sql()}) as e on {on}"
    )


def sample_sql(
    prod: Relation,
    env: Relation,
    keys: list[str],
    columns: list[tuple[str, bool]],
    which: str,
    limit: int,
) -> str:
    on = " and ".join(f"p.{q(k)} is not distinct from e.{q(k)}" for k in keys)
    key_cols = ", ".join(f"coalesce(p.{q(k)}, e.{q(k)}) as {q(k)}" for k in keys)
    if which == "only_in_prod":
        where, extra = "e.__present is null", ""
    elif which == "only_in_env":
        where, extra = "p.__present is null", ""
    else:

        def value(side: str, name: str, same: bool) -> str:
            ref = f"{side}.{q(name)}"
            return ref if same else f"cast({ref} as varchar)"

        differs = " or ".join(
            f"{value('p', c, s)} is distinct from {value('e', c, s)}" for c, s in columns
        )
        where = f"p.__present is not null and e.__present is not null and ({differs or 'false'})"
        extra = "".join(
            f", p.{q(c)} as {q('p__' + c)}, e.{q(c)} as {q('e__' + c)}" for c, _ in columns
        )
    order = ", ".join(str(i + 1) for i in range(len(keys)))
    return (
        f"select {key_cols}{extra} from "
        f"(select *, 1 as __present from {prod.sql()}) as p full outer join "
        f"(select *, 1 as __present from {env.sql()}) as e on {on} "
        f"where {where} order by {order} limit {int(limit)}"
    )


def _duplicates(wh: Warehouse, relation: Relation, keys: list[str]) -> int:
    cols = ", ".join(q(k) for k in keys)
    rows = wh.query(
        f"select count(*) from (select {cols} from {relation.sql()} group by {cols} "
        "having count(*) > 1) as d"
    )
    return int(rows[0][0] or 0)


def compare(
    wh: Warehouse,
    prod: Relation,
    env: Relation,
    keys: list[str],
    *,
    samples: int = 5,
    key_limit: int = 100,
) -> dict[str, Any]:
    out: dict[str, Any] = {"production": str(prod), "environment": str(env), "grain": keys}
    if not wh.exists(env):
        out["status"] = "not built in the environment"
        return out
    env_cols = wh.columns(env)
    if not wh.exists(prod):
        rows = wh.query(f"select count(*) from {env.sql()}")
        out.update(status="new", env_rows=int(rows[0][0]), schema=schema_diff([], env_cols))
        return out
    prod_cols = wh.columns(prod)
    out["schema"] = schema_diff(prod_cols, env_cols)
    prod_types = {n.lower(): t for n, t in prod_cols}
    env_names = {n.lower(): n for n, _ in env_cols}
    keys = [k for k in keys if k.lower() in prod_types and k.lower() in env_names]
    shared = [
        (
            name,
            _norm_type(kind) == _norm_type(dict((n.lower(), t) for n, t in env_cols)[name.lower()]),
        )
        for name, kind in prod_cols
        if name.lower() in env_names
        and name.lower() not in {k.lower() for k in keys}
        and name.lower() not in AUDIT_COLUMNS
    ]
    if not keys:
        return _compare_rows(wh, prod, env, [n for n, _ in shared], out)
    out["duplicate_keys"] = {
        "production": _duplicates(wh, prod, keys),
        "environment": _duplicates(wh, env, keys),
    }
    row = wh.query(diff_sql(prod, env, keys, shared))[0]
    names = ["prod_rows", "env_rows", "only_in_prod", "only_in_env", "in_both", "changed_rows"]
    counts = {n: int(v or 0) for n, v in zip(names, row[:6], strict=True)}
    out.update(counts)
    in_both = counts["in_both"]
    out["match_rate"] = {
        name: (round(int(v or 0) / in_both, 6) if in_both else None)
        for (name, _), v in zip(shared, row[6:], strict=True)
    }
    out["samples"] = {}
    for which in ("only_in_prod", "only_in_env", "changed"):
        n = counts.get(which if which != "changed" else "changed_rows", 0)
        if not n or samples <= 0:  # no sample rows at all (CI: rows may hold personal data)
            out["samples"][which] = []
            continue
        rows = wh.query(sample_sql(prod, env, keys, shared, which, max(samples, key_limit)))
        out["samples"][which] = [_sample(r, keys, shared, which) for r in rows]
    out["status"] = (
        "identical"
        if not out["schema"]
        and not counts["only_in_prod"]
        and not counts["only_in_env"]
        and not counts["changed_rows"]
        else "different"
    )
    return out


def _sample(
    row: tuple[Any, ...], keys: list[str], shared: list[tuple[str, bool]], which: str
) -> dict[str, Any]:
    key = {k: _plain(v) for k, v in zip(keys, row[: len(keys)], strict=True)}
    if which != "changed":
        return {"key": key}
    values = row[len(keys) :]
    changed = {}
    for i, (name, _) in enumerate(shared):
        before, after = values[2 * i], values[2 * i + 1]
        if before != after:
            changed[name] = {"production": _plain(before), "environment": _plain(after)}
    return {"key": key, "changed": changed}


def _plain(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def _compare_rows(
    wh: Warehouse, prod: Relation, env: Relation, shared: list[str], out: dict[str, Any]
) -> dict[str, Any]:
    """No grain: compare the shared columns as multisets of rows."""
    cols = ", ".join(q(c) for c in shared)
    p_rows = int(wh.query(f"select count(*) from {prod.sql()}")[0][0])
    e_rows = int(wh.query(f"select count(*) from {env.sql()}")[0][0])
    only_p = int(
        wh.query(
            f"select count(*) from (select {cols} from {prod.sql()} except all "
            f"select {cols} from {env.sql()}) as d"
        )[0][0]
    )
    only_e = int(
        wh.query(
            f"select count(*) from (select {cols} from {env.sql()} except all "
            f"select {cols} from {prod.sql()}) as d"
        )[0][0]
    )
    out.update(
        prod_rows=p_rows,
        env_rows=e_rows,
        only_in_prod=only_p,
        only_in_env=only_e,
        note="no grain declared: rows compared whole",
        status="identical" if not (only_p or only_e or out["schema"]) else "different",
    )
    return out


def environment_relations(settings: Settings, plan: Plan) -> list[tuple[str, Relation, Relation]]:
    """(unique id, production relation, environment relation) of every rebuilt node."""
    working = Manifest.load(settings.env_dir / "compile" / "manifest.json")
    built_path = settings.env_dir / "build" / "manifest.json"
    built = Manifest.load(built_path) if built_path.exists() else working
    out = []
    for change in plan.rebuild:
        node = working.nodes.get(change.unique_id)
        env_node = built.nodes.get(change.unique_id)
        if node is None or env_node is None:
            continue
        out.append((change.unique_id, Relation.of(node), Relation.of(env_node)))
    return out


def diff_environment(
    settings: Settings, *, samples: int = 5, key_limit: int = 100
) -> dict[str, Any]:
    plan = Plan.load(settings)
    grains = {c.unique_id: c.grain for c in plan.changes}
    result: dict[str, Any] = {"environment": settings.env, "models": {}}
    with Warehouse(settings) as wh:
        for uid, prod, env in environment_relations(settings, plan):
            if not uid.startswith(("model.", "seed.")):
                continue
            result["models"][uid] = compare(
                wh, prod, env, grains.get(uid, []), samples=samples, key_limit=key_limit
            )
    write_json(settings.env_dir / "diff.json", result)
    return result


def load(settings: Settings) -> dict[str, Any]:
    data: dict[str, Any] = read_json(settings.env_dir / "diff.json")
    return data


def render_text(result: dict[str, Any], samples: int = 3) -> str:
    lines = [f"diff of environment {result['environment']} against production"]
    for uid, d in result["models"].items():
        name = ".".join(uid.split(".")[2:])
        lines.append(f"{name} [{d.get('status')}] grain={d.get('grain')}")
        for s in d.get("schema", []):
            lines.append(
                f"  column {s['change']}: {s['column']} {s.get('before', '')} {s.get('after', '')}"
            )
        if "prod_rows" in d:
            lines.append(
                f"  rows: production {d['prod_rows']}, environment {d['env_rows']}; "
                f"only in production {d['only_in_prod']}, only in environment "
                f"{d['only_in_env']}; changed {d.get('changed_rows', '-')}"
            )
        elif "env_rows" in d:
            lines.append(f"  new: {d['env_rows']} rows")
        below = {c: r for c, r in (d.get("match_rate") or {}).items() if r is not None and r < 1}
        for column, rate in sorted(below.items(), key=lambda x: x[1]):
            lines.append(f"  match {rate:7.2%}  {column}")
        for sample in (d.get("samples") or {}).get("changed", [])[:samples]:
            lines.append(f"  e.g. {sample['key']}: {sample['changed']}")
    return "\n".join(lines)
