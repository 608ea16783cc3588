# Two customer-managed keys with separate duties:
#   - aws_kms_key.landing encrypts the landing objects. The Snowflake reader
#     role may only kms:Decrypt with it (iam.tf); uploaders need
#     kms:GenerateDataKey on it in their own IAM policies.
#   - aws_kms_key.events encrypts the SNS topic. S3 needs to use it to publish
#     object events; nothing that can read data is granted on it.

# --- Landing data key -----------------------------------------------------------

data "aws_iam_policy_document" "landing_key" {
  #checkov:skip=CKV_AWS_109:Key policy, not an identity policy: the root statement is the AWS default key policy that delegates control of this key to IAM in this account; without it the key cannot be administered.
  #checkov:skip=CKV_AWS_111:Key policy, not an identity policy: Resource "*" in a key policy means this key only, and the only principal is this account's root (delegation to IAM).
  #checkov:skip=CKV_AWS_356:Key policy, not an identity policy: Resource "*" in a key policy means this key only; a key ARN cannot be used because the key does not exist while its policy is evaluated.
  # Standard root statement: delegates access control for the key to IAM
  # policies in this account. Without it the key becomes unmanageable.
  statement {
    sid       = "EnableIamPolicies"
    effect    = "Allow"
    actions   = ["kms:*"]
    resources = ["*"] # In a key policy "*" means this key.

    principals {
      type        = "AWS"
      identifiers = ["arn:${local.partition}:iam::${local.account_id}:root"]
    }
  }
}

resource "aws_kms_key" "landing" {
  description             = "SSE-KMS key for the insurance landing bucket (${var.bucket_name})"
  key_usage               = "ENCRYPT_DECRYPT"
  enable_key_rotation     = true
  rotation_period_in_days = 365
  deletion_window_in_days = var.kms_deletion_window_days
  policy                  = data.aws_iam_policy_document.landing_key.json
}

resource "aws_kms_alias" "landing" {
  name          = "alias/${var.bucket_name}"
  target_key_id = aws_kms_key.landing.key_id
}

# --- Event topic key ------------------------------------------------------------

data "aws_iam_policy_document" "events_key" {
  #checkov:skip=CKV_AWS_109:Key policy, not an identity policy: the root statement is the AWS default key policy that delegates control of this key to IAM in this account; without it the key cannot be administered.
  #checkov:skip=CKV_AWS_111:Key policy, not an identity policy: Resource "*" means this key only; the principals are this account's root and the S3 service limited to the landing bucket by aws:SourceArn/aws:SourceAccount.
  #checkov:skip=CKV_AWS_356:Key policy, not an identity policy: Resource "*" in a key policy means this key only; a key ARN cannot be used because the key does not exist while its policy is evaluated.
  statement {
    sid       = "EnableIamPolicies"
    effect    = "Allow"
    actions   = ["kms:*"]
    resources = ["*"]

    principals {
      type        = "AWS"
      identifiers = ["arn:${local.partition}:iam::${local.account_id}:root"]
    }
  }

  # S3 publishes to an SSE-enabled topic only if it can use the topic's key.
  # AWS-managed keys (alias/aws/sns) cannot grant that, hence this key.
  statement {
    sid       = "AllowLandingBucketEventsToUseTheKey"
    effect    = "Allow"
    actions   = ["kms:GenerateDataKey*", "kms:Decrypt"]
    resources = ["*"]

    principals {
      type        = "Service"
      identifiers = ["s3.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }

    condition {
      test     = "ArnLike"
      variable = "aws:SourceArn"
      values   = ["arn:${local.partition}:s3:::${var.bucket_name}"]
    }
  }
}

resource "aws_kms_key" "events" {
  description             = "SSE key for the landing bucket's event topic (${var.sns_topic_name})"
  key_usage               = "ENCRYPT_DECRYPT"
  enable_key_rotation     = true
  rotation_period_in_days = 365
  deletion_window_in_days = var.kms_deletion_window_days
  policy                  = data.aws_iam_policy_document.events_key.json
}

resource "aws_kms_alias" "events" {
  name          = "alias/${var.sns_topic_name}"
  target_key_id = aws_kms_key.events.key_id
}
