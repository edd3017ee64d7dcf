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
_installed = False
READS = ("GET", "HEAD")
GOALS = {"read": 3, "write": 6}  # the design's goal: AWS calls per request


def _count(model: Any, **_: Any) -> None:
    from local import iam

    counter = _counter.get()
    if counter is not None and iam.current_function() == "api" and not iam.presigning():
        counter[(model.service_model.service_name, model.name)] += 1


def install() -> None:
    """Count the calls of every client made from now on (idempotent; call ``aws.reset_clients()``
    after it, so that no client made before escapes)."""
    global _installed
    if _installed:
        return
    import botocore.handlers

    botocore.handlers.BUILTIN_HANDLERS.append(("provide-client-params", _count))
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


def goal(method: str) -> int:
    return GOALS["read" if method in READS else "write"]


def scans(counter: Counter[tuple[str, str]]) -> int:
    return sum(n for (service, operation), n in counter.items() if service == "dynamodb" and operation == "Scan")
