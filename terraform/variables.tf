# No variable here holds a secret. Snowflake credentials come from the
# provider's environment variables and AWS credentials from the usual AWS chain.

# --- AWS ---------------------------------------------------------------------

variable "aws_region" {
  type        = string
  description = "AWS region of the landing bucket. Use the region of the Snowflake account to avoid cross-region transfer costs."

  validation {
    condition     = can(regex("^[a-z]{2,4}(-[a-z]+)+-[0-9]+$", var.aws_region))
    error_message = "aws_region must be an AWS region code such as eu-west-1."
  }
}

variable "bucket_name" {
  type        = string
  description = "Name of the S3 landing bucket (globally unique). Objects land under raw/ in it."

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.bucket_name))
    error_message = "bucket_name must be a valid S3 bucket name: 3-63 characters, lower case letters, digits, dots and hyphens."
  }

  validation {
    condition     = !strcontains(var.bucket_name, "..") && !can(regex("^[0-9.]+$", var.bucket_name))
    error_message = "bucket_name must not contain \"..\" or look like an IP address."
  }
}

variable "log_bucket_name" {
  type        = string
  default     = null
  nullable    = true
  description = "Name of the bucket that receives the landing bucket's server access logs. Defaults to \"<bucket_name>-access-logs\"."

  validation {
    condition     = var.log_bucket_name == null || can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.log_bucket_name))
    error_message = "log_bucket_name must be a valid S3 bucket name."
  }
}

variable "sns_topic_name" {
  type        = string
  default     = "insurance-landing-events"
  description = "Name of the SNS topic that carries the landing bucket's object events to Snowflake (external table auto-refresh)."

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]{1,256}$", var.sns_topic_name))
    error_message = "sns_topic_name may contain only letters, digits, hyphens and underscores (1-256 characters)."
  }
}

variable "snowflake_iam_role_name" {
  type        = string
  default     = "insurance-snowflake-landing-reader"
  description = "Name of the IAM role that the Snowflake storage integration assumes to read the landing prefix."

  validation {
    condition     = can(regex("^[A-Za-z0-9+=,.@_-]{1,64}$", var.snowflake_iam_role_name))
    error_message = "snowflake_iam_role_name must be a valid IAM role name (1-64 characters)."
  }
}

variable "kms_deletion_window_days" {
  type        = number
  default     = 30
  description = "Waiting period, in days, before a scheduled deletion of a KMS key takes effect."

  validation {
    condition     = var.kms_deletion_window_days >= 7 && var.kms_deletion_window_days <= 30
    error_message = "kms_deletion_window_days must be between 7 and 30."
  }
}

variable "abort_incomplete_multipart_days" {
  type        = number
  default     = 7
  description = "Days after which incomplete multipart uploads are aborted and their parts deleted."

  validation {
    condition     = var.abort_incomplete_multipart_days >= 1
    error_message = "abort_incomplete_multipart_days must be at least 1."
  }
}

variable "noncurrent_transition_days" {
  type        = number
  default     = 30
  description = "Days after which a noncurrent (overwritten or deleted) object version moves to STANDARD_IA."

  validation {
    # STANDARD_IA requires objects to be at least 30 days old.
    condition     = var.noncurrent_transition_days >= 30
    error_message = "noncurrent_transition_days must be at least 30 (minimum age for STANDARD_IA)."
  }
}

variable "noncurrent_expiration_days" {
  type        = number
  default     = 90
  description = "Days after which a noncurrent object version is permanently deleted."

  validation {
    condition     = var.noncurrent_expiration_days > var.noncurrent_transition_days
    error_message = "noncurrent_expiration_days must be greater than noncurrent_transition_days."
  }
}

variable "access_log_retention_days" {
  type        = number
  default     = 365
  description = "Days the landing bucket's server access logs are kept."

  validation {
    condition     = var.access_log_retention_days >= 1
    error_message = "access_log_retention_days must be at least 1."
  }
}

variable "tags" {
  type        = map(string)
  default     = {}
  description = "Extra tags for every AWS resource (merged over the provider's default tags)."
}

