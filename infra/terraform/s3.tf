# Every bucket, the app's (resources.json) and the deployment's (local.deployment_buckets), hardened
# alike: versioning, default encryption, public access blocked, ACLs off, TLS-only, access logs.

resource "aws_s3_bucket" "bucket" {
  #checkov:skip=CKV_AWS_144:Data stays in var.region (residency of citizens' data); versioning, PITR and Object Lock cover loss, not a copy elsewhere.
  #checkov:skip=CKV2_AWS_62:Only the upload buckets' new objects need a reaction (aws_s3_bucket_notification below); the others are written by the app itself.
  for_each = local.buckets

  bucket = local.bucket_names[each.key]
}

resource "aws_s3_bucket_public_access_block" "bucket" {
  for_each = local.buckets

  bucket                  = aws_s3_bucket.bucket[each.key].id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_ownership_controls" "bucket" {
  for_each = local.buckets

  bucket = aws_s3_bucket.bucket[each.key].id
  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_versioning" "bucket" {
  for_each = local.buckets

  bucket = aws_s3_bucket.bucket[each.key].id
  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "bucket" {
  for_each = local.buckets

  bucket = aws_s3_bucket.bucket[each.key].id
  rule {
    apply_server_side_encryption_by_default {
      # S3 server access logs can only be delivered to a bucket encrypted with S3's own keys.
      sse_algorithm     = each.key == "access-logs" ? "AES256" : "aws:kms"
      kms_master_key_id = each.key == "access-logs" ? null : aws_kms_key.data.arn
    }
    bucket_key_enabled = each.key != "access-logs"
  }
}

resource "aws_s3_bucket_logging" "bucket" {
  for_each = { for key, origin in local.buckets : key => origin if key != "access-logs" }

  bucket        = aws_s3_bucket.bucket[each.key].id
  target_bucket = aws_s3_bucket.bucket["access-logs"].id
  target_prefix = "${each.key}/"
}

resource "aws_s3_bucket_lifecycle_configuration" "bucket" {
  for_each = local.buckets

  bucket = aws_s3_bucket.bucket[each.key].id

  rule {
    id     = "old-versions-and-unfinished-uploads"
    status = "Enabled"
    filter {}
    noncurrent_version_expiration {
      noncurrent_days = 90
    }
    abort_incomplete_multipart_upload {
      days_after_initiation = 1
    }
  }

  # The retention schedule (chalicelib/retention.json): each kind of record kept in this bucket goes
  # after its days (an upload never inspected or never submitted, an export of one's data, documents).
  # The local stack makes the same rules from the same file (local/provision.py).
  dynamic "rule" {
    for_each = { for kind, spec in local.retention : kind => spec if try(spec.bucket, null) == each.key }
    content {
      id     = "retention-${rule.key}"
      status = "Enabled"
      filter {
        prefix = try(rule.value.prefix, "")
      }
      expiration {
        days = rule.value.days
      }
      abort_incomplete_multipart_upload {
        days_after_initiation = 1
      }
    }
  }

  dynamic "rule" {
    for_each = contains(["access-logs", "athena-results"], each.key) ? [each.key] : []
    content {
      id     = "expiry"
      status = "Enabled"
      filter {}
      expiration {
        days = rule.value == "access-logs" ? var.log_retention_days : 30
      }
      abort_incomplete_multipart_upload {
        days_after_initiation = 1
      }
    }
  }

  depends_on = [aws_s3_bucket_versioning.bucket]
}

resource "aws_s3_bucket_policy" "bucket" {
  for_each = local.buckets

  bucket = aws_s3_bucket.bucket[each.key].id
  policy = data.aws_iam_policy_document.bucket[each.key].json

  depends_on = [aws_s3_bucket_public_access_block.bucket]
}

data "aws_iam_policy_document" "bucket" {
  for_each = local.buckets

  statement {
    sid       = "DenyRequestsWithoutTLS"
    effect    = "Deny"
    actions   = ["s3:*"] # a Deny: every action, without TLS, is refused
    resources = [aws_s3_bucket.bucket[each.key].arn, "${aws_s3_bucket.bucket[each.key].arn}/*"]
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

  dynamic "statement" {
    for_each = each.key == "web" ? [each.key] : []
    content {
      sid       = "CloudFrontReadsTheWebForm"
      actions   = ["s3:GetObject"]
      resources = ["${aws_s3_bucket.bucket[each.key].arn}/*"]
      principals {
        type        = "Service"
        identifiers = ["cloudfront.amazonaws.com"]
      }
      condition {
        test     = "StringEquals"
        variable = "aws:SourceArn"
        values   = [aws_cloudfront_distribution.web.arn]
      }
    }
  }

  dynamic "statement" {
    for_each = each.key == "access-logs" ? [each.key] : []
    content {
      sid       = "S3DeliversServerAccessLogs"
      actions   = ["s3:PutObject"]
      resources = ["${aws_s3_bucket.bucket[each.key].arn}/*"]
      principals {
        type        = "Service"
        identifiers = ["logging.s3.amazonaws.com"]
      }
      condition {
        test     = "StringEquals"
        variable = "aws:SourceAccount"
        values   = [local.account_id]
      }
    }
  }
}

# The browser posts files straight to the uploads bucket (presigned POST) from the counter's origin.
resource "aws_s3_bucket_cors_configuration" "uploads" {
  for_each = local.upload_buckets

  bucket = aws_s3_bucket.bucket[each.key].id
  cors_rule {
    allowed_origins = ["https://${var.domain}"]
    allowed_methods = ["POST"]
    allowed_headers = ["*"]
    max_age_seconds = 3000
  }
}

# A new object under the quarantine prefix invokes the inspecting function (resources.json).
resource "aws_s3_bucket_notification" "bucket" {
  for_each = local.notifying_buckets

  bucket = aws_s3_bucket.bucket[each.key].id
  lambda_function {
    lambda_function_arn = local.chalice_function_arns[each.value.notify_function]
    events              = ["s3:ObjectCreated:*"]
    filter_prefix       = try(each.value.quarantine_prefix, null)
  }

  depends_on = [aws_lambda_permission.bucket_notification]
}

resource "aws_lambda_permission" "bucket_notification" {
  for_each = local.notifying_buckets

  statement_id   = "InvokedBy-${each.key}-bucket"
  action         = "lambda:InvokeFunction"
  function_name  = local.chalice_function_arns[each.value.notify_function]
  principal      = "s3.amazonaws.com"
  source_arn     = aws_s3_bucket.bucket[each.key].arn
  source_account = local.account_id
}
