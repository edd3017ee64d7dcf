"""Structured JSON logs (aws-lambda-powertools Logger), each line tagged with the invocation it belongs
to: the request id and route of an HTTP request, the function and request id of any other Lambda
invocation (an S3 event's inspection, a state machine's task, a schedule).

The tags are per thread and per invocation (powertools' thread-safe keys, a ContextVar): the local stack
runs S3 events and workflow tasks in threads beside the HTTP server's, and a background inspection must
not log the route of whichever request happened to be served last."""

from __future__ import annotations

import uuid
from typing import Any

from aws_lambda_powertools import Logger

logger = Logger(service="balcao")


def bind_request(request_id: str | None, **keys: str | None) -> None:
    """Tag every following log line of this HTTP request with its id (and e.g. the route), and nothing
    else: whatever an earlier invocation on this thread bound is dropped."""
    logger.thread_safe_clear_keys()
    logger.thread_safe_append_keys(request_id=request_id, **{k: v for k, v in keys.items() if v is not None})


def bind_invocation(lambda_context: Any) -> None:
    """Tag every following log line of this Lambda invocation with the function and its request id."""
    logger.thread_safe_clear_keys()
    logger.thread_safe_append_keys(
        function=getattr(lambda_context, "function_name", None),
        request_id=getattr(lambda_context, "aws_request_id", None) or str(uuid.uuid4()),
    )
