# The IAM role Snowflake assumes (through the storage integration) to read the
# landing prefix. Read-only, raw/ only, one key.

# Trust: only the IAM user Snowflake created for this integration, and only
# with the integration's external id (confused-deputy protection). Both values
# are computed by Snowflake when the integration is created; Terraform reads
# them from the integration's DESCRIBE output, so no hand edit is needed.
data "aws_iam_policy_document" "snowflake_reader_trust" {
  statement {
    sid     = "AllowSnowflakeIntegrationToAssume"
    effect  = "Allow"
    actions = ["sts:AssumeRole"]

    principals {
      type        = "AWS"
      identifiers = [snowflake_storage_integration_aws.landing.describe_output[0].iam_user_arn]
    }

    condition {
      test     = "StringEquals"
      variable = "sts:ExternalId"
      values   = [snowflake_storage_integration_aws.landing.describe_output[0].external_id]
    }
  }
}

resource "aws_iam_role" "snowflake_reader" {
  name                 = var.snowflake_iam_role_name
  path                 = "/"
  description          = "Assumed by Snowflake storage integration ${var.snowflake_storage_integration_name} to read ${local.landing_url}"
  assume_role_policy   = data.aws_iam_policy_document.snowflake_reader_trust.json
  max_session_duration = 3600

  lifecycle {
    # The integration was given local.snowflake_reader_role_arn before this
    # role existed; fail loudly if the real ARN ever differs (e.g. a path).
    postcondition {
      condition     = self.arn == local.snowflake_reader_role_arn
      error_message = "The IAM role ARN differs from the ARN given to the Snowflake storage integration (local.snowflake_reader_role_arn)."
    }
  }
}

data "aws_iam_policy_document" "snowflake_reader" {
  statement {
    sid    = "ReadLandingObjects"
    effect = "Allow"
    actions = [
      "s3:GetObject",
      "s3:GetObjectVersion",
    ]
    resources = ["${aws_s3_bucket.landing.arn}/${local.landing_prefix}*"]
  }

  statement {
    sid       = "ListLandingPrefix"
    effect    = "Allow"
    actions   = ["s3:ListBucket"]
    resources = [aws_s3_bucket.landing.arn]

    condition {
      test     = "StringLike"
      variable = "s3:prefix"
      values   = ["${local.landing_prefix}*"]
    }
  }

  # Objects are SSE-KMS encrypted with the landing key; reading them needs
  # kms:Decrypt on that key and nothing more.
  statement {
    sid       = "DecryptLandingObjects"
    effect    = "Allow"
    actions   = ["kms:Decrypt"]
    resources = [aws_kms_key.landing.arn]
  }
}

resource "aws_iam_role_policy" "snowflake_reader" {
  name   = "read-landing-prefix"
  role   = aws_iam_role.snowflake_reader.id
  policy = data.aws_iam_policy_document.snowflake_reader.json
}
