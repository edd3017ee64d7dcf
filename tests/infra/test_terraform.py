"""infra/terraform agrees with the code and the local stack, and is safe by construction.

Nothing can be applied from here (no AWS account, no Terraform binary), so: every file is parsed
(python-hcl2); the expressions that name and shape tables, buckets, topics, queues, functions and
state machines are evaluated against resources.json (tests/support/terraform.py) and compared with what the
local stack really creates under moto; the settings the app reads are checked against what Terraform
and the Chalice stage set; IAM, buckets and CloudTrail are checked statically; and
``chalice package`` plus ``infra/package.py`` run for real, followed by checkov on the result.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from chalicelib.kernel.settings import Settings
from chalicelib.platform.resources import RESOURCES_FILE, load_resources
from tests.support.terraform import (
    PROJECT_ROOT,
    TERRAFORM_DIR,
    Configuration,
    dynamic_blocks,
    evaluate,
    find_cycle,
    graph,
    hand_written,
    load_configuration,
    parse_hcl,
    references,
    to_python,
)

RESOURCES = load_resources()
TF_FILES = sorted(TERRAFORM_DIR.glob("*.tf"))
CONFIG = json.loads((PROJECT_ROOT / ".chalice" / "config.json").read_text(encoding="utf-8"))
DEPLOY_STAGE = "prod"
CHECKOV = PROJECT_ROOT / ".venv" / "checkov" / "bin" / "checkov"

# Where each collection of resources.json becomes Terraform resources (one for_each each).
COLLECTIONS = {
    "tables": [("aws_dynamodb_table", "table")],
    "topics": [("aws_sns_topic", "topic")],
    "queues": [("aws_sqs_queue", "queue")],
    "functions": [("aws_iam_role", "function"), ("aws_iam_role_policy", "function")],
    "state_machines": [
        ("aws_sfn_state_machine", "machine"),
        ("aws_iam_role", "state_machine"),
        ("aws_cloudwatch_log_group", "state_machine"),
    ],
}


def scope(key: str | None = None, prefix: str = "balcao-local", **extra: Any) -> dict[str, Any]:
    """What an expression sees: resources.json as Terraform decodes it, the names' prefix, each.key."""
    local = {"resources": RESOURCES, "resource_prefix": prefix, **extra.pop("local", {})}
    values = {"local": local, **extra}
    if key is not None:
        values["each"] = {"key": key, "value": key}
    return values


def tf() -> Configuration:
    return hand_written()


# -- Parsing --------------------------------------------------------------------------------------
@pytest.mark.parametrize("path", TF_FILES, ids=[p.name for p in TF_FILES])
def test_every_terraform_file_parses(path: Path) -> None:
    parsed = parse_hcl(path)
    assert parsed, f"{path.name} is empty"


def test_terraform_reads_the_resources_file_the_code_reads() -> None:
    expression = tf().locals["resources"]
    match = re.fullmatch(r'\$\{jsondecode\(file\("\$\{path\.module\}/(.+)"\)\)\}', expression)
    assert match, expression
    assert (TERRAFORM_DIR / match.group(1)).resolve() == RESOURCES_FILE.resolve()


def test_the_evaluator_refuses_what_it_cannot_read() -> None:
    """The evaluator is a test tool: an unknown form must raise, never evaluate to something."""
    with pytest.raises(ValueError):
        to_python("cidrsubnet(var.x, 4, 1)")
    assert evaluate("${try(local.resources.tables[each.key].range_key.name, null)}", scope("users")) is None
    assert evaluate("${local.resource_prefix}-${each.key}", scope("audit", prefix="p")) == "p-audit"


# -- One source of truth: names, keys, indexes --------------------------------------------------------
@pytest.mark.parametrize("collection", sorted(COLLECTIONS))
def test_every_collection_of_resources_json_is_created_with_for_each(collection: str) -> None:
    for kind, name in COLLECTIONS[collection]:
        body = tf().resource(kind, name)
        assert evaluate(body["for_each"], scope()) == sorted(RESOURCES[collection]), f"{kind}.{name}"


def test_every_bucket_of_resources_json_is_created() -> None:
    buckets = tf().resource("aws_s3_bucket", "bucket")
    # local.buckets merges the app's buckets (resources.json) with the deployment's own.
    assert "local.resources.buckets" in tf().locals["app_buckets"]
    assert buckets["for_each"] == "${local.buckets}"
    deployment = set(tf().locals["deployment_buckets"])
    assert not deployment & set(RESOURCES["buckets"]), "a deployment bucket shadows an app bucket"
    name = tf().locals["bucket_names"]
    assert name == '${{for key in keys(local.buckets) : key => "${local.resource_prefix}-${key}"}}'


