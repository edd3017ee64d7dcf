"""Shared fixtures: moto in-process with Step Functions execution on and the app's own Lambda
functions dispatched (local.lambdas), every resource provisioned from resources.json, demo accounts."""

from __future__ import annotations

import io
import json
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

TEST_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": "eu-west-1",
    "AWS_XRAY_SDK_ENABLED": "false",
    "BALCAO_STAGE": "local",
    "BALCAO_RESOURCE_PREFIX": "balcao-local",
    "BALCAO_TRACING": "false",
    "BALCAO_PAYMENT_CALLBACK_SECRET": "test-callback-secret",
    "BALCAO_PASSWORD_HASH_PROFILE": "CHEAPEST",  # argon2id still, at the lowest cost: tests hash a lot
}


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)  # in-process moto intercepts AWS hosts only
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    for key, value in TEST_ENV.items():
        monkeypatch.setenv(key, value)
    from chalicelib.accounts.passwords import _hasher
    from chalicelib.kernel.settings import get_settings
    from chalicelib.platform import aws

    get_settings.cache_clear()
    _hasher.cache_clear()
    aws.reset_clients()
    yield
    _hasher.cache_clear()
    get_settings.cache_clear()
    aws.reset_clients()


@pytest.fixture
def aws_stack(env: None) -> Iterator[None]:
    """moto in-process, as the local stack configures its server, with everything provisioned."""
    from moto import mock_aws

    from local import lambdas, moto_fixes, outbox, provision

    lambdas.install()
    moto_fixes.install()
    outbox.install()
    outbox.clear()  # messages of an earlier test in this process are not this test's
    with mock_aws(config={"stepfunctions": {"execute_state_machine": True}, "lambda": {"use_docker": False}}):
        provision.provision(web_origin="http://127.0.0.1:8000")
        yield
        _stop_workflows()
        lambdas.drain()


def _stop_workflows() -> None:
    """Stop executions still waiting (e.g. for a decision), so none outlives its test's mock."""
    from chalicelib.platform import aws
    stepfunctions = aws.client("stepfunctions")
    for machine in stepfunctions.list_state_machines()["stateMachines"]:
        running = stepfunctions.list_executions(stateMachineArn=machine["stateMachineArn"], statusFilter="RUNNING")
        for execution in running["executions"]:
            for _ in range(50):
                try:
                    stepfunctions.stop_execution(executionArn=execution["executionArn"])
                    break
                except Exception:  # noqa: BLE001 - moto cannot stop an execution still starting; try again
                    time.sleep(0.1)


@pytest.fixture
def demo(aws_stack: None) -> dict[str, Any]:
    from local import demo as demo_data

    demo_data.seed()
    return {"password": demo_data.DEMO_PASSWORD, "citizen": demo_data.DEMO_CITIZEN}


@pytest.fixture
def client(aws_stack: None) -> Iterator[Any]:
    from chalice.test import Client

    import app as balcao

    with Client(balcao.app, stage_name="local") as test_client:
        yield test_client


class Api:
    """A thin JSON helper over chalice.test.Client that keeps one caller's session cookie."""

    def __init__(self, client: Any):
        self.client = client
        self.cookie: str | None = None

    def call(self, method: str, path: str, body: Any = None, raw: bytes | str | None = None,
             headers: dict[str, str] | None = None, csrf: bool = True) -> Any:
        # as the web form does: the CSRF header on every request (chalicelib.api.http.check_csrf)
        all_headers = {"content-type": "application/json", **({"x-balcao-csrf": "1"} if csrf else {}), **(headers or {})}
        if self.cookie:
            all_headers["cookie"] = self.cookie
        payload = raw if raw is not None else (json.dumps(body) if body is not None else None)
        response = getattr(self.client.http, method.lower())(path, headers=all_headers, body=payload)
        set_cookie = response.headers.get("Set-Cookie") or response.headers.get("set-cookie")
        if set_cookie:
            self.cookie = set_cookie.split(";", 1)[0]
        response.data = json.loads(response.body) if response.body else None
        return response

    def login(self, identifier: str, password: str, staff: bool = False) -> Any:
        """Log in; staff answer the one-time code that the outbox shows was emailed to them."""
        if not staff:
            response = self.call("POST", "/api/session", {"identifier": identifier, "password": password})
            assert response.status_code == 200, response.body
            return response
        from local import outbox

        seen = {m["message_id"] for m in outbox.messages()}
        challenge = self.call("POST", "/api/staff/session", {"identifier": identifier, "password": password})
        assert challenge.status_code == 202, challenge.body
        response = self.call("POST", "/api/staff/session/code",
                             {"challenge_id": challenge.data["challenge_id"], "code": staff_login_code(challenge.data, seen)})
        assert response.status_code == 200, response.body
        return response


def staff_login_code(challenge: dict[str, Any], seen: frozenset[str] | set[str] = frozenset()) -> str:
    """The code of the newest login-code email to the address the challenge names (masked), among
    the messages not in ``seen`` (the outbox outlives a test: an older code must not be taken)."""
    from chalicelib.accounts.staff_auth import mask_email
    from local import outbox

    for message in outbox.messages():
        if message["message_id"] in seen or mask_email(message["to"]) != challenge["code_sent_to"]:
            continue
        if message["subject"].startswith("Código de confirmação"):
            return message["subject"].rsplit(" ", 1)[-1]
    raise AssertionError(f"no login code was emailed to {challenge['code_sent_to']}")


@pytest.fixture
def make_api(client: Any, demo: dict[str, Any]) -> Any:
    return lambda: Api(client)


# A Friday before Christmas: 10 working days from it span Christmas and New Year (deadline 6 Jan 2026).
PAST_FRIDAY = "2025-12-19T10:00:00+00:00"


@pytest.fixture
def past_clock() -> Iterator[Any]:
    """The application's clock on ``PAST_FRIDAY``: every deadline and notification time it computes
    is already due for the workflow's timers, so no test sleeps for one."""
    from datetime import datetime

    from chalicelib.kernel import clock
    with clock.travel(datetime.fromisoformat(PAST_FRIDAY)):
        yield clock


def small_pdf(pages: int = 1, text: str | None = None) -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(595, 842)
    if text:
        writer.add_metadata({"/Title": text})
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


HOSTILE_DIR = Path(__file__).resolve().parent / "fixtures" / "hostile"


@pytest.fixture(scope="session")
def hostile_files() -> dict[str, Path]:
    """The hostile files of tests/fixtures/files.py, written once into tests/fixtures/hostile/."""
    from tests.fixtures.files import write_hostile

    return write_hostile(HOSTILE_DIR)


def upload(slot: dict[str, Any], data: bytes, filename: str = "anexo.pdf") -> int:
    """POST the file to S3 with the presigned form, as a browser would (S3 ObjectCreated follows)."""
    import requests

    files = {"file": (filename, data, slot["upload"]["fields"].get("Content-Type", "application/octet-stream"))}
    response = requests.post(slot["upload"]["url"], data=slot["upload"]["fields"], files=files, timeout=30)
    return response.status_code


def wait_for(predicate: Any, timeout: float = 60.0, interval: float = 0.1) -> Any:
    # generous: the workflows run on moto's threads, slow on a loaded machine; a pass returns at once
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(interval)


@pytest.fixture(autouse=True)
def _no_real_aws_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    # Never let a test reach a real AWS account from a developer's machine.
    if "AWS_SHARED_CREDENTIALS_FILE" not in os.environ:
        monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")
