"""Each Lambda function's AWS calls checked against its own IAM policy, as AWS checks them, in the
local stack and in the tests (moto does not: see ``../shared/NOTES.md``).

- Identity: a function's code runs ``acting_as(key)`` (``local.lambdas`` for the workflow, S3 and
  schedule functions; the Chalice app's ``__call__`` for the API): every call it makes is the
  function's. Code outside any function (provisioning, the tests' own set-up and reads) is the
  administrator's and is not checked.
- Policy: ``function_policy()`` renders the document Terraform renders for the function's role
  (infra/terraform/iam.tf) from resources.json's ``access`` and ``iam`` entries; tests/infra applies
  Terraform's to moto and proves the two equal, statement by statement.
- Request: ``authorizations()`` maps a call (service, operation, parameters) to what IAM evaluates:
  the action(s), the resource ARN(s), the condition keys; presigned URLs and POSTs are checked when
  they are signed (AWS checks the signer's policy when the browser uses them).
- Decision: an explicit Deny wins, else some Allow must match action, resource and conditions; a
  condition operator this module does not know denies. Refused calls raise the ClientError AWS gives
  (``AccessDenied...``), before any request is sent.

Never deployed: AWS does this itself.
"""

from __future__ import annotations

import fnmatch
import functools
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from chalicelib.kernel.settings import Settings, get_settings
from chalicelib.platform.resources import load_resources

_acting: ContextVar[str | None] = ContextVar("balcao_lambda_function", default=None)
# Set while botocore presigns: it emits a parameter-build event of its own (CreateBucket's, for a POST).
_presigning: ContextVar[bool] = ContextVar("balcao_presigning", default=False)
_installed = False
# Every refusal, for the tests (and the local stack's log): (function, action, resource).
refusals: list[tuple[str, str, str]] = []


@contextmanager
def acting_as(function: str) -> Iterator[None]:
    """Run the block as the Lambda function ``function`` (a key of resources.json's functions)."""
    if function not in load_resources()["functions"]:
        raise LookupError(f"no function {function!r} in resources.json")
    token = _acting.set(function)
    try:
        yield
    finally:
        _acting.reset(token)


def current_function() -> str | None:
    return _acting.get()


def presigning() -> bool:
    """botocore is presigning a URL or POST (its parameter events fire, but no request is sent)."""
    return _presigning.get()


# -- The policy Terraform renders for a function's role (iam.tf) -----------------------------------------
@dataclass(frozen=True)
class Arns:
    """The ARNs a policy names, built from the deployment's names (a stack's settings)."""

    settings: Settings
    data_key: str = ""  # the KMS data key's ARN (a random id in AWS; the local stack has none)

    def _regional(self, service: str, resource: str) -> str:
        return f"arn:aws:{service}:{self.settings.region}:{self.settings.account_id}:{resource}"

    def table(self, key: str) -> str:
        return self._regional("dynamodb", f"table/{self.settings.resource_name(key)}")

    def bucket(self, key: str) -> str:
        return f"arn:aws:s3:::{self.settings.resource_name(key)}"

    def state_machine(self, key: str) -> str:
        return self._regional("states", f"stateMachine:{self.settings.resource_name(key)}")

    def topic(self, key: str) -> str:
        return self._regional("sns", self.settings.resource_name(key))

    def queue(self, key: str) -> str:
        return self._regional("sqs", self.settings.resource_name(key))

    def log_group(self, function: str) -> str:
        # Chalice names the REST API's function '<app>-<stage>', every other '<app>-<stage>-<name>'.
        kind = load_resources()["functions"][function]["kind"]
        name = (
            f"{self.settings.app_name}-{self.settings.stage}"
            if kind == "api"
            else self.settings.function_name(function)
        )
        return self._regional("logs", f"log-group:/aws/lambda/{name}")

    def key(self) -> str:
        return self.data_key or self._regional("kms", "key/local-data-key")

    def email_identity(self) -> str:
        return self._regional("ses", f"identity/{self.settings.sender_email.rsplit('@', 1)[1]}")

    def configuration_set(self) -> str:
        return self._regional("ses", f"configuration-set/{self.settings.resource_name('mail')}")


