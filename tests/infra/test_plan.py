"""The real Terraform on infra/terraform: ``init`` from the plugin mirror, ``validate``, ``plan`` of the
whole configuration against moto, then ``apply`` of its data plane to a fresh moto, compared with what
the local stack provisions. Facts are read from ``terraform show -json`` (the plan, then the state),
not from the HCL: Terraform's own semantics decide."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from chalicelib.kernel.retention import schedule
from chalicelib.kernel.settings import Settings
from chalicelib.platform.resources import load_resources
from tests.support.real_terraform import (
    PROVIDER_VERSION,
    MotoServer,
    Terraform,
    describe_stack,
    instances,
    package_copy,
    resources_of,
    small_deployment,
    start_moto,
)
from tests.support.terraform import PROJECT_ROOT

RESOURCES = load_resources()
RETENTION = schedule()
LAMBDA_DIRECT_UPLOAD_LIMIT = 50 * 1024 * 1024  # bytes: a zip Terraform uploads itself (no S3 object)


@dataclass
class Deployment:
    terraform: Terraform
    moto: MotoServer
    plan: dict[str, Any]
    package_bytes: int

    def client(self, service: str) -> Any:
        import boto3

        return boto3.client(
            service,
            endpoint_url=self.moto.endpoint,
            region_name="eu-west-1",
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )


@pytest.fixture(scope="module")
def deployment(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Deployment]:
    root = tmp_path_factory.mktemp("terraform")
    directory = package_copy(root)
    package_bytes = (directory / "deployment.zip").stat().st_size
    small_deployment(directory)
    moto = start_moto(root / "moto.log")
    try:
        terraform = Terraform(directory)
        terraform.init(moto.endpoint)
        terraform.run("validate")
        yield Deployment(terraform, moto, terraform.plan(), package_bytes)
    finally:
        moto.stop()


@pytest.fixture(scope="module")
def applied(deployment: Deployment) -> dict[str, Any]:
    """The state after ``apply`` of the data plane to the deployment's (fresh) moto."""
    return deployment.terraform.apply()


@pytest.fixture(scope="module")
def local_stack() -> Iterator[dict[str, Any]]:
    """What local/provision.py creates under moto, read back the same way."""
    from moto import mock_aws

    from chalicelib.kernel.settings import get_settings
    from chalicelib.platform import aws
    from local import provision
    from tests.support.env import moto_environment

    with pytest.MonkeyPatch.context() as patch, moto_environment(patch):
        with mock_aws(config={"lambda": {"use_docker": False}}):
            provision.provision(web_origin="http://127.0.0.1:8000")
            settings = get_settings()
            yield describe_stack(aws.client, settings.resource_prefix, settings.function_name(""))


def planned(deployment: Deployment, kind: str, name: str) -> dict[str, dict[str, Any]]:
    return instances(deployment.plan, kind, name)


# -- init, validate, plan: the whole configuration --------------------------------------------------------
def test_the_whole_configuration_plans_with_the_real_terraform(deployment: Deployment) -> None:
    plan = deployment.plan
    assert plan["errored"] is False and plan["complete"] is True
    actions = {change["address"]: change["change"]["actions"] for change in plan["resource_changes"]}
    created = [address for address, action in actions.items() if action == ["create"]]
    assert len(created) > 200, f"only {len(created)} resources planned"
    for kind in ("aws_cloudfront_distribution", "aws_wafv2_web_acl", "aws_api_gateway_rest_api", "aws_cloudtrail"):
        assert any(address.startswith(kind + ".") for address in created), f"no {kind} planned"
    for key in RESOURCES["functions"]:
        assert any(
            change["type"] == "aws_lambda_function"
            and change["change"]["after"]["function_name"].endswith(key)
            or key == "api"
            for change in plan["resource_changes"]
        )


def test_cloudfront_proves_itself_to_the_api_and_passes_the_viewers_address(deployment: Deployment) -> None:
    from tests.support.real_terraform import TEST_VARIABLES

    (distribution,) = planned(deployment, "aws_cloudfront_distribution", "web").values()
    (api,) = [origin for origin in distribution["origin"] if origin["origin_id"] == "api"]
    assert api["custom_header"] == [{"name": "X-Balcao-Origin", "value": TEST_VARIABLES["origin_secret"]}]
    (behaviour,) = [b for b in distribution["ordered_cache_behavior"] if b["path_pattern"] == "/api/*"]
    assert [f["event_type"] for f in behaviour["function_association"]] == ["viewer-request"]
    (function,) = planned(deployment, "aws_cloudfront_function", "viewer_address").values()
    assert "event.viewer.ip" in function["code"] and "x-balcao-viewer-address" in function["code"]


def test_staff_alerts_reach_each_organs_address(deployment: Deployment) -> None:
    """The deadline watch's topic has a subscriber: each organ's address, filtered by organ."""
    (subscription,) = planned(deployment, "aws_sns_topic_subscription", "staff_alerts").values()
    assert subscription["protocol"] == "email" and subscription["endpoint"] == "chefia.camara@teste.example"
    assert json.loads(subscription["filter_policy"]) == {"organ": ["CAMARA"]}


