data "aws_caller_identity" "current" {}

data "aws_partition" "current" {}

locals {
  account_id = data.aws_caller_identity.current.account_id
  partition  = data.aws_partition.current.partition

  # The landing prefix is a contract with the uploader
  # (`lakegen upload --prefix raw`) and with the dbt sources, which read
  # s3://<bucket>/raw/<source>/ingest_date=YYYY-MM-DD/<file> and raw/_manifests/.
  landing_prefix = "raw/"
  landing_url    = "s3://${var.bucket_name}/${local.landing_prefix}"

  log_bucket_name = coalesce(var.log_bucket_name, "${var.bucket_name}-access-logs")

  # The storage integration must name the IAM role before the role exists (the
  # role's trust policy needs the integration's IAM user and external id). The
  # ARN is therefore built from the account id and the role name, which breaks
  # the cycle: integration -> (string) -> role -> (trust policy) -> integration.
  # aws_iam_role.snowflake_reader checks that the real ARN matches.
  snowflake_reader_role_arn = "arn:${local.partition}:iam::${local.account_id}:role/${var.snowflake_iam_role_name}"
}
