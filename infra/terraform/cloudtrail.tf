# For auditors: one multi-region trail of management events, plus data events for the app's buckets
# and tables, with log file validation (signed hourly digests), encrypted with the audit key, in a
# bucket whose Object Lock (COMPLIANCE) keeps every file unchanged for var.audit_log_retention_days.
# The auditor role reads those logs and the app's audit table, and nothing else.

locals {
  trail_name        = "${local.resource_prefix}-trail"
  trail_arn         = "arn:${local.partition}:cloudtrail:${local.region}:${local.account_id}:trail/${local.trail_name}"
  audit_logs_bucket = "${local.resource_prefix}-audit-logs"
  # The app's own audit trail (chalicelib/platform/audit.py writes to this table of resources.json).
  audit_table = "audit"
  auditor_principals = length(var.auditor_principals) > 0 ? var.auditor_principals : [
    "arn:${local.partition}:iam::${local.account_id}:root"
  ]
}

resource "aws_s3_bucket" "audit_logs" {
  #checkov:skip=CKV_AWS_144:The logs stay in var.region with the data they describe; Object Lock (COMPLIANCE) already makes them undeletable.
  #checkov:skip=CKV2_AWS_62:Nothing reacts to a new log file: auditors validate and query on demand.
  bucket              = local.audit_logs_bucket
  object_lock_enabled = true
}

resource "aws_s3_bucket_object_lock_configuration" "audit_logs" {
  bucket = aws_s3_bucket.audit_logs.id
  rule {
    default_retention {
      mode = "COMPLIANCE"
      days = var.audit_log_retention_days
    }
  }
  depends_on = [aws_s3_bucket_versioning.audit_logs]
}

resource "aws_s3_bucket_versioning" "audit_logs" {
  bucket = aws_s3_bucket.audit_logs.id
  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_public_access_block" "audit_logs" {
  bucket                  = aws_s3_bucket.audit_logs.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_ownership_controls" "audit_logs" {
  bucket = aws_s3_bucket.audit_logs.id
  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "audit_logs" {
  bucket = aws_s3_bucket.audit_logs.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.audit.arn
    }
    bucket_key_enabled = true
  }
}

resource "aws_s3_bucket_logging" "audit_logs" {
  bucket        = aws_s3_bucket.audit_logs.id
  target_bucket = aws_s3_bucket.bucket["access-logs"].id
  target_prefix = "audit-logs/"
}

# Old log files move to a cheaper class (Athena still reads it); Object Lock keeps them undeletable.
resource "aws_s3_bucket_lifecycle_configuration" "audit_logs" {
  bucket = aws_s3_bucket.audit_logs.id
  rule {
    id     = "infrequent-access"
    status = "Enabled"
    filter {}
    transition {
      days          = 90
      storage_class = "STANDARD_IA"
    }
    abort_incomplete_multipart_upload {
      days_after_initiation = 1
    }
  }
  depends_on = [aws_s3_bucket_versioning.audit_logs]
}

resource "aws_s3_bucket_policy" "audit_logs" {
  bucket     = aws_s3_bucket.audit_logs.id
  policy     = data.aws_iam_policy_document.audit_logs_bucket.json
  depends_on = [aws_s3_bucket_public_access_block.audit_logs]
}

data "aws_iam_policy_document" "audit_logs_bucket" {
  statement {
    sid       = "DenyRequestsWithoutTLS"
    effect    = "Deny"
    actions   = ["s3:*"] # a Deny: every action, without TLS, is refused
    resources = [aws_s3_bucket.audit_logs.arn, "${aws_s3_bucket.audit_logs.arn}/*"]
    principals {
      type        = "*"
      identifiers = ["*"]
    }
    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }

  statement {
    sid       = "CloudTrailChecksTheBucket"
    actions   = ["s3:GetBucketAcl"]
    resources = [aws_s3_bucket.audit_logs.arn]
    principals {
      type        = "Service"
      identifiers = ["cloudtrail.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:SourceArn"
      values   = [local.trail_arn]
    }
  }

  statement {
    sid       = "CloudTrailWritesThisTrailsLogs"
    actions   = ["s3:PutObject"]
    resources = ["${aws_s3_bucket.audit_logs.arn}/AWSLogs/${local.account_id}/*"]
    principals {
      type        = "Service"
      identifiers = ["cloudtrail.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:SourceArn"
      values   = [local.trail_arn]
    }
  }
}

resource "aws_cloudtrail" "audit" {
  #checkov:skip=CKV2_AWS_10:The record is the Object-Locked S3 copy, queried with Athena; a CloudWatch Logs copy of every data event would cost more than the rest of the deployment and could be deleted.
  #checkov:skip=CKV_AWS_252:Nothing consumes a notification per delivered log file.
  name                          = local.trail_name
  s3_bucket_name                = aws_s3_bucket.audit_logs.id
  is_multi_region_trail         = true
  include_global_service_events = true
  enable_log_file_validation    = true
  kms_key_id                    = aws_kms_key.audit.arn

  advanced_event_selector {
    name = "Management events"
    field_selector {
      field  = "eventCategory"
      equals = ["Management"]
    }
  }

  advanced_event_selector {
    name = "Objects of the app's buckets (uploads and documents)"
    field_selector {
      field  = "eventCategory"
      equals = ["Data"]
    }
    field_selector {
      field  = "resources.type"
      equals = ["AWS::S3::Object"]
    }
    field_selector {
      field       = "resources.ARN"
      starts_with = [for key in keys(local.resources.buckets) : "${aws_s3_bucket.bucket[key].arn}/"]
    }
  }

  advanced_event_selector {
    name = "Items of the app's tables"
    field_selector {
      field  = "eventCategory"
      equals = ["Data"]
    }
    field_selector {
      field  = "resources.type"
      equals = ["AWS::DynamoDB::Table"]
    }
    field_selector {
      field  = "resources.ARN"
      equals = [for key in keys(local.resources.tables) : aws_dynamodb_table.table[key].arn]
    }
  }

  depends_on = [aws_s3_bucket_policy.audit_logs, aws_kms_key.audit]
}

# -- The auditor: read-only, with MFA --------------------------------------------------------------
resource "aws_iam_role" "auditor" {
  name                 = "${local.resource_prefix}-auditor"
  description          = "Read-only: the CloudTrail logs of this deployment and the app's audit trail."
  assume_role_policy   = data.aws_iam_policy_document.auditor_trust.json
  max_session_duration = 3600 * 4
}

data "aws_iam_policy_document" "auditor_trust" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "AWS"
      identifiers = local.auditor_principals
    }
    condition {
      test     = "Bool"
      variable = "aws:MultiFactorAuthPresent"
      values   = ["true"]
    }
  }
}

