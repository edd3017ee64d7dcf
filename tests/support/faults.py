"""Faults injected for real into AWS calls: a botocore ``before-call`` hook, by service and operation
(and, optionally, the Lambda function making the call, as ``local.iam`` knows it), answers the call
with the error AWS would give, without sending it. Nothing of the app is replaced: its code gets the
very ``ClientError`` botocore raises for a 500 from S3 or a throttled DynamoDB, and the state machines
run as they do.

    with faults.inject("s3", "HeadObject", function="inspect_process_documents"):  # once, a 500
        ...
    with faults.inject("dynamodb", "UpdateItem", code="ValidationException", status=400, times=None):
        ...  # every call, until the block ends
    with faults.interleave("dynamodb", "UpdateItem", before=other_tab_saves):
        ...  # the other tab's save lands between this save's read and its write

``install()`` (the ``aws_stack`` fixture calls it) adds the hook to every botocore session made
afterwards, as ``local.iam`` adds its check."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

_lock = threading.Lock()
_active: list[Fault] = []
_installed = False


@dataclass
class Fault:
    service: str  # botocore's service name: "s3", "dynamodb", "stepfunctions", "sesv2", "sns"
    operation: str | tuple[str, ...]  # "HeadObject", "UpdateItem", ... (or any of several)
    function: str | None  # only calls made as this Lambda function (None: any caller)
    code: str
    status: int
    times: int | None  # how many calls fail (None: all, while active)
    when: Any = None  # optional predicate on the request (its URL path and body, as text)
    before: Any = None  # instead of failing: run this first, then let the call go (an interleaving)
    hits: list[dict[str, Any]] = field(default_factory=list)

    def matches(self, service: str, operation: str, params: dict[str, Any]) -> bool:
        from local.iam import current_function

        operations = (self.operation,) if isinstance(self.operation, str) else self.operation
        if service != self.service or operation not in operations:
            return False
        if self.function is not None and current_function() != self.function:
            return False
        if self.times is not None and len(self.hits) >= self.times:
            return False
        return self.when is None or bool(self.when(f"{params.get('url_path', '')} {params.get('body', '')!s}"))


class _Response:
    """What botocore reads of an HTTP response it did not get."""

    def __init__(self, status: int):
        self.status_code = status
        self.headers: dict[str, str] = {}
        self.content = b""
        self.text = ""
        self.raw = None


def _before_call(model: Any, params: dict[str, Any], **_: Any) -> Any:
    service, operation = model.service_model.service_name, model.name
    with _lock:
        fault = next((f for f in _active if f.matches(service, operation, params)), None)
        if fault is None:
            return None
        fault.hits.append(params)
    if fault.before is not None:
        fault.before()  # e.g. another tab's save, between this call's read and its write
        return None
    parsed = {
        "Error": {"Code": fault.code, "Message": f"injected fault: {service}.{operation}"},
        "ResponseMetadata": {"HTTPStatusCode": fault.status, "HTTPHeaders": {}, "RetryAttempts": 0},
    }
    return _Response(fault.status), parsed


def install() -> None:
    """Hook every botocore session made from now on. Idempotent."""
    global _installed
    if _installed:
        return
    import botocore.handlers

    botocore.handlers.BUILTIN_HANDLERS.append(("before-call", _before_call))
    _installed = True


@contextmanager
def interleave(
    service: str, operation: str | tuple[str, ...], before: Any, *, function: str | None = None, when: Any = None
) -> Iterator[Fault]:
    """Run ``before`` just before the next matching call, which then goes on as sent: what another
    caller does between a read and the write that follows it, every time, not by the luck of threads."""
    with _active_while(Fault(service, operation, function, "", 0, 1, when, before)) as fault:
        yield fault


@contextmanager
def inject(
    service: str,
    operation: str,
    *,
    function: str | None = None,
    code: str = "InternalError",
    status: int = 500,
    times: int | None = 1,
    when: Any = None,
) -> Iterator[Fault]:
    """Fail the next ``times`` matching calls (all of them with ``None``) while the block runs; the
    fault's ``hits`` are the requests it failed. ``when``: a predicate on the request's text (e.g.
    ``lambda r: "-processes" in r`` for one table)."""
    with _active_while(Fault(service, operation, function, code, status, times, when)) as fault:
        yield fault


@contextmanager
def _active_while(fault: Fault) -> Iterator[Fault]:
    with _lock:
        _active.append(fault)
    try:
        yield fault
    finally:
        with _lock:
            _active.remove(fault)


def clear() -> None:
    with _lock:
        _active.clear()