def _sid(prefix: str, key: str, level: str) -> str:
    """iam.tf's ``"${prefix}${replace(title(replace(key, "/[-_]/", " ")), " ", "")}${title(level)}"``."""
    return prefix + "".join(part.capitalize() for part in re.split(r"[-_]", key)) + level.capitalize()


def function_policy(function: str, arns: Arns) -> dict[str, Any]:
    """The function's least-privilege document, statement for statement as iam.tf writes it."""
    resources = load_resources()
    spec = resources["functions"][function]
    access = spec.get("access", {})
    levels = resources["iam"]["levels"]
    capabilities = resources["iam"]["capabilities"]
    statements: list[dict[str, Any]] = [
        _allow("OwnLogGroup", ["logs:CreateLogStream", "logs:PutLogEvents"], [arns.log_group(function) + ":*"]),
        _allow("XRayTraces", ["xray:PutTraceSegments", "xray:PutTelemetryRecords"], ["*"]),
        _allow("DataKey", ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"], [arns.key()]),
    ]
    for key, level in access.get("tables", {}).items():
        statements.append(
            _allow(_sid("Table", key, level), levels["tables"][level], [arns.table(key), arns.table(key) + "/index/*"])
        )
    for key, level in access.get("buckets", {}).items():
        statements.append(
            _allow(_sid("BucketObjects", key, level), levels["buckets"][level], [arns.bucket(key) + "/*"])
        )
    if access.get("buckets"):
        statements.append(_allow("ListOwnBuckets", ["s3:ListBucket"], [arns.bucket(key) for key in access["buckets"]]))
    for key, level in access.get("state_machines", {}).items():
        statements.append(
            _allow(_sid("StateMachine", key, level), levels["state_machines"][level], [arns.state_machine(key)])
        )
    for key, level in access.get("topics", {}).items():
        statements.append(_allow(_sid("Topic", key, level), levels["topics"][level], [arns.topic(key)]))
    for key, level in access.get("queues", {}).items():
        statements.append(_allow(_sid("Queue", key, level), levels["queues"][level], [arns.queue(key)]))
    if spec["kind"] == "s3_event":
        dead_letters = [key for key, queue in resources["queues"].items() if queue.get("dead_letters")]
        statements.append(_allow("DeadLetters", ["sqs:SendMessage"], [arns.queue(key) for key in dead_letters]))
    granted = access.get("capabilities", [])
    if "send_email" in granted:
        statement = _allow(
            "SendEmailFromTheCounter",
            capabilities["send_email"],
            [arns.email_identity(), arns.configuration_set()],
        )
        statement["Condition"] = {"StringEquals": {"ses:FromAddress": arns.settings.sender_email}}
        statements.append(statement)
    if "send_sms" in granted:
        statements.append(_allow("SendSmsToPhoneNumbers", capabilities["send_sms"], ["*"]))
        if not access.get("topics"):
            statements.append(
                {
                    "Sid": "NoTopicThroughTheSmsGrant",
                    "Effect": "Deny",
                    "Action": capabilities["send_sms"],
                    "Resource": ["arn:aws:sns:*:*:*"],
                }
            )
    if "task_callback" in granted:
        statements.append(_allow("ResumeWorkflowsWaitingForStaff", capabilities["task_callback"], ["*"]))
    return {"Version": "2012-10-17", "Statement": statements}


def _allow(sid: str, actions: list[str], resources: list[str]) -> dict[str, Any]:
    return {"Sid": sid, "Effect": "Allow", "Action": list(actions), "Resource": list(resources)}


# -- What a call asks IAM for -----------------------------------------------------------------------------
@dataclass(frozen=True)
class Authorization:
    action: str
    resource: str
    context: dict[str, str] = field(default_factory=dict)


_IAM_PREFIX = {"stepfunctions": "states", "sesv2": "ses", "lambda": "lambda"}
# S3 operations whose IAM action is not s3:<operation>.
_S3_ACTIONS = {
    "HeadObject": "s3:GetObject",
    "ListObjectsV2": "s3:ListBucket",
    "ListObjects": "s3:ListBucket",
    "HeadBucket": "s3:ListBucket",
    "ListObjectVersions": "s3:ListBucketVersions",
    "DeleteObjects": "s3:DeleteObject",
    "GetBucketNotificationConfiguration": "s3:GetBucketNotification",
    "PutBucketNotificationConfiguration": "s3:PutBucketNotification",
    "GetBucketCors": "s3:GetBucketCORS",
    "PutBucketCors": "s3:PutBucketCORS",
}
_S3_BUCKET_LEVEL = {"s3:ListBucket", "s3:ListBucketVersions"}
_DYNAMODB_TRANSACT = {
    "Put": "PutItem",
    "Update": "UpdateItem",
    "Delete": "DeleteItem",
    "ConditionCheck": "ConditionCheckItem",
}


def authorizations(service: str, operation: str, params: dict[str, Any], settings: Settings) -> list[Authorization]:
    """What IAM evaluates for one call: one or more (action, resource) pairs, all of which must pass."""
    region, account = settings.region, settings.account_id
    if service == "dynamodb":
        table = f"arn:aws:dynamodb:{region}:{account}:table/"
        if operation in ("BatchGetItem", "BatchWriteItem"):
            return [Authorization(f"dynamodb:{operation}", table + name) for name in params.get("RequestItems", {})]
        if operation in ("TransactWriteItems", "TransactGetItems"):
            found = []
            for item in params.get("TransactItems", []):
                ((kind, body),) = item.items()
                action = "GetItem" if operation == "TransactGetItems" else _DYNAMODB_TRANSACT[kind]
                found.append(Authorization(f"dynamodb:{action}", table + body["TableName"]))
            return found
        if "TableName" in params:
            resource = table + params["TableName"]
            if params.get("IndexName"):
                resource += f"/index/{params['IndexName']}"
            return [Authorization(f"dynamodb:{operation}", resource)]
        return [Authorization(f"dynamodb:{operation}", "*")]
    if service == "s3":
        return _s3_authorizations(operation, params)
    if service == "stepfunctions":
        resource = params.get("executionArn") or params.get("stateMachineArn") or "*"
        return [Authorization(f"states:{operation}", resource)]
    if service == "sns":
        return [Authorization(f"sns:{operation}", params.get("TopicArn") or params.get("TargetArn") or "*")]
    if service in ("ses", "sesv2"):
        sender = params.get("Source") or params.get("FromEmailAddress") or ""
        address = re.sub(r"^.*<([^>]*)>.*$", r"\1", sender).strip()
        found = [
            Authorization(
                f"ses:{operation}",
                f"arn:aws:ses:{region}:{account}:identity/{address.rsplit('@', 1)[-1]}",
                {"ses:FromAddress": address},
            )
        ]
        if params.get("ConfigurationSetName"):
            resource = f"arn:aws:ses:{region}:{account}:configuration-set/{params['ConfigurationSetName']}"
            found.append(Authorization(f"ses:{operation}", resource, {"ses:FromAddress": address}))
        return found
    if service == "sqs":
        url = params.get("QueueUrl")
        if url:
            owner, name = urlsplit(url).path.strip("/").split("/")[-2:]
            return [Authorization(f"sqs:{operation}", f"arn:aws:sqs:{region}:{owner}:{name}")]
        if params.get("QueueName"):
            return [Authorization(f"sqs:{operation}", f"arn:aws:sqs:{region}:{account}:{params['QueueName']}")]
        return [Authorization(f"sqs:{operation}", "*")]
    if service == "lambda":
        name = params.get("FunctionName", "*")
        arn = name if name.startswith("arn:") else f"arn:aws:lambda:{region}:{account}:function:{name}"
        return [Authorization("lambda:InvokeFunction" if operation == "Invoke" else f"lambda:{operation}", arn)]
    return [Authorization(f"{_IAM_PREFIX.get(service, service)}:{operation}", "*")]


def _s3_authorizations(operation: str, params: dict[str, Any]) -> list[Authorization]:
    bucket = params.get("Bucket", "*")
    action = _S3_ACTIONS.get(operation, f"s3:{operation}")
    if params.get("VersionId") and action in ("s3:GetObject", "s3:DeleteObject"):
        action += "Version"
    if operation == "CopyObject":
        source = params["CopySource"]
        if isinstance(source, dict):
            source = f"{source['Bucket']}/{source['Key']}"
        return [
            Authorization("s3:PutObject", f"arn:aws:s3:::{bucket}/{params['Key']}"),
            Authorization("s3:GetObject", f"arn:aws:s3:::{source.split('?')[0].lstrip('/')}"),
        ]
    if operation == "DeleteObjects":
        keys = [item["Key"] for item in params.get("Delete", {}).get("Objects", [])]
        return [Authorization(action, f"arn:aws:s3:::{bucket}/{key}") for key in keys]
    if "Key" in params and action not in _S3_BUCKET_LEVEL:
        return [Authorization(action, f"arn:aws:s3:::{bucket}/{params['Key']}")]
    return [Authorization(action, f"arn:aws:s3:::{bucket}")]


# -- Evaluation ----------------------------------------------------------------------------------------
def _listed(value: Any) -> list[str]:
    return [value] if isinstance(value, str) else list(value)


def _matches(patterns: Any, value: str, ignore_case: bool = False) -> bool:
    for pattern in _listed(patterns):
        if ignore_case:
            pattern, candidate = pattern.lower(), value.lower()
        else:
            candidate = value
        if _compiled(pattern).match(candidate):
            return True
    return False


@functools.lru_cache(maxsize=4096)
def _compiled(pattern: str) -> re.Pattern[str]:
    """An IAM pattern as a regular expression, made once: every AWS call is checked against every
    statement of its policy, and the patterns are few."""
    # IAM's wildcards: * and ? only (fnmatch's [...] is escaped).
    return re.compile(fnmatch.translate(pattern.replace("[", "[[]")), re.S)


_OPERATORS: dict[str, Callable[[list[str], str | None], bool]] = {
    "StringEquals": lambda wanted, actual: actual is not None and actual in wanted,
    "StringNotEquals": lambda wanted, actual: actual is None or actual not in wanted,
    "StringLike": lambda wanted, actual: actual is not None and _matches(wanted, actual),
    "ArnLike": lambda wanted, actual: actual is not None and _matches(wanted, actual),
    "ArnEquals": lambda wanted, actual: actual is not None and actual in wanted,
}


def _conditions_hold(conditions: dict[str, Any], context: dict[str, str]) -> bool:
    for operator, tests in conditions.items():
        check = _OPERATORS.get(operator)
        if check is None:
            return False  # an operator not modelled here cannot be shown to hold
        for key, wanted in tests.items():
            if not check(_listed(wanted), context.get(key)):
                return False
    return True


def _statement_applies(statement: dict[str, Any], request: Authorization) -> bool:
    if "Action" in statement and not _matches(statement["Action"], request.action, ignore_case=True):
        return False
    if "NotAction" in statement and _matches(statement["NotAction"], request.action, ignore_case=True):
        return False
    if "Resource" in statement and not _matches(statement["Resource"], request.resource):
        return False
    if "NotResource" in statement and _matches(statement["NotResource"], request.resource):
        return False
    return _conditions_hold(statement.get("Condition", {}), request.context)


def allowed(policy: dict[str, Any], request: Authorization) -> bool:
    statements = policy["Statement"]
    statements = [statements] if isinstance(statements, dict) else statements
    applying = [s for s in statements if _statement_applies(s, request)]
    if any(s["Effect"] == "Deny" for s in applying):
        return False
    return any(s["Effect"] == "Allow" for s in applying)


# -- The check on every call ---------------------------------------------------------------------------
# What each service answers a caller its policy does not allow (code, HTTP status).
_DENIED = {
    "s3": ("AccessDenied", 403),
    "sns": ("AuthorizationError", 403),
    "ses": ("AccessDenied", 403),
    "sqs": ("AccessDenied", 403),
}


_policies: dict[tuple[str, str], dict[str, Any]] = {}


def _policy(function: str, settings: Settings) -> dict[str, Any]:
    """The function's policy for these settings (rendered once per function and settings)."""
    key = (function, settings.model_dump_json())
    if key not in _policies:
        _policies[key] = function_policy(function, Arns(settings))
    return _policies[key]


def check(service: str, operation: str, params: dict[str, Any]) -> None:
    """Raise AWS's AccessDenied ClientError if the current function's policy refuses the call."""
    function = _acting.get()
    if function is None or (service == "sts" and operation == "GetCallerIdentity"):
        return
    settings = get_settings()
    policy = _policy(function, settings)
    for request in authorizations(service, operation, params, settings):
        if not allowed(policy, request):
            refusals.append((function, request.action, request.resource))
            from botocore.exceptions import ClientError

            code, status = _DENIED.get(service, ("AccessDeniedException", 400))
            role = (
                f"arn:aws:sts::{settings.account_id}:assumed-role/{settings.resource_name('fn-' + function)}/{function}"
            )
            message = (
                f"User: {role} is not authorized to perform: {request.action} on resource: {request.resource} "
                "because no identity-based policy allows the action"
            )
            raise ClientError(
                {"Error": {"Code": code, "Message": message}, "ResponseMetadata": {"HTTPStatusCode": status}},
                operation,
            )


def _before_parameter_build(params: dict[str, Any], model: Any, **_: Any) -> None:
    if not _presigning.get():
        check(model.service_model.service_name, model.name, params)


@contextmanager
def _signing() -> Iterator[None]:
    token = _presigning.set(True)
    try:
        yield
    finally:
        _presigning.reset(token)


def install() -> None:
    """Check every later boto3/botocore client's calls (and S3 presigning). Idempotent."""
    global _installed
    if _installed:
        return
    import botocore.handlers
    import botocore.signers

    botocore.handlers.BUILTIN_HANDLERS.append(("before-parameter-build", _before_parameter_build))

    presign_url = botocore.signers.generate_presigned_url
    presign_post = botocore.signers.generate_presigned_post

    def generate_presigned_url(self: Any, ClientMethod: str, Params: Any = None, **kwargs: Any) -> Any:  # noqa: N803
        operation = self.meta.method_to_api_mapping.get(ClientMethod, ClientMethod)
        check(self.meta.service_model.service_name, operation, Params or {})
        with _signing():
            return presign_url(self, ClientMethod, Params=Params, **kwargs)

    def generate_presigned_post(self: Any, Bucket: str, Key: str, **kwargs: Any) -> Any:  # noqa: N803
        check("s3", "PutObject", {"Bucket": Bucket, "Key": Key})
        with _signing():
            return presign_post(self, Bucket, Key, **kwargs)

    botocore.signers.generate_presigned_url = generate_presigned_url
    botocore.signers.generate_presigned_post = generate_presigned_post
    _act_in_chalice()
    _installed = True


def _act_in_chalice() -> None:
    """Chalice's own entry points run as their function: the REST API handler (``Chalice.__call__``,
    which the local server and chalice.test.Client call) as ``api``; a Lambda function that the tests
    invoke through chalice.test's ``lambda_`` client as the function it names."""
    from chalice.app import Chalice
    from chalice.test import TestLambdaClient

    api_call = Chalice.__call__
    lambda_invoke = TestLambdaClient.invoke

    def call(self: Any, event: Any, context: Any) -> Any:
        with acting_as("api"):
            return api_call(self, event, context)

    def invoke(self: Any, function_name: str, payload: Any = None) -> Any:
        with acting_as(function_name):
            return lambda_invoke(self, function_name, payload)

    Chalice.__call__ = call
    TestLambdaClient.invoke = invoke
