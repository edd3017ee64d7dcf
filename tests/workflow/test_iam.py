"""Each Lambda function's calls are checked against its own IAM policy (local/iam.py), as AWS checks
them: in every test that runs the app (the aws_stack fixture installs the check) and in the local
stack. Here: a call outside the policy is refused as AWS refuses it, the original bug (the receipt
that ``notify`` could not issue) is caught, and the evaluator and the request mapping are right."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from chalicelib.kernel.settings import Settings
from chalicelib.platform.resources import load_resources
from local import alarms, iam
from local.iam import Arns, Authorization, allowed, authorizations, function_policy
from tests.support.api import staff, submit_generic
from tests.support.files import small_pdf
from tests.support.outbox import outbox_to
from tests.support.waiting import wait_for

SETTINGS = Settings(resource_prefix="balcao-local", account_id="123456789012", region="eu-west-1")


def refusal(error: pytest.ExceptionInfo[ClientError]) -> tuple[str, str]:
    return error.value.response["Error"]["Code"], error.value.response["Error"]["Message"]


def test_a_function_calling_outside_its_policy_gets_access_denied(aws_stack: None) -> None:
    from chalicelib.platform import aws

    # plan_validation_reminder's role grants no table at all.
    with iam.acting_as("plan_validation_reminder"), pytest.raises(ClientError) as denied:
        aws.table("processes").get_item(Key={"process_id": "x"})
    code, message = refusal(denied)
    assert code == "AccessDeniedException"
    assert "dynamodb:GetItem" in message and "table/balcao-local-processes" in message
    assert "assumed-role/balcao-local-fn-plan_validation_reminder" in message

    # register_decision_task may write processes, not read the documents' files.
    with iam.acting_as("register_decision_task"):
        aws.table("processes").get_item(Key={"process_id": "x"})  # allowed: no error
        with pytest.raises(ClientError) as denied:
            aws.client("s3").get_object(Bucket="balcao-local-documents", Key="p/d.pdf")
    assert refusal(denied)[0] == "AccessDenied"

    # notify may send SMS to phone numbers, never publish to a topic through that grant (the Deny).
    topic = aws.client("sns").create_topic(Name="balcao-local-deadline-alerts")["TopicArn"]
    with iam.acting_as("notify"), pytest.raises(ClientError) as denied:
        aws.client("sns").publish(TopicArn=topic, Message="x")
    assert refusal(denied)[0] == "AuthorizationError"

    # An upload slot (a presigned POST) is checked when it is signed, as s3:PutObject.
    with iam.acting_as("notify"), pytest.raises(ClientError) as denied:
        aws.client("s3").generate_presigned_post("balcao-local-uploads", "quarantine/x.pdf")
    assert "s3:PutObject" in refusal(denied)[1]

    # Outside any function (the tests' own set-up, provisioning) nothing is checked.
    aws.client("s3").list_objects_v2(Bucket="balcao-local-documents")


def test_notify_without_reading_documents_cannot_issue_the_receipt(
    make_api: Any, demo: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The bug AWS would have shown and moto did not: notify issues the receipt from the process's
    documents. With documents taken off its role, the receipt is refused, and no email goes out."""
    monkeypatch.delitem(load_resources()["functions"]["notify"]["access"]["tables"], "documents")
    monkeypatch.setattr(iam, "_policies", {})
    monkeypatch.setattr(iam, "refusals", [])
    citizen = make_api()
    citizen.login("ana.silva", demo["password"])
    process_id = submit_generic(citizen, small_pdf())

    refused = wait_for(lambda: [r for r in iam.refusals if r[0] == "notify"])
    assert refused[0][1].startswith("dynamodb:") and "table/balcao-local-documents" in refused[0][2]

    # Never silent: the failed step is on the process for staff, in the audit trail and raised as
    # the function's alarm; the process needs attention until staff retry the step.
    decisor = staff(make_api, demo, "decisor")
    path = f"/api/staff/processes/{process_id}"
    failures = wait_for(lambda: decisor.call("GET", path).data["step_failures"], timeout=60)
    assert failures[0]["step"] == "SendReceipt" and "AccessDenied" in failures[0]["cause"]
    assert decisor.call("GET", path).data["status"] == "requer_atencao"
    assert "workflow.step_failed" in [e["action"] for e in decisor.call("GET", path).data["timeline"]]
    assert "balcao-local-notify-errors" in [a["alarm"] for a in alarms.raised()]
    assert not [m for m in outbox_to(demo["citizen"]["email"]) if "recebido" in m["subject"]]