@pytest.fixture(scope="module")
def local_stack() -> Iterator[dict[str, Any]]:
    """What the local stack really creates (local/provision.py under moto), read back through the
    AWS APIs once for the module: the same set-up as the aws_stack fixture, without running anything."""
    from moto import mock_aws

    from chalicelib.kernel.settings import get_settings
    from chalicelib.platform import aws
    from local import provision
    from tests.support.env import TEST_ENV

    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("AWS_ENDPOINT_URL", raising=False)
        patch.delenv("AWS_PROFILE", raising=False)
        for key, value in TEST_ENV.items():
            patch.setenv(key, value)
        get_settings.cache_clear()
        aws.reset_clients()
        with mock_aws(config={"lambda": {"use_docker": False}}):
            provision.provision(web_origin="http://127.0.0.1:8000")
            yield read_local_stack()
        get_settings.cache_clear()
        aws.reset_clients()


def read_local_stack() -> dict[str, Any]:
    from chalicelib.platform import aws

    dynamodb = aws.client("dynamodb")
    tables = {}
    for name in dynamodb.list_tables()["TableNames"]:
        description = dynamodb.describe_table(TableName=name)["Table"]
        ttl = dynamodb.describe_time_to_live(TableName=name)["TimeToLiveDescription"]
        tables[name] = {
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
    stepfunctions = aws.client("stepfunctions")
    machines = {
        m["name"]: stepfunctions.describe_state_machine(stateMachineArn=m["stateMachineArn"])["definition"]
        for m in stepfunctions.list_state_machines()["stateMachines"]
    }
    notifications = {}
    for bucket in aws.client("s3").list_buckets()["Buckets"]:
        config = aws.client("s3").get_bucket_notification_configuration(Bucket=bucket["Name"])
        notifications[bucket["Name"]] = [
            (
                c["LambdaFunctionArn"],
                [r["Value"] for r in c["Filter"]["Key"]["FilterRules"] if r["Name"].lower() == "prefix"],
            )
            for c in config.get("LambdaFunctionConfigurations", [])
        ]
    return {
        "tables": tables,
        "buckets": set(notifications),
        "notifications": notifications,
        "topics": {arn.rsplit(":", 1)[1] for arn in (t["TopicArn"] for t in aws.client("sns").list_topics()["Topics"])},
        "queues": {url.rsplit("/", 1)[1] for url in aws.client("sqs").list_queues().get("QueueUrls", [])},
        "functions": {f["FunctionName"] for f in aws.client("lambda").list_functions()["Functions"]},
        "state_machines": machines,
    }


def terraform_tables(prefix: str) -> dict[str, dict[str, Any]]:
    """The DynamoDB tables Terraform would create, evaluated from dynamodb.tf and resources.json."""
    body = tf().resource("aws_dynamodb_table", "table")
    blocks = dynamic_blocks(body)
    tables = {}
    for key in evaluate(body["for_each"], scope()):
        each = scope(key, prefix)
        keys = {"HASH": evaluate(body["hash_key"], each)}
        if evaluate(body["range_key"], each) is not None:
            keys["RANGE"] = evaluate(body["range_key"], each)
        indexes = {}
        (gsi,) = blocks["global_secondary_index"]
        for index_name, index in evaluate(gsi["for_each"], each).items():
            inner = {**each, "global_secondary_index": {"key": index_name, "value": index}}
            content = gsi["content"][0]
            index_keys = {"HASH": evaluate(content["hash_key"], inner)}
            if evaluate(content["range_key"], inner) is not None:
                index_keys["RANGE"] = evaluate(content["range_key"], inner)
            indexes[evaluate(content["name"], inner)] = {"keys": index_keys, "projection": content["projection_type"]}
        (ttl,) = blocks["ttl"]
        ttl_values = evaluate(ttl["for_each"], each)
        assert len(ttl_values) <= 1
        ttl_attribute = (
            evaluate(ttl["content"][0]["attribute_name"], {**each, "ttl": {"value": ttl_values[0]}})
            if ttl_values
            else None
        )
        tables[evaluate(body["name"], each)] = {"keys": keys, "indexes": indexes, "ttl": ttl_attribute}
    return tables


def test_tables_keys_indexes_and_ttl_are_the_local_stacks(local_stack: dict[str, Any]) -> None:
    prefix = Settings().resource_prefix
    created = {
        name: {k: v for k, v in table.items() if k != "attributes"} for name, table in local_stack["tables"].items()
    }
    assert terraform_tables(prefix) == created


def test_table_attributes_are_every_key_of_the_table_and_its_indexes(local_stack: dict[str, Any]) -> None:
    """local.table_attributes is a for-expression the evaluator does not read: check what it draws on,
    and that the local stack (which AWS would check the same way) declares exactly the key attributes."""
    expression = tf().locals["table_attributes"]
    for part in (
        "local.resources.tables",
        "table.hash_key",
        "table.range_key",
        "table.indexes",
        "index.hash_key",
        "index.range_key",
    ):
        assert part in expression
    for table in local_stack["tables"].values():
        used = set(table["keys"].values()) | {
            name for index in table["indexes"].values() for name in index["keys"].values()
        }
        assert set(table["attributes"]) == used


def test_every_table_has_recovery_encryption_and_deletion_protection() -> None:
    body = tf().resource("aws_dynamodb_table", "table")
    assert body["point_in_time_recovery"] == [{"enabled": True}]
    assert body["server_side_encryption"][0]["enabled"] is True
    assert body["server_side_encryption"][0]["kms_key_arn"] == "${aws_kms_key.data.arn}"
    assert body["deletion_protection_enabled"] is True


@pytest.mark.parametrize(
    "collection,kind,name",
    [
        ("topics", "aws_sns_topic", "topic"),
        ("queues", "aws_sqs_queue", "queue"),
        ("state_machines", "aws_sfn_state_machine", "machine"),
    ],
)
def test_names_are_the_local_stacks(collection: str, kind: str, name: str, local_stack: dict[str, Any]) -> None:
    prefix = Settings().resource_prefix
    body = tf().resource(kind, name)
    names = {evaluate(body["name"], scope(key, prefix)) for key in evaluate(body["for_each"], scope())}
    assert names == set(local_stack[collection])


def test_bucket_names_are_the_local_stacks(local_stack: dict[str, Any]) -> None:
    prefix = Settings().resource_prefix
    names = {f"{prefix}-{key}" for key in RESOURCES["buckets"]}  # local.bucket_names, checked above
    assert names == local_stack["buckets"]


def test_state_machines_are_rendered_with_the_same_definitions(local_stack: dict[str, Any]) -> None:
    """templatefile() with the function ARNs gives, byte for byte, what the local stack runs."""
    settings = Settings()
    body = tf().resource("aws_sfn_state_machine", "machine")
    call = re.fullmatch(
        r'\$\{templatefile\("\$\{path\.module\}/\.\./\.\./\$\{(.+?)\}", (\{.+\})\)\}', body["definition"], re.S
    )
    assert call, body["definition"]
    path_expression, variables_expression = call.groups()
    arns = {key: settings.function_arn(key) for key in RESOURCES["functions"]}
    for key in evaluate(body["for_each"], scope()):
        each = scope(key, local={"chalice_function_arns": arns})
        template = (PROJECT_ROOT / evaluate("${" + path_expression + "}", each)).read_text(encoding="utf-8")
        variables = evaluate("${" + variables_expression + "}", each)
        assert "%{" not in template, "templatefile() would read %{ as a directive"
        rendered = re.sub(r"\$\{(\w+)\}", lambda m, values=variables: values[m.group(1)], template)
        assert json.loads(rendered) == json.loads(local_stack["state_machines"][settings.resource_name(key)])


def test_the_upload_notification_is_the_local_stacks(local_stack: dict[str, Any]) -> None:
    settings = Settings()
    notification = tf().resource("aws_s3_bucket_notification", "bucket")
    assert notification["for_each"] == "${local.notifying_buckets}"
    assert "notify_function" in tf().locals["notifying_buckets"]
    target = notification["lambda_function"][0]
    arns = {key: settings.function_arn(key) for key in RESOURCES["functions"]}
    for key, spec in RESOURCES["buckets"].items():
        if not spec.get("notify_function"):
            assert local_stack["notifications"][settings.resource_name(key)] == []
            continue
        each = {**scope(local={"chalice_function_arns": arns}), "each": {"key": key, "value": spec}}
        expected = [(evaluate(target["lambda_function_arn"], each), [evaluate(target["filter_prefix"], each)])]
        assert target["events"] == ["s3:ObjectCreated:*"]
        assert local_stack["notifications"][settings.resource_name(key)] == expected
    permission = tf().resource("aws_lambda_permission", "bucket_notification")
    assert permission["for_each"] == notification["for_each"] and permission["principal"] == "s3.amazonaws.com"


def test_the_code_names_only_resources_of_resources_json() -> None:
    """aws.table("x"), aws.bucket_name("x") and friends: x must be in resources.json, or Terraform
    (which creates only what resources.json lists) and the code disagree."""
    calls = {
        "tables": r"""(?:aws\.table|\.table)\(\s*["']([\w-]+)["']""",
        "buckets": r"""bucket_name\(\s*["']([\w-]+)["']""",
        "state_machines": r"""state_machine_arn\(\s*["']([\w-]+)["']""",
        "functions": r"""function_(?:arn|name)\(\s*["']([\w-]+)["']""",
    }
    sources = [PROJECT_ROOT / "app.py", *(PROJECT_ROOT / "chalicelib").rglob("*.py")]
    found: dict[str, set[str]] = {collection: set() for collection in calls}
    for path in sources:
        text = path.read_text(encoding="utf-8")
        for collection, pattern in calls.items():
            for key in re.findall(pattern, text):
                found[collection].add(key)
                assert key in RESOURCES[collection], (
                    f"{path.relative_to(PROJECT_ROOT)} uses {collection} {key!r}, not in resources.json"
                )
    assert found["tables"] and found["buckets"], "the scan found nothing: the patterns no longer match the code"


# -- Settings: every one the app reads is set in the deployment ----------------------------------------
def deployed_settings_sources() -> tuple[set[str], set[str]]:
    terraform = set(tf().locals["lambda_environment"])
    chalice = set(CONFIG.get("environment_variables", {})) | set(
        CONFIG["stages"][DEPLOY_STAGE].get("environment_variables", {})
    )
    return terraform, chalice


def test_every_setting_is_set_for_the_deployed_functions() -> None:
    settings = {f"BALCAO_{name.upper()}" for name in Settings.model_fields}
    terraform, chalice = deployed_settings_sources()
    missing = settings - terraform - chalice
    assert not missing, (
        f"not set for the deployed functions (infra/terraform/lambda.tf local.lambda_environment): {sorted(missing)}"
    )
    unknown = {name for name in terraform | chalice if name.startswith("BALCAO_")} - settings
    assert not unknown, (
        f"set for the deployed functions but not a setting (chalicelib/kernel/settings.py): {sorted(unknown)}"
    )
    both = terraform & chalice
    assert not both, f"set both by Terraform and by the Chalice stage: {sorted(both)}"


def test_the_deployment_points_the_code_at_terraforms_names() -> None:
    environment = tf().locals["lambda_environment"]
    assert environment["BALCAO_RESOURCE_PREFIX"] == "${local.resource_prefix}"
    assert environment["BALCAO_APP_NAME"] == "${local.chalice_app_name}"
    assert environment["BALCAO_REGION"] == "${local.region}"
    assert environment["BALCAO_ACCOUNT_ID"] == "${local.account_id}"
    assert CONFIG["stages"][DEPLOY_STAGE]["environment_variables"]["BALCAO_STAGE"] == DEPLOY_STAGE
    # The literal values must be valid settings: build Settings from them.
    literal = {k: v for k, v in environment.items() if "${" not in v}
    Settings(**{k.removeprefix("BALCAO_").lower(): v for k, v in literal.items()})


def test_terraforms_default_settings_are_valid(monkeypatch: pytest.MonkeyPatch) -> None:
    """With every optional variable left at its default, the functions still start: the settings
    Terraform passes from variables parse (an empty municipal holiday means none)."""
    variables = tf().variables
    for name, expression in tf().locals["lambda_environment"].items():
        match = re.fullmatch(r"\$\{var\.(\w+)\}", expression)
        if match and "default" in variables[match.group(1)]:
            monkeypatch.setenv(name, str(variables[match.group(1)]["default"]))
    settings = Settings()
    assert settings.municipal_holiday is None and settings.holidays_subdivision is None


def test_the_app_reads_its_environment_only_through_settings() -> None:
    """Else a variable could escape the check above."""
    for path in [PROJECT_ROOT / "app.py", *(PROJECT_ROOT / "chalicelib").rglob("*.py")]:
        if path.name == "settings.py":
            continue
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"os\.environ|os\.getenv|getenv\(", text), (
            f"{path.relative_to(PROJECT_ROOT)} reads the environment"
        )


