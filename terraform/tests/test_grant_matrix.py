"""Least privilege on Snowflake: the grant matrix that admin/account_setup.sql and the
Terraform grants produce is exactly the intended one (docs/access.md, "Roles and grants"),
and a broad or misplaced grant fails."""

from __future__ import annotations

import grant_matrix as gm
import pytest
import tf_controls as tc

DB, CI_DB = "INSURANCE", "INSURANCE_CI"
REPORTING = frozenset({f"{DB}.ANALYTICS_MARTS", f"{DB}.ANALYTICS_REFERENCE"})
BELOW_REPORTING = frozenset(
    {f"{DB}.ANALYTICS_STAGING", f"{DB}.ANALYTICS_INTERMEDIATE", f"{DB}.ANALYTICS_SNAPSHOTS"}
)
ROLES = ("LOADER", "TRANSFORMER", "REPORTER", "PII_READER", "CI_RUNNER")
WAREHOUSE = "WAREHOUSE INSURANCE_WH"

# The intended matrix: the same table as docs/access.md.
INTENDED: dict[str, gm.Access] = {
    "REPORTER": gm.Access(
        reads=REPORTING,
        writes=frozenset(),
        usage=frozenset({WAREHOUSE, f"DATABASE {DB}", *(f"SCHEMA {s}" for s in REPORTING)}),
        roles=frozenset(),
    ),
    "PII_READER": gm.Access(
        reads=REPORTING | BELOW_REPORTING,
        writes=frozenset(),
        usage=frozenset(
            {WAREHOUSE, f"DATABASE {DB}", *(f"SCHEMA {s}" for s in REPORTING | BELOW_REPORTING)}
        ),
        roles=frozenset(),
    ),
    "CI_RUNNER": gm.Access(
        reads=REPORTING | BELOW_REPORTING,
        writes=frozenset({f"DATABASE {CI_DB}"}),
        usage=frozenset(
            {
                WAREHOUSE,
                f"DATABASE {DB}",
                f"DATABASE {CI_DB}",
                f"SCHEMA {DB}.GOVERNANCE",
                "APPLY TAG INSURANCE.GOVERNANCE.PII",
                *(f"SCHEMA {s}" for s in REPORTING | BELOW_REPORTING),
            }
        ),
        roles=frozenset(),
    ),
    "TRANSFORMER": gm.Access(
        reads=REPORTING | BELOW_REPORTING,
        writes=frozenset(
            {
                f"DATABASE {DB}",
                f"SCHEMA {DB}.LANDING",
                *(f"SCHEMA {s}" for s in REPORTING | BELOW_REPORTING),
            }
        ),
        usage=frozenset(
            {
                WAREHOUSE,
                f"DATABASE {DB}",
                f"SCHEMA {DB}.LANDING",
                f"SCHEMA {DB}.GOVERNANCE",
                "APPLY TAG INSURANCE.GOVERNANCE.PII",
                *(f"SCHEMA {s}" for s in REPORTING | BELOW_REPORTING),
                # terraform/snowflake.tf
                "INTEGRATION INSURANCE_LANDING_S3",
                "STAGE INSURANCE.LANDING.LAKE_STAGE",
                "FILE FORMAT INSURANCE.LANDING.RAW_LINES",
                "FILE FORMAT INSURANCE.LANDING.JSON_DOCUMENTS",
            }
        ),
        roles=frozenset({"PII_READER"}),
    ),
    "LOADER": gm.Access(
        reads=frozenset(),
        writes=frozenset(),
        usage=frozenset({WAREHOUSE, f"DATABASE {DB}", f"SCHEMA {DB}.LANDING"}),
        roles=frozenset(),
    ),
}


def grants(sql: str | None = None) -> gm.Grants:
    text = sql if sql is not None else tc.ACCOUNT_SETUP_SQL.read_text(encoding="utf-8")
    return gm.merge(gm.parse_sql(text), gm.parse_terraform(tc.load_config()))


