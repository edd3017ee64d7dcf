"""Lazily created AWS clients, one per service and thread.

No client exists until the first call that needs one: moto must be active before, cold starts stay
short, and the local server's threads never share a boto3 resource (resources are not thread-safe).
Domain classes take a client or table in their constructor; these getters are the default.
``AWS_ENDPOINT_URL`` (honoured by boto3) points every client at moto locally.
"""

from __future__ import annotations

import threading
from typing import Any

from chalicelib.kernel.settings import get_settings

_local = threading.local()
_tracing_checked = False
# botocore's loader is not safe to use from several threads at once: concurrent first clients (the
# local stack runs workflows' Lambda tasks in threads) fail with "Unknown service: 'dynamodb'".
_creating = threading.Lock()
# One boto3 session for every client and resource: a new session per client reloads and reparses
# the service's model (0.1-0.3 s each), once per service and thread. Clients are thread-safe; the
# session is only used under ``_creating``.
_session: Any = None


def _enable_tracing_once() -> None:
    """Patch boto3 for X-Ray subsegments where tracing is on (AWS); the SDK costs ~0.6 s to import."""
    global _tracing_checked
    if _tracing_checked:
        return
    _tracing_checked = True
    if get_settings().tracing:
        from aws_xray_sdk.core import patch

        patch(["boto3"])


def _shared_session() -> Any:
    """The process's boto3 session (call with ``_creating`` held)."""
    global _session
    if _session is None:
        import boto3

        _session = boto3.session.Session()
    return _session


def _cache() -> dict[str, Any]:
    if not hasattr(_local, "cache"):
        _local.cache = {}
    return _local.cache


def client(service: str, max_attempts: int | None = None) -> Any:
    """The service's client; ``max_attempts`` sets botocore's own retries (1: none, for callers that
    retry themselves and record each attempt, like the notifier)."""
    cache = _cache()
    key = f"client:{service}:{max_attempts}"
    if key not in cache:
        _enable_tracing_once()
        config = None
        if max_attempts is not None:
            from botocore.config import Config

            config = Config(retries={"mode": "standard", "max_attempts": max_attempts})
        with _creating:
            cache[key] = _shared_session().client(service, region_name=get_settings().region, config=config)
    return cache[key]


def table(key: str) -> Any:
    """The DynamoDB table named by its key in resources.json (e.g. ``"processes"``)."""
    cache = _cache()
    cache_key = f"table:{key}"
    if cache_key not in cache:
        _enable_tracing_once()
        with _creating:
            dynamodb = _shared_session().resource("dynamodb", region_name=get_settings().region)
            cache[cache_key] = dynamodb.Table(get_settings().resource_name(key))
    return cache[cache_key]


def bucket_name(key: str) -> str:
    return get_settings().resource_name(key)


def reset_clients() -> None:
    """Forget this thread's clients and the shared session (tests: after a new moto mock starts, or
    the environment's credentials, region or endpoint change)."""
    global _session
    _cache().clear()
    with _creating:
        _session = None
