# Auto-refresh of Snowflake external tables, SNS route.
#
# S3 publishes object-created/removed events under raw/ to this topic.
# Snowflake subscribes its own (Snowflake-owned) SQS queue to the topic when an
# external table is created with AUTO_REFRESH = TRUE and
# AWS_SNS_TOPIC = '<sns_topic_arn output>'. The topic policy lets Snowflake's
# IAM user subscribe; Snowflake supplies that statement itself through
# SYSTEM$GET_AWS_SNS_IAM_POLICY, read here with a data source, so a single
# `terraform apply` is enough. (The alternative, pointing the bucket
# notification at the SQS queue ARN that Snowflake creates for the first
# auto-refresh external table, would need a second apply once dbt has created
# that table; the topic also lets other consumers subscribe later.)

resource "aws_sns_topic" "landing_events" {
  name              = var.sns_topic_name
  kms_master_key_id = aws_kms_key.events.arn
}

# Snowflake's statement: Allow sns:Subscribe on this topic for the IAM user of
# this Snowflake account.
data "snowflake_system_get_aws_sns_iam_policy" "landing_events" {
  aws_sns_topic_arn = aws_sns_topic.landing_events.arn
}

data "aws_iam_policy_document" "landing_events_topic" {
  source_policy_documents = [
    data.snowflake_system_get_aws_sns_iam_policy.landing_events.aws_sns_topic_policy_json,
  ]

  # Only the landing bucket, in this account, may publish.
  statement {
    sid       = "AllowLandingBucketToPublish"
    effect    = "Allow"
    actions   = ["sns:Publish"]
    resources = [aws_sns_topic.landing_events.arn]

    principals {
      type        = "Service"
      identifiers = ["s3.amazonaws.com"]
    }

    condition {
      test     = "ArnLike"
      variable = "aws:SourceArn"
      values   = [aws_s3_bucket.landing.arn]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
  }

  # Topic management stays with principals of this account (the AWS default
  # topic policy, written out because setting a policy replaces the default).
  statement {
    sid    = "AllowAccountToManageTopic"
    effect = "Allow"
    actions = [
      "sns:GetTopicAttributes",
      "sns:SetTopicAttributes",
      "sns:AddPermission",
      "sns:RemovePermission",
      "sns:DeleteTopic",
      "sns:ListSubscriptionsByTopic",
      "sns:Subscribe",
    ]
    resources = [aws_sns_topic.landing_events.arn]

    principals {
      type        = "AWS"
      identifiers = ["arn:${local.partition}:iam::${local.account_id}:root"]
    }
  }
}

resource "aws_sns_topic_policy" "landing_events" {
  arn    = aws_sns_topic.landing_events.arn
  policy = data.aws_iam_policy_document.landing_events_topic.json
}

resource "aws_s3_bucket_notification" "landing" {
  bucket = aws_s3_bucket.landing.id

  topic {
    id            = "snowflake-external-table-auto-refresh"
    topic_arn     = aws_sns_topic.landing_events.arn
    events        = ["s3:ObjectCreated:*", "s3:ObjectRemoved:*"]
    filter_prefix = local.landing_prefix
  }

  # S3 checks that it may publish (topic policy) and use the topic's key when
  # the notification is saved.
  depends_on = [aws_sns_topic_policy.landing_events, aws_kms_key.events]
}
