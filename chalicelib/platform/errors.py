"""Telling AWS errors apart without every package importing botocore: what an error's code is, and
whether trying again may help (throttling, a 5xx, a request that never completed)."""

from __future__ import annotations

import json
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from chalicelib.kernel.clock import iso


def error_code(error: BaseException) -> str:
    response = getattr(error, "response", None)
    if isinstance(response, dict):
        return response.get("Error", {}).get("Code") or type(error).__name__
    return type(error).__name__


def is_temporary(error: BaseException, temporary_codes: frozenset[str]) -> bool:
    """The provider was busy or briefly down: ``temporary_codes`` (the service's own), any 5xx, or a
    connection that failed (no response at all). Anything else fails the same way again."""
    if isinstance(error, ClientError):
        code = error.response.get("Error", {}).get("Code", "")
        status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
        return code in temporary_codes or status >= 500
    return isinstance(error, BotoCoreError)


# Codes by which S3 and DynamoDB say "busy, try again" (besides any 5xx and a connection that failed).
STORAGE_TEMPORARY_CODES = frozenset(
    {
        "Throttling",
        "ThrottlingException",
        "ProvisionedThroughputExceededException",
        "RequestLimitExceeded",
        "SlowDown",
        "ServiceUnavailable",
        "InternalError",
        "InternalServerError",
        "RequestTimeout",
        "TransactionInProgressException",
    }
)


def is_transient(error: BaseException) -> bool:
    """An AWS call that failed for now (throttled, a 5xx, no response): the same call may succeed
    later, and nothing the citizen or staff did is wrong."""
    return is_temporary(error, STORAGE_TEMPORARY_CODES)


def task_failure(step: str, error: str | None, cause: str | None, limit: int = 1000) -> dict[str, Any]:
    """A workflow step's failure as staff see it (a state machine's Catch gives its ``Error`` and
    ``Cause``): the step, the error's name, what the function said, the cause, when."""
    return {
        "step": step,
        "error": error or "desconhecido",
        "message": failed_task_message(cause, limit),
        "cause": (cause or "")[:limit],
        "at": iso(),
    }


def failed_task_message(cause: str | None, limit: int = 1000) -> str:
    """What a failed Lambda task said: its ``errorMessage`` (the cause Step Functions gives a Catch is
    the function's error as JSON), or the cause itself; at most ``limit`` characters."""
    try:
        said = json.loads(cause or "")
    except ValueError:
        return (cause or "")[:limit]
    return str(said.get("errorMessage", "") if isinstance(said, dict) else said)[:limit]


def is_not_found(error: BaseException) -> bool:
    """S3 answered that the object is not there (HEAD gives a bare 404, GET ``NoSuchKey``)."""
    if not isinstance(error, ClientError):
        return False
    code = error.response.get("Error", {}).get("Code", "")
    status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
    return code in ("404", "NoSuchKey", "NotFound") or status == 404