# -- Least privilege -----------------------------------------------------------------------------------
# Actions that IAM cannot scope to a resource, and the only ones allowed on "*".
UNSCOPABLE = re.compile(
    r"^(xray:(PutTraceSegments|PutTelemetryRecords|GetSamplingRules|GetSamplingTargets)"
    r"|logs:(CreateLogDelivery|GetLogDelivery|UpdateLogDelivery|DeleteLogDelivery|ListLogDeliveries|PutResourcePolicy|DescribeResourcePolicies|DescribeLogGroups)"
    r"|states:(SendTaskSuccess|SendTaskFailure|SendTaskHeartbeat)"
    r"|sns:Publish"  # SMS to a phone number (a Deny keeps it off topics)
    r"|cloudtrail:(DescribeTrails|ListPublicKeys|LookupEvents))$"
)
# Key policies: "*" there means the key itself, and the account administers its key.
KEY_POLICIES = {"data_key", "audit_key"}


def iam_statements() -> list[tuple[str, dict[str, Any]]]:
    statements = []
    for name, document in tf().data["aws_iam_policy_document"].items():
        for statement in document.get("statement", []):
            statements.append((name, statement))
        for block in dynamic_blocks(document).get("statement", []):
            statements.append((name, block["content"][0]))
    return statements


