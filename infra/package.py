"""Generates the Chalice part of the Terraform configuration and brings it up to date, by code.

``chalice package --pkg-format terraform`` writes ``chalice.tf.json`` (the Lambda functions and the
REST API) and ``deployment.zip``. Its output is dated and too coarse for a production account, so this
module rewrites it before it joins the hand-written ``*.tf`` files in ``infra/terraform/``:

- its ``terraform`` block pins Terraform ``< 1.4`` and the AWS provider ``< 5``: dropped, ``versions.tf``
  pins both;
- ``stage_name`` on ``aws_api_gateway_deployment`` is gone from provider v6: the stage becomes an
  ``aws_api_gateway_stage`` (with X-Ray and access logs) and the deployment is redeployed on a change of
  the API by ``triggers``;
- the ``null_data_source`` (null provider, deprecated) becomes plain locals;
- one IAM role shared by every function becomes one role per function (``iam.tf``), keyed by the
  function's name in ``chalicelib/resources.json``;
- each function's environment is the Chalice stage's plus ``local.lambda_environment`` (``lambda.tf``),
  encrypted with the data key;
- schedule rules get the functions' ``<app>-<stage>-`` prefix;
- ``local.chalice_function_names`` / ``local.chalice_function_arns`` map every function of
  resources.json to what Chalice made, so the rest of the configuration can use ``for_each``.

Usage (from the project root): ``python -m infra.package [--stage prod] [--out infra/terraform]``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parent.parent
TERRAFORM_DIR = PROJECT_ROOT / "infra" / "terraform"
GENERATED = ("chalice.tf.json", "deployment.zip")

# Chalice's Terraform name for the REST API's handler; the other functions keep their own names.
API_HANDLER = "api_handler"


class PackageError(Exception):
    """The generated configuration does not match resources.json (or Chalice changed its output)."""


def chalice_package(stage: str, out: Path) -> None:
    """Runs ``chalice package`` offline: it needs a region but no credentials."""
    env = dict(os.environ)
    env.setdefault("AWS_DEFAULT_REGION", "eu-west-1")
    chalice = Path(sys.executable).with_name("chalice")
    command = [
        str(chalice) if chalice.exists() else "chalice",
        "package",
        "--stage",
        stage,
        "--pkg-format",
        "terraform",
        str(out),
    ]
    result = subprocess.run(command, cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=600)
    if result.returncode != 0:
        raise PackageError(f"chalice package failed:\n{result.stdout}\n{result.stderr}")


def _function_keys(resources: dict[str, Any], lambdas: dict[str, Any]) -> dict[str, str]:
    """resources.json key → Chalice's resource name, checking both sides list the same functions."""
    mapping = {}
    for key, spec in resources["functions"].items():
        mapping[key] = API_HANDLER if spec["kind"] == "api" else key
    missing = sorted(set(mapping.values()) - set(lambdas))
    extra = sorted(set(lambdas) - set(mapping.values()))
    if missing or extra:
        raise PackageError(
            f"resources.json and the Chalice app disagree on the functions: missing {missing}, not listed {extra}"
        )
    return mapping


def postprocess(config: dict[str, Any], resources: dict[str, Any], stage: str) -> dict[str, Any]:
    """Rewrites the parsed ``chalice.tf.json`` in place (see the module docstring) and returns it."""
    config.pop("terraform", None)
    resource = config["resource"]
    data = config.setdefault("data", {})
    inputs = data.pop("null_data_source", {}).get("chalice", {}).get("inputs", {})
    if not data:
        config.pop("data")
    locals_ = config.setdefault("locals", {})
    locals_["chalice_app_name"] = inputs.get("app", "balcao")
    locals_["chalice_stage"] = inputs.get("stage", stage)

    # One role per function instead of Chalice's shared one.
    for kind in ("aws_iam_role", "aws_iam_role_policy"):
        resource.get(kind, {}).pop("default-role", None)
        if kind in resource and not resource[kind]:
            del resource[kind]
    lambdas = resource["aws_lambda_function"]
    mapping = _function_keys(resources, lambdas)
    environments: dict[str, dict[str, str]] = {}
    for key, name in mapping.items():
        function = lambdas[name]
        function["role"] = f'${{aws_iam_role.function["{key}"].arn}}'
        environments[key] = function.get("environment", {}).get("variables", {})
        function["environment"] = {
            "variables": f'${{merge(local.chalice_environment["{key}"], local.lambda_environment)}}'
        }
        function["kms_key_arn"] = "${aws_kms_key.data.arn}"
        function["depends_on"] = ["aws_cloudwatch_log_group.function"]
    locals_["chalice_environment"] = environments
    locals_["chalice_function_names"] = {key: lambdas[name]["function_name"] for key, name in mapping.items()}
    locals_["chalice_function_arns"] = {key: f"${{aws_lambda_function.{name}.arn}}" for key, name in mapping.items()}

    # Schedules: Chalice names their rules after the function alone; named like the functions here.
    for rule in resource.get("aws_cloudwatch_event_rule", {}).values():
        rule["name"] = f"{locals_['chalice_app_name']}-{locals_['chalice_stage']}-{rule['name']}"

    # The REST API: replaced before the old one goes, and the stage as its own resource (provider v6
    # has no stage_name on deployments).
    for api in resource.get("aws_api_gateway_rest_api", {}).values():
        api.setdefault("lifecycle", {})["create_before_destroy"] = True
    deployments = resource.get("aws_api_gateway_deployment", {})
    if "rest_api" in deployments:
        deployment = deployments["rest_api"]
        stage_name = deployment.pop("stage_name")
        deployment.pop("stage_description", None)
        deployment["triggers"] = {"redeployment": "${md5(local.chalice_api_swagger)}"}
        resource["aws_api_gateway_stage"] = {
            "rest_api": {
                "stage_name": stage_name,
                "rest_api_id": "${aws_api_gateway_rest_api.rest_api.id}",
                "deployment_id": "${aws_api_gateway_deployment.rest_api.id}",
                "xray_tracing_enabled": True,
                "access_log_settings": {
                    "destination_arn": "${aws_cloudwatch_log_group.api_access.arn}",
                    "format": "${local.api_access_log_format}",
                },
                "depends_on": ["aws_api_gateway_account.this"],
            }
        }
        locals_["chalice_api_stage"] = stage_name
        outputs = config.setdefault("output", {})
        outputs["EndpointURL"] = {"value": "${aws_api_gateway_stage.rest_api.invoke_url}"}
    return config


def package(stage: str, out: Path) -> Path:
    """Runs chalice package for ``stage`` and writes the post-processed output into ``out``."""
    from chalicelib.platform.resources import load_resources

    with tempfile.TemporaryDirectory(prefix="balcao-package-") as tmp:
        chalice_package(stage, Path(tmp))
        config = json.loads((Path(tmp) / "chalice.tf.json").read_text(encoding="utf-8"))
        postprocess(config, load_resources(), stage)
        out.mkdir(parents=True, exist_ok=True)
        (out / "chalice.tf.json").write_text(json.dumps(config, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        shutil.copyfile(Path(tmp) / "deployment.zip", out / "deployment.zip")
    return out / "chalice.tf.json"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--stage", default="prod", help="the Chalice stage (.chalice/config.json) to package")
    parser.add_argument("--out", type=Path, default=TERRAFORM_DIR, help="where chalice.tf.json and deployment.zip go")
    args = parser.parse_args(argv)
    try:
        written = package(args.stage, args.out)
    except PackageError as error:
        print(f"balcão: {error}", file=sys.stderr)
        return 1
    print(f"balcão: wrote {written} and {written.with_name('deployment.zip')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
