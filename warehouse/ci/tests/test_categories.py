"""Change categories: one enum, serialised as the same strings as before it."""

from __future__ import annotations

import json
import re
from pathlib import Path

from warehouse.ci import plan as plan_module
from warehouse.ci import report
from warehouse.ci.categories import ChangeCategory
from warehouse.ci.classify import classify_sql
from warehouse.ci.core import REPO_ROOT, Settings
from warehouse.ci.plan import Change, Plan

# the strings plan.json and the pull-request comment used before the enum
STRINGS = {
    "unchanged",
    "non-breaking",
    "breaking",
    "added",
    "removed",
    "indirect-breaking",
    "indirect-non-breaking",
}


def sample_plan() -> Plan:
    return Plan(
        environment="pr-7",
        created_at="2026-11-22T00:00:00+00:00",
        state="state",
        changes=[
            Change("model.p.stg_a", "model", ChangeCategory.BREAKING, True, ["x"], rebuild=True),
            Change("model.p.fct_b", "model", ChangeCategory.INDIRECT_BREAKING, False, rebuild=True),
            Change("model.p.dim_c", "model", ChangeCategory.NON_BREAKING, True),
        ],
        edges=[("model.p.stg_a", "model.p.fct_b")],
    )


def test_the_enum_has_the_strings() -> None:
    assert {c.value for c in ChangeCategory} == STRINGS
    assert all(c == c.value and str(c) == c.value and f"{c}" == c.value for c in ChangeCategory)
    assert ChangeCategory.BREAKING.indirect is ChangeCategory.INDIRECT_BREAKING
    assert ChangeCategory.NON_BREAKING.indirect is ChangeCategory.INDIRECT_NON_BREAKING


def test_plan_json_keeps_the_strings_and_reads_back_the_enum(tmp_path: Path) -> None:
    plan = sample_plan()
    data = json.loads(json.dumps(plan.to_json()))
    assert [c["category"] for c in data["changes"]] == [
        "breaking",
        "indirect-breaking",
        "non-breaking",
    ]
    again = Plan.from_json(data)
    assert [type(c.category) for c in again.changes] == [ChangeCategory] * 3
    assert again.changes == plan.changes


def test_text_and_report_show_the_strings(tmp_path: Path) -> None:
    plan = sample_plan()
    text = plan_module.render_text(plan)
    assert "[breaking] stg_a (rebuild)" in text
    assert "1 breaking, 1 non-breaking" in text
    settings = Settings(workdir=tmp_path, env="pr-7", quiet=True)
    plan_module.save(settings, plan)
    markdown = report.render(settings)
    assert "| 🔴 | `stg_a` | breaking | yes |" in markdown
    assert ":::indirect_breaking" in markdown
    assert "classDef non_breaking" in markdown
    assert "ChangeCategory" not in text + markdown


def test_classifier_returns_the_enum() -> None:
    result = classify_sql("select a from t", "select a, b from t")
    assert result.category is ChangeCategory.NON_BREAKING


def test_no_category_string_outside_the_enum() -> None:
    """The category strings are spelt once, in categories.py."""
    quoted = re.compile(r"[\"'](" + "|".join(sorted(STRINGS, key=len, reverse=True)) + r")[\"']")
    found = []
    for path in sorted((REPO_ROOT / "warehouse" / "ci").glob("*.py")):
        if path.name == "categories.py":
            continue
        for number, line in enumerate(path.read_text().splitlines(), 1):
            match = quoted.search(line)
            # column changes (diff.py, classify.py) also say "added" / "removed"
            if match and match.group(1) not in {"added", "removed"}:
                found.append(f"{path.name}:{number}: {line.strip()}")
    assert not found
