-- =============================================================================
-- Insurance warehouse: one-time Snowflake account setup.
--
-- Run this ONCE, before `terraform apply`, as a user who holds ACCOUNTADMIN
-- (each section switches to the narrowest system role that can do its part).
-- It is safe to run again: every CREATE is IF NOT EXISTS and GRANT is
-- idempotent. Nothing is replaced or dropped.
--
-- Before running, replace the two placeholders:
--   <SVC_DBT_RSA_PUBLIC_KEY>     the PUBLIC key of the dbt service user (production)
--   <SVC_DBT_CI_RSA_PUBLIC_KEY>  the PUBLIC key of the CI service user
-- (the body of rsa_key.pub without the BEGIN/END lines). Only public keys go
-- into Snowflake. The private keys never leave their owners (the CI secret
-- store: SNOWFLAKE_PRIVATE_KEY in the GitHub environment `production`,
-- SNOWFLAKE_CI_PRIVATE_KEY for pull requests); dbt reads them through
-- SNOWFLAKE_PRIVATE_KEY_PATH / SNOWFLAKE_PRIVATE_KEY_PASSPHRASE.
-- See terraform/README.md, "Account setup", and docs/access.md.
--
-- Object names are a contract with the dbt project and Terraform:
--   database INSURANCE (production), schema INSURANCE.LANDING, warehouse
--   INSURANCE_WH, roles LOADER / TRANSFORMER / REPORTER / PII_READER /
--   CI_RUNNER, service users SVC_DBT and SVC_DBT_CI, database INSURANCE_CI
--   (pull-request environments), tag INSURANCE.GOVERNANCE.PII.
-- Terraform then creates, inside INSURANCE.LANDING, the stage LAKE_STAGE and
-- the file format RAW_LINES, plus the storage integration, and grants
-- TRANSFORMER usage on those three.
--
-- Who reads what (the grant matrix; pipeline tests derive it from this file
-- and terraform/ and compare it with docs/access.md):
--   REPORTER     the reporting schemas only (ANALYTICS_MARTS, ANALYTICS_REFERENCE),
--                which hold no personal data in clear.
--   PII_READER   the layers below (staging, history, snapshots) with personal
--                columns in clear; granted to TRANSFORMER (dbt transforms them)
--                and, on request, to a named person, never to a group.
--   TRANSFORMER  dbt in production: owns and writes the analytics schemas.
--   CI_RUNNER    pull requests: writes only its own database INSURANCE_CI and
--                reads production for deferral with personal columns masked.
-- No grant here reaches "all/future objects in database": every SELECT is on
-- a named schema.
-- =============================================================================


-- -----------------------------------------------------------------------------
-- 1. Account-level privilege (ACCOUNTADMIN)
-- -----------------------------------------------------------------------------
USE ROLE ACCOUNTADMIN;

-- Terraform runs as SYSADMIN (variable snowflake_terraform_role) and creates
-- the storage integration; only ACCOUNTADMIN has this privilege by default.
GRANT CREATE INTEGRATION ON ACCOUNT TO ROLE SYSADMIN;

-- SYSADMIN attaches the masking policies to the PII tag (section 6). Tags and
-- masking policies need Enterprise edition or higher: on Standard, skip
-- section 6 and set the dbt var snowflake_masking_policies to false
-- (docs/access.md, "Standard edition").
GRANT APPLY MASKING POLICY ON ACCOUNT TO ROLE SYSADMIN;


-- -----------------------------------------------------------------------------
-- 2. Warehouse, database, landing schema (SYSADMIN owns them)
-- -----------------------------------------------------------------------------
USE ROLE SYSADMIN;

CREATE WAREHOUSE IF NOT EXISTS INSURANCE_WH
  WAREHOUSE_SIZE = 'XSMALL'
  AUTO_SUSPEND = 60
  AUTO_RESUME = TRUE
  INITIALLY_SUSPENDED = TRUE
  COMMENT = 'Insurance warehouse: dbt runs and reporting';

CREATE DATABASE IF NOT EXISTS INSURANCE
  COMMENT = 'Insurance data warehouse';

-- Holds the external stage and file format (Terraform) and the external tables
-- over the landing lake (dbt).
CREATE SCHEMA IF NOT EXISTS INSURANCE.LANDING
  COMMENT = 'Landing lake on S3: stage, raw-lines file format, external tables';

