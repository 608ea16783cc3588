"""plan: what changed between production and the working tree, and what must be rebuilt.

1. dbt finds the directly modified nodes: ``dbt compile --select state:modified --state
   <production state>`` compiles the working tree against the production target (so relation
   names match production's) and selects what dbt's state comparison calls modified: body,
   configs, contracts, and the macros a node calls (``state:modified.macros``).
2. Each directly modified model is classified from its compiled SQL, production's and the
   working tree's (:mod:`warehouse.ci.classify`): a formatting-only change is no change; added
   columns only are non-breaking; anything else is breaking. A changed grain (``meta.grain``)
   or declared contract type is breaking too. Seeds whose data changed are breaking.
3. The rebuild set: a breaking change rebuilds the model and everything downstream; a
   non-breaking one rebuilds the model alone, plus any child that passes the new column
   through a ``select *`` chain (and so on downstream). Snapshots are listed but never rebuilt
   in an environment: they keep production's history and take the change on production's
   next run.
4. A breaking change to a model with an enforced contract fails the plan, unless it comes as
   a new model version (a new node, so an addition).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from warehouse.ci.categories import ChangeCategory
from warehouse.ci.classify import classify_sql, passes_columns_through
from warehouse.ci.core import (
    BUILDABLE,
    Manifest,
    Relation,
    Settings,
    contract_enforced,
    dbt,
    display_name,
    grain,
    read_json,
    selector,
    write_json,
)
from warehouse.errors import DbtInvocationError, EnvironmentNotFoundError


@dataclass
class Change:
    unique_id: str
    resource_type: str
    category: ChangeCategory
    direct: bool
    reasons: list[str] = field(default_factory=list)
    columns: list[dict[str, Any]] = field(default_factory=list)
    rebuild: bool = False
    contract: bool = False
    grain: list[str] = field(default_factory=list)
    materialized: str = ""
    upstream: list[str] = field(default_factory=list)  # direct changes it descends from
    production_relation: str | None = None

    @property
    def name(self) -> str:
        return display_name(self.unique_id)


@dataclass
class Plan:
    environment: str
    created_at: str
    state: str
    changes: list[Change] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    edges: list[tuple[str, str]] = field(default_factory=list)  # lineage among the changes

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def direct(self) -> list[Change]:
        return [c for c in self.changes if c.direct]

    @property
    def indirect(self) -> list[Change]:
        return [c for c in self.changes if not c.direct]

    @property
    def rebuild(self) -> list[Change]:
        return [c for c in self.changes if c.rebuild]

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["ok"] = self.ok
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Plan:
        changes = [
            Change(**{**c, "category": ChangeCategory(c["category"])})
            for c in data.get("changes", [])
        ]
        return cls(
            environment=data["environment"],
            created_at=data["created_at"],
            state=data["state"],
            changes=changes,
            errors=list(data.get("errors", [])),
            edges=[tuple(e) for e in data.get("edges", [])],
        )

    @classmethod
    def load(cls, settings: Settings) -> Plan:
        path = settings.env_dir / "plan.json"
        if not path.exists():
            raise EnvironmentNotFoundError(
                f"no plan for environment {settings.env} ({path}): run `warehouse plan` first"
            )
        return cls.from_json(read_json(path))


def compile_working_tree(settings: Settings, state: Path) -> tuple[Manifest, list[str]]:
    """Compile the directly modified nodes; the working tree's manifest and their ids."""
    target = settings.env_dir / "compile"
    call = dbt(
        settings,
        ["compile", "--select", "state:modified", "--state", str(state)],
        target_path=target,
        schema=settings.production_schema,
    )
    if not call.ok:
        raise DbtInvocationError("compile", call.log, call.tail())
    results = call.run_results().get("results", [])
    modified = [r["unique_id"] for r in results if r["unique_id"].split(".")[0] in BUILDABLE]
    return Manifest.load(target / "manifest.json"), modified


def _config_changes(old: dict[str, Any], new: dict[str, Any]) -> tuple[list[str], list[str]]:
    """(breaking reasons, other config differences) between two versions of a node."""
    breaking: list[str] = []
    if grain(old) != grain(new):
        breaking.append(f"grain changed: {grain(old)} -> {grain(new)}")
    old_types = {k.lower(): (v.get("data_type") or "") for k, v in old.get("columns", {}).items()}
    new_types = {k.lower(): (v.get("data_type") or "") for k, v in new.get("columns", {}).items()}
    if contract_enforced(new):
        for name, old_type in old_types.items():
            if name in new_types and new_types[name].lower() != old_type.lower():
                breaking.append(f"contract: column {name} retyped {old_type} -> {new_types[name]}")
    other: list[str] = []
    ignore = {"meta", "docs", "tags", "persist_docs", "grants", "post-hook", "pre-hook"}
    old_cfg, new_cfg = old.get("config") or {}, new.get("config") or {}
    for key in sorted(set(old_cfg) | set(new_cfg)):
        if key not in ignore and old_cfg.get(key) != new_cfg.get(key):
            other.append(f"config {key}: {old_cfg.get(key)!r} -> {new_cfg.get(key)!r}")
    return breaking, other