# --- Snowflake -----------------------------------------------------------------
# The object names are a contract with the dbt project (dbt_project.yml vars,
# profiles.yml) and with admin/account_setup.sql; terraform/tests checks that
# the defaults below match them.

variable "snowflake_terraform_role" {
  type        = string
  default     = "SYSADMIN"
  description = "Snowflake role Terraform runs as. It needs CREATE INTEGRATION on the account (granted by admin/account_setup.sql) and CREATE STAGE / CREATE FILE FORMAT on the landing schema (it owns the schema)."

  validation {
    condition     = can(regex("^[A-Z_][A-Z0-9_$]*$", var.snowflake_terraform_role))
    error_message = "snowflake_terraform_role must be an unquoted upper-case Snowflake identifier."
  }
}

variable "snowflake_warehouse" {
  type        = string
  default     = "INSURANCE_WH"
  description = "Warehouse for the few queries Terraform runs (e.g. SYSTEM$GET_AWS_SNS_IAM_POLICY)."

  validation {
    condition     = can(regex("^[A-Z_][A-Z0-9_$]*$", var.snowflake_warehouse))
    error_message = "snowflake_warehouse must be an unquoted upper-case Snowflake identifier."
  }
}

variable "snowflake_database" {
  type        = string
  default     = "INSURANCE"
  description = "Database that holds the landing schema (created by admin/account_setup.sql)."

  validation {
    condition     = can(regex("^[A-Z_][A-Z0-9_$]*$", var.snowflake_database))
    error_message = "snowflake_database must be an unquoted upper-case Snowflake identifier."
  }
}

variable "snowflake_landing_schema" {
  type        = string
  default     = "LANDING"
  description = "Schema that holds the stage, the file format and dbt's external tables (created by admin/account_setup.sql)."

  validation {
    condition     = can(regex("^[A-Z_][A-Z0-9_$]*$", var.snowflake_landing_schema))
    error_message = "snowflake_landing_schema must be an unquoted upper-case Snowflake identifier."
  }
}

variable "snowflake_stage_name" {
  type        = string
  default     = "LAKE_STAGE"
  description = "Name of the external stage over s3://<bucket>/raw/."

  validation {
    condition     = can(regex("^[A-Z_][A-Z0-9_$]*$", var.snowflake_stage_name))
    error_message = "snowflake_stage_name must be an unquoted upper-case Snowflake identifier."
  }
}

variable "snowflake_file_format_name" {
  type        = string
  default     = "RAW_LINES"
  description = "Name of the file format that reads every landing file (CSV or JSONL) as one VARCHAR per line."

  validation {
    condition     = can(regex("^[A-Z_][A-Z0-9_$]*$", var.snowflake_file_format_name))
    error_message = "snowflake_file_format_name must be an unquoted upper-case Snowflake identifier."
  }
}

variable "snowflake_json_file_format_name" {
  type        = string
  default     = "JSON_DOCUMENTS"
  description = "Name of the file format that reads each batch manifest as one whole JSON document (dbt var snowflake_json_file_format)."

  validation {
    condition     = can(regex("^[A-Z_][A-Z0-9_$]*$", var.snowflake_json_file_format_name))
    error_message = "snowflake_json_file_format_name must be an unquoted upper-case Snowflake identifier."
  }
}

variable "snowflake_storage_integration_name" {
  type        = string
  default     = "INSURANCE_LANDING_S3"
  description = "Name of the Snowflake storage integration (account-level object)."

  validation {
    condition     = can(regex("^[A-Z_][A-Z0-9_$]*$", var.snowflake_storage_integration_name))
    error_message = "snowflake_storage_integration_name must be an unquoted upper-case Snowflake identifier."
  }
}

variable "dbt_role" {
  type        = string
  default     = "TRANSFORMER"
  description = "Snowflake role dbt runs as; it is granted USAGE on the integration, the stage and both file formats."

  validation {
    condition     = can(regex("^[A-Z_][A-Z0-9_$]*$", var.dbt_role))
    error_message = "dbt_role must be an unquoted upper-case Snowflake identifier."
  }
}
