"""The acceptance cases, on a throwaway copy of the project built once as production:
one-line changes in staging models and a macro, planned, built, diffed and promoted."""

from __future__ import annotations

import json

import duckdb
import pytest

from warehouse.ci import diff, environment, janitor, plan, promote
from warehouse.ci.categories import ChangeCategory
from warehouse.ci.core import Manifest
from warehouse.ci.tests.conftest import edited, fingerprint
from warehouse.errors import PromotionRefusedError

pytestmark = pytest.mark.cost(200)

PKG = "model.insurance_warehouse."
BASE_POLICIES = "models/staging/landing/base/base_landing__policies.sql"
STG_POLICIES = "models/staging/landing/stg_landing__policies.sql"


def run_plan(production, env: str) -> plan.Plan:
    settings = production.settings(env)
    result = plan.build_plan(settings, production.state)
    plan.save(settings, result)
    return result


def listed(result: plan.Plan) -> set[str]:
    return {c.unique_id for c in result.changes}


def rebuilt(result: plan.Plan) -> set[str]:
    return {c.unique_id for c in result.rebuild}


def descendants(production, uid: str) -> set[str]:
    return Manifest.load(production.state).descendants([uid])


def test_added_column_is_non_breaking_and_rebuilds_the_model_alone(production):
    uid = PKG + "base_landing__policies"
    with edited(
        production.project / BASE_POLICIES,
        "    deductible,\n",
        "    deductible,\n    deductible * 2 as deductible_doubled,\n",
    ):
        result = run_plan(production, "added_column")
    print(plan.render_text(result))
    [direct] = result.direct
    assert (direct.unique_id, direct.category) == (uid, ChangeCategory.NON_BREAKING)
    assert [c["column"] for c in direct.columns if c["change"] == "added"] == ["deductible_doubled"]
    assert listed(result) == {uid} | descendants(production, uid)
    # the model, and the one child whose `select * exclude (...)` carries the new column
    assert rebuilt(result) == {uid, PKG + "int_policies__versions"}
    assert result.ok


def test_removed_column_is_breaking_and_rebuilds_everything_downstream(production):
    uid = PKG + "base_landing__policies"
    with edited(production.project / BASE_POLICIES, "    broker_country_code,\n", ""):
        result = run_plan(production, "removed_column")
    print(plan.render_text(result))
    [direct] = result.direct
    assert direct.category == ChangeCategory.BREAKING
    assert any("broker_country_code removed" in r for r in direct.reasons)
    below = descendants(production, uid)
    assert listed(result) == {uid} | below
    assert rebuilt(result) == {uid} | {u for u in below if not u.startswith("snapshot.")}


def test_changed_filter_is_breaking(production):
    uid = PKG + "stg_landing__policies"
    with edited(
        production.project / STG_POLICIES,
        "where recency = 1",
        "where recency = 1 and policy_status <> 'quoted'",
    ):
        result = run_plan(production, "changed_filter")
    print(plan.render_text(result))
    [direct] = result.direct
    assert direct.category == ChangeCategory.BREAKING
    assert any("filter changed (WHERE)" in r for r in direct.reasons)
    assert listed(result) == {uid} | descendants(production, uid)
    assert rebuilt(result) == {uid}  # its only descendant is a snapshot, which keeps history


def test_reformatting_only_is_no_change(production):
    path = production.project / BASE_POLICIES
    original = path.read_text()
    reformatted = original.replace(
        "    deductible,\n", "    deductible   ,  -- unchanged, only reformatted\n"
    ).replace("from checked", "FROM\n        checked")
    assert reformatted.count("FROM") == 1
    with edited(path, original, reformatted):
        result = run_plan(production, "reformatted")
    print(plan.render_text(result))
    [direct] = result.direct  # dbt's state:modified sees the edit...
    assert (
        direct.category == ChangeCategory.UNCHANGED
    )  # ...and the compiled SQL says it changes nothing
    assert result.rebuild == []
    assert result.indirect == []


def test_macro_change_marks_the_models_that_call_it(production):
    uid = PKG + "base_landing__specialty_lines"
    with edited(
        production.project / "macros/cross_db/parse.sql",
        "    case lower({{ text }}) when 'true'",
        "    case lower(trim({{ text }})) when 'true'",
    ):
        result = run_plan(production, "macro_change")
    print(plan.render_text(result))
    callers = {
        u
        for u, n in Manifest.load(production.state).nodes.items()
        if "macro.insurance_warehouse.read_boolean" in n.get("depends_on", {}).get("macros", [])
        and u.startswith("model.")
    }
    assert callers == {uid}
    assert {c.unique_id for c in result.direct} == callers
    assert result.direct[0].category == ChangeCategory.BREAKING
    assert listed(result) == callers | descendants(production, uid)


def test_breaking_change_to_a_contracted_mart_fails_the_plan(production):
    with edited(
        production.project / "models/marts/core/_core__models.yml",
        "      grain:\n      - line_version_key\n",
        "      grain:\n      - line_code\n",
    ):
        result = run_plan(production, "contract_break")
    assert not result.ok
    assert any("dim_specialty_lines" in e and "new model version" in e for e in result.errors)


# -- environment, diff, promote ------------------------------------------------------------------


