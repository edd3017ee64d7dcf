"""Shared fixtures: moto in-process with Step Functions execution on and the app's own Lambda
functions dispatched (local.lambdas), every resource provisioned from resources.json, demo accounts."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.api import Api
from tests.support.env import moto_environment
from tests.support.files import HOSTILE_DIR, write_hostile
from tests.support.in_process import provisioned


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    with moto_environment(monkeypatch):
        yield


@pytest.fixture
def aws_stack(env: None) -> Iterator[None]:
    """moto in-process, as the local stack configures its server, with everything provisioned."""
    from tests.support import faults

    faults.install()  # the fault-injection hook (inactive until a test injects a fault)
    faults.clear()
    with provisioned():
        yield


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


@pytest.fixture(scope="session")
def hostile_files() -> dict[str, Path]:
    """The hostile files of tests/support/files.py, written once into tests/fixtures/hostile/."""
    return write_hostile(HOSTILE_DIR)


@pytest.fixture(autouse=True)
def _no_real_aws_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    # Never let a test reach a real AWS account from a developer's machine.
    if "AWS_SHARED_CREDENTIALS_FILE" not in os.environ:
        monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")