-- The schemas dbt builds in production (target schema ANALYTICS plus each
-- folder's +schema), created here so that their grants can be given by name
-- (section 5); TRANSFORMER owns them (section 4).
CREATE SCHEMA IF NOT EXISTS INSURANCE.ANALYTICS_STAGING
  COMMENT = 'dbt: staging, base and quarantine models (personal data, masked)';
CREATE SCHEMA IF NOT EXISTS INSURANCE.ANALYTICS_INTERMEDIATE
  COMMENT = 'dbt: history and intermediate models (personal data, masked)';
CREATE SCHEMA IF NOT EXISTS INSURANCE.ANALYTICS_SNAPSHOTS
  COMMENT = 'dbt: snapshots (personal data, masked)';
CREATE SCHEMA IF NOT EXISTS INSURANCE.ANALYTICS_MARTS
  COMMENT = 'dbt: the reporting layer (no personal data in clear)';
CREATE SCHEMA IF NOT EXISTS INSURANCE.ANALYTICS_REFERENCE
  COMMENT = 'dbt: seeds (reference data)';

-- The PII tag and its masking policies (section 6).
CREATE SCHEMA IF NOT EXISTS INSURANCE.GOVERNANCE
  COMMENT = 'Tags and masking policies';

-- Pull-request environments (schemas ci_<branch>_*): a database of their own,
-- so that CI can write nothing in production and reporters see none of it.
CREATE DATABASE IF NOT EXISTS INSURANCE_CI
  DATA_RETENTION_TIME_IN_DAYS = 0
  COMMENT = 'Insurance warehouse: pull-request environments (CI_RUNNER)';


-- -----------------------------------------------------------------------------
-- 3. Roles and the dbt service user (USERADMIN)
-- -----------------------------------------------------------------------------
USE ROLE USERADMIN;

CREATE ROLE IF NOT EXISTS LOADER
  COMMENT = 'Ingestion tools writing into Snowflake (the S3 landing path needs no Snowflake writes)';
CREATE ROLE IF NOT EXISTS TRANSFORMER
  COMMENT = 'dbt: reads the landing lake, builds the analytics schemas';
CREATE ROLE IF NOT EXISTS REPORTER
  COMMENT = 'Read-only access to the reporting schemas (no personal data in clear)';
CREATE ROLE IF NOT EXISTS PII_READER
  COMMENT = 'Reads the layers below reporting with personal columns in clear';
CREATE ROLE IF NOT EXISTS CI_RUNNER
  COMMENT = 'Pull-request builds: writes INSURANCE_CI, reads production masked';

-- TYPE = SERVICE: no password, no MFA prompt, key-pair authentication only.
-- An existing user is left untouched (in particular its key: rotate keys with
-- RSA_PUBLIC_KEY_2, see terraform/README.md).
CREATE USER IF NOT EXISTS SVC_DBT
  TYPE = SERVICE
  RSA_PUBLIC_KEY = '<SVC_DBT_RSA_PUBLIC_KEY>'
  DEFAULT_ROLE = TRANSFORMER
  DEFAULT_WAREHOUSE = INSURANCE_WH
  DEFAULT_NAMESPACE = INSURANCE
  -- Sessions run with TRANSFORMER only, never with secondary roles.
  DEFAULT_SECONDARY_ROLES = ()
  COMMENT = 'dbt service user (prod target in profiles.yml)';

CREATE USER IF NOT EXISTS SVC_DBT_CI
  TYPE = SERVICE
  RSA_PUBLIC_KEY = '<SVC_DBT_CI_RSA_PUBLIC_KEY>'
  DEFAULT_ROLE = CI_RUNNER
  DEFAULT_WAREHOUSE = INSURANCE_WH
  DEFAULT_NAMESPACE = INSURANCE_CI
  DEFAULT_SECONDARY_ROLES = ()
  COMMENT = 'CI service user (pull requests; never production credentials)';


-- -----------------------------------------------------------------------------
-- 4. Role hierarchy and grants (SECURITYADMIN)
-- -----------------------------------------------------------------------------
USE ROLE SECURITYADMIN;

-- Hierarchy: the functional roles roll up to SYSADMIN, so SYSADMIN can
-- manage everything they create. The one inheritance among them: TRANSFORMER
-- holds PII_READER (dbt reads personal columns in clear to transform them).
-- Neither REPORTER nor CI_RUNNER ever holds PII_READER.
GRANT ROLE LOADER TO ROLE SYSADMIN;
GRANT ROLE TRANSFORMER TO ROLE SYSADMIN;
GRANT ROLE REPORTER TO ROLE SYSADMIN;
GRANT ROLE CI_RUNNER TO ROLE SYSADMIN;
GRANT ROLE PII_READER TO ROLE TRANSFORMER;

GRANT ROLE TRANSFORMER TO USER SVC_DBT;
GRANT ROLE CI_RUNNER TO USER SVC_DBT_CI;

-- TRANSFORMER (dbt) ------------------------------------------------------------
GRANT USAGE ON WAREHOUSE INSURANCE_WH TO ROLE TRANSFORMER;
GRANT USAGE ON DATABASE INSURANCE TO ROLE TRANSFORMER;
-- dbt creates (and then owns) its analytics schemas.
GRANT CREATE SCHEMA ON DATABASE INSURANCE TO ROLE TRANSFORMER;
-- The landing schema belongs to SYSADMIN; dbt creates the external tables
-- (and any helper tables/views) in it. This is the only place these are granted.
GRANT USAGE ON SCHEMA INSURANCE.LANDING TO ROLE TRANSFORMER;
GRANT CREATE EXTERNAL TABLE ON SCHEMA INSURANCE.LANDING TO ROLE TRANSFORMER;
GRANT CREATE TABLE ON SCHEMA INSURANCE.LANDING TO ROLE TRANSFORMER;
GRANT CREATE VIEW ON SCHEMA INSURANCE.LANDING TO ROLE TRANSFORMER;

-- The production schemas dbt builds: TRANSFORMER owns them (dbt replaces
-- their tables and views; a promotion swaps them with its candidates).
GRANT OWNERSHIP ON SCHEMA INSURANCE.ANALYTICS_STAGING TO ROLE TRANSFORMER COPY CURRENT GRANTS;
GRANT OWNERSHIP ON SCHEMA INSURANCE.ANALYTICS_INTERMEDIATE TO ROLE TRANSFORMER COPY CURRENT GRANTS;
GRANT OWNERSHIP ON SCHEMA INSURANCE.ANALYTICS_SNAPSHOTS TO ROLE TRANSFORMER COPY CURRENT GRANTS;
GRANT OWNERSHIP ON SCHEMA INSURANCE.ANALYTICS_MARTS TO ROLE TRANSFORMER COPY CURRENT GRANTS;
GRANT OWNERSHIP ON SCHEMA INSURANCE.ANALYTICS_REFERENCE TO ROLE TRANSFORMER COPY CURRENT GRANTS;
-- dbt tags personal columns after each build (macros/access/pii.sql).
GRANT USAGE ON SCHEMA INSURANCE.GOVERNANCE TO ROLE TRANSFORMER;

-- REPORTER (BI, analysts, the dashboard) ---------------------------------------
GRANT USAGE ON WAREHOUSE INSURANCE_WH TO ROLE REPORTER;
GRANT USAGE ON DATABASE INSURANCE TO ROLE REPORTER;
-- The reporting schemas, by name, and nothing else: no LANDING (raw data), no
-- staging, history or snapshots, and no pull-request environment (another
-- database). Section 5 grants the tables and views in them.

-- CI_RUNNER (pull requests) -----------------------------------------------------
GRANT USAGE ON WAREHOUSE INSURANCE_WH TO ROLE CI_RUNNER;
-- Writes: its own database only (dbt creates and owns ci_<branch>_* there).
GRANT USAGE ON DATABASE INSURANCE_CI TO ROLE CI_RUNNER;
GRANT CREATE SCHEMA ON DATABASE INSURANCE_CI TO ROLE CI_RUNNER;
-- Reads production, for deferral and the diff (section 5): never LANDING,
-- whose raw lines cannot be masked column by column. A pull request that
-- changes a model reading the landing lake is built on DuckDB.
GRANT USAGE ON DATABASE INSURANCE TO ROLE CI_RUNNER;
GRANT USAGE ON SCHEMA INSURANCE.GOVERNANCE TO ROLE CI_RUNNER;

-- PII_READER ----------------------------------------------------------------------
GRANT USAGE ON WAREHOUSE INSURANCE_WH TO ROLE PII_READER;
GRANT USAGE ON DATABASE INSURANCE TO ROLE PII_READER;

-- LOADER (reserved) ------------------------------------------------------------
-- Enough to connect and see the landing schema. Files reach the lake through
-- S3 (lakegen upload), not through Snowflake, so LOADER needs nothing more
-- today; grant CREATE TABLE / CREATE PIPE on INSURANCE.LANDING here if a
-- COPY INTO or Snowpipe loader is introduced.
GRANT USAGE ON WAREHOUSE INSURANCE_WH TO ROLE LOADER;
GRANT USAGE ON DATABASE INSURANCE TO ROLE LOADER;
GRANT USAGE ON SCHEMA INSURANCE.LANDING TO ROLE LOADER;


-- -----------------------------------------------------------------------------
-- 5. Schema grants (SECURITYADMIN): each role, each schema it reads, by name
--    (USAGE, then SELECT on the tables and views there now and to come).
--    A promotion swaps a schema with a clone, which keeps its tables' grants
--    but not the schema's own: run this section again after the first
--    promotion of a schema (docs/access.md, "Promotion and grants").
-- -----------------------------------------------------------------------------
USE ROLE SECURITYADMIN;

-- REPORTER: the reporting layer
GRANT USAGE ON SCHEMA INSURANCE.ANALYTICS_MARTS TO ROLE REPORTER;
GRANT SELECT ON ALL TABLES IN SCHEMA INSURANCE.ANALYTICS_MARTS TO ROLE REPORTER;
GRANT SELECT ON ALL VIEWS IN SCHEMA INSURANCE.ANALYTICS_MARTS TO ROLE REPORTER;
GRANT SELECT ON FUTURE TABLES IN SCHEMA INSURANCE.ANALYTICS_MARTS TO ROLE REPORTER;
GRANT SELECT ON FUTURE VIEWS IN SCHEMA INSURANCE.ANALYTICS_MARTS TO ROLE REPORTER;
GRANT USAGE ON SCHEMA INSURANCE.ANALYTICS_REFERENCE TO ROLE REPORTER;
GRANT SELECT ON ALL TABLES IN SCHEMA INSURANCE.ANALYTICS_REFERENCE TO ROLE REPORTER;
GRANT SELECT ON ALL VIEWS IN SCHEMA INSURANCE.ANALYTICS_REFERENCE TO ROLE REPORTER;
GRANT SELECT ON FUTURE TABLES IN SCHEMA INSURANCE.ANALYTICS_REFERENCE TO ROLE REPORTER;
GRANT SELECT ON FUTURE VIEWS IN SCHEMA INSURANCE.ANALYTICS_REFERENCE TO ROLE REPORTER;

-- PII_READER: every layer dbt builds, personal columns in clear
GRANT USAGE ON SCHEMA INSURANCE.ANALYTICS_STAGING TO ROLE PII_READER;
GRANT SELECT ON ALL TABLES IN SCHEMA INSURANCE.ANALYTICS_STAGING TO ROLE PII_READER;
GRANT SELECT ON ALL VIEWS IN SCHEMA INSURANCE.ANALYTICS_STAGING TO ROLE PII_READER;
GRANT SELECT ON FUTURE TABLES IN SCHEMA INSURANCE.ANALYTICS_STAGING TO ROLE PII_READER;
GRANT SELECT ON FUTURE VIEWS IN SCHEMA INSURANCE.ANALYTICS_STAGING TO ROLE PII_READER;
GRANT USAGE ON SCHEMA INSURANCE.ANALYTICS_INTERMEDIATE TO ROLE PII_READER;
GRANT SELECT ON ALL TABLES IN SCHEMA INSURANCE.ANALYTICS_INTERMEDIATE TO ROLE PII_READER;
GRANT SELECT ON ALL VIEWS IN SCHEMA INSURANCE.ANALYTICS_INTERMEDIATE TO ROLE PII_READER;
GRANT SELECT ON FUTURE TABLES IN SCHEMA INSURANCE.ANALYTICS_INTERMEDIATE TO ROLE PII_READER;
GRANT SELECT ON FUTURE VIEWS IN SCHEMA INSURANCE.ANALYTICS_INTERMEDIATE TO ROLE PII_READER;
GRANT USAGE ON SCHEMA INSURANCE.ANALYTICS_SNAPSHOTS TO ROLE PII_READER;
GRANT SELECT ON ALL TABLES IN SCHEMA INSURANCE.ANALYTICS_SNAPSHOTS TO ROLE PII_READER;
GRANT SELECT ON ALL VIEWS IN SCHEMA INSURANCE.ANALYTICS_SNAPSHOTS TO ROLE PII_READER;
GRANT SELECT ON FUTURE TABLES IN SCHEMA INSURANCE.ANALYTICS_SNAPSHOTS TO ROLE PII_READER;
GRANT SELECT ON FUTURE VIEWS IN SCHEMA INSURANCE.ANALYTICS_SNAPSHOTS TO ROLE PII_READER;
GRANT USAGE ON SCHEMA INSURANCE.ANALYTICS_MARTS TO ROLE PII_READER;
GRANT SELECT ON ALL TABLES IN SCHEMA INSURANCE.ANALYTICS_MARTS TO ROLE PII_READER;
GRANT SELECT ON ALL VIEWS IN SCHEMA INSURANCE.ANALYTICS_MARTS TO ROLE PII_READER;
GRANT SELECT ON FUTURE TABLES IN SCHEMA INSURANCE.ANALYTICS_MARTS TO ROLE PII_READER;
GRANT SELECT ON FUTURE VIEWS IN SCHEMA INSURANCE.ANALYTICS_MARTS TO ROLE PII_READER;
GRANT USAGE ON SCHEMA INSURANCE.ANALYTICS_REFERENCE TO ROLE PII_READER;
GRANT SELECT ON ALL TABLES IN SCHEMA INSURANCE.ANALYTICS_REFERENCE TO ROLE PII_READER;
GRANT SELECT ON ALL VIEWS IN SCHEMA INSURANCE.ANALYTICS_REFERENCE TO ROLE PII_READER;
GRANT SELECT ON FUTURE TABLES IN SCHEMA INSURANCE.ANALYTICS_REFERENCE TO ROLE PII_READER;
GRANT SELECT ON FUTURE VIEWS IN SCHEMA INSURANCE.ANALYTICS_REFERENCE TO ROLE PII_READER;

-- CI_RUNNER: what an environment defers to; personal columns masked (section 6)
GRANT USAGE ON SCHEMA INSURANCE.ANALYTICS_STAGING TO ROLE CI_RUNNER;
GRANT SELECT ON ALL TABLES IN SCHEMA INSURANCE.ANALYTICS_STAGING TO ROLE CI_RUNNER;
GRANT SELECT ON ALL VIEWS IN SCHEMA INSURANCE.ANALYTICS_STAGING TO ROLE CI_RUNNER;
GRANT SELECT ON FUTURE TABLES IN SCHEMA INSURANCE.ANALYTICS_STAGING TO ROLE CI_RUNNER;
GRANT SELECT ON FUTURE VIEWS IN SCHEMA INSURANCE.ANALYTICS_STAGING TO ROLE CI_RUNNER;
GRANT USAGE ON SCHEMA INSURANCE.ANALYTICS_INTERMEDIATE TO ROLE CI_RUNNER;
GRANT SELECT ON ALL TABLES IN SCHEMA INSURANCE.ANALYTICS_INTERMEDIATE TO ROLE CI_RUNNER;
GRANT SELECT ON ALL VIEWS IN SCHEMA INSURANCE.ANALYTICS_INTERMEDIATE TO ROLE CI_RUNNER;
GRANT SELECT ON FUTURE TABLES IN SCHEMA INSURANCE.ANALYTICS_INTERMEDIATE TO ROLE CI_RUNNER;
GRANT SELECT ON FUTURE VIEWS IN SCHEMA INSURANCE.ANALYTICS_INTERMEDIATE TO ROLE CI_RUNNER;
GRANT USAGE ON SCHEMA INSURANCE.ANALYTICS_SNAPSHOTS TO ROLE CI_RUNNER;
GRANT SELECT ON ALL TABLES IN SCHEMA INSURANCE.ANALYTICS_SNAPSHOTS TO ROLE CI_RUNNER;
GRANT SELECT ON ALL VIEWS IN SCHEMA INSURANCE.ANALYTICS_SNAPSHOTS TO ROLE CI_RUNNER;
GRANT SELECT ON FUTURE TABLES IN SCHEMA INSURANCE.ANALYTICS_SNAPSHOTS TO ROLE CI_RUNNER;
GRANT SELECT ON FUTURE VIEWS IN SCHEMA INSURANCE.ANALYTICS_SNAPSHOTS TO ROLE CI_RUNNER;
GRANT USAGE ON SCHEMA INSURANCE.ANALYTICS_MARTS TO ROLE CI_RUNNER;
GRANT SELECT ON ALL TABLES IN SCHEMA INSURANCE.ANALYTICS_MARTS TO ROLE CI_RUNNER;
GRANT SELECT ON ALL VIEWS IN SCHEMA INSURANCE.ANALYTICS_MARTS TO ROLE CI_RUNNER;
GRANT SELECT ON FUTURE TABLES IN SCHEMA INSURANCE.ANALYTICS_MARTS TO ROLE CI_RUNNER;
GRANT SELECT ON FUTURE VIEWS IN SCHEMA INSURANCE.ANALYTICS_MARTS TO ROLE CI_RUNNER;
GRANT USAGE ON SCHEMA INSURANCE.ANALYTICS_REFERENCE TO ROLE CI_RUNNER;
GRANT SELECT ON ALL TABLES IN SCHEMA INSURANCE.ANALYTICS_REFERENCE TO ROLE CI_RUNNER;
GRANT SELECT ON ALL VIEWS IN SCHEMA INSURANCE.ANALYTICS_REFERENCE TO ROLE CI_RUNNER;
GRANT SELECT ON FUTURE TABLES IN SCHEMA INSURANCE.ANALYTICS_REFERENCE TO ROLE CI_RUNNER;
GRANT SELECT ON FUTURE VIEWS IN SCHEMA INSURANCE.ANALYTICS_REFERENCE TO ROLE CI_RUNNER;


-- -----------------------------------------------------------------------------
-- 6. Personal data: the PII tag and its masking policies (SYSADMIN; Enterprise
--    edition). dbt sets the tag on every column whose YAML says
--    meta.contains_pii, right after each build (macros/access/pii.sql); a
--    tagged column is masked for every role without PII_READER in session.
--    Re-running: ALTER TAG ... SET MASKING POLICY reports a policy that is
--    already set; that message is harmless.
-- -----------------------------------------------------------------------------
USE ROLE SYSADMIN;

CREATE TAG IF NOT EXISTS INSURANCE.GOVERNANCE.PII
  ALLOWED_VALUES 'personal'
  COMMENT = 'Personal data (set by dbt from meta.contains_pii)';

CREATE MASKING POLICY IF NOT EXISTS INSURANCE.GOVERNANCE.PII_MASK_STRING
  AS (val VARCHAR) RETURNS VARCHAR ->
  CASE WHEN IS_ROLE_IN_SESSION('PII_READER') THEN val ELSE '***MASKED***' END
  COMMENT = 'Personal text in clear for PII_READER only';

CREATE MASKING POLICY IF NOT EXISTS INSURANCE.GOVERNANCE.PII_MASK_DATE
  AS (val DATE) RETURNS DATE ->
  CASE WHEN IS_ROLE_IN_SESSION('PII_READER') THEN val ELSE NULL END
  COMMENT = 'Personal dates (dates of birth) for PII_READER only';

ALTER TAG INSURANCE.GOVERNANCE.PII SET
  MASKING POLICY INSURANCE.GOVERNANCE.PII_MASK_STRING,
  MASKING POLICY INSURANCE.GOVERNANCE.PII_MASK_DATE;

USE ROLE SECURITYADMIN;
-- dbt (production and pull requests) sets the tag on the columns it builds.
GRANT APPLY ON TAG INSURANCE.GOVERNANCE.PII TO ROLE TRANSFORMER;
GRANT APPLY ON TAG INSURANCE.GOVERNANCE.PII TO ROLE CI_RUNNER;
