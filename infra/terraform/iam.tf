# One IAM role per function and per state machine, granting exactly what resources.json's "access"
# says the function touches. No action is a wildcard on a data resource (tests/infra/test_terraform.py).

locals {
  # The actions behind each access level and capability: resources.json's "iam" entry, which the local
  # stack's IAM check (local/iam.py) reads too.
  table_actions         = local.resources.iam.levels.tables
  bucket_object_actions = local.resources.iam.levels.buckets
  state_machine_actions = local.resources.iam.levels.state_machines
  topic_actions         = local.resources.iam.levels.topics
  queue_actions         = local.resources.iam.levels.queues
  capability_actions    = local.resources.iam.capabilities
}

data "aws_iam_policy_document" "assumed_by" {
  for_each = toset(["lambda", "states", "apigateway"])

  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["${each.key}.amazonaws.com"]
    }
    # Step Functions documents this condition for its roles; Lambda and API Gateway do not.
    dynamic "condition" {
      for_each = each.key == "states" ? [local.account_id] : []
      content {
        test     = "StringEquals"
        variable = "aws:SourceAccount"
        values   = [condition.value]
      }
    }
  }
}

resource "aws_iam_role" "function" {
  for_each = toset(keys(local.resources.functions))

  name               = "${local.resource_prefix}-fn-${each.key}"
  assume_role_policy = data.aws_iam_policy_document.assumed_by["lambda"].json
}

resource "aws_iam_role_policy" "function" {
  for_each = toset(keys(local.resources.functions))

  name   = "least-privilege"
  role   = aws_iam_role.function[each.key].id
  policy = data.aws_iam_policy_document.function[each.key].json
}

data "aws_iam_policy_document" "function" {
  for_each = toset(keys(local.resources.functions))

  statement {
    sid       = "OwnLogGroup"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.function[each.key].arn}:*"]
  }

  statement {
    sid       = "XRayTraces"
    actions   = ["xray:PutTraceSegments", "xray:PutTelemetryRecords"]
    resources = ["*"] # X-Ray has no resource-level permissions
  }

  statement {
    sid       = "DataKey"
    actions   = ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"]
    resources = [aws_kms_key.data.arn]
  }

  dynamic "statement" {
    for_each = try(local.resources.functions[each.key].access.tables, {})
    content {
      sid       = "Table${replace(title(replace(statement.key, "/[-_]/", " ")), " ", "")}${title(statement.value)}"
      actions   = local.table_actions[statement.value]
      resources = [aws_dynamodb_table.table[statement.key].arn, "${aws_dynamodb_table.table[statement.key].arn}/index/*"]
    }
  }

  dynamic "statement" {
    for_each = try(local.resources.functions[each.key].access.buckets, {})
    content {
      sid       = "BucketObjects${replace(title(replace(statement.key, "/[-_]/", " ")), " ", "")}${title(statement.value)}"
      actions   = local.bucket_object_actions[statement.value]
      resources = ["${aws_s3_bucket.bucket[statement.key].arn}/*"]
    }
  }

  # Lets a HeadObject on a missing key answer 404 rather than 403.
  dynamic "statement" {
    for_each = length(try(local.resources.functions[each.key].access.buckets, {})) > 0 ? [1] : []
    content {
      sid       = "ListOwnBuckets"
      actions   = ["s3:ListBucket"]
      resources = [for bucket in keys(local.resources.functions[each.key].access.buckets) : aws_s3_bucket.bucket[bucket].arn]
    }
  }

  dynamic "statement" {
    for_each = try(local.resources.functions[each.key].access.state_machines, {})
    content {
      sid       = "StateMachine${replace(title(replace(statement.key, "/[-_]/", " ")), " ", "")}${title(statement.value)}"
      actions   = local.state_machine_actions[statement.value]
      resources = [aws_sfn_state_machine.machine[statement.key].arn]
    }
  }

  dynamic "statement" {
    for_each = try(local.resources.functions[each.key].access.topics, {})
    content {
      sid       = "Topic${replace(title(replace(statement.key, "/[-_]/", " ")), " ", "")}${title(statement.value)}"
      actions   = local.topic_actions[statement.value]
      resources = [aws_sns_topic.topic[statement.key].arn]
    }
  }

  dynamic "statement" {
    for_each = try(local.resources.functions[each.key].access.queues, {})
    content {
      sid       = "Queue${replace(title(replace(statement.key, "/[-_]/", " ")), " ", "")}${title(statement.value)}"
      actions   = local.queue_actions[statement.value]
      resources = [aws_sqs_queue.queue[statement.key].arn]
    }
  }

  # Asynchronous invocations that fail end in the dead-letter queue (lambda.tf).
  dynamic "statement" {
    for_each = local.resources.functions[each.key].kind == "s3_event" ? [1] : []
    content {
      sid       = "DeadLetters"
      actions   = ["sqs:SendMessage"]
      resources = [for queue in local.dead_letter_queues : aws_sqs_queue.queue[queue].arn]
    }
  }

  dynamic "statement" {
    for_each = contains(try(local.resources.functions[each.key].access.capabilities, []), "send_email") ? [1] : []
    content {
      sid       = "SendEmailFromTheCounter"
      actions   = local.capability_actions.send_email
      resources = [aws_sesv2_email_identity.domain.arn, aws_sesv2_configuration_set.mail.arn]
      condition {
        test     = "StringEquals"
        variable = "ses:FromAddress"
        values   = [local.sender_email]
      }
    }
  }

  dynamic "statement" {
    for_each = contains(try(local.resources.functions[each.key].access.capabilities, []), "send_sms") ? [1] : []
    content {
      sid       = "SendSmsToPhoneNumbers"
      actions   = local.capability_actions.send_sms
      resources = ["*"] # an SMS to a phone number has no resource ARN; topics are denied below
    }
  }

  # The SMS grant cannot name a resource; a function without topics of its own gets none through it.
  dynamic "statement" {
    for_each = contains(try(local.resources.functions[each.key].access.capabilities, []), "send_sms") && length(try(local.resources.functions[each.key].access.topics, {})) == 0 ? [1] : []
    content {
      sid       = "NoTopicThroughTheSmsGrant"
      effect    = "Deny"
      actions   = local.capability_actions.send_sms
      resources = ["arn:${local.partition}:sns:*:*:*"]
    }
  }

  dynamic "statement" {
    for_each = contains(try(local.resources.functions[each.key].access.capabilities, []), "task_callback") ? [1] : []
    content {
      sid       = "ResumeWorkflowsWaitingForStaff"
      actions   = local.capability_actions.task_callback
      resources = ["*"] # task tokens cannot be scoped by IAM
    }
  }
}

