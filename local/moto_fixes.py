"""Two fixes to moto as the local stack and the tests use it (many threads, the same definitions
provisioned again and again); never deployed."""

from __future__ import annotations

import threading
from typing import Any

_installed = False


def install() -> None:
    """Make moto's DynamoDB take calls from many threads and its Step Functions validate a
    definition once. Idempotent."""
    global _installed
    if _installed:
        return
    serialize_dynamodb()
    remember_valid_definitions()
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
