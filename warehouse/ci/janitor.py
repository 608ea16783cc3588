"""janitor: drop branch environments that are no longer needed.

An environment is the set of schemas ``<env schema>_<custom schema>`` (``ci_pr_42_staging``,
``ci_pr_42_marts``...). They are found from the registry (``warehouse_ci.environments``,
written by each build) and, for any left without a record, from their names (``ci_`` and a
custom schema suffix of the project). One is dropped when it is named with ``--drop``, when
``--keep`` lists the environments still wanted (e.g. the open pull requests) and it is not
among them, or when it was built more than ``--older-than`` days ago.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from warehouse.ci.core import META_SCHEMA, Settings, Warehouse, slug

SUFFIXES = ("staging", "intermediate", "marts", "reference", "snapshots")


@dataclass
class Found:
    schema: str  # the environment's target schema, e.g. ci_pr_42
    name: str | None = None
    built_at: dt.datetime | None = None
    schemas: list[str] = field(default_factory=list)


def find_environments(wh: Warehouse) -> dict[str, Found]:
    schemas = wh.schemas()
    found: dict[str, Found] = {}
    if META_SCHEMA in schemas or META_SCHEMA.upper() in schemas:
        for name, schema, built_at in wh.query(
            f"select name, schema_name, built_at from {META_SCHEMA}.environments"
        ):
            found[schema.lower()] = Found(schema, name, built_at)
    for schema in schemas:
        lower = schema.lower()
        if not lower.startswith("ci_"):
            continue
        for suffix in SUFFIXES:
            if lower.endswith("_" + suffix):
                base = lower[: -len(suffix) - 1].removesuffix("__full")
                entry = found.setdefault(base, Found(base))
                entry.schemas.append(schema)
                break
    return found


def clean(
    settings: Settings,
    *,
    keep: list[str] | None = None,
    drop: list[str] | None = None,
    older_than_days: float | None = None,
    dry_run: bool = False,
) -> list[dict[str, Any]]:
    keep_schemas = {f"ci_{slug(k)}" for k in keep or []}
    drop_schemas = {f"ci_{slug(d)}" for d in drop or []}
    now = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
    out = []
    with Warehouse(settings) as wh:
        for base, env in sorted(find_environments(wh).items()):
            reason = None
            if base in drop_schemas:
                reason = "asked for"
            elif keep is not None and base not in keep_schemas:
                reason = "not among the environments to keep"
            elif older_than_days is not None and (
                env.built_at is None
                or (now - env.built_at.replace(tzinfo=None)).total_seconds()
                > older_than_days * 86400
            ):
                reason = f"built more than {older_than_days:g} day(s) ago"
            if reason is None:
                continue
            out.append({"environment": env.name or base, "schemas": env.schemas, "why": reason})
            if dry_run:
                continue
            for schema in env.schemas:
                wh.execute(f'drop schema if exists "{schema}" cascade')
            if env.name is not None:
                wh.execute(f"delete from {META_SCHEMA}.environments where name = ?", (env.name,))
    return out
