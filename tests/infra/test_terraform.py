"""How infra/terraform is written, where the real plan cannot tell: every file parses (python-hcl2),
it reads the resources.json the code reads, the code names only resources it lists, every function's
access is something iam.tf grants, the auditor only reads, buckets and CloudTrail are hardened
block by block; ``chalice package`` plus ``infra/package.py`` run for real, then checkov.

What Terraform would create (names, keys, settings, rendered policies and state machines) is read
from the real ``terraform plan`` and ``apply`` in tests/infra/test_plan.py.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest

from chalicelib.kernel.settings import Settings
from chalicelib.platform.resources import RESOURCES_FILE, load_resources
from tests.support.real_terraform import package_copy
from tests.support.terraform import (
    PROJECT_ROOT,
    TERRAFORM_DIR,
    Configuration,
    dynamic_blocks,
    hand_written,
    load_configuration,
    parse_hcl,
)

RESOURCES = load_resources()
TF_FILES = sorted(TERRAFORM_DIR.glob("*.tf"))
CONFIG = json.loads((PROJECT_ROOT / ".chalice" / "config.json").read_text(encoding="utf-8"))
DEPLOY_STAGE = "prod"
CHECKOV = PROJECT_ROOT / ".venv" / "checkov" / "bin" / "checkov"


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


def test_the_app_reads_its_environment_only_through_settings() -> None:
    """Else a variable could escape the check above."""
    for path in [PROJECT_ROOT / "app.py", *(PROJECT_ROOT / "chalicelib").rglob("*.py")]:
        if path.name == "settings.py":
            continue
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"os\.environ|os\.getenv|getenv\(", text), (
            f"{path.relative_to(PROJECT_ROOT)} reads the environment"
        )


# -- Least privilege (the rendered policies themselves: tests/infra/test_plan.py) ---------------------------
def test_every_function_has_its_own_role_and_asks_only_for_what_terraform_knows() -> None:
    levels = {collection: set(by_level) for collection, by_level in RESOURCES["iam"]["levels"].items()}
    capabilities = set(RESOURCES["iam"]["capabilities"])
    for name in ("table", "bucket_object", "state_machine", "topic", "queue"):
        assert tf().locals[f"{name}_actions"].startswith("${local.resources.iam.levels."), name
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
    return package_copy(tmp_path_factory.mktemp("deploy"), stage=DEPLOY_STAGE)


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
    assert terraform_block["required_providers"][0]["aws"]["version"] == ">= 5.100, < 7"


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