def test_the_planned_versions_are_the_readmes(deployment: Deployment) -> None:
    version = deployment.terraform.version()
    lock = (deployment.terraform.directory / ".terraform.lock.hcl").read_text(encoding="utf-8")
    (provider,) = re.findall(r'provider "registry.terraform.io/hashicorp/aws" \{\s*version\s*=\s*"([^"]+)"', lock)
    assert provider == PROVIDER_VERSION
    minor = ".".join(version["terraform_version"].split(".")[:2])
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    deploy = readme[readme.index("## Deploy") :]
    assert f"Terraform {minor}" in deploy and f"AWS provider {PROVIDER_VERSION}" in deploy, (
        f"README's deploy section must name what CI planned: Terraform {minor}, AWS provider {PROVIDER_VERSION}"
    )


def test_the_package_fits_lambdas_direct_upload(deployment: Deployment) -> None:
    assert 1_000_000 < deployment.package_bytes < LAMBDA_DIRECT_UPLOAD_LIMIT, deployment.package_bytes


def test_a_broken_configuration_fails_the_plan(deployment: Deployment, tmp_path: Path) -> None:
    """The check above can fail: templatefile() on a ${...} in a comment, as the ASL once had."""
    directory = deployment.terraform.directory
    broken = directory / "zz_broken.tf"
    broken.write_text(
        'output "broken" {\n  value = templatefile("${path.module}/broken.tpl", {})\n}\n', encoding="utf-8"
    )
    (directory / "broken.tpl").write_text('{"Comment": "Placeholders ${...} are filled"}', encoding="utf-8")
    try:
        result = deployment.terraform.run("validate", check=False)
        if result.returncode == 0:
            result = deployment.terraform.run(
                "plan", "-input=false", "-var-file=test.tfvars.json", "-refresh=false", check=False
            )
    finally:
        broken.unlink()
        (directory / "broken.tpl").unlink()
    assert result.returncode != 0 and "broken.tpl" in result.stderr and "Invalid" in result.stderr, result.stderr


# -- What the plan says: names, keys, indexes, TTL, settings ------------------------------------------------
def test_tables_are_planned_with_the_keys_indexes_and_ttl_of_resources_json(deployment: Deployment) -> None:
    tables = planned(deployment, "aws_dynamodb_table", "table")
    assert set(tables) == set(RESOURCES["tables"])
    for key, spec in RESOURCES["tables"].items():
        table = tables[key]
        assert table["name"] == f"balcao-teste-prod-{key}"
        assert table["hash_key"] == spec["hash_key"]["name"]
        assert table.get("range_key") == (spec.get("range_key") or {}).get("name")
        indexes = {index["name"]: index for index in table["global_secondary_index"]}
        assert set(indexes) == set(spec.get("indexes", {}))
        ttl = [t for t in table.get("ttl", []) if t["enabled"]]
        assert [t["attribute_name"] for t in ttl] == ([spec["ttl_attribute"]] if spec.get("ttl_attribute") else [])
        assert table["point_in_time_recovery"] == [{"enabled": True}]
        assert table["deletion_protection_enabled"] is True
        assert table["server_side_encryption"][0]["enabled"] is True


def test_every_function_is_planned_with_every_setting(deployment: Deployment) -> None:
    """Each function's environment, as the plan gives it, makes valid Settings naming Terraform's
    resources; nothing the app reads is left to its local default."""
    settings_names = {f"BALCAO_{name.upper()}" for name in Settings.model_fields}
    functions = [
        c["change"]["after"] for c in deployment.plan["resource_changes"] if c["type"] == "aws_lambda_function"
    ]
    assert len(functions) == len(RESOURCES["functions"])
    for function in functions:
        (environment,) = function["environment"]
        variables = environment["variables"]
        missing = settings_names - set(variables)
        assert not missing, f"{function['function_name']}: not set: {sorted(missing)}"
        assert not {name for name in variables if name.startswith("BALCAO_")} - settings_names
        with pytest.MonkeyPatch.context() as patch:  # as the function reads them: from its environment
            for name, value in variables.items():
                patch.setenv(name, value)
            settings = Settings()
        assert settings.resource_name("processes") == "balcao-teste-prod-processes"
        assert settings.account_id == "123456789012" and settings.region == "eu-west-1"
        assert settings.municipality == "Município de Teste"


