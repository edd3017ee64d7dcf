"""Fixes to moto as the local stack and the tests use it (many threads, the same definitions
provisioned again and again); never deployed."""

from __future__ import annotations

import threading
from typing import Any

_installed = False

# Held while moto's S3 completes a POSTed object; an S3 event's Lambda takes it before it runs.
S3_POSTS = threading.RLock()


def install() -> None:
    """Make moto's DynamoDB take calls from many threads, its Step Functions validate a definition
    once (and answer ValidateStateMachineDefinition), and its S3 announce a POSTed object only once it
    is whole. Idempotent."""
    global _installed
    if _installed:
        return
    serialize_dynamodb()
    remember_valid_definitions()
    answer_definition_validation()
    describe_configuration_sets_as_sesv2()
    complete_posted_objects()
    _installed = True


def remember_valid_definitions() -> None:
    """moto parses a state machine's definition with its ANTLR grammar to validate it (~0.3 s each);
    every test provisions the same definitions afresh. A definition found valid once is valid again."""
    from moto.stepfunctions.parser.models import StepFunctionsParserBackend

    validate = StepFunctionsParserBackend._validate_definition
    valid: set[str] = set()

    def remembered(definition: str) -> None:
        if definition not in valid:
            validate(definition=definition)
            valid.add(definition)

    StepFunctionsParserBackend._validate_definition = staticmethod(remembered)


def answer_definition_validation() -> None:
    """The AWS provider for Terraform calls ValidateStateMachineDefinition before it creates a state
    machine, and ListStateMachineVersions after; moto 5.2 answers both with a 500 (not implemented),
    which the provider retries for minutes. The first is answered with moto's own ASL parser, as AWS
    does (``OK``, or ``FAIL`` with the parser's reason); the second with no versions (nothing here
    publishes one)."""
    from moto.core.responses import ActionResult
    from moto.stepfunctions.parser.models import StepFunctionsParserBackend
    from moto.stepfunctions.responses import StepFunctionResponse

    def validate_state_machine_definition(self: Any) -> Any:
        try:
            StepFunctionsParserBackend._validate_definition(definition=self._get_param("definition"))
        except Exception as error:  # noqa: BLE001 - moto's InvalidDefinition, or the parser's own
            diagnostic = {"severity": "ERROR", "code": "SCHEMA_VALIDATION_FAILED", "message": str(error)[:1000]}
            return ActionResult({"result": "FAIL", "diagnostics": [diagnostic], "truncated": False})
        return ActionResult({"result": "OK", "diagnostics": [], "truncated": False})

    def list_state_machine_versions(self: Any) -> Any:
        return ActionResult({"stateMachineVersions": []})

    StepFunctionResponse.validate_state_machine_definition = validate_state_machine_definition
    StepFunctionResponse.list_state_machine_versions = list_state_machine_versions


def describe_configuration_sets_as_sesv2() -> None:
    """moto 5.2 keeps a configuration set's SendingOptions whole and answers GetConfigurationSet with
    ``{"SendingOptions": {"SendingEnabled": {"SendingEnabled": true}}}``, which the AWS provider for
    Terraform cannot decode (after creating one, it reads it back). Answered as SES v2 does."""
    from moto.ses.models import ConfigurationSet

    original = ConfigurationSet.to_dict_v2

    def to_dict_v2(self: Any) -> dict[str, Any]:
        described = original(self)
        enabled = self.enabled.get("SendingEnabled", True) if isinstance(self.enabled, dict) else self.enabled
        described["SendingOptions"] = {"SendingEnabled": bool(enabled) if enabled != {} else True}
        return described

    ConfigurationSet.to_dict_v2 = to_dict_v2


def serialize_dynamodb() -> None:
    """moto keeps a table's items in plain dicts: a Query that iterates them while another thread (a
    workflow's Lambda, an S3 event's inspection) updates an item fails with "dictionary changed size
    during iteration", a 500 no real DynamoDB would give. One lock around each DynamoDB call makes
    moto's tables as safe to share between threads as DynamoDB's."""
    from moto.dynamodb.responses import DynamoHandler

    original = DynamoHandler.call_action
    lock = threading.RLock()

    def call_action(self: Any) -> Any:
        with lock:
            return original(self)

    DynamoHandler.call_action = call_action


def complete_posted_objects() -> None:
    """moto's S3 POST (a browser's presigned upload) stores the object, which sends its ObjectCreated
    event, and only then sets the object's content type and metadata from the form. An inspection the
    event starts can read the object in between, see S3's default content type, and refuse the file as
    "tipo de conteúdo diferente do pedido": a window real S3 does not have (seen under load in the
    suite). The POST holds ``S3_POSTS`` until the object is whole; the event's invocation
    (``local.lambdas``) takes it before running the handler."""
    from moto.s3.responses import S3Response

    original = S3Response._bucket_response_post

    def post(self: Any, request: Any, bucket_name: str) -> Any:
        with S3_POSTS:
            return original(self, request, bucket_name)

    S3Response._bucket_response_post = post
