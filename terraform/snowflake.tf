# Snowflake side of the landing lake: storage integration, file formats, stage
# and the grants dbt's role needs on them. The database, the landing schema,
# the warehouse, the roles and dbt's CREATE EXTERNAL TABLE privilege on the
# landing schema come from admin/account_setup.sql (run once, before this).

resource "snowflake_storage_integration_aws" "landing" {
  name             = var.snowflake_storage_integration_name
  comment          = "Read-only access to ${local.landing_url} (insurance landing lake)"
  enabled          = true
  storage_provider = "S3"

  # Stages using this integration can point at the landing prefix only.
  storage_allowed_locations = [local.landing_url]

  # A string built from the account id and role name (locals.tf): the role
  # itself is created afterwards from this integration's IAM user and external
  # id, so referencing aws_iam_role here would be a dependency cycle.
  storage_aws_role_arn = local.snowflake_reader_role_arn
}

# Every landing file, CSV or JSONL, gzipped or not, is read as raw lines: one
# VARCHAR column ($1) per line, nothing split, unquoted, unescaped, trimmed or
# nulled. Parsing happens in dbt, where it is tested.
resource "snowflake_file_format_csv" "raw_lines" {
  database = var.snowflake_database
  schema   = var.snowflake_landing_schema
  name     = var.snowflake_file_format_name
  comment  = "Raw lines: one VARCHAR column per line, for CSV and JSONL landing files alike"

  field_delimiter              = "NONE"
  record_delimiter             = "\n"
  skip_header                  = 0
  field_optionally_enclosed_by = "NONE"
  escape                       = "NONE"
  escape_unenclosed_field      = "NONE"
  replace_invalid_characters   = "true"
  encoding                     = "UTF8"
  compression                  = "AUTO"
  empty_field_as_null          = "false"
  trim_space                   = "false"
}

# The batch manifests (_manifests/) are whole JSON documents, one per file,
# pretty-printed over many lines: each file is one VARIANT value ($1), not split
# into lines or array elements.
resource "snowflake_file_format_json" "json_documents" {
  database = var.snowflake_database
  schema   = var.snowflake_landing_schema
  name     = var.snowflake_json_file_format_name
  comment  = "Whole JSON documents: one VARIANT per file, for the batch manifests"

  strip_outer_array = "false"
  multi_line        = "true"
  compression       = "AUTO"
}

resource "snowflake_stage_external_s3" "landing" {
  database            = var.snowflake_database
  schema              = var.snowflake_landing_schema
  name                = var.snowflake_stage_name
  comment             = "Insurance landing lake (${local.landing_url})"
  url                 = local.landing_url
  storage_integration = snowflake_storage_integration_aws.landing.name

  # Default format for ad-hoc `SELECT $1 FROM @LAKE_STAGE/...`; the external
  # tables name the file format explicitly as well.
  file_format {
    format_name = snowflake_file_format_csv.raw_lines.fully_qualified_name
  }

  # Snowflake cannot read through the stage until the role and its policy
  # exist; create them first so the stage is usable as soon as it appears.
  depends_on = [aws_iam_role_policy.snowflake_reader]
}

# --- Grants to dbt's role ------------------------------------------------------------
# USAGE only. CREATE EXTERNAL TABLE / TABLE / VIEW on the landing schema is
# granted in one place, admin/account_setup.sql, with the rest of the role model.

resource "snowflake_grant_privileges_to_account_role" "dbt_integration_usage" {
  account_role_name = var.dbt_role
  privileges        = ["USAGE"]

  on_account_object {
    object_type = "INTEGRATION"
    object_name = snowflake_storage_integration_aws.landing.name
  }
}

resource "snowflake_grant_privileges_to_account_role" "dbt_stage_usage" {
  account_role_name = var.dbt_role
  privileges        = ["USAGE"]

  on_schema_object {
    object_type = "STAGE"
    object_name = snowflake_stage_external_s3.landing.fully_qualified_name
  }
}

resource "snowflake_grant_privileges_to_account_role" "dbt_file_format_usage" {
  account_role_name = var.dbt_role
  privileges        = ["USAGE"]

  on_schema_object {
    object_type = "FILE FORMAT"
    object_name = snowflake_file_format_csv.raw_lines.fully_qualified_name
  }
}

resource "snowflake_grant_privileges_to_account_role" "dbt_json_file_format_usage" {
  account_role_name = var.dbt_role
  privileges        = ["USAGE"]

  on_schema_object {
    object_type = "FILE FORMAT"
    object_name = snowflake_file_format_json.json_documents.fully_qualified_name
  }
}
