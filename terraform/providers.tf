provider "aws" {
  region = var.aws_region

  default_tags {
    tags = merge(
      {
        project    = "insurance-warehouse"
        component  = "landing-lake"
        managed-by = "terraform"
      },
      var.tags,
    )
  }
}

# Credentials never live in this configuration. The provider reads them from
# its own environment variables (see README.md, "Credentials"):
#   SNOWFLAKE_ORGANIZATION_NAME, SNOWFLAKE_ACCOUNT_NAME, SNOWFLAKE_USER,
#   SNOWFLAKE_PRIVATE_KEY (PEM text), SNOWFLAKE_PRIVATE_KEY_PASSPHRASE.
# The role and warehouse are set here on purpose: SNOWFLAKE_ROLE and
# SNOWFLAKE_WAREHOUSE in the same shell usually hold dbt's values (TRANSFORMER),
# and Terraform must not silently run as dbt's role.
provider "snowflake" {
  authenticator = "SNOWFLAKE_JWT"
  role          = var.snowflake_terraform_role
  warehouse     = var.snowflake_warehouse

  # Only the preview features this configuration uses. The storage integration
  # (snowflake_storage_integration_aws) and the stage (snowflake_stage_external_s3)
  # are stable resources and need no entry.
  preview_features_enabled = [
    "snowflake_file_format_csv_resource",
    "snowflake_file_format_json_resource",
    "snowflake_system_get_aws_sns_iam_policy_datasource",
  ]
}
