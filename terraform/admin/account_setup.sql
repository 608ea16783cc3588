-- =============================================================================
-- Insurance warehouse: one-time Snowflake account setup.
--
-- Run this ONCE, before `terraform apply`, as a user who holds ACCOUNTADMIN
-- (each section switches to the narrowest system role that can do its part).
-- It is safe to run again: every CREATE is IF NOT EXISTS and GRANT is
-- idempotent. Nothing is replaced or dropped.
--
-- Before running, replace the one placeholder:
--   <SVC_DBT_RSA_PUBLIC_KEY>  the PUBLIC key of the dbt service user, i.e. the
--                             body of rsa_key.pub without the BEGIN/END lines.
-- Only the public key goes into Snowflake. The private key never leaves its
-- owner (the CI secret store or the machine that runs dbt); it is handed to
-- dbt through SNOWFLAKE_PRIVATE_KEY_PATH / SNOWFLAKE_PRIVATE_KEY_PASSPHRASE.
-- See terraform/README.md, "Account setup".
--
-- Object names are a contract with the dbt project and Terraform:
--   database INSURANCE, schema INSURANCE.LANDING, warehouse INSURANCE_WH,
--   roles LOADER / TRANSFORMER / REPORTER, service user SVC_DBT.
-- Terraform then creates, inside INSURANCE.LANDING, the stage LAKE_STAGE and
-- the file format RAW_LINES, plus the storage integration, and grants
-- TRANSFORMER usage on those three.
-- =============================================================================


-- -----------------------------------------------------------------------------
-- 1. Account-level privilege (ACCOUNTADMIN)
-- -----------------------------------------------------------------------------
USE ROLE ACCOUNTADMIN;

-- Terraform runs as SYSADMIN (variable snowflake_terraform_role) and creates
-- the storage integration; only ACCOUNTADMIN has this privilege by default.
GRANT CREATE INTEGRATION ON ACCOUNT TO ROLE SYSADMIN;


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
-- over the landing lake (dbt). dbt creates its own analytics schemas.
CREATE SCHEMA IF NOT EXISTS INSURANCE.LANDING
  COMMENT = 'Landing lake on S3: stage, raw-lines file format, external tables';


-- -----------------------------------------------------------------------------
-- 3. Roles and the dbt service user (USERADMIN)
-- -----------------------------------------------------------------------------
USE ROLE USERADMIN;

CREATE ROLE IF NOT EXISTS LOADER
  COMMENT = 'Ingestion tools writing into Snowflake (the S3 landing path needs no Snowflake writes)';
CREATE ROLE IF NOT EXISTS TRANSFORMER
  COMMENT = 'dbt: reads the landing lake, builds the analytics schemas';
CREATE ROLE IF NOT EXISTS REPORTER
  COMMENT = 'Read-only access to the analytics schemas built by dbt';

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


-- -----------------------------------------------------------------------------
-- 4. Role hierarchy and grants (SECURITYADMIN)
-- -----------------------------------------------------------------------------
USE ROLE SECURITYADMIN;

-- Hierarchy: the three functional roles roll up to SYSADMIN, so SYSADMIN can
-- manage everything they create. None of them inherits from another.
GRANT ROLE LOADER TO ROLE SYSADMIN;
GRANT ROLE TRANSFORMER TO ROLE SYSADMIN;
GRANT ROLE REPORTER TO ROLE SYSADMIN;

GRANT ROLE TRANSFORMER TO USER SVC_DBT;

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

-- REPORTER (BI, analysts) ------------------------------------------------------
GRANT USAGE ON WAREHOUSE INSURANCE_WH TO ROLE REPORTER;
GRANT USAGE ON DATABASE INSURANCE TO ROLE REPORTER;
-- The analytics schemas do not exist yet (dbt creates them), so the grants are
-- future grants at database level. They cover schemas created from now on and
-- not INSURANCE.LANDING, which already exists: REPORTER has no USAGE on the
-- landing schema and therefore cannot reach raw data through it.
GRANT USAGE ON FUTURE SCHEMAS IN DATABASE INSURANCE TO ROLE REPORTER;
GRANT SELECT ON FUTURE TABLES IN DATABASE INSURANCE TO ROLE REPORTER;
GRANT SELECT ON FUTURE VIEWS IN DATABASE INSURANCE TO ROLE REPORTER;

-- LOADER (reserved) ------------------------------------------------------------
-- Enough to connect and see the landing schema. Files reach the lake through
-- S3 (lakegen upload), not through Snowflake, so LOADER needs nothing more
-- today; grant CREATE TABLE / CREATE PIPE on INSURANCE.LANDING here if a
-- COPY INTO or Snowpipe loader is introduced.
GRANT USAGE ON WAREHOUSE INSURANCE_WH TO ROLE LOADER;
GRANT USAGE ON DATABASE INSURANCE TO ROLE LOADER;
GRANT USAGE ON SCHEMA INSURANCE.LANDING TO ROLE LOADER;