resource "aws_iam_role_policy" "auditor" {
  name   = "read-only-audit"
  role   = aws_iam_role.auditor.id
  policy = data.aws_iam_policy_document.auditor.json
}

data "aws_iam_policy_document" "auditor" {
  statement {
    sid       = "ReadTheTrailsLogFiles"
    actions   = ["s3:GetObject", "s3:GetObjectVersion", "s3:GetObjectRetention", "s3:GetObjectLegalHold"]
    resources = ["${aws_s3_bucket.audit_logs.arn}/*"]
  }

  statement {
    sid       = "ListTheTrailsBucket"
    actions   = ["s3:ListBucket", "s3:ListBucketVersions", "s3:GetBucketLocation", "s3:GetBucketObjectLockConfiguration"]
    resources = [aws_s3_bucket.audit_logs.arn]
  }

  statement {
    sid       = "DecryptTheTrailsLogFiles"
    actions   = ["kms:Decrypt", "kms:DescribeKey"]
    resources = [aws_kms_key.audit.arn]
  }

  statement {
    sid       = "DescribeTheTrail"
    actions   = ["cloudtrail:GetTrail", "cloudtrail:GetTrailStatus", "cloudtrail:GetEventSelectors"]
    resources = [aws_cloudtrail.audit.arn]
  }

  # validate-logs lists the trails and CloudTrail's public keys; LookupEvents reads the last 90 days.
  statement {
    sid       = "ValidateAndLookUp"
    actions   = ["cloudtrail:DescribeTrails", "cloudtrail:ListPublicKeys", "cloudtrail:LookupEvents"]
    resources = ["*"] # these CloudTrail actions take no resource
  }

  statement {
    sid       = "ReadTheAppsAuditTrail"
    actions   = ["dynamodb:GetItem", "dynamodb:Query", "dynamodb:DescribeTable"]
    resources = [aws_dynamodb_table.table[local.audit_table].arn, "${aws_dynamodb_table.table[local.audit_table].arn}/index/*"]
  }

  # The audit table and the Athena results are encrypted with the data key: usable through those
  # services only, so the role cannot decrypt anything else encrypted with it.
  statement {
    sid       = "DataKeyThroughDynamoDBAndAthenaResultsOnly"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
    resources = [aws_kms_key.data.arn]
    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = ["dynamodb.${local.region}.amazonaws.com", "s3.${local.region}.amazonaws.com"]
    }
  }

  statement {
    sid       = "QueryTheLogsWithAthena"
    actions   = ["athena:StartQueryExecution", "athena:GetQueryExecution", "athena:GetQueryResults", "athena:StopQueryExecution", "athena:GetWorkGroup", "athena:ListQueryExecutions"]
    resources = [aws_athena_workgroup.audit.arn]
  }

  statement {
    sid     = "TheCloudTrailTableDefinition"
    actions = ["glue:GetDatabase", "glue:GetDatabases", "glue:GetTable", "glue:GetTables", "glue:GetPartitions", "glue:CreateTable", "glue:UpdateTable"]
    resources = [
      "arn:${local.partition}:glue:${local.region}:${local.account_id}:catalog",
      "arn:${local.partition}:glue:${local.region}:${local.account_id}:database/${aws_glue_catalog_database.audit.name}",
      "arn:${local.partition}:glue:${local.region}:${local.account_id}:table/${aws_glue_catalog_database.audit.name}/*",
    ]
  }

  statement {
    sid       = "AthenaResults"
    actions   = ["s3:GetObject", "s3:PutObject", "s3:AbortMultipartUpload"]
    resources = ["${aws_s3_bucket.bucket["athena-results"].arn}/*"]
  }

  statement {
    sid       = "AthenaResultsBucket"
    actions   = ["s3:ListBucket", "s3:GetBucketLocation"]
    resources = [aws_s3_bucket.bucket["athena-results"].arn]
  }
}

# -- Athena: where the auditors' queries run and what table they read -----------------------------
resource "aws_glue_catalog_database" "audit" {
  name        = "${replace(local.resource_prefix, "-", "_")}_audit"
  description = "The CloudTrail logs of ${local.trail_name}, for Athena."
}

resource "aws_athena_workgroup" "audit" {
  name          = "${local.resource_prefix}-audit"
  force_destroy = false

  configuration {
    enforce_workgroup_configuration    = true
    publish_cloudwatch_metrics_enabled = true
    result_configuration {
      output_location = "s3://${aws_s3_bucket.bucket["athena-results"].id}/"
      encryption_configuration {
        encryption_option = "SSE_KMS"
        kms_key_arn       = aws_kms_key.data.arn
      }
    }
  }
}

data "aws_regions" "all" {}