def statement_actions(statement: dict[str, Any]) -> list[str]:
    actions = statement["actions"]
    if isinstance(actions, str):  # local.table_actions[...] and friends
        match = re.fullmatch(r"\$\{local\.(\w+)\[statement\.value\]\}", actions)
        assert match, actions
        return sorted({a for level in tf().locals[match.group(1)].values() for a in level})
    return actions


def test_no_iam_policy_allows_a_wildcard_action() -> None:
    for name, statement in iam_statements():
        if statement.get("effect") == "Deny" or name in KEY_POLICIES:
            continue
        for action in statement_actions(statement):
            assert "*" not in action, f"{name}: {statement.get('sid')} allows {action}"


def test_only_unscopable_actions_are_allowed_on_every_resource() -> None:
    for name, statement in iam_statements():
        if statement.get("effect") == "Deny" or name in KEY_POLICIES:
            continue
        resources = statement.get("resources", [])
        if isinstance(resources, list) and "*" in resources:
            for action in statement_actions(statement):
                assert UNSCOPABLE.match(action), f"{name}: {statement.get('sid')} allows {action} on every resource"


def test_the_checks_above_can_fail() -> None:
    assert not UNSCOPABLE.match("dynamodb:GetItem") and not UNSCOPABLE.match("s3:GetObject")
    assert statement_actions({"actions": ["s3:*"]}) == ["s3:*"]


