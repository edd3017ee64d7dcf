# Every table of resources.json: its keys, global secondary indexes and TTL attribute from there;
# point-in-time recovery, encryption with the data key and deletion protection for all.
resource "aws_dynamodb_table" "table" {
  for_each = toset(keys(local.resources.tables))

  name                        = "${local.resource_prefix}-${each.key}"
  billing_mode                = "PAY_PER_REQUEST"
  hash_key                    = local.resources.tables[each.key].hash_key.name
  range_key                   = try(local.resources.tables[each.key].range_key.name, null)
  deletion_protection_enabled = true

  dynamic "attribute" {
    for_each = local.table_attributes[each.key]
    content {
      name = attribute.key
      type = attribute.value[0]
    }
  }

  dynamic "global_secondary_index" {
    for_each = try(local.resources.tables[each.key].indexes, {})
    content {
      name            = global_secondary_index.key
      hash_key        = global_secondary_index.value.hash_key.name
      range_key       = try(global_secondary_index.value.range_key.name, null)
      projection_type = "ALL"
    }
  }

  dynamic "ttl" {
    for_each = try(local.resources.tables[each.key].ttl_attribute, null) == null ? [] : [local.resources.tables[each.key].ttl_attribute]
    content {
      enabled        = true
      attribute_name = ttl.value
    }
  }

  point_in_time_recovery {
    enabled = true
  }

  server_side_encryption {
    enabled     = true
    kms_key_arn = aws_kms_key.data.arn
  }
}
