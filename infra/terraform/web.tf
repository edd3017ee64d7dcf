# The web form and the API under one origin (https://<domain>): CloudFront serves web/ from its S3
# bucket and forwards /api/* to API Gateway, so the browser never makes a cross-origin API call
# (the app's CORS is off) and the session cookie stays first-party.

locals {
  web_root = "${path.module}/../../web"
  web_content_types = {
    html  = "text/html; charset=utf-8"
    css   = "text/css; charset=utf-8"
    js    = "text/javascript; charset=utf-8"
    json  = "application/json"
    svg   = "image/svg+xml"
    png   = "image/png"
    ico   = "image/x-icon"
    webp  = "image/webp"
    woff2 = "font/woff2"
    txt   = "text/plain; charset=utf-8"
  }
  api_origin_domain = "${aws_api_gateway_rest_api.rest_api.id}.execute-api.${local.region}.amazonaws.com"

  # AWS managed CloudFront policies (their IDs are the same in every account).
  cache_policy_caching_disabled         = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"
  cache_policy_caching_optimized        = "658327ea-f89d-4fab-a63d-7e88639e58f6"
  origin_request_all_viewer_except_host = "b689b0a8-53d0-40ab-baf2-68738e2966ac"

  # The browser talks to this origin, and posts files to the upload buckets (presigned POST).
  upload_origins = flatten([for key in keys(local.upload_buckets) : [
    "https://${local.bucket_names[key]}.s3.amazonaws.com",
    "https://${local.bucket_names[key]}.s3.${local.region}.amazonaws.com",
  ]])
}

resource "aws_s3_object" "web" {
  # The form's files; its README is for developers.
  for_each = toset([for file in fileset(local.web_root, "**") : file if !endswith(file, ".md")])

  bucket       = aws_s3_bucket.bucket["web"].id
  key          = each.value
  source       = "${local.web_root}/${each.value}"
  source_hash  = filemd5("${local.web_root}/${each.value}")
  content_type = lookup(local.web_content_types, lower(reverse(split(".", each.value))[0]), "application/octet-stream")
}

resource "aws_cloudfront_origin_access_control" "web" {
  name                              = "${local.resource_prefix}-web"
  origin_access_control_origin_type = "s3"
  signing_behavior                  = "always"
  signing_protocol                  = "sigv4"
}

resource "aws_acm_certificate" "web" {
  provider          = aws.us_east_1
  domain_name       = var.domain
  validation_method = "DNS"

  lifecycle {
    create_before_destroy = true
  }
}

# Waits until the DNS records of output "certificate_validation_records" exist (README, deploy).
resource "aws_acm_certificate_validation" "web" {
  provider        = aws.us_east_1
  certificate_arn = aws_acm_certificate.web.arn
}

resource "aws_cloudfront_response_headers_policy" "security" {
  name = "${local.resource_prefix}-security-headers"

  security_headers_config {
    strict_transport_security {
      access_control_max_age_sec = 63072000
      include_subdomains         = true
      preload                    = true
      override                   = true
    }
    content_type_options {
      override = true
    }
    frame_options {
      frame_option = "DENY"
      override     = true
    }
    referrer_policy {
      referrer_policy = "same-origin"
      override        = true
    }
    content_security_policy {
      content_security_policy = join("; ", [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "connect-src 'self' ${join(" ", local.upload_origins)}",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
      ])
      override = true
    }
  }
}