def problems(found: gm.Grants) -> list[str]:
    """Differences from the intended matrix, and the rules stated on their own."""
    out = []
    actual = gm.matrix(found, ROLES)
    for role in ROLES:
        want, have = INTENDED[role], actual[role]
        for part in ("reads", "writes", "usage", "roles"):
            extra = sorted(getattr(have, part) - getattr(want, part))
            missing = sorted(getattr(want, part) - getattr(have, part))
            if extra:
                out.append(f"{role} {part} more than intended: {extra}")
            if missing:
                out.append(f"{role} {part} less than intended: {missing}")
    for grant in sorted(found.grants, key=lambda g: (g.role, g.privilege, g.target)):
        if " IN DATABASE " in grant.target:
            out.append(f"broad grant: {grant.privilege} on {grant.target} to {grant.role}")
    for role in ("REPORTER", "CI_RUNNER"):
        if "PII_READER" in gm.held_roles(found, role):
            out.append(f"{role} holds PII_READER")
    if any(not r.endswith(".*") and not r.startswith(f"{DB}.") for r in actual["REPORTER"].reads):
        out.append("REPORTER reads outside the production database")
    ci_writes = actual["CI_RUNNER"].writes
    if any(CI_DB not in w.split(" ", 1)[-1].split(".")[0] for w in ci_writes):
        out.append(f"CI_RUNNER writes outside {CI_DB}: {sorted(ci_writes)}")
    return out


def test_the_script_parses() -> None:
    found = gm.parse_sql(tc.ACCOUNT_SETUP_SQL.read_text(encoding="utf-8"))
    assert len(found.grants) > 40
    assert ("CI_RUNNER", "SVC_DBT_CI") in found.user_grants


def test_the_grant_matrix_is_the_intended_one() -> None:
    assert problems(grants()) == []


def test_reporters_read_the_reporting_schemas_only() -> None:
    reporter = gm.matrix(grants(), ["REPORTER"])["REPORTER"]
    assert reporter.reads == REPORTING
    assert not any(CI_DB in u for u in reporter.usage)


SQL = tc.ACCOUNT_SETUP_SQL.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "added",
    [
        "GRANT SELECT ON FUTURE TABLES IN DATABASE INSURANCE TO ROLE REPORTER;",
        "GRANT USAGE ON FUTURE SCHEMAS IN DATABASE INSURANCE TO ROLE REPORTER;",
        "GRANT SELECT ON ALL VIEWS IN SCHEMA INSURANCE.ANALYTICS_STAGING TO ROLE REPORTER;",
        "GRANT SELECT ON TABLE INSURANCE.ANALYTICS_SNAPSHOTS.SNAP_INSUREDS TO ROLE REPORTER;",
        "GRANT ROLE PII_READER TO ROLE REPORTER;",
        "GRANT ROLE PII_READER TO ROLE CI_RUNNER;",
        "GRANT ROLE TRANSFORMER TO ROLE CI_RUNNER;",
        "GRANT CREATE SCHEMA ON DATABASE INSURANCE TO ROLE CI_RUNNER;",
        "GRANT INSERT ON ALL TABLES IN SCHEMA INSURANCE.ANALYTICS_MARTS TO ROLE CI_RUNNER;",
        "GRANT USAGE ON DATABASE INSURANCE_CI TO ROLE REPORTER;",
        "GRANT USAGE ON SCHEMA INSURANCE.LANDING TO ROLE REPORTER;",
        "grant select\n  on future views in schema insurance.analytics_intermediate\n"
        "  to role reporter;",
    ],
)
def test_a_broad_or_misplaced_grant_fails(added: str) -> None:
    assert problems(grants(SQL + "\n" + added + "\n"))


def test_a_grant_the_parser_does_not_know_is_an_error() -> None:
    with pytest.raises(gm.GrantParseError):
        grants(SQL + "\nGRANT SELECT ON EVERYTHING TO ROLE REPORTER;\n")
    with pytest.raises(gm.GrantParseError):
        grants(SQL + "\nREVOKE USAGE ON DATABASE INSURANCE FROM ROLE REPORTER;\n")


def test_comments_and_strings_do_not_hide_or_invent_grants() -> None:
    extra = (
        "-- GRANT SELECT ON FUTURE TABLES IN DATABASE INSURANCE TO ROLE REPORTER;\n"
        "/* GRANT ROLE PII_READER TO ROLE REPORTER; */\n"
        "CREATE ROLE IF NOT EXISTS X COMMENT = 'a; GRANT ROLE PII_READER TO ROLE REPORTER';\n"
    )
    assert problems(grants(SQL + extra)) == []


def test_a_terraform_grant_counts() -> None:
    config = tc.load_config()
    body = {
        "account_role_name": "REPORTER",
        "privileges": ["SELECT"],
        "on_schema_object": {
            "future": {"object_type_plural": "TABLES", "in_database": "INSURANCE"}
        },
    }
    config["resource"]["snowflake_grant_privileges_to_account_role"]["broad"] = body
    found = gm.merge(gm.parse_sql(SQL), gm.parse_terraform(config))
    assert any("broad grant" in p for p in problems(found))
