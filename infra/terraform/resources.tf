# The one list of Balcão's AWS resources, shared with the code and the local stack
# (chalicelib/resources.json). Tables, buckets, topics, queues, functions and state machines are
# created with for_each over it: a new entry there needs no edit here. Names are
# "<resource_prefix>-<key>", as chalicelib/kernel/settings.py builds them.
locals {
  resources = jsondecode(file("${path.module}/../../chalicelib/resources.json"))
  # How long each kind of record is kept, and why: TTL attributes (resources.json) and S3 lifecycle rules (s3.tf).
  retention = jsondecode(file("${path.module}/../../chalicelib/retention.json")).records

  # "<app>-<municipality>-<stage>": S3 bucket names are global, so the municipality is part of it.
  resource_prefix = "${local.chalice_app_name}-${var.municipality_code}-${local.chalice_stage}"

  account_id = data.aws_caller_identity.current.account_id
  partition  = data.aws_partition.current.partition
  region     = var.region # the provider's own region; data.aws_region names it .name in 5.x, .region in 6.x

  # Every key attribute of a table and of its indexes, once each (DynamoDB wants them declared).
  table_attributes = {
    for key, table in local.resources.tables : key => {
      for attribute in compact(flatten([
        [jsonencode(table.hash_key)],
        try(table.range_key, null) == null ? [] : [jsonencode(table.range_key)],
        [for index in values(try(table.indexes, {})) : concat(
          [jsonencode(index.hash_key)],
          try(index.range_key, null) == null ? [] : [jsonencode(index.range_key)],
        )],
      ])) : jsondecode(attribute).name => jsondecode(attribute).type...
    }
  }

  # Buckets of the app (resources.json) and of the deployment itself, all hardened alike (s3.tf).
  app_buckets = { for key, spec in local.resources.buckets : key => "app" }
  deployment_buckets = {
    "web"            = "the web form's static files, read by CloudFront only"
    "access-logs"    = "S3 server access logs of the other buckets"
    "athena-results" = "the auditors' Athena query results"
  }
  buckets = merge(local.app_buckets, { for key, why in local.deployment_buckets : key => "deployment" })

  bucket_names = { for key in keys(local.buckets) : key => "${local.resource_prefix}-${key}" }

  # Buckets whose new objects invoke a function (resources.json: "notify_function").
  notifying_buckets = { for key, spec in local.resources.buckets : key => spec if try(spec.notify_function, null) != null }

  # Buckets the browser posts files into (resources.json: "quarantine_prefix").
  upload_buckets = { for key, spec in local.resources.buckets : key => spec if try(spec.quarantine_prefix, null) != null }

  dead_letter_queues = [for key, spec in local.resources.queues : key if try(spec.dead_letters, false)]
}
