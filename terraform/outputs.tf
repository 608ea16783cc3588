# These feed the uploader and the dbt profile (README.md, "Outputs and
# environment variables"):
#   lakegen upload --bucket "$(terraform output -raw bucket_name)" --prefix raw \
#     --kms-key-id "$(terraform output -raw kms_key_arn)"

output "bucket_name" {
  description = "Landing bucket name (LAKE_S3_BUCKET; lakegen upload --bucket)."
  value       = aws_s3_bucket.landing.bucket
}

output "bucket_arn" {
  description = "Landing bucket ARN (for uploader IAM policies)."
  value       = aws_s3_bucket.landing.arn
}

output "landing_url" {
  description = "S3 URL of the landing prefix the stage points at."
  value       = local.landing_url
}

output "kms_key_arn" {
  description = "ARN of the landing data key (LAKE_KMS_KEY_ARN; lakegen upload --kms-key-id). The bucket policy only accepts uploads naming this exact ARN."
  value       = aws_kms_key.landing.arn
}

output "access_log_bucket_name" {
  description = "Bucket receiving the landing bucket's server access logs."
  value       = aws_s3_bucket.access_logs.bucket
}

output "sns_topic_arn" {
  description = "SNS topic carrying the landing bucket's object events; external tables use it as AWS_SNS_TOPIC for AUTO_REFRESH."
  value       = aws_sns_topic.landing_events.arn
}

output "snowflake_iam_role_arn" {
  description = "IAM role assumed by the Snowflake storage integration."
  value       = aws_iam_role.snowflake_reader.arn
}

output "storage_integration_name" {
  description = "Snowflake storage integration name."
  value       = snowflake_storage_integration_aws.landing.name
}

output "stage_fully_qualified_name" {
  description = "Fully qualified name of the external stage (dbt var snowflake_stage, in schema snowflake_landing_schema)."
  value       = snowflake_stage_external_s3.landing.fully_qualified_name
}

output "file_format_name" {
  description = "Name of the raw-lines file format (dbt var snowflake_raw_lines_file_format)."
  value       = snowflake_file_format_csv.raw_lines.name
}

output "file_format_fully_qualified_name" {
  description = "Fully qualified name of the raw-lines file format."
  value       = snowflake_file_format_csv.raw_lines.fully_qualified_name
}

output "json_file_format_name" {
  description = "Name of the whole-document JSON file format (dbt var snowflake_json_file_format)."
  value       = snowflake_file_format_json.json_documents.name
}

output "json_file_format_fully_qualified_name" {
  description = "Fully qualified name of the whole-document JSON file format (external table landing.manifests)."
  value       = snowflake_file_format_json.json_documents.fully_qualified_name
}
