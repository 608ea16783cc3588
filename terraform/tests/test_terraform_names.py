"""The Snowflake names dbt uses, the Terraform variable defaults and the objects
created by admin/account_setup.sql must be the same."""

from __future__ import annotations

from typing import Any

import pytest
import tf_controls as tc
import yaml

PROFILES = tc.REPO_ROOT / "profiles.yml"
DBT_PROJECT = tc.REPO_ROOT / "dbt_project.yml"


@pytest.fixture(scope="module")
def config() -> dict[str, Any]:
    return tc.load_config()


@pytest.fixture(scope="module")
def profiles_text() -> str:
    return PROFILES.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def dbt_vars() -> dict[str, Any]:
    return yaml.safe_load(DBT_PROJECT.read_text(encoding="utf-8"))["vars"]


@pytest.fixture(scope="module")
def sql() -> str:
    return tc.ACCOUNT_SETUP_SQL.read_text(encoding="utf-8")


def test_prod_profile_defaults_are_read(profiles_text: str) -> None:
    prod = tc.profile_prod_defaults(profiles_text)
    assert {"user", "role", "database", "warehouse"} <= prod.keys()


def test_names_agree(config, profiles_text, dbt_vars, sql) -> None:
    assert tc.check_names_contract(config, profiles_text, dbt_vars, sql) == []


def test_expected_names(config, profiles_text, dbt_vars) -> None:
    """The fixed names the project documents, in one readable place."""
    prod = tc.profile_prod_defaults(profiles_text)
    assert (prod["user"], prod["role"], prod["database"], prod["warehouse"]) == (
        "SVC_DBT",
        "TRANSFORMER",
        "INSURANCE",
        "INSURANCE_WH",
    )
    assert (
        dbt_vars["snowflake_landing_schema"],
        dbt_vars["snowflake_stage"],
        dbt_vars["snowflake_raw_lines_file_format"],
        dbt_vars["snowflake_json_file_format"],
    ) == ("LANDING", "LAKE_STAGE", "RAW_LINES", "JSON_DOCUMENTS")


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("'SNOWFLAKE_ROLE', 'TRANSFORMER'", "'SNOWFLAKE_ROLE', 'DBT'"),
        ("'SNOWFLAKE_DATABASE', 'INSURANCE'", "'SNOWFLAKE_DATABASE', 'INS'"),
        ("'SNOWFLAKE_WAREHOUSE', 'INSURANCE_WH'", "'SNOWFLAKE_WAREHOUSE', 'WH'"),
        ("'SNOWFLAKE_USER', 'SVC_DBT'", "'SNOWFLAKE_USER', 'DBT_USER'"),
    ],
)
def test_profile_drift_is_flagged(config, profiles_text, dbt_vars, sql, old, new) -> None:
    assert old in profiles_text
    drifted = profiles_text.replace(old, new)
    assert tc.check_names_contract(config, drifted, dbt_vars, sql)


@pytest.mark.parametrize(
    "var",
    [
        "snowflake_landing_schema",
        "snowflake_stage",
        "snowflake_raw_lines_file_format",
        "snowflake_json_file_format",
    ],
)
def test_dbt_var_drift_is_flagged(config, profiles_text, dbt_vars, sql, var) -> None:
    drifted = {**dbt_vars, var: "OTHER"}
    assert tc.check_names_contract(config, profiles_text, drifted, sql)


@pytest.mark.parametrize(
    "variable",
    [
        "dbt_role",
        "snowflake_database",
        "snowflake_warehouse",
        "snowflake_landing_schema",
        "snowflake_stage_name",
        "snowflake_file_format_name",
        "snowflake_json_file_format_name",
    ],
)
def test_terraform_default_drift_is_flagged(config, profiles_text, dbt_vars, sql, variable):
    drifted = {**config, "variable": {**config["variable"]}}
    drifted["variable"][variable] = {**config["variable"][variable], "default": "OTHER"}
    assert tc.check_names_contract(drifted, profiles_text, dbt_vars, sql)


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("CREATE WAREHOUSE IF NOT EXISTS INSURANCE_WH", "CREATE WAREHOUSE IF NOT EXISTS WH"),
        ("CREATE DATABASE IF NOT EXISTS INSURANCE", "CREATE DATABASE IF NOT EXISTS INS"),
        (
            "CREATE SCHEMA IF NOT EXISTS INSURANCE.LANDING",
            "CREATE SCHEMA IF NOT EXISTS INSURANCE.RAW",
        ),
        ("CREATE USER IF NOT EXISTS SVC_DBT", "CREATE USER IF NOT EXISTS DBT"),
        ("DEFAULT_ROLE = TRANSFORMER", "DEFAULT_ROLE = REPORTER"),
        (
            "GRANT CREATE EXTERNAL TABLE ON SCHEMA INSURANCE.LANDING TO ROLE TRANSFORMER;",
            "",
        ),
    ],
)
def test_admin_script_drift_is_flagged(config, profiles_text, dbt_vars, sql, old, new) -> None:
    assert old in sql
    assert tc.check_names_contract(config, profiles_text, dbt_vars, sql.replace(old, new))


def test_admin_script_controls(sql: str) -> None:
    assert tc.check_admin_script(sql) == []


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("AUTO_SUSPEND = 60", "AUTO_SUSPEND = 3600"),
        ("WAREHOUSE_SIZE = 'XSMALL'", "WAREHOUSE_SIZE = 'LARGE'"),
        ("AUTO_RESUME = TRUE", "AUTO_RESUME = FALSE"),
        ("TYPE = SERVICE", "TYPE = PERSON"),
        ("GRANT ROLE REPORTER TO ROLE SYSADMIN;", ""),
        ("GRANT ROLE TRANSFORMER TO USER SVC_DBT;", ""),
        ("GRANT CREATE INTEGRATION ON ACCOUNT TO ROLE SYSADMIN;", ""),
        ("GRANT SELECT ON FUTURE VIEWS IN SCHEMA INSURANCE.ANALYTICS_MARTS TO ROLE REPORTER;", ""),
        ("GRANT CREATE SCHEMA ON DATABASE INSURANCE_CI TO ROLE CI_RUNNER;", ""),
        ("CREATE DATABASE IF NOT EXISTS", "CREATE OR REPLACE DATABASE"),
        ("'<SVC_DBT_RSA_PUBLIC_KEY>'", "'MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA'"),
    ],
)
def test_admin_script_weakened_is_flagged(sql: str, old: str, new: str) -> None:
    assert old in sql
    assert tc.check_admin_script(sql.replace(old, new))


def test_dbt_json_file_format_var_removed_is_flagged(config, profiles_text, dbt_vars, sql):
    drifted = {k: v for k, v in dbt_vars.items() if k != "snowflake_json_file_format"}
    assert tc.check_names_contract(config, profiles_text, drifted, sql)