resource "aws_iam_role" "state_machine" {
  for_each = toset(keys(local.resources.state_machines))

  name               = "${local.resource_prefix}-sfn-${each.key}"
  assume_role_policy = data.aws_iam_policy_document.assumed_by["states"].json
}

resource "aws_iam_role_policy" "state_machine" {
  for_each = toset(keys(local.resources.state_machines))

  name   = "least-privilege"
  role   = aws_iam_role.state_machine[each.key].id
  policy = data.aws_iam_policy_document.state_machine[each.key].json
}

data "aws_iam_policy_document" "state_machine" {
  for_each = toset(keys(local.resources.state_machines))

  statement {
    sid     = "InvokeItsOwnTasks"
    actions = ["lambda:InvokeFunction"]
    resources = flatten([
      for function in distinct(values(local.resources.state_machines[each.key].functions)) :
      [local.chalice_function_arns[function], "${local.chalice_function_arns[function]}:*"]
    ])
  }

  statement {
    sid       = "XRayTraces"
    actions   = ["xray:PutTraceSegments", "xray:PutTelemetryRecords", "xray:GetSamplingRules", "xray:GetSamplingTargets"]
    resources = ["*"] # X-Ray has no resource-level permissions
  }

  statement {
    sid = "DeliverExecutionLogs"
    actions = ["logs:CreateLogDelivery", "logs:GetLogDelivery", "logs:UpdateLogDelivery", "logs:DeleteLogDelivery",
    "logs:ListLogDeliveries", "logs:PutResourcePolicy", "logs:DescribeResourcePolicies", "logs:DescribeLogGroups"]
    resources = ["*"] # CloudWatch Logs' log delivery API takes no resource (AWS's documented policy)
  }
}