def classify_node(old: dict[str, Any] | None, new: dict[str, Any]) -> Change:
    uid, kind = new["unique_id"], new["resource_type"]
    change = Change(
        unique_id=uid,
        resource_type=kind,
        category=ChangeCategory.BREAKING,
        direct=True,
        contract=contract_enforced(new),
        grain=grain(new),
        materialized=(new.get("config") or {}).get("materialized", ""),
    )
    if old is None:
        change.category, change.reasons = ChangeCategory.ADDED, ["new node"]
        return change
    change.production_relation = str(Relation.of(old))
    if kind == "seed":
        same = (old.get("checksum") or {}).get("checksum") == (new.get("checksum") or {}).get(
            "checksum"
        )
        change.category = ChangeCategory.UNCHANGED if same else ChangeCategory.BREAKING
        change.reasons = [] if same else ["seed data changed"]
        return change
    if kind == "snapshot":
        change.reasons = ["snapshot definition changed"]
        return change
    old_sql, new_sql = old.get("compiled_code"), new.get("compiled_code")
    if not old_sql or not new_sql:
        change.reasons = ["no compiled SQL to compare; assumed breaking"]
        return change
    result = classify_sql(old_sql, new_sql)
    config_breaking, config_other = _config_changes(old, new)
    change.category = result.category
    change.reasons = list(result.reasons)
    change.columns = [asdict(c) for c in result.columns]
    if config_breaking:
        change.category = ChangeCategory.BREAKING
        change.reasons.extend(config_breaking)
    elif config_other and change.category == ChangeCategory.UNCHANGED:
        change.category = ChangeCategory.NON_BREAKING
        change.reasons.extend(config_other)
    if change.category == ChangeCategory.UNCHANGED:
        change.reasons = ["formatting, comments or documentation only"]
    elif change.category == ChangeCategory.NON_BREAKING and not change.reasons:
        added = [c.column for c in result.columns if c.change == "added"]
        change.reasons = ["added column(s): " + ", ".join(added)]
    return change


def build_plan(settings: Settings, state: Path) -> Plan:
    production = Manifest.load(state)
    working, modified = compile_working_tree(settings, state)
    plan = Plan(
        environment=settings.env,
        created_at=dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        state=str(state),
    )
    prod_nodes, new_nodes = production.buildable(), working.buildable()
    direct: dict[str, Change] = {}
    for uid in modified:
        direct[uid] = classify_node(prod_nodes.get(uid), new_nodes[uid])
    for uid in sorted(set(new_nodes) - set(prod_nodes)):  # e.g. a new model version
        direct.setdefault(uid, classify_node(None, new_nodes[uid]))
    for uid in sorted(set(prod_nodes) - set(new_nodes)):
        node = prod_nodes[uid]
        direct[uid] = Change(
            uid,
            node["resource_type"],
            ChangeCategory.REMOVED,
            True,
            ["removed from the project"],
            production_relation=str(Relation.of(node)),
        )

    # what each direct change forces downstream
    indirect: dict[str, Change] = {}
    for uid, change in sorted(direct.items()):
        if change.category in (ChangeCategory.UNCHANGED, ChangeCategory.REMOVED):
            continue
        change.rebuild = change.resource_type != "snapshot"
        if change.category in (ChangeCategory.BREAKING, ChangeCategory.ADDED):
            downstream = working.descendants([uid]) if uid in new_nodes else set()
            downstream |= production.descendants([uid]) & set(new_nodes)
            forced = change.category == ChangeCategory.BREAKING
        else:
            downstream, forced = _star_descendants(working, production, uid), True
            # the others downstream see no change in the columns they read
            for child in working.descendants([uid]) - downstream:
                _mark(
                    indirect,
                    direct,
                    child,
                    new_nodes,
                    uid,
                    ChangeCategory.INDIRECT_NON_BREAKING,
                    False,
                )
        for child in downstream:
            _mark(indirect, direct, child, new_nodes, uid, change.category.indirect, forced)
    for uid, change in direct.items():
        if change.category == ChangeCategory.REMOVED:
            for child in production.descendants([uid]) & set(new_nodes):
                _mark(
                    indirect, direct, child, new_nodes, uid, ChangeCategory.INDIRECT_BREAKING, True
                )

    plan.changes = sorted(direct.values(), key=lambda c: c.unique_id) + sorted(
        indirect.values(), key=lambda c: c.unique_id
    )
    for change in plan.changes:
        if change.resource_type == "snapshot":
            change.rebuild = False
            change.reasons.append("snapshot: keeps production's history; not rebuilt here")
        if (
            change.direct
            and change.category == ChangeCategory.BREAKING
            and change.contract
            and change.production_relation
        ):
            plan.errors.append(
                f"breaking change to {change.name}, a model with an enforced contract: "
                "publish it as a new model version (versions: in its YAML) instead"
            )
    included = {c.unique_id for c in plan.changes}
    for uid in included:
        for parent in working.parents(uid) if uid in new_nodes else production.parents(uid):
            if parent in included:
                plan.edges.append((parent, uid))
    plan.edges.sort()
    return plan


