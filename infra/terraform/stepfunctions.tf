# The state machines of resources.json, their ASL rendered by templatefile() with the ARN of each
# function a ${Placeholder} names (chalicelib/platform/statemachines.py renders them the same way locally).

resource "aws_sfn_state_machine" "machine" {
  #checkov:skip=CKV_AWS_285:Executions carry personal data (names, emails, documents): logged at ERROR without execution data; the history stays in Step Functions for 90 days.
  for_each = toset(keys(local.resources.state_machines))

  name     = "${local.resource_prefix}-${each.key}"
  role_arn = aws_iam_role.state_machine[each.key].arn
  definition = templatefile("${path.module}/../../${local.resources.state_machines[each.key].definition}", {
    for placeholder, function in local.resources.state_machines[each.key].functions :
    placeholder => local.chalice_function_arns[function]
  })

  tracing_configuration {
    enabled = true
  }

  logging_configuration {
    log_destination        = "${aws_cloudwatch_log_group.state_machine[each.key].arn}:*"
    include_execution_data = false # executions carry personal data
    level                  = "ERROR"
  }
}

resource "aws_cloudwatch_log_group" "state_machine" {
  for_each = toset(keys(local.resources.state_machines))

  name              = "/aws/vendedlogs/states/${local.resource_prefix}-${each.key}"
  retention_in_days = var.log_retention_days
  kms_key_id        = aws_kms_key.data.arn
}
