"""The real ``terraform`` on a copy of infra/terraform: ``chalice package`` + infra/package.py, then
``init`` from the machine's plugin mirror (there is no registry here), ``validate``, ``plan`` and
``apply`` against a moto server of its own, and ``show -json`` for the facts the tests read.

A missing binary or mirror is a failure that says what to install, never a skip: the suite must
check what AWS will be given."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.support.stack import free_port
from tests.support.terraform import PROJECT_ROOT, TERRAFORM_DIR

# The provider planned in CI (the README's deploy section says the same; a test checks it).
PROVIDER_VERSION = "5.100.0"
PLUGIN_DIRS = ("/opt/tf-plugins", "~/.terraform.d/plugins", "/usr/local/share/terraform/plugins")
# Variables a municipality sets (variables.tf), with test values.
TEST_VARIABLES = {
    "municipality": "Município de Teste",
    "municipality_code": "teste",
    "domain": "balcao.teste.example",
    "multibanco_entity": "12345",
    "registrations_staff_email": "registos@teste.example",
    "organ_alert_emails": {"CAMARA": "chefia.camara@teste.example"},
    "payment_callback_secret": "a-test-callback-secret-of-32-chars",
    "origin_secret": "a-test-origin-secret-of-at-least-32-characters",
}
# Every service the configuration's resources and data sources call (ec2: data "aws_regions").
SERVICES = (
    "acm apigateway athena cloudfront cloudtrail cloudwatch cloudwatchlogs dynamodb ec2 events glue iam kms "
    "lambda s3 ses sesv2 sfn sns sqs sts wafv2"
).split()
# What `apply` creates in moto: the data plane and what it names (the edge, CloudFront, WAF, ACM,
# API Gateway's logging, is planned only: moto lacks parts of it, see ../shared/NOTES.md).
DATA_PLANE = (
    "aws_dynamodb_table.table",
    "aws_s3_bucket.bucket",
    "aws_s3_bucket_notification.bucket",
    "aws_s3_bucket_lifecycle_configuration.bucket",  # the retention schedule's rules (chalicelib/retention.json)
    "aws_sqs_queue.queue",
    "aws_sns_topic.topic",
    "aws_kms_key.data",
    "aws_iam_role_policy.function",
    "aws_iam_role_policy.state_machine",
    "aws_sfn_state_machine.machine",
)


class TerraformMissing(AssertionError):
    pass


def terraform_binary() -> str:
    found = os.environ.get("BALCAO_TERRAFORM") or shutil.which("terraform")
    if not found:
        raise TerraformMissing(
            "the real `terraform` is needed to check infra/terraform (1.10 or newer; these machines have "
            "1.11 on PATH): install it, or set BALCAO_TERRAFORM to its path"
        )
    return found


def plugin_mirror() -> Path:
    """The directory that holds ``registry.terraform.io/hashicorp/aws/<version>/``."""
    candidates = [os.environ.get("BALCAO_TERRAFORM_PLUGINS", ""), *PLUGIN_DIRS]
    for candidate in filter(None, candidates):
        path = Path(candidate).expanduser()
        if (path / "registry.terraform.io" / "hashicorp" / "aws").is_dir():
            return path
    raise TerraformMissing(
        "no plugin mirror with the AWS provider (registry.terraform.io/hashicorp/aws/...) in "
        f"{', '.join(PLUGIN_DIRS)}; these machines have {PROVIDER_VERSION} in /opt/tf-plugins; set "
        "BALCAO_TERRAFORM_PLUGINS to another"
    )


def package_copy(root: Path, stage: str = "prod") -> Path:
    """infra/terraform copied under ``root`` as the repository lays it out (the configuration reads
    ../../chalicelib/resources.json, ../../statemachines, ../../web), with chalice.tf.json generated."""
    terraform = root / "infra" / "terraform"
    shutil.copytree(
        TERRAFORM_DIR,
        terraform,
        ignore=shutil.ignore_patterns(
            "chalice.tf.json", "deployment.zip", ".terraform*", "*.tfstate*", "*_override.tf"
        ),
    )
    for name in ("chalicelib", "statemachines", "web"):
        (root / name).symlink_to(PROJECT_ROOT / name)
    env = {**os.environ, "AWS_DEFAULT_REGION": "eu-west-1"}
    env.pop("AWS_ENDPOINT_URL", None)
    result = subprocess.run(
        [sys.executable, "-m", "infra.package", "--stage", stage, "--out", str(terraform)],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return terraform


def small_deployment(terraform: Path) -> None:
    """The functions' code as a few bytes: moto takes a minute per function for the 37 MB package,
    and what is applied here is the data plane, not the code (the handler names stay Chalice's)."""
    with zipfile.ZipFile(terraform / "deployment.zip", "w") as archive:
        archive.writestr("app.py", "# the data plane only\n")


@dataclass
class MotoServer:
    process: subprocess.Popen[str]
    endpoint: str

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()


def start_moto(log: Path) -> MotoServer:
    """A fresh moto server with the local stack's fixes (python -m local.moto_server), its output in
    ``log`` (a pipe nobody reads would fill and stop the server)."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "BALCAO_", "MOTO_"))}
    with log.open("w") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "local.moto_server", "--port", str(port)],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            text=True,
        )
    deadline = time.monotonic() + 60
    while "moto listening" not in log.read_text() and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.1)
    assert "moto listening" in log.read_text(), log.read_text()
    return MotoServer(process, f"http://127.0.0.1:{port}")


def moto_override(endpoint: str) -> str:
    """An override file: state in a local backend, and both providers (the default and us-east-1's)
    pointed at moto with dummy credentials; Terraform merges it into versions.tf's blocks."""
    endpoints = "\n".join(f'    {service} = "{endpoint}"' for service in SERVICES)
    provider = """
provider "aws" {{
  {alias}
  access_key                  = "testing"
  secret_key                  = "testing"
  skip_credentials_validation = true
  skip_metadata_api_check     = true
  skip_region_validation      = true
  s3_use_path_style           = true
  endpoints {{
{endpoints}
  }}
}}
"""
    return (
        'terraform {\n  backend "local" {}\n}\n'
        + provider.format(alias="", endpoints=endpoints)
        + provider.format(alias='alias = "us_east_1"', endpoints=endpoints)
    )


@dataclass
class Terraform:
    """One working directory, driven by the real binary; each command's output kept for failures."""

    directory: Path
    binary: str = field(default_factory=terraform_binary)
    log: list[str] = field(default_factory=list)

    def run(self, *args: str, timeout: float = 600, check: bool = True) -> subprocess.CompletedProcess[str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "TF_"))}
        env.update({"TF_IN_AUTOMATION": "1", "TF_INPUT": "0", "CHECKPOINT_DISABLE": "1"})
        env["TF_CLI_CONFIG_FILE"] = str(self.directory / ".terraformrc")  # none of the user's own
        started = time.monotonic()
        result = subprocess.run(
            [self.binary, *args, "-no-color"],
            cwd=self.directory,
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        self.log.append(f"$ terraform {' '.join(args)}  ({time.monotonic() - started:.1f} s, exit {result.returncode})")
        if check:
            assert result.returncode == 0, (
                f"terraform {' '.join(args)} failed:\n{result.stdout[-6000:]}\n{result.stderr[-6000:]}"
            )
        return result

    def init(self, endpoint: str) -> None:
        (self.directory / ".terraformrc").write_text("")
        (self.directory / "zz_moto_override.tf").write_text(moto_override(endpoint))
        self.run("init", "-input=false", f"-plugin-dir={plugin_mirror()}")

    def write_variables(self, **overrides: Any) -> Path:
        path = self.directory / "test.tfvars.json"
        path.write_text(json.dumps({**TEST_VARIABLES, **overrides}, ensure_ascii=False))
        return path

    def plan(self) -> dict[str, Any]:
        variables = self.write_variables()
        self.run("plan", "-input=false", f"-var-file={variables.name}", "-out=test.tfplan")
        return json.loads(self.run("show", "-json", "test.tfplan").stdout)

    def apply(self, targets: tuple[str, ...] = DATA_PLANE) -> dict[str, Any]:
        variables = self.write_variables()
        self.run(
            "apply",
            "-input=false",
            "-auto-approve",
            "-parallelism=20",
            f"-var-file={variables.name}",
            *(f"-target={target}" for target in targets),
            timeout=900,
        )
        return json.loads(self.run("show", "-json").stdout)

    def version(self) -> dict[str, Any]:
        return json.loads(self.run("version", "-json").stdout)


def resources_of(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Every resource of a plan's ``planned_values`` or a state's ``values``, by address."""
    found: dict[str, dict[str, Any]] = {}

    def walk(module: dict[str, Any]) -> None:
        for resource in module.get("resources", []):
            found[resource["address"]] = resource
        for child in module.get("child_modules", []):
            walk(child)

    walk(document.get("planned_values", document.get("values", {})).get("root_module", {}))
    return found


def instances(document: dict[str, Any], kind: str, name: str) -> dict[str, dict[str, Any]]:
    """The values of ``kind.name``'s instances, by their for_each key (or "" without one)."""
    prefix = f"{kind}.{name}"
    return {
        str(resource.get("index", "")): resource["values"]
        for address, resource in resources_of(document).items()
        if address == prefix or address.startswith(prefix + "[")
    }


# -- What a stack holds, read back through the AWS APIs (the local stack's and Terraform's alike) --------
_FUNCTION_ARN = re.compile(r"arn:aws:lambda:[\w-]+:\d{12}:function:([\w-]+)")


def describe_stack(client: Callable[[str], Any], prefix: str, function_prefix: str) -> dict[str, Any]:
    """Tables (keys, attributes, indexes, TTL), buckets and their Lambda notifications and retention
    (lifecycle) rules, topics, queues,
    functions and state machines, named by their key in resources.json (``prefix`` and the functions'
    ``function_prefix`` taken off), so that two stacks of different names compare equal."""

    def key(name: str, start: str = prefix) -> str:
        assert name.startswith(start + "-") or start.endswith("-") and name.startswith(start), (name, start)
        return name[len(start) :].lstrip("-")

    def functions_named(text: str) -> str:
        return _FUNCTION_ARN.sub(lambda m: f"function:{key(m.group(1), function_prefix)}", text)

    dynamodb = client("dynamodb")
    tables = {}
    for name in dynamodb.list_tables()["TableNames"]:
        description = dynamodb.describe_table(TableName=name)["Table"]
        ttl = dynamodb.describe_time_to_live(TableName=name)["TimeToLiveDescription"]
        tables[key(name)] = {
            "keys": {k["KeyType"]: k["AttributeName"] for k in description["KeySchema"]},
            "attributes": {a["AttributeName"]: a["AttributeType"] for a in description["AttributeDefinitions"]},
            "indexes": {
                index["IndexName"]: {
                    "keys": {k["KeyType"]: k["AttributeName"] for k in index["KeySchema"]},
                    "projection": index["Projection"]["ProjectionType"],
                }
                for index in description.get("GlobalSecondaryIndexes", [])
            },
            "ttl": ttl.get("AttributeName") if ttl.get("TimeToLiveStatus") == "ENABLED" else None,
        }
    s3 = client("s3")
    notifications = {}
    lifecycle: dict[str, list[tuple[str, str, int]]] = {}
    for bucket in s3.list_buckets()["Buckets"]:
        if not bucket["Name"].startswith(prefix + "-"):
            continue
        config = s3.get_bucket_notification_configuration(Bucket=bucket["Name"])
        notifications[key(bucket["Name"])] = [
            (
                functions_named(c["LambdaFunctionArn"]),
                sorted(c["Events"]),
                [r["Value"] for r in c["Filter"]["Key"]["FilterRules"] if r["Name"].lower() == "prefix"],
            )
            for c in config.get("LambdaFunctionConfigurations", [])
        ]
        # the retention schedule's rules (chalicelib/retention.json); Terraform's own housekeeping aside
        try:
            rules = s3.get_bucket_lifecycle_configuration(Bucket=bucket["Name"])["Rules"]
        except s3.exceptions.ClientError:
            rules = []  # no lifecycle configuration
        retention = sorted(
            (r["ID"], (r.get("Filter") or {}).get("Prefix", ""), r["Expiration"]["Days"])
            for r in rules
            if r["ID"].startswith("retention-")
        )
        if retention:
            lifecycle[key(bucket["Name"])] = retention
    stepfunctions = client("stepfunctions")
    machines = {
        key(m["name"]): json.loads(
            functions_named(stepfunctions.describe_state_machine(stateMachineArn=m["stateMachineArn"])["definition"])
        )
        for m in stepfunctions.list_state_machines()["stateMachines"]
    }
    topics = (t["TopicArn"].rsplit(":", 1)[1] for t in client("sns").list_topics()["Topics"])
    queues = (url.rsplit("/", 1)[1] for url in client("sqs").list_queues().get("QueueUrls", []))
    return {
        "tables": tables,
        "buckets": notifications,
        "lifecycle": lifecycle,
        "topics": {key(name) for name in topics if name.startswith(prefix + "-")},
        "queues": {key(name) for name in queues},
        "functions": {
            key(f["FunctionName"], function_prefix)
            for f in client("lambda").list_functions()["Functions"]
            if f["FunctionName"].startswith(function_prefix)
        },
        "state_machines": machines,
    }
