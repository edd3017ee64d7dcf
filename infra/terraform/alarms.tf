# Alarms that need a person: a workflow that failed, timed out or was aborted; the API answering
# 5xx; a function failing; a dead letter waiting. Each notifies the alarm topic (var.alarm_emails).

locals {
  workflow_failure_metrics = ["ExecutionsFailed", "ExecutionsTimedOut", "ExecutionsAborted"]
  workflow_alarms = merge([
    for machine in keys(local.resources.state_machines) : {
      for metric in local.workflow_failure_metrics : "${machine}-${metric}" => { machine = machine, metric = metric }
    }
  ]...)
}

resource "aws_cloudwatch_metric_alarm" "workflow" {
  for_each = local.workflow_alarms

  alarm_name          = "${local.resource_prefix}-${each.value.machine}-${each.value.metric}"
  alarm_description   = "A ${each.value.machine} workflow ended badly (${each.value.metric}): a citizen's process may be stuck."
  namespace           = "AWS/States"
  metric_name         = each.value.metric
  dimensions          = { StateMachineArn = aws_sfn_state_machine.machine[each.value.machine].arn }
  statistic           = "Sum"
  period              = 300
  evaluation_periods  = 1
  threshold           = 1
  comparison_operator = "GreaterThanOrEqualToThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_sns_topic.alarms.arn]
  ok_actions          = [aws_sns_topic.alarms.arn]
}

resource "aws_cloudwatch_metric_alarm" "api_5xx" {
  alarm_name          = "${local.resource_prefix}-api-5xx"
  alarm_description   = "The API answered 5xx: a bug or an AWS limit, never bad input (that gets a 4xx)."
  namespace           = "AWS/ApiGateway"
  metric_name         = "5XXError"
  dimensions          = { ApiName = aws_api_gateway_rest_api.rest_api.name, Stage = aws_api_gateway_stage.rest_api.stage_name }
  statistic           = "Sum"
  period              = 300
  evaluation_periods  = 1
  threshold           = 1
  comparison_operator = "GreaterThanOrEqualToThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_sns_topic.alarms.arn]
  ok_actions          = [aws_sns_topic.alarms.arn]
}

resource "aws_cloudwatch_metric_alarm" "function_errors" {
  for_each = local.chalice_function_names

  alarm_name          = "${local.resource_prefix}-${each.key}-errors"
  alarm_description   = "The ${each.key} function raised an unhandled error."
  namespace           = "AWS/Lambda"
  metric_name         = "Errors"
  dimensions          = { FunctionName = each.value }
  statistic           = "Sum"
  period              = 300
  evaluation_periods  = 1
  threshold           = 1
  comparison_operator = "GreaterThanOrEqualToThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_sns_topic.alarms.arn]
}

resource "aws_cloudwatch_metric_alarm" "dead_letters" {
  for_each = toset(local.dead_letter_queues)

  alarm_name          = "${local.resource_prefix}-${each.key}-waiting"
  alarm_description   = "A failed event waits in ${each.key}: an upload was not inspected. Look at the message, fix, redrive."
  namespace           = "AWS/SQS"
  metric_name         = "ApproximateNumberOfMessagesVisible"
  dimensions          = { QueueName = aws_sqs_queue.queue[each.key].name }
  statistic           = "Maximum"
  period              = 300
  evaluation_periods  = 1
  threshold           = 1
  comparison_operator = "GreaterThanOrEqualToThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_sns_topic.alarms.arn]
  ok_actions          = [aws_sns_topic.alarms.arn]
}

resource "aws_cloudwatch_metric_alarm" "email_bounces" {
  alarm_name          = "${local.resource_prefix}-email-bounce-rate"
  alarm_description   = "SES bounce rate above 5%: at 10% AWS may pause sending for the whole account."
  namespace           = "AWS/SES"
  metric_name         = "Reputation.BounceRate"
  statistic           = "Maximum"
  period              = 3600
  evaluation_periods  = 1
  threshold           = 0.05
  comparison_operator = "GreaterThanOrEqualToThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_sns_topic.alarms.arn]
}
