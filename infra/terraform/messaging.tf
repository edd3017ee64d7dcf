# Topics and queues of resources.json, and what the app sends through: SES (email) and SNS (SMS).

resource "aws_sns_topic" "topic" {
  for_each = toset(keys(local.resources.topics))

  name              = "${local.resource_prefix}-${each.key}"
  kms_master_key_id = aws_kms_key.data.arn
}

resource "aws_sqs_queue" "queue" {
  for_each = toset(keys(local.resources.queues))

  name                              = "${local.resource_prefix}-${each.key}"
  kms_master_key_id                 = aws_kms_key.data.arn
  kms_data_key_reuse_period_seconds = 3600
  message_retention_seconds         = 1209600 # 14 days, the most SQS keeps: time to look at a dead letter
}

# SMS: transactional (codes, deadlines), with an account-wide monthly spend limit.
resource "aws_sns_sms_preferences" "sms" {
  default_sms_type    = "Transactional"
  monthly_spend_limit = var.sms_monthly_spend_limit_usd
}

# Email: the counter's domain as a verified identity (Easy DKIM), every message through a
# configuration set that requires TLS and counts bounces and complaints.
resource "aws_sesv2_configuration_set" "mail" {
  configuration_set_name = "${local.resource_prefix}-mail"

  delivery_options {
    tls_policy = "REQUIRE"
  }
  reputation_options {
    reputation_metrics_enabled = true
  }
  sending_options {
    sending_enabled = true
  }
  suppression_options {
    suppressed_reasons = ["BOUNCE", "COMPLAINT"]
  }
}

resource "aws_sesv2_email_identity" "domain" {
  email_identity         = var.domain
  configuration_set_name = aws_sesv2_configuration_set.mail.configuration_set_name
}

# Alarms (alarms.tf) go to the people in var.alarm_emails.
resource "aws_sns_topic" "alarms" {
  name              = "${local.resource_prefix}-alarms"
  kms_master_key_id = aws_kms_key.data.arn
}

resource "aws_sns_topic_subscription" "alarms" {
  for_each = toset(var.alarm_emails)

  topic_arn = aws_sns_topic.alarms.arn
  protocol  = "email"
  endpoint  = each.value
}

# Staff alerts (deadline reminders and escalations, published by watch_deadlines with the organ as a
# message attribute) reach each organ's own address: one email subscription per organ, filtered on
# it. SNS asks each address to confirm the subscription once.
resource "aws_sns_topic_subscription" "staff_alerts" {
  for_each = var.organ_alert_emails

  topic_arn     = aws_sns_topic.topic["staff-alerts"].arn
  protocol      = "email"
  endpoint      = each.value
  filter_policy = jsonencode({ organ = [each.key] })
}
