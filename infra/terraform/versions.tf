# The versions this configuration is written for. `infra/package.py` drops the older pins that
# `chalice package` writes (Terraform < 1.4, AWS provider < 5), so these are the only ones.
terraform {
  required_version = ">= 1.10.0, < 2.0.0" # 1.10: S3 backend locking with use_lockfile

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.100, < 7" # planned in CI with 5.100.0; written for 6.x too
    }
  }

  # State belongs in a remote, locked backend (e.g. an S3 bucket with versioning and lock files):
  # the README's deploy steps pass it with `terraform init -backend-config=...`.
  backend "s3" {}
}

provider "aws" {
  region = var.region

  default_tags {
    tags = {
      application  = "balcao"
      municipality = var.municipality_code
      stage        = local.chalice_stage
    }
  }
}

# CloudFront's certificate and web ACL must live in us-east-1, whatever the deployment's region.
provider "aws" {
  alias  = "us_east_1"
  region = "us-east-1"

  default_tags {
    tags = {
      application  = "balcao"
      municipality = var.municipality_code
      stage        = local.chalice_stage
    }
  }
}

data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}
