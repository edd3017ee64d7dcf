# What the README's deploy steps and the auditors need after `terraform apply`.
# (EndpointURL, the API Gateway stage's own URL, comes from chalice.tf.json.)

output "web_url" {
  description = "The counter: web form and /api/*, one origin."
  value       = "https://${var.domain}"
}

output "cloudfront_domain" {
  description = "Point the domain here (CNAME, or an alias record in Route 53)."
  value       = aws_cloudfront_distribution.web.domain_name
}

output "certificate_validation_records" {
  description = "DNS records that prove the domain to ACM (CloudFront's certificate)."
  value = [for option in aws_acm_certificate.web.domain_validation_options : {
    name  = option.resource_record_name
    type  = option.resource_record_type
    value = option.resource_record_value
  }]
}

output "ses_dkim_records" {
  description = "CNAME records that verify the domain for SES (Easy DKIM)."
  value = [for token in aws_sesv2_email_identity.domain.dkim_signing_attributes[0].tokens : {
    name  = "${token}._domainkey.${var.domain}"
    type  = "CNAME"
    value = "${token}.dkim.amazonses.com"
  }]
}

output "trail_name" {
  value = aws_cloudtrail.audit.name
}

output "audit_logs_bucket" {
  value = aws_s3_bucket.audit_logs.id
}

output "auditor_role_arn" {
  value = aws_iam_role.auditor.arn
}

output "athena_workgroup" {
  value = aws_athena_workgroup.audit.name
}

output "athena_database" {
  value = aws_glue_catalog_database.audit.name
}

output "athena_cloudtrail_table_ddl" {
  description = "Run once in the auditors' Athena workgroup: the table over the trail's log files."
  value = templatefile("${path.module}/athena/cloudtrail_logs.sql.tftpl", {
    bucket     = aws_s3_bucket.audit_logs.id
    account_id = local.account_id
    regions    = join(",", sort(data.aws_regions.all.names))
    first_day  = "2026/01/01"
  })
}
