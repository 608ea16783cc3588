"""report: the plan, the environment's build and the diffs as one Markdown summary, fit for a
pull-request comment, with a Mermaid lineage sketch of what changed (GitHub renders it)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from warehouse.ci.categories import ChangeCategory
from warehouse.ci.core import Settings, display_name
from warehouse.ci.plan import Plan

MARKER = "<!-- warehouse-ci report -->"
STYLE = {
    ChangeCategory.BREAKING: "fill:#f8d7da,stroke:#c0392b",
    ChangeCategory.NON_BREAKING: "fill:#fff3cd,stroke:#b7950b",
    ChangeCategory.ADDED: "fill:#d4edda,stroke:#1e8449",
    ChangeCategory.REMOVED: "fill:#e5e5e5,stroke:#555,stroke-dasharray:4",
    ChangeCategory.UNCHANGED: "fill:#ffffff,stroke:#999",
    ChangeCategory.INDIRECT_BREAKING: "fill:#fdecea,stroke:#c0392b,stroke-dasharray:3",
    ChangeCategory.INDIRECT_NON_BREAKING: "fill:#fefaf0,stroke:#b7950b,stroke-dasharray:3",
}
ICON = {
    ChangeCategory.BREAKING: "🔴",
    ChangeCategory.NON_BREAKING: "🟡",
    ChangeCategory.ADDED: "🟢",
    ChangeCategory.REMOVED: "⚫",
    ChangeCategory.UNCHANGED: "⚪",
    ChangeCategory.INDIRECT_BREAKING: "🔻",
    ChangeCategory.INDIRECT_NON_BREAKING: "🔸",
}


def _load(path: Path) -> Any:
    return json.loads(path.read_text()) if path.exists() else None


def _cell(text: Any) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def lineage(plan: Plan) -> list[str]:
    if not plan.changes:
        return []
    ids = {c.unique_id: f"n{i}" for i, c in enumerate(plan.changes)}
    lines = ["```mermaid", "flowchart LR"]
    for c in plan.changes:
        label = c.name + (" ⟳" if c.rebuild else "")
        lines.append(f'  {ids[c.unique_id]}["{label}"]:::{c.category.identifier}')
    for parent, child in plan.edges:
        lines.append(f"  {ids[parent]} --> {ids[child]}")
    for category, style in STYLE.items():
        lines.append(f"  classDef {category.identifier} {style}")
    lines.append("```")
    return lines


def render(settings: Settings) -> str:
    plan = Plan.load(settings)
    env = _load(settings.env_dir / "environment.json")
    diff = _load(settings.env_dir / "diff.json")
    out = [MARKER, f"## Warehouse plan for `{plan.environment}`", ""]
    direct = plan.direct
    counts: dict[ChangeCategory, int] = {}
    for c in direct:
        counts[c.category] = counts.get(c.category, 0) + 1
    out.append(
        f"**{len(direct)}** directly modified ("
        + (", ".join(f"{n} {k}" for k, n in sorted(counts.items())) or "none")
        + f") · **{len(plan.indirect)}** indirectly modified · "
        f"**{len(plan.rebuild)}** to rebuild"
    )
    out.append("")
    for error in plan.errors:
        out.append(f"> [!CAUTION]\n> {error}\n")
    out.extend(lineage(plan))
    if plan.changes:
        out += ["", "| | node | change | rebuild | why |", "|---|---|---|---|---|"]
        for c in plan.changes:
            why = "; ".join(c.reasons[:4]) + (" …" if len(c.reasons) > 4 else "")
            out.append(
                f"| {ICON.get(c.category, '')} | `{c.name}` | {c.category} | "
                f"{'yes' if c.rebuild else 'no'} | {_cell(why)} |"
            )
    for c in direct:
        columns = [col for col in c.columns if col["scope"] == "final select"]
        if not columns:
            continue
        out += ["", f"<details><summary>Column changes in <code>{c.name}</code></summary>", ""]
        out += ["| column | change | before | after |", "|---|---|---|---|"]
        for col in columns:
            out.append(
                f"| `{col['column']}` | {col['change']} | `{_cell(col.get('before') or '')}` "
                f"| `{_cell(col.get('after') or '')}` |"
            )
        out += ["", "</details>"]
    if env:
        out += ["", "### Environment", ""]
        status = "✅ passed" if env["ok"] else "❌ failed"
        line = (
            f"{status}: {env['models_built']} model(s) built into `{env['schema']}_*` "
            f"in {env['seconds']:.1f}s"
        )
        if env.get("full_build"):
            full = env["full_build"]
            line += f" (a full build: {full['models_built']} model(s) in {full['seconds']:.1f}s)"
        out.append(line)
        for step in env["steps"]:
            tallies = "; ".join(
                f"{k} " + ", ".join(f"{n} {s}" for s, n in sorted(v.items()))
                for k, v in sorted(step["statuses"].items())
            )
            out.append(f"- {step['step']}: {tallies or 'nothing to run'}")
            out.extend(f"  - ❌ `{_cell(f)}`" for f in step["failures"][:10])
    if diff:
        out += _render_diff(diff)
    return "\n".join(out) + "\n"


def _render_diff(diff: dict[str, Any]) -> list[str]:
    out = ["", "### Data diff against production", ""]
    if not diff["models"]:
        return [*out, "Nothing rebuilt, nothing to compare."]
    out += [
        "| model | grain | rows (prod → env) | only prod | only env | changed rows | "
        "columns below 100% |",
        "|---|---|---|---|---|---|---|",
    ]
    details: list[str] = []
    for uid, d in diff["models"].items():
        name = display_name(uid)
        if "prod_rows" not in d:
            out.append(
                f"| `{name}` | {', '.join(d.get('grain') or []) or '—'} | "
                f"{d.get('status')}: {d.get('env_rows', '—')} | | | | |"
            )
            continue
        below = sorted(
            ((c, r) for c, r in (d.get("match_rate") or {}).items() if r is not None and r < 1),
            key=lambda x: x[1],
        )
        below_text = ", ".join(f"`{c}` {r:.1%}" for c, r in below[:5]) + (
            " …" if len(below) > 5 else ""
        )
        out.append(
            f"| `{name}` | {', '.join(d['grain']) or '(whole rows)'} | "
            f"{d['prod_rows']} → {d['env_rows']} | {d['only_in_prod']} | {d['only_in_env']} | "
            f"{d.get('changed_rows', '—')} | {below_text or '—'} |"
        )
        if d.get("schema"):
            details.append(
                f"**`{name}` schema:** "
                + ", ".join(
                    f"{s['change']} `{s['column']}`"
                    + (
                        f" ({s.get('before', '')} → {s.get('after', '')})"
                        if s["change"] == "retyped"
                        else ""
                    )
                    for s in d["schema"]
                )
            )
        samples = (d.get("samples") or {}).get("changed", [])[:3]
        if samples:
            details.append(
                f"<details><summary>Sample differences in <code>{name}</code></summary>\n"
            )
            for s in samples:
                changed = ", ".join(
                    f"`{c}`: `{v['production']}` → `{v['environment']}`"
                    for c, v in s["changed"].items()
                )
                details.append(f"- {s['key']}: {changed}")
            details.append("\n</details>")
    return [*out, "", *details]


def write(settings: Settings, path: Path | None = None) -> Path:
    path = path or settings.env_dir / "report.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render(settings))
    return path