def _star_descendants(working: Manifest, production: Manifest, uid: str) -> set[str]:
    """Children (and theirs) that carry every column of ``uid`` through ``select *``."""
    out: set[str] = set()
    stack = [uid]
    while stack:
        parent = working.nodes[stack.pop()]
        for child in working.children(parent["unique_id"]):
            node = working.nodes.get(child)
            if not node or node.get("resource_type") not in BUILDABLE or child in out:
                continue
            code = node.get("compiled_code") or production.nodes.get(child, {}).get("compiled_code")
            relation = Relation.of(parent)
            if code is None or passes_columns_through(code, relation.schema, relation.name):
                out.add(child)
                stack.append(child)
    return out


def _mark(
    indirect: dict[str, Change],
    direct: dict[str, Change],
    uid: str,
    nodes: dict[str, dict[str, Any]],
    upstream: str,
    category: ChangeCategory,
    forced: bool,
) -> None:
    if uid in direct:
        if forced and direct[uid].category == ChangeCategory.UNCHANGED:
            direct[uid].rebuild = True
        direct[uid].upstream.append(upstream)
        return
    node = nodes[uid]
    change = indirect.get(uid)
    if change is None:
        change = indirect[uid] = Change(
            uid,
            node["resource_type"],
            category,
            False,
            contract=contract_enforced(node),
            grain=grain(node),
            materialized=(node.get("config") or {}).get("materialized", ""),
        )
    if category == ChangeCategory.INDIRECT_BREAKING:
        change.category = ChangeCategory.INDIRECT_BREAKING
    change.rebuild = change.rebuild or forced
    if upstream not in change.upstream:
        change.upstream.append(upstream)
        change.reasons.append(f"downstream of {display_name(upstream)}")


def rebuild_selectors(plan: Plan, working: Manifest) -> list[str]:
    return [selector(working.nodes[c.unique_id]) for c in plan.rebuild]


def save(settings: Settings, plan: Plan) -> Path:
    return write_json(settings.env_dir / "plan.json", plan.to_json())


def render_text(plan: Plan) -> str:
    lines = [f"plan for environment {plan.environment} against {plan.state}"]
    if not plan.changes:
        lines.append("no changes: nothing to build")
    counts: dict[ChangeCategory, int] = {}
    for c in plan.direct:
        counts[c.category] = counts.get(c.category, 0) + 1
    summary = ", ".join(f"{n} {k}" for k, n in sorted(counts.items()))
    lines.append(f"directly modified: {len(plan.direct)} ({summary or 'none'})")
    for c in plan.direct:
        lines.append(f"  [{c.category}] {c.name}" + (" (rebuild)" if c.rebuild else ""))
        for reason in c.reasons:
            lines.append(f"      {reason}")
        for col in c.columns:
            if col["scope"] == "output" or col["scope"] == "final select":
                before, after = col.get("before") or "", col.get("after") or ""
                arrow = f"{before} -> {after}" if before and after else before or after
                lines.append(f"      {col['change']:<9} {col['column']}: {arrow}")
    lines.append(f"indirectly modified: {len(plan.indirect)}")
    for c in plan.indirect:
        lines.append(f"  [{c.category}] {c.name}" + (" (rebuild)" if c.rebuild else ""))
    lines.append(f"to rebuild: {len(plan.rebuild)}: " + ", ".join(c.name for c in plan.rebuild))
    for error in plan.errors:
        lines.append(f"ERROR: {error}")
    return "\n".join(lines)