resource "aws_cloudfront_distribution" "web" {
  #checkov:skip=CKV_AWS_86:Legacy CloudFront logs need bucket ACLs, disabled on every bucket here; each API request is in the API Gateway access log (api.tf).
  #checkov:skip=CKV_AWS_310:One region by design (var.region, data residency): there is no second origin to fail over to.
  #checkov:skip=CKV_AWS_374:Citizens living abroad (emigrants) must reach their municipality's counter: no geo restriction.
  #checkov:skip=CKV2_AWS_47:The attached web ACL has AWSManagedRulesKnownBadInputsRuleSet (the Log4j rules), rule "known-bad-inputs"; checkov does not follow the us-east-1 provider alias.
  enabled             = true
  is_ipv6_enabled     = true
  comment             = "Balcão ${var.municipality}"
  aliases             = [var.domain]
  default_root_object = "index.html"
  price_class         = "PriceClass_100"
  web_acl_id          = aws_wafv2_web_acl.web.arn
  http_version        = "http2and3"

  origin {
    origin_id                = "web"
    domain_name              = aws_s3_bucket.bucket["web"].bucket_regional_domain_name
    origin_access_control_id = aws_cloudfront_origin_access_control.web.id
  }

  # Chalice's stage is the first path segment of the API's URLs: /api/x here is /<stage>/api/x there.
  origin {
    origin_id   = "api"
    domain_name = local.api_origin_domain
    origin_path = "/${local.chalice_api_stage}"

    custom_origin_config {
      http_port              = 80
      https_port             = 443
      origin_protocol_policy = "https-only"
      origin_ssl_protocols   = ["TLSv1.2"]
    }

    # The proof a request came through CloudFront: without it the API answers 403 (the execute-api
    # address is public), and only with it does the app trust X-Balcao-Viewer-Address.
    custom_header {
      name  = "X-Balcao-Origin"
      value = var.origin_secret
    }
  }

  default_cache_behavior {
    target_origin_id           = "web"
    viewer_protocol_policy     = "redirect-to-https"
    allowed_methods            = ["GET", "HEAD"]
    cached_methods             = ["GET", "HEAD"]
    compress                   = true
    cache_policy_id            = local.cache_policy_caching_optimized
    response_headers_policy_id = aws_cloudfront_response_headers_policy.security.id
  }

  ordered_cache_behavior {
    path_pattern               = "/api/*"
    target_origin_id           = "api"
    viewer_protocol_policy     = "https-only"
    allowed_methods            = ["GET", "HEAD", "OPTIONS", "PUT", "POST", "PATCH", "DELETE"]
    cached_methods             = ["GET", "HEAD"]
    compress                   = true
    cache_policy_id            = local.cache_policy_caching_disabled
    origin_request_policy_id   = local.origin_request_all_viewer_except_host
    response_headers_policy_id = aws_cloudfront_response_headers_policy.security.id

    function_association {
      event_type   = "viewer-request"
      function_arn = aws_cloudfront_function.viewer_address.arn
    }
  }

  restrictions {
    geo_restriction {
      restriction_type = "none"
    }
  }

  viewer_certificate {
    acm_certificate_arn      = aws_acm_certificate_validation.web.certificate_arn
    ssl_support_method       = "sni-only"
    minimum_protocol_version = "TLSv1.2_2021"
  }
}

# Managed rules against common exploits and bad inputs, and a per-address rate limit that slows
# password guessing on the login routes.
resource "aws_wafv2_web_acl" "web" {
  #checkov:skip=CKV2_AWS_31:Full WAF logs would store every request's headers, session cookie included; each rule keeps metrics and sampled requests (visibility_config).
  provider = aws.us_east_1
  name     = "${local.resource_prefix}-web"
  scope    = "CLOUDFRONT"

  default_action {
    allow {}
  }

  rule {
    name     = "common"
    priority = 1
    override_action {
      none {}
    }
    statement {
      managed_rule_group_statement {
        vendor_name = "AWS"
        name        = "AWSManagedRulesCommonRuleSet"
        # File uploads go straight to S3; bodies here are small JSON, but a long text field is legitimate.
        rule_action_override {
          name = "SizeRestrictions_BODY"
          action_to_use {
            count {}
          }
        }
      }
    }
    visibility_config {
      cloudwatch_metrics_enabled = true
      metric_name                = "common"
      sampled_requests_enabled   = true
    }
  }

  rule {
    name     = "known-bad-inputs"
    priority = 2
    override_action {
      none {}
    }
    statement {
      managed_rule_group_statement {
        vendor_name = "AWS"
        name        = "AWSManagedRulesKnownBadInputsRuleSet"
      }
    }
    visibility_config {
      cloudwatch_metrics_enabled = true
      metric_name                = "known-bad-inputs"
      sampled_requests_enabled   = true
    }
  }

  rule {
    name     = "rate-per-address"
    priority = 3
    action {
      block {}
    }
    statement {
      rate_based_statement {
        limit              = 1000
        aggregate_key_type = "IP"
      }
    }
    visibility_config {
      cloudwatch_metrics_enabled = true
      metric_name                = "rate-per-address"
      sampled_requests_enabled   = true
    }
  }

  visibility_config {
    cloudwatch_metrics_enabled = true
    metric_name                = "${local.resource_prefix}-web"
    sampled_requests_enabled   = true
  }
}

# API Gateway sees CloudFront's address, not the citizen's: this function writes the viewer's address
# (as CloudFront saw it, overwriting any the client sent) for throttles, the audit trail and consents.
resource "aws_cloudfront_function" "viewer_address" {
  name    = "${local.resource_prefix}-viewer-address"
  runtime = "cloudfront-js-2.0"
  comment = "The client's address in X-Balcao-Viewer-Address, for the API"
  publish = true
  code    = file("${path.module}/viewer_address.js")
}