def test_every_function_has_its_own_role_and_asks_only_for_what_terraform_knows() -> None:
    levels = {
        "tables": set(tf().locals["table_actions"]),
        "buckets": set(tf().locals["bucket_object_actions"]),
        "state_machines": set(tf().locals["state_machine_actions"]),
        "topics": set(tf().locals["topic_actions"]),
        "queues": set(tf().locals["queue_actions"]),
    }
    capabilities = set(tf().locals["capabilities"])
    policy = tf().data["aws_iam_policy_document"]["function"]
    granted_by = {block["for_each"] for block in dynamic_blocks(policy)["statement"]}
    for function, spec in RESOURCES["functions"].items():
        assert "access" in spec, (
            f"resources.json: function {function!r} says nothing of its access (tables, buckets, ...)"
        )
        for collection, wanted in spec["access"].items():
            if collection == "capabilities":
                assert set(wanted) <= capabilities, f"{function}: unknown capability in {wanted}"
                for capability in wanted:
                    assert any(f'"{capability}"' in expression for expression in granted_by), capability
                continue
            assert collection in levels, f"{function}: unknown access kind {collection!r}"
            for key, level in wanted.items():
                assert key in RESOURCES[collection], f"{function}: {collection} {key!r} is not in resources.json"
                assert level in levels[collection], f"{function}: {collection} {key!r}: level {level!r} unknown"
            assert f"${{try(local.resources.functions[each.key].access.{collection}, {{}})}}" in granted_by


def test_the_auditor_only_reads_the_logs_and_the_audit_trail() -> None:
    """Evidence stays as it was: whatever the auditor role may do to the trail's bucket, the trail
    and the app's audit table is a read."""
    audit = tf().locals["audit_table"]
    assert audit in RESOURCES["tables"]
    auditor = tf().data["aws_iam_policy_document"]["auditor"]["statement"]
    for statement in auditor:
        if any(
            part in r
            for r in statement["resources"]
            for part in ("local.audit_table", "audit_logs", "aws_cloudtrail.audit")
        ):
            for action in statement["actions"]:
                verb = action.split(":")[1]
                assert re.match(r"(Get|List|Describe|Query|Decrypt)", verb), f"auditor may {action}"


