"""Creates every table, bucket, topic, queue, function and state machine that resources.json lists,
against whatever AWS endpoint boto3 points at (moto's server locally, moto in-process in tests). The
same names, keys, indexes and ASL files as Terraform: no second list is kept by hand."""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

from chalicelib.kernel.retention import lifecycle_rules
from chalicelib.kernel.settings import Settings, get_settings
from chalicelib.platform import aws
from chalicelib.platform.resources import load_resources
from chalicelib.platform.statemachines import render_definition


def _attribute_definitions(spec: dict[str, Any]) -> list[dict[str, str]]:
    keys = [spec["hash_key"], spec.get("range_key")]
    for index in spec.get("indexes", {}).values():
        keys += [index["hash_key"], index.get("range_key")]
    seen: dict[str, str] = {}
    for key in keys:
        if key:
            seen[key["name"]] = key["type"]
    return [{"AttributeName": name, "AttributeType": kind} for name, kind in seen.items()]


def _key_schema(spec: dict[str, Any]) -> list[dict[str, str]]:
    schema = [{"AttributeName": spec["hash_key"]["name"], "KeyType": "HASH"}]
    if spec.get("range_key"):
        schema.append({"AttributeName": spec["range_key"]["name"], "KeyType": "RANGE"})
    return schema


def create_tables(settings: Settings) -> None:
    dynamodb = aws.client("dynamodb")
    for key, spec in load_resources()["tables"].items():
        name = settings.resource_name(key)
        request: dict[str, Any] = {
            "TableName": name,
            "AttributeDefinitions": _attribute_definitions(spec),
            "KeySchema": _key_schema(spec),
            "BillingMode": "PAY_PER_REQUEST",
        }
        if spec.get("indexes"):
            request["GlobalSecondaryIndexes"] = [
                {"IndexName": index_name, "KeySchema": _key_schema(index), "Projection": {"ProjectionType": "ALL"}}
                for index_name, index in spec["indexes"].items()
            ]
        dynamodb.create_table(**request)
        if spec.get("ttl_attribute"):
            dynamodb.update_time_to_live(
                TableName=name, TimeToLiveSpecification={"Enabled": True, "AttributeName": spec["ttl_attribute"]}
            )


def _dummy_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("app.py", "# the local stack dispatches to the real app in-process\n")
    return buffer.getvalue()


def create_functions(settings: Settings) -> str:
    """Register each Lambda function by its deployed name, so that ARNs in the ASL and the S3
    notification resolve; local.lambdas runs the real handler when moto invokes one."""
    iam = aws.client("iam")
    role = iam.create_role(
        RoleName=settings.resource_name("lambda"),
        AssumeRolePolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": {"Service": ["lambda.amazonaws.com", "states.amazonaws.com"]},
                        "Action": "sts:AssumeRole",
                    }
                ],
            }
        ),
    )["Role"]["Arn"]
    lambda_client = aws.client("lambda")
    code = _dummy_zip()
    for key, spec in load_resources()["functions"].items():
        if spec["kind"] == "api":
            continue
        lambda_client.create_function(
            FunctionName=settings.function_name(key),
            Runtime="python3.11",
            Role=role,
            Handler=spec["handler"],
            Code={"ZipFile": code},
            Timeout=60,
            MemorySize=512,
        )
    return role


def create_buckets(settings: Settings, web_origin: str | None) -> None:
    s3 = aws.client("s3")
    resources = load_resources()
    for key in resources["buckets"]:
        request: dict[str, Any] = {"Bucket": settings.resource_name(key)}
        if settings.region != "us-east-1":
            request["CreateBucketConfiguration"] = {"LocationConstraint": settings.region}
        s3.create_bucket(**request)
        rules = lifecycle_rules(key)  # chalicelib/retention.json, as infra/terraform/s3.tf makes them
        if rules:
            s3.put_bucket_lifecycle_configuration(
                Bucket=settings.resource_name(key), LifecycleConfiguration={"Rules": rules}
            )
    uploads = settings.resource_name("uploads")
    if web_origin:
        s3.put_bucket_cors(
            Bucket=uploads,
            CORSConfiguration={
                "CORSRules": [
                    {
                        "AllowedOrigins": [web_origin],
                        "AllowedMethods": ["POST"],
                        "AllowedHeaders": ["*"],
                        "MaxAgeSeconds": 3000,
                    }
                ]
            },
        )
    spec = resources["buckets"]["uploads"]
    s3.put_bucket_notification_configuration(
        Bucket=uploads,
        NotificationConfiguration={
            "LambdaFunctionConfigurations": [
                {
                    "LambdaFunctionArn": settings.function_arn(spec["notify_function"]),
                    "Events": ["s3:ObjectCreated:*"],
                    "Filter": {"Key": {"FilterRules": [{"Name": "prefix", "Value": spec["quarantine_prefix"]}]}},
                }
            ]
        },
    )


def organ_alert_address(organ: str) -> str:
    """The organ's own address, where its staff alerts arrive (Terraform: var.organ_alert_emails)."""
    return f"alertas.{organ.lower()}@municipio-demo.pt"


def create_messaging(settings: Settings) -> None:
    from chalicelib.catalogue.service import load_catalogue

    sns = aws.client("sns")
    for key in load_resources()["topics"]:
        sns.create_topic(Name=settings.resource_name(key))
    # staff alerts reach each organ's address, as Terraform subscribes it (filtered by organ)
    alerts = sns.create_topic(Name=settings.resource_name("staff-alerts"))["TopicArn"]
    for organ in sorted({service.organ for service in load_catalogue().values()}):
        sns.subscribe(
            TopicArn=alerts,
            Protocol="email",
            Endpoint=organ_alert_address(organ),
            Attributes={"FilterPolicy": json.dumps({"organ": [organ]})},
        )
    sqs = aws.client("sqs")
    for key in load_resources()["queues"]:
        sqs.create_queue(QueueName=settings.resource_name(key))
    aws.client("ses").verify_email_identity(EmailAddress=settings.sender_email)


def create_state_machines(settings: Settings, role_arn: str) -> None:
    stepfunctions = aws.client("stepfunctions")
    for key in load_resources()["state_machines"]:
        stepfunctions.create_state_machine(
            name=settings.resource_name(key), definition=render_definition(key, settings), roleArn=role_arn
        )


def provision(web_origin: str | None = None) -> None:
    settings = get_settings()
    create_tables(settings)
    role = create_functions(settings)
    create_buckets(settings, web_origin)
    create_messaging(settings)
    create_state_machines(settings, role)