def test_the_app_runs_within_its_policies(make_api: Any, demo: dict[str, Any]) -> None:
    """The real flow (API, inspection, workflow tasks) with every call checked: no refusal."""
    iam.refusals.clear()
    citizen = make_api()
    citizen.login("ana.silva", demo["password"])
    process_id = submit_generic(citizen, small_pdf())
    wait_for(lambda: citizen.call("GET", f"/api/requests/{process_id}").data["status"] == "em_apreciacao")
    wait_for(lambda: [m for m in outbox_to(demo["citizen"]["email"]) if "recebido" in m["subject"]])
    assert iam.refusals == []


# -- The evaluator and the mapping, without AWS ---------------------------------------------------------
def test_an_explicit_deny_wins_and_conditions_must_hold() -> None:
    policy = function_policy("notify", Arns(SETTINGS))
    sms = Authorization("sns:Publish", "*")
    topic = Authorization("sns:Publish", "arn:aws:sns:eu-west-1:123456789012:balcao-local-alerts")
    assert allowed(policy, sms) and not allowed(policy, topic)
    identity = "arn:aws:ses:eu-west-1:123456789012:identity/municipio-demo.pt"
    assert allowed(policy, Authorization("ses:SendRawEmail", identity, {"ses:FromAddress": SETTINGS.sender_email}))
    assert not allowed(policy, Authorization("ses:SendRawEmail", identity, {"ses:FromAddress": "x@municipio-demo.pt"}))
    assert not allowed(policy, Authorization("ses:SendRawEmail", identity))
    unknown = {"Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*", "Condition": {"IpAddress": {}}}]}
    assert not allowed(unknown, Authorization("s3:GetObject", "arn:aws:s3:::b/k"))
    assert allowed(
        {"Statement": {"Effect": "Allow", "Action": "S3:Get*", "Resource": "arn:aws:s3:::b/*"}},
        Authorization("s3:GetObject", "arn:aws:s3:::b/k"),
    )


def test_calls_map_to_the_actions_and_resources_iam_evaluates() -> None:
    table = "arn:aws:dynamodb:eu-west-1:123456789012:table/"
    transact = {
        "TransactItems": [
            {"Put": {"TableName": "p", "Item": {}}},
            {"ConditionCheck": {"TableName": "c", "Key": {}, "ConditionExpression": "x"}},
        ]
    }
    assert authorizations("dynamodb", "TransactWriteItems", transact, SETTINGS) == [
        Authorization("dynamodb:PutItem", table + "p"),
        Authorization("dynamodb:ConditionCheckItem", table + "c"),
    ]
    query = authorizations("dynamodb", "Query", {"TableName": "p", "IndexName": "by_number"}, SETTINGS)
    assert query == [Authorization("dynamodb:Query", table + "p/index/by_number")]
    assert authorizations("s3", "HeadObject", {"Bucket": "b", "Key": "k"}, SETTINGS) == [
        Authorization("s3:GetObject", "arn:aws:s3:::b/k")
    ]
    assert authorizations("s3", "ListObjectsV2", {"Bucket": "b", "Prefix": "k"}, SETTINGS) == [
        Authorization("s3:ListBucket", "arn:aws:s3:::b")
    ]
    copy = authorizations("s3", "CopyObject", {"Bucket": "d", "Key": "k2", "CopySource": "u/k1"}, SETTINGS)
    assert copy == [
        Authorization("s3:PutObject", "arn:aws:s3:::d/k2"),
        Authorization("s3:GetObject", "arn:aws:s3:::u/k1"),
    ]
    (send,) = authorizations("ses", "SendRawEmail", {"Source": "Balcão <a@b.pt>"}, SETTINGS)
    assert send.resource.endswith(":identity/b.pt") and send.context == {"ses:FromAddress": "a@b.pt"}
    assert authorizations("stepfunctions", "SendTaskSuccess", {"taskToken": "t"}, SETTINGS) == [
        Authorization("states:SendTaskSuccess", "*")
    ]


def test_every_function_gets_only_its_own_access() -> None:
    arns = Arns(SETTINGS)
    for function, spec in load_resources()["functions"].items():
        policy = function_policy(function, arns)
        for key in load_resources()["tables"]:
            request = Authorization("dynamodb:PutItem", arns.table(key))
            assert allowed(policy, request) == (spec["access"].get("tables", {}).get(key) == "write"), (function, key)
