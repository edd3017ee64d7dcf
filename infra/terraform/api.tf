# The REST API's stage is made by infra/package.py from Chalice's output; these are what it points at.

locals {
  api_access_log_format = jsonencode({
    requestId      = "$context.requestId"
    ip             = "$context.identity.sourceIp"
    requestTime    = "$context.requestTime"
    httpMethod     = "$context.httpMethod"
    resourcePath   = "$context.resourcePath"
    status         = "$context.status"
    responseLength = "$context.responseLength"
    latency        = "$context.responseLatency"
    xrayTraceId    = "$context.xrayTraceId"
  })
}

resource "aws_cloudwatch_log_group" "api_access" {
  name              = "/aws/apigateway/${local.resource_prefix}/access"
  retention_in_days = var.log_retention_days
  kms_key_id        = aws_kms_key.data.arn
}

# API Gateway writes logs through one role per account and region; this sets it.
resource "aws_api_gateway_account" "this" {
  cloudwatch_role_arn = aws_iam_role.api_gateway_logs.arn
}

resource "aws_iam_role" "api_gateway_logs" {
  name               = "${local.resource_prefix}-apigateway-logs"
  assume_role_policy = data.aws_iam_policy_document.assumed_by["apigateway"].json
}

resource "aws_iam_role_policy_attachment" "api_gateway_logs" {
  role       = aws_iam_role.api_gateway_logs.name
  policy_arn = "arn:${local.partition}:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs"
}

resource "aws_api_gateway_method_settings" "all" {
  #checkov:skip=CKV_AWS_225:Answers are per user and private (sessions): a cache would serve one user's data to another.
  rest_api_id = aws_api_gateway_rest_api.rest_api.id
  stage_name  = aws_api_gateway_stage.rest_api.stage_name
  method_path = "*/*"

  settings {
    metrics_enabled = true
    logging_level   = "ERROR"
    # Request bodies carry personal data and passwords: never logged.
    data_trace_enabled     = false
    throttling_burst_limit = 200
    throttling_rate_limit  = 100
  }
}