def test_environment_builds_only_the_plan_and_diff_finds_the_planted_rows(production, capsys):
    """A planted change in one column of stg_landing__policies, for one line of business: the
    environment builds the plan alone (timed beside a full build), the diff finds exactly the
    rows that change, and the promotion is atomic and reversible."""
    prod_rel = "main_staging.stg_landing__policies"
    with duckdb.connect(str(production.database), read_only=True) as con:
        line = con.execute(
            f"select line_code from {prod_rel} where deductible is not null "
            "group by 1 order by count(*) desc, 1 limit 1"
        ).fetchone()[0]
        expected = {
            r[0]
            for r in con.execute(
                f"select policy_id from {prod_rel} where line_code = ? and deductible is not null",
                [line],
            ).fetchall()
        }
    assert expected
    settings = production.settings("planted")
    with edited(
        production.project / STG_POLICIES,
        "    deductible,\n",
        f"    case when line_code = '{line}' then deductible + 1 else deductible end"
        " as deductible,\n",
    ):
        result = run_plan(production, "planted")
        assert rebuilt(result) == {PKG + "stg_landing__policies"}
        record = environment.build_environment(settings, production.state)
    # the full build is production's, built once for the session (the CLI's --compare-full
    # runs one into a scratch schema instead)
    record["full_build"] = {
        "models_built": production.models_built,
        "seconds": production.build_seconds,
    }
    text = environment.render_text(record)
    with capsys.disabled():
        print("\n" + text)
    assert record["ok"], text
    build_results = json.loads((settings.env_dir / "build" / "run_results.json").read_text())
    models = [r for r in build_results["results"] if r["unique_id"].startswith("model.")]
    assert [r["unique_id"] for r in models] == [PKG + "stg_landing__policies"]
    assert record["models_built"] == 1
    assert production.models_built > 20
    assert "full build:" in text

    result = diff.diff_environment(settings, key_limit=10_000)
    d = result["models"][PKG + "stg_landing__policies"]
    with capsys.disabled():
        print(diff.render_text(result))
    assert d["grain"] == ["policy_id"]
    assert d["only_in_prod"] == d["only_in_env"] == 0
    assert d["changed_rows"] == len(expected)
    assert {s["key"]["policy_id"] for s in d["samples"]["changed"]} == expected
    assert all(set(s["changed"]) == {"deductible"} for s in d["samples"]["changed"])
    assert d["match_rate"]["deductible"] < 1
    assert all(r == 1 for c, r in d["match_rate"].items() if c != "deductible")

    # promote: atomic (a failure half-way changes nothing), then done, then rolled back
    env_rel = "ci_planted_staging.stg_landing__policies"
    before, env_print = (
        fingerprint(production.database, prod_rel),
        fingerprint(production.database, env_rel),
    )
    untouched = fingerprint(production.database, "main_marts.dim_policies")
    assert before != env_print

    real_copy = promote._copy

    def failing_copy(wh, source, dest, kind, rewrite=None):
        if dest.schema == "main_staging":
            raise RuntimeError("the lights went out half-way")
        return real_copy(wh, source, dest, kind, rewrite)

    promote._copy = failing_copy
    try:
        with pytest.raises(RuntimeError):
            promote.promote(settings)
    finally:
        promote._copy = real_copy
    assert fingerprint(production.database, prod_rel) == before

    done = promote.promote(settings)
    assert [m["relation"] for m in done["promoted"]] == [prod_rel]
    assert fingerprint(production.database, prod_rel) == env_print
    assert (
        fingerprint(production.database, "main_staging__previous.stg_landing__policies") == before
    )
    assert fingerprint(production.database, "main_marts.dim_policies") == untouched

    promote.rollback(settings)
    assert fingerprint(production.database, prod_rel) == before
    with pytest.raises(PromotionRefusedError):
        promote.rollback(settings)  # one step only


def test_promote_after_failed_tests_is_refused_and_production_unchanged(production):
    settings = production.settings("failing")
    prod_rel = "main_staging.stg_landing__policies"
    before = fingerprint(production.database, prod_rel)
    with edited(
        production.project / STG_POLICIES, "    currency,\n", "    null::varchar as currency,\n"
    ):
        run_plan(production, "failing")
        record = environment.build_environment(settings, production.state)
    assert not record["ok"]
    assert any(
        "not_null_stg_landing__policies_currency" in f
        for s in record["steps"]
        for f in s["failures"]
    )
    with pytest.raises(PromotionRefusedError, match="tests failed"):
        promote.promote(settings)
    assert fingerprint(production.database, prod_rel) == before


def test_janitor_drops_environments_not_kept(production):
    settings = production.settings("janitor")
    with duckdb.connect(str(production.database)) as con:
        con.execute("create schema if not exists ci_stale_branch_marts")
        con.execute("create table ci_stale_branch_marts.t as select 1 as x")
    would_drop = janitor.clean(settings, keep=["planted"], dry_run=True)
    assert "ci_stale_branch" in {d["environment"] for d in would_drop}
    assert all(d["environment"] != "planted" for d in would_drop)
    janitor.clean(settings, drop=["stale-branch"])
    with duckdb.connect(str(production.database), read_only=True) as con:
        rows = con.execute("select schema_name from information_schema.schemata").fetchall()
    schemas = {r[0] for r in rows}
    assert "ci_stale_branch_marts" not in schemas
    assert "main_marts" in schemas