# -- apply of the data plane, compared with the local stack's --------------------------------------------
def test_terraforms_data_plane_is_what_the_local_stack_provisions(
    deployment: Deployment, applied: dict[str, Any], local_stack: dict[str, Any]
) -> None:
    created = describe_stack(deployment.client, "balcao-teste-prod", "balcao-prod-")
    assert set(local_stack["tables"]) == set(RESOURCES["tables"]) and local_stack["state_machines"]
    for part in ("tables", "buckets", "lifecycle", "topics", "queues", "state_machines"):
        if part == "buckets":  # Terraform adds the deployment's own buckets (web, logs, Athena)
            created[part] = {k: v for k, v in created[part].items() if k in RESOURCES["buckets"]}
        assert created[part] == local_stack[part], part
    assert local_stack["functions"] <= created["functions"] | {"api"}
    # the retention schedule, as both made it: every kind kept in a bucket expires there after its days
    assert created["lifecycle"] == {
        bucket: sorted(
            (f"retention-{kind}", spec.get("prefix", ""), spec["days"])
            for kind, spec in RETENTION.items()
            if spec.get("bucket") == bucket
        )
        for bucket in {spec["bucket"] for spec in RETENTION.values() if spec.get("bucket")}
    }


def test_the_state_machines_terraform_created_run_the_functions_it_created(
    deployment: Deployment, applied: dict[str, Any]
) -> None:
    functions = {r["values"]["arn"] for r in resources_of(applied).values() if r["type"] == "aws_lambda_function"}
    for machine in instances(applied, "aws_sfn_state_machine", "machine").values():
        named = set(re.findall(r'"(arn:aws:lambda:[^"]+)"', machine["definition"]))
        assert named and named <= functions, named - functions


def normalized(policy: dict[str, Any]) -> list[dict[str, Any]]:
    """A policy document as IAM reads it: one value or a list alike, sets sorted."""

    def listed(value: Any) -> list[str]:
        return sorted([value] if isinstance(value, str) else value)

    statements = policy["Statement"] if isinstance(policy["Statement"], list) else [policy["Statement"]]
    ordered = sorted(statements, key=lambda statement: statement.get("Sid", ""))  # IAM reads them as a set
    return [
        {
            "Sid": statement.get("Sid", ""),
            "Effect": statement["Effect"],
            "Action": listed(statement["Action"]),
            "Resource": listed(statement["Resource"]),
            "Condition": {
                operator: {key: listed(values) for key, values in tests.items()}
                for operator, tests in statement.get("Condition", {}).items()
            },
        }
        for statement in ordered
    ]


def test_the_policies_checked_locally_are_the_ones_terraform_gives_each_role(
    deployment: Deployment, applied: dict[str, Any]
) -> None:
    """local/iam.py checks every call against a rendering of iam.tf; Terraform's own, applied to moto
    and read back from IAM, is the same document for every function, statement by statement."""
    from local.iam import Arns, function_policy

    (data_key,) = instances(applied, "aws_kms_key", "data").values()
    settings = Settings(
        resource_prefix="balcao-teste-prod",
        stage="prod",
        account_id="123456789012",
        region="eu-west-1",
        sender_email="no-reply@balcao.teste.example",
    )
    iam = deployment.client("iam")
    for function in RESOURCES["functions"]:
        document = iam.get_role_policy(RoleName=f"balcao-teste-prod-fn-{function}", PolicyName="least-privilege")
        terraforms = normalized(document["PolicyDocument"])
        local = normalized(function_policy(function, Arns(settings, data_key=data_key["arn"])))
        assert local == terraforms, function


# Actions that IAM cannot scope to a resource, and the only ones allowed on "*".
UNSCOPABLE = re.compile(
    r"^(xray:(PutTraceSegments|PutTelemetryRecords|GetSamplingRules|GetSamplingTargets)"
    r"|logs:(CreateLogDelivery|GetLogDelivery|UpdateLogDelivery|DeleteLogDelivery|ListLogDeliveries|PutResourcePolicy|DescribeResourcePolicies|DescribeLogGroups)"
    r"|states:(SendTaskSuccess|SendTaskFailure|SendTaskHeartbeat)"
    r"|sns:Publish)$"  # SMS to a phone number (a Deny keeps it off topics)
)


def test_no_role_allows_a_wildcard_action_or_a_scopable_action_on_every_resource(
    deployment: Deployment, applied: dict[str, Any]
) -> None:
    """Read from IAM after apply: every function's and state machine's role, as AWS would hold it."""
    iam = deployment.client("iam")
    roles = [r["RoleName"] for r in iam.list_roles()["Roles"] if r["RoleName"].startswith("balcao-teste-prod-")]
    assert len(roles) == len(RESOURCES["functions"]) + len(RESOURCES["state_machines"])
    for role in roles:
        document = iam.get_role_policy(RoleName=role, PolicyName="least-privilege")["PolicyDocument"]
        for statement in normalized(document):
            if statement["Effect"] == "Deny":
                continue
            for action in statement["Action"]:
                assert "*" not in action, f"{role}: {statement['Sid']} allows {action}"
                if "*" in statement["Resource"]:
                    assert UNSCOPABLE.match(action), f"{role}: {statement['Sid']} allows {action} on every resource"
    assert not UNSCOPABLE.match("dynamodb:GetItem") and not UNSCOPABLE.match("s3:GetObject")
