# What differs from one municipality's deployment to another. Everything else is derived.

variable "municipality" {
  description = "The municipality's name as citizens read it in emails and pages (e.g. \"Município do Porto\")."
  type        = string
}

variable "municipality_code" {
  description = "A short lowercase code for the municipality, part of every resource name (S3 bucket names are global)."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9-]{1,20}[a-z0-9]$", var.municipality_code))
    error_message = "municipality_code: 3 to 22 lowercase letters, digits or hyphens, not starting or ending with a hyphen."
  }
}

variable "region" {
  description = "The AWS region of the deployment (data stays there; CloudFront's certificate goes to us-east-1)."
  type        = string
  default     = "eu-west-1"
}

variable "domain" {
  description = "The public host name of the counter (e.g. balcao.cm-porto.pt): CloudFront serves the web form and /api/* there, and SES sends from it."
  type        = string
}

variable "sender_email" {
  description = "The From address of emails; empty means no-reply@<domain>."
  type        = string
  default     = ""
}

variable "country" {
  description = "PT (NIF) or BR (CPF/CNPJ)."
  type        = string
  default     = "PT"

  validation {
    condition     = contains(["PT", "BR"], var.country)
    error_message = "country must be PT or BR."
  }
}

variable "timezone" {
  description = "The municipality's IANA time zone: it dates submissions, counts deadlines and prints times (e.g. Atlantic/Azores, America/Manaus); empty means the country's (Europe/Lisbon for PT, America/Sao_Paulo for BR)."
  type        = string
  default     = ""
}

variable "organ_codes" {
  description = "The catalogue's organ codes as this municipality names its organs, e.g. { CAMARA = \"PMP\" } for a Brazilian prefeitura (processes numbered PMP 2026/000001)."
  type        = map(string)
  default     = {}
}

variable "municipal_holiday" {
  description = "The municipal holiday as YYYY-MM-DD of any year (only month and day count), or empty."
  type        = string
  default     = ""
}

variable "holidays_subdivision" {
  description = "The `holidays` library's subdivision for regional holidays (e.g. \"30\" for Madeira), or empty."
  type        = string
  default     = ""
}

variable "audit_log_retention_days" {
  description = "Days each CloudTrail log file is locked in COMPLIANCE mode: nobody, root included, can delete or overwrite it before then."
  type        = number
  default     = 3653 # ten years

  validation {
    condition     = var.audit_log_retention_days >= 365
    error_message = "audit_log_retention_days must be at least 365."
  }
}

variable "log_retention_days" {
  description = "Days the Lambda, API Gateway and Step Functions logs are kept in CloudWatch Logs."
  type        = number
  default     = 400
}

variable "sms_monthly_spend_limit_usd" {
  description = "SNS's account-wide monthly SMS spend limit, in USD (AWS raises it above 1 only on request)."
  type        = number
  default     = 1
}

variable "auditor_principals" {
  description = "ARNs allowed to assume the auditor role (e.g. the auditors' IAM users or an IAM Identity Center role)."
  type        = list(string)
  default     = []
}

variable "alarm_emails" {
  description = "Who is emailed when an alarm fires (workflow failures, API 5xx, dead letters)."
  type        = list(string)
  default     = []
}

variable "multibanco_entity" {
  description = "The five-digit Multibanco entity of the municipality's payment provider."
  type        = string

  validation {
    condition     = can(regex("^[0-9]{5}$", var.multibanco_entity))
    error_message = "multibanco_entity: five digits."
  }
}

variable "payment_callback_secret" {
  description = "The secret the payment provider signs its notices with (HMAC-SHA256); empty: the callback refuses all."
  type        = string
  default     = ""
  sensitive   = true
}

variable "terms_version" {
  description = "The version of the terms of use (Condições de Adesão) that registrants must accept; change it when the terms change."
  type        = string
  default     = "2026-01"
}

variable "organ_alert_emails" {
  description = "Each organ's address for its staff alerts (decision deadlines near and breached), e.g. { CAMARA = \"chefia@cm-exemplo.pt\" }: subscribed to the staff-alerts topic, filtered by organ."
  type        = map(string)
  default     = {}
}

variable "registrations_staff_email" {
  description = "Where reminders about registrations awaiting validation are sent (the front office's address)."
  type        = string
}

variable "origin_secret" {
  description = "A long random secret CloudFront adds to every request it forwards to the API (X-Balcao-Origin); the API refuses requests without it. E.g. `openssl rand -hex 32`; TF_VAR_origin_secret."
  type        = string
  sensitive   = true

  validation {
    condition     = length(var.origin_secret) >= 32
    error_message = "origin_secret must be at least 32 characters (e.g. openssl rand -hex 32)."
  }
}
