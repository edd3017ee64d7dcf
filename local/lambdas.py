"""Runs the app's own Lambda functions in-process when moto invokes them.

moto without Docker (``LambdaSimpleBackend``) only echoes a payload. Here its ``invoke`` (used by the
Step Functions interpreter's ``lambda:invoke`` tasks) and the function-level ``invoke`` (used by S3
notifications) are replaced by a dispatch to the handler that resources.json names for the function:
the very functions that run in AWS. Used by the local stack and by the tests, never deployed.
"""

from __future__ import annotations

import importlib
import json
import threading
import time
import traceback
import uuid
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor, wait
from types import SimpleNamespace
from typing import Any

from chalicelib.kernel.log import logger
from chalicelib.kernel.settings import get_settings
from chalicelib.platform.resources import load_resources
from local import alarms, iam, moto_fixes

_async_invocations = ThreadPoolExecutor(max_workers=2, thread_name_prefix="lambda-async")
_pending: set[Future[bytes]] = set()
_installed = False


# An Event invocation that fails is tried twice more, as Lambda does (after about 1 and 2 minutes
# in AWS; seconds here, so that a temporary fault heals while one watches).
ASYNC_RETRY_DELAYS = (1.0, 2.0)


def _invoke_async(function_name: str, payload: Any, after: Any = None) -> None:
    """Invoke in the background, as AWS does an ``Event`` invocation, retried as AWS retries it;
    ``after``: a lock to take first (what produced the event must be finished before its handler runs)."""

    def run() -> bytes:
        if after is not None:
            with after:
                pass
        for delay in (*ASYNC_RETRY_DELAYS, None):
            headers: dict[str, str] = {}
            result = invoke(function_name, payload, headers)
            if "x-amz-function-error" not in headers or delay is None:
                return result
            time.sleep(delay)
        return result

    future = _async_invocations.submit(run)
    _pending.add(future)
    future.add_done_callback(_pending.discard)


def drain(timeout: float = 30.0) -> None:
    """Wait for the asynchronous invocations (S3 events) under way to finish (tests, shutdown)."""
    wait(list(_pending), timeout=timeout)


def function_key(function_name: str) -> str:
    """The resources.json key of a deployed name (``balcao-local-notify``, an ARN, or ``notify``)."""
    name = function_name.split(":function:")[-1].split(":")[0]
    prefix = get_settings().function_name("")
    key = name[len(prefix) :] if name.startswith(prefix) else name
    spec = load_resources()["functions"].get(key)
    if spec is None or spec["kind"] == "api":
        raise LookupError(f"no Lambda function '{function_name}' in resources.json")
    return key


def handler_for(function_name: str) -> Callable[[dict[str, Any], Any], Any]:
    """The app's function for a deployed name."""
    spec = load_resources()["functions"][function_key(function_name)]
    module_name, attribute = spec["handler"].rsplit(".", 1)
    return getattr(importlib.import_module(module_name), attribute)


def _context(function_name: str) -> Any:
    return SimpleNamespace(
        function_name=function_name,
        aws_request_id=str(uuid.uuid4()),
        memory_limit_in_mb=512,
        invoked_function_arn=function_name,
        get_remaining_time_in_millis=lambda: 60_000,
    )


def invoke(function_name: str, payload: bytes | str | None, response_headers: dict[str, str]) -> bytes:
    """Call the handler as Lambda would; an exception becomes a function error whose ``errorType`` is
    the exception's class name, which the ASL can catch by name."""
    event = json.loads(payload or "{}")
    try:
        with iam.acting_as(function_key(function_name)):  # its calls checked against its own role's policy
            result = handler_for(function_name)(event, _context(function_name))
    except Exception as error:  # noqa: BLE001 - Lambda reports any exception as a function error
        logger.exception("Lambda function failed", extra={"function": function_name})
        alarms.raise_alarm(f"{function_key(function_name)}-errors", f"{type(error).__name__}: {str(error)[:300]}")
        response_headers["x-amz-function-error"] = "Unhandled"
        return json.dumps(
            {
                "errorType": type(error).__name__,
                "errorMessage": str(error),
                "stackTrace": traceback.format_exception(error)[-3:],
            }
        ).encode()
    return json.dumps(result, default=str).encode()


def scheduled_event(key: str) -> dict[str, Any]:
    """The event EventBridge gives a scheduled function."""
    from chalicelib.kernel.clock import iso

    settings = get_settings()
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": settings.account_id,
        "time": iso(),
        "region": settings.region,
        "detail": {},
        "resources": [f"arn:aws:events:{settings.region}:{settings.account_id}:rule/{settings.function_name(key)}"],
    }


def run_schedules(stop: threading.Event, tick_seconds: float = 5.0) -> threading.Thread:
    """EventBridge's part, locally: call each ``schedule`` function of resources.json at its rate,
    until ``stop`` is set."""
    specs = {key: spec for key, spec in load_resources()["functions"].items() if spec["kind"] == "schedule"}

    def loop() -> None:
        due = {key: time.monotonic() + 60 * spec.get("rate_minutes", 5) for key, spec in specs.items()}
        while not stop.wait(tick_seconds):
            for key, spec in specs.items():
                if time.monotonic() >= due[key]:
                    due[key] = time.monotonic() + 60 * spec.get("rate_minutes", 5)
                    invoke(key, json.dumps(scheduled_event(key)), {})

    thread = threading.Thread(target=loop, name="schedules", daemon=True)
    thread.start()
    return thread


def install() -> None:
    """Patch moto's Lambda (no Docker) to run the app's functions. Idempotent."""
    global _installed
    if _installed:
        return
    from moto.awslambda.models import LambdaFunction
    from moto.awslambda_simple.models import LambdaSimpleBackend
    from moto.core.config import default_user_config

    default_user_config.setdefault("lambda", {})["use_docker"] = False
    default_user_config.setdefault("stepfunctions", {})["execute_state_machine"] = True

    def backend_invoke(
        self: Any, function_name: str, qualifier: Any, body: Any, headers: Any, response_headers: Any
    ) -> bytes:
        if headers and headers.get("X-Amz-Invocation-Type") == "Event":
            _invoke_async(function_name, body)
            return b""
        return invoke(function_name, body, response_headers)

    def s3_notification_invoke(self: Any, body: Any, request_headers: Any, response_headers: Any) -> bytes:
        # S3 invokes Lambda asynchronously: the upload's response does not wait for inspection, but the
        # inspection waits for the object to be whole (moto_fixes.complete_posted_objects).
        _invoke_async(self.function_name, body, after=moto_fixes.S3_POSTS)
        return b""

    LambdaSimpleBackend.invoke = backend_invoke
    LambdaFunction.invoke = s3_notification_invoke
    _installed = True
