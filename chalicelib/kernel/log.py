"""Structured JSON logs (aws-lambda-powertools Logger), with the request id on every line."""

from __future__ import annotations

from aws_lambda_powertools import Logger

logger = Logger(service="balcao")


def bind_request(request_id: str | None, **keys: str | None) -> None:
    """Tag every following log line of this invocation with the request id (and e.g. the route)."""
    logger.remove_keys(["request_id", "route", "user_id"])
    logger.append_keys(request_id=request_id, **{k: v for k, v in keys.items() if v is not None})
