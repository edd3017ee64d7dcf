"""The AWS calls a request makes, counted with a botocore event hook, as AWS would bill and log them.

``install()`` adds a ``provide-client-params`` handler to every later botocore client: one event per
API call, before the IAM check of ``local.iam`` (a call its policy refuses is a round trip in AWS
too); presigning fires it as well but sends nothing, and is not counted. A call is counted
when it runs as the API function (``local.iam.acting_as("api")``, which the Chalice app's entry
point sets) inside ``counting()``: the workflow's Lambda tasks and moto's own threads, which run as
their own functions or as none, are not the request's."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

_counter: ContextVar[Counter[tuple[str, str]] | None] = ContextVar("balcao_aws_calls", default=None)
# While ``recording()``: every successful call of every function of the app, from any thread (the
# workflow's Lambda tasks run on moto's), with what it sent and got (the cost benchmark prices them).
_ledger: list[dict[str, Any]] | None = None
_installed = False
READS = ("GET", "HEAD")
GOALS = {"read": 3, "write": 6}  # the design's goal: AWS calls per request


def _count(model: Any, params: Any = None, context: Any = None, **_: Any) -> None:
    from local import iam

    if iam.presigning():
        return
    counter = _counter.get()
    if counter is not None and iam.current_function() == "api":
        counter[(model.service_model.service_name, model.name)] += 1
    if _ledger is not None and iam.current_function() is not None and isinstance(context, dict):
        context["balcao_call"] = {"function": iam.current_function(), "params": params}


def _record(model: Any, parsed: Any = None, context: Any = None, **_: Any) -> None:
    call = context.get("balcao_call") if isinstance(context, dict) else None
    if _ledger is not None and call is not None:
        _ledger.append({**call, "service": model.service_model.service_name, "operation": model.name, "parsed": parsed})


def install() -> None:
    """Count the calls of every client made from now on (idempotent; call ``aws.reset_clients()``
    after it, so that no client made before escapes)."""
    global _installed
    if _installed:
        return
    import botocore.handlers

    botocore.handlers.BUILTIN_HANDLERS.append(("provide-client-params", _count))
    botocore.handlers.BUILTIN_HANDLERS.append(("after-call", _record))
    _installed = True


@contextmanager
def counting() -> Iterator[Counter[tuple[str, str]]]:
    """The API's AWS calls made in this block: (service, operation) → how many."""
    counter: Counter[tuple[str, str]] = Counter()
    token = _counter.set(counter)
    try:
        yield counter
    finally:
        _counter.reset(token)


@contextmanager
def recording() -> Iterator[list[dict[str, Any]]]:
    """Every successful AWS call the app's functions make in this block, from every thread, in order:
    ``{"function", "service", "operation", "params", "parsed"}`` each."""
    global _ledger
    _ledger = ledger = []
    try:
        yield ledger
    finally:
        _ledger = None


def goal(method: str) -> int:
    return GOALS["read" if method in READS else "write"]


def scans(counter: Counter[tuple[str, str]]) -> int:
    return sum(n for (service, operation), n in counter.items() if service == "dynamodb" and operation == "Scan")