# -- Buckets -------------------------------------------------------------------------------------------
def test_every_bucket_blocks_public_access_is_encrypted_versioned_and_tls_only() -> None:
    groups = {
        "bucket": ("${local.buckets}", "bucket"),
        "audit_logs": (None, "audit_logs_bucket"),
    }
    for name, (for_each, policy_name) in groups.items():
        assert tf().resource("aws_s3_bucket", name).get("for_each") == for_each
        public = tf().resource("aws_s3_bucket_public_access_block", name)
        assert public.get("for_each") == for_each
        assert all(
            public[flag] is True
            for flag in ("block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets")
        )
        assert (
            tf().resource("aws_s3_bucket_ownership_controls", name)["rule"][0]["object_ownership"]
            == "BucketOwnerEnforced"
        )
        versioning = tf().resource("aws_s3_bucket_versioning", name)
        assert (
            versioning.get("for_each") == for_each and versioning["versioning_configuration"][0]["status"] == "Enabled"
        )
        encryption = tf().resource("aws_s3_bucket_server_side_encryption_configuration", name)
        assert encryption.get("for_each") == for_each
        algorithm = encryption["rule"][0]["apply_server_side_encryption_by_default"][0]["sse_algorithm"]
        assert algorithm in ("aws:kms", '${each.key == "access-logs" ? "AES256" : "aws:kms"}'), algorithm
        assert tf().resource("aws_s3_bucket_policy", name).get("for_each") == for_each
        (tls,) = [
            s
            for s in tf().data["aws_iam_policy_document"][policy_name]["statement"]
            if s.get("sid") == "DenyRequestsWithoutTLS"
        ]
        assert tls["effect"] == "Deny" and tls["condition"][0]["variable"] == "aws:SecureTransport"
        assert (
            tls["condition"][0]["values"] == ["false"]
            and len(tls["resources"]) == 2
            and tls["resources"][1].endswith("/*")
        )
    # Only the access-log bucket is not SSE-KMS (S3 cannot deliver server access logs to one).
    assert evaluate('${each.key == "access-logs" ? "AES256" : "aws:kms"}', {"each": {"key": "uploads"}}) == "aws:kms"


def test_quarantine_uploads_expire() -> None:
    lifecycle = tf().resource("aws_s3_bucket_lifecycle_configuration", "bucket")
    rules = [block for block in dynamic_blocks(lifecycle)["rule"] if "quarantine_prefix" in block["for_each"]]
    assert len(rules) == 1
    (rule,) = rules
    spec = RESOURCES["buckets"]["uploads"]
    assert evaluate(rule["for_each"], scope("uploads")) == [spec["quarantine_prefix"]]
    assert evaluate(rule["for_each"], scope("documents")) == []
    assert rule["content"][0]["expiration"][0]["days"] == "${var.quarantine_expiry_days}"


# -- CloudTrail and the auditors -------------------------------------------------------------------------
def test_cloudtrail_is_multi_region_validated_encrypted_and_locked() -> None:
    trail = tf().resource("aws_cloudtrail", "audit")
    assert trail["is_multi_region_trail"] is True
    assert trail["include_global_service_events"] is True
    assert trail["enable_log_file_validation"] is True
    assert trail["kms_key_id"] == "${aws_kms_key.audit.arn}"
    assert trail["s3_bucket_name"] == "${aws_s3_bucket.audit_logs.id}"
    assert tf().resource("aws_s3_bucket", "audit_logs")["object_lock_enabled"] is True
    lock = tf().resource("aws_s3_bucket_object_lock_configuration", "audit_logs")["rule"][0]["default_retention"][0]
    assert lock == {"mode": "COMPLIANCE", "days": "${var.audit_log_retention_days}"}
    assert tf().locals["trail_arn"].endswith(":trail/${local.trail_name}")
    assert trail["name"] == "${local.trail_name}"


def test_cloudtrail_records_data_events_of_every_app_bucket_and_table() -> None:
    selectors = {
        s["name"]: s["field_selector"] for s in tf().resource("aws_cloudtrail", "audit")["advanced_event_selector"]
    }
    kinds = {}
    for fields in selectors.values():
        by_field = {f["field"]: f for f in fields}
        if by_field["eventCategory"]["equals"] == ["Data"]:
            kinds[by_field["resources.type"]["equals"][0]] = by_field["resources.ARN"]
        else:
            assert by_field["eventCategory"]["equals"] == ["Management"]
    assert (
        kinds["AWS::S3::Object"]["starts_with"]
        == '${[for key in keys(local.resources.buckets) : "${aws_s3_bucket.bucket[key].arn}/"]}'
    )
    assert (
        kinds["AWS::DynamoDB::Table"]["equals"]
        == "${[for key in keys(local.resources.tables) : aws_dynamodb_table.table[key].arn]}"
    )


