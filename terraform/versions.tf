terraform {
  # 1.9+: variable validations in variables.tf refer to other variables.
  required_version = ">= 1.9.0, < 2.0.0"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 6.0"
    }
    # The provider moved from Snowflake-Labs/snowflake to snowflakedb/snowflake.
    # The configuration is written against 2.20: snowflake_storage_integration_aws
    # and snowflake_stage_external_s3 are stable there and snowflake_file_format_csv
    # (added in 2.19) is a preview feature.
    snowflake = {
      source  = "snowflakedb/snowflake"
      version = "~> 2.20"
    }
  }
}