def test_the_athena_table_definition_in_the_readme_is_terraforms() -> None:
    template = (TERRAFORM_DIR / "athena" / "cloudtrail_logs.sql.tftpl").read_text(encoding="utf-8")
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    shown = template.replace("$${", "${")
    assert shown.strip() in readme, (
        "README's CREATE EXTERNAL TABLE differs from infra/terraform/athena/cloudtrail_logs.sql.tftpl"
    )
    for variable in ("municipality", "municipality_code", "region", "domain", "audit_log_retention_days"):
        assert variable in tf().variables


# -- chalice package + infra/package.py, for real; then checkov ---------------------------------------------
@pytest.fixture(scope="module")
def packaged(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the project's Terraform with chalice.tf.json generated and post-processed, laid out
    like the repository so that the relative paths (resources.json, statemachines/, web/) resolve."""
    root = tmp_path_factory.mktemp("deploy")
    terraform = root / "infra" / "terraform"
    shutil.copytree(
        TERRAFORM_DIR, terraform, ignore=shutil.ignore_patterns("chalice.tf.json", "deployment.zip", ".terraform*")
    )
    for name in ("chalicelib", "statemachines", "web"):
        (root / name).symlink_to(PROJECT_ROOT / name)
    env = {**os.environ, "AWS_DEFAULT_REGION": "eu-west-1"}
    env.pop("AWS_ENDPOINT_URL", None)
    result = subprocess.run(
        [sys.executable, "-m", "infra.package", "--stage", DEPLOY_STAGE, "--out", str(terraform)],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return terraform


def test_package_fixes_what_chalice_writes_dated(packaged: Path) -> None:
    generated = json.loads((packaged / "chalice.tf.json").read_text(encoding="utf-8"))
    text = json.dumps(generated)
    assert "terraform" not in generated, "chalice's provider pins (< 1.4, aws < 5) must be gone"
    assert "null_data_source" not in text and "default-role" not in text
    deployment = generated["resource"]["aws_api_gateway_deployment"]["rest_api"]
    assert "stage_name" not in deployment and "stage_description" not in deployment
    assert deployment["triggers"] == {"redeployment": "${md5(local.chalice_api_swagger)}"}
    stage = generated["resource"]["aws_api_gateway_stage"]["rest_api"]
    assert stage["stage_name"] == CONFIG["stages"][DEPLOY_STAGE]["api_gateway_stage"]
    assert stage["xray_tracing_enabled"] is True
    assert generated["output"]["EndpointURL"]["value"] == "${aws_api_gateway_stage.rest_api.invoke_url}"
    for rule in generated["resource"].get("aws_cloudwatch_event_rule", {}).values():
        assert rule["name"].startswith(f"{CONFIG['app_name']}-{DEPLOY_STAGE}-")
    # The versions that remain are versions.tf's alone.
    (terraform_block,) = load_configuration(packaged).other["terraform"]
    assert terraform_block["required_providers"][0]["aws"]["version"].startswith("~> 6")


def test_the_lambda_package_carries_the_pdf_fonts_and_their_licence(packaged: Path) -> None:
    import zipfile

    with zipfile.ZipFile(packaged / "deployment.zip") as package:
        names = set(package.namelist())
    fonts = {f"chalicelib/data/fonts/{name}" for name in ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "LICENSE")}
    assert fonts <= names, sorted(fonts - names)


def test_packaged_functions_are_the_codes(packaged: Path) -> None:
    generated = json.loads((packaged / "chalice.tf.json").read_text(encoding="utf-8"))
    locals_ = generated["locals"]
    lambdas = generated["resource"]["aws_lambda_function"]
    settings = Settings(app_name=locals_["chalice_app_name"], stage=locals_["chalice_stage"])
    assert locals_["chalice_stage"] == DEPLOY_STAGE and locals_["chalice_app_name"] == CONFIG["app_name"]
    assert set(locals_["chalice_function_names"]) == set(RESOURCES["functions"])
    for key, spec in RESOURCES["functions"].items():
        name = locals_["chalice_function_names"][key]
        (function,) = [f for f in lambdas.values() if f["function_name"] == name]
        assert function["handler"] == spec["handler"]
        if spec["kind"] != "api":
            assert name == settings.function_name(key), "Settings.function_arn() would point at another function"
        assert function["role"] == f'${{aws_iam_role.function["{key}"].arn}}'
        assert function["tracing_config"] == {"mode": "Active"}
        assert (
            function["environment"]["variables"]
            == f'${{merge(local.chalice_environment["{key}"], local.lambda_environment)}}'
        )
        expected = {
            **CONFIG.get("environment_variables", {}),
            **CONFIG["stages"][DEPLOY_STAGE]["environment_variables"],
        }
        assert locals_["chalice_environment"][key] == expected


def test_every_reference_resolves_and_the_graph_has_no_cycle(packaged: Path) -> None:
    """What `terraform validate` would catch first: a name that does not exist, a dependency cycle."""
    configuration = load_configuration(packaged)
    edges = graph(configuration)
    defined = set(edges) | {f"var.{name}" for name in configuration.variables}
    for kind, named in [*configuration.resources.items(), *(("data." + k, v) for k, v in configuration.data.items())]:
        for name, body in named.items():
            found = references(body)
            for target in found["resource"] | found["data"] | found["local"] | found["var"]:
                assert target in defined, f"{kind}.{name} refers to {target}, which is not defined"
    for name, value in configuration.locals.items():
        for target in set().union(*references(value).values()):
            assert target in defined, f"local.{name} refers to {target}, which is not defined"
    assert find_cycle(edges) is None, f"dependency cycle: {' -> '.join(find_cycle(edges) or [])}"


def test_the_cycle_check_can_fail() -> None:
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert references('${aws_s3_bucket.bucket["web"].arn} ${data.aws_region.current.region} ${local.x}')[
        "resource"
    ] == {"aws_s3_bucket.bucket"}


def test_package_refuses_functions_resources_json_does_not_list() -> None:
    from infra.package import PackageError, postprocess

    config = {
        "resource": {"aws_lambda_function": {"api_handler": {"function_name": "x"}, "stray": {"function_name": "y"}}}
    }
    with pytest.raises(PackageError, match="stray"):
        postprocess(config, RESOURCES, DEPLOY_STAGE)


def run_checkov(*directories: Path) -> list[dict[str, Any]]:
    assert CHECKOV.exists(), "checkov is missing: `./dev test` installs it in .venv/checkov"
    command = [str(CHECKOV), "--config-file", str(PROJECT_ROOT / "infra" / "checkov.yaml"), "-o", "json"]
    for directory in directories:
        command += ["-d", str(directory)]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BC_", "PRISMA_"))}
    result = subprocess.run(command, capture_output=True, text=True, timeout=600, env=env)
    # One JSON document per directory, one after the other; each a report or a list of reports.
    reports, decoder, text, position = [], json.JSONDecoder(), result.stdout.strip(), 0
    while position < len(text):
        document, position = decoder.raw_decode(text, position)
        reports += document if isinstance(document, list) else [document]
        while position < len(text) and text[position].isspace():
            position += 1
    assert reports, result.stderr[-2000:]
    return reports


def test_checkov_finds_nothing_to_fix_and_can_fail(packaged: Path, tmp_path: Path) -> None:
    canary = tmp_path / "canary"
    canary.mkdir()
    (canary / "main.tf").write_text('resource "aws_s3_bucket" "canary" {\n  bucket = "canary"\n}\n')
    reports = run_checkov(packaged, canary)
    failed = [check for report in reports for check in report["results"]["failed_checks"]]
    ours = [f"{c['check_id']} {c['resource']} ({c['file_path']})" for c in failed if "canary" not in c["file_abs_path"]]
    assert not ours, "checkov: fix, or skip beside the resource with its reason:\n" + "\n".join(ours)
    assert any("canary" in c["file_abs_path"] for c in failed), (
        "checkov did not flag an unencrypted, unversioned bucket"
    )
    by_type = {report["check_type"]: report["summary"] for report in reports}
    assert by_type["terraform"]["passed"] > 100 and by_type["terraform"]["parsing_errors"] == 0
    assert by_type["terraform_json"]["passed"] > 10, "checkov did not read chalice.tf.json"


def test_every_checkov_skip_says_why() -> None:
    for path in TF_FILES:
        for line in path.read_text(encoding="utf-8").splitlines():
            if "checkov:skip" in line:
                match = re.match(r"\s*#checkov:skip=(CKV2?_AWS_\d+):(.{20,})$", line)
                assert match, f"{path.name}: a skip without its reason: {line.strip()}"
    lines = (PROJECT_ROOT / "infra" / "checkov.yaml").read_text(encoding="utf-8").splitlines()
    start = lines.index("skip-check:")
    for i, line in enumerate(lines[start + 1 :], start + 1):
        if line.strip().startswith("- "):
            assert lines[i - 1].strip().startswith("#"), f"checkov.yaml: {line.strip()} has no reason above it"
