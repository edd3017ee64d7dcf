"""The local stack started as a new user starts it: the README's command, in a subprocess."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
README_RUN_COMMAND = ["./dev", "up"]  # the first command of the README's Quick start


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Stack:
    process: subprocess.Popen[str]
    base: str
    port: int
    aws_port: int
    output: list[str]

    def stop(self) -> int:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGINT)  # what Ctrl-C sends
        try:
            return self.process.wait(timeout=30)
        finally:
            if self.process.poll() is None:
                os.killpg(self.process.pid, signal.SIGKILL)


def start_stack(port: int, aws_port: int, timeout: float = 120) -> Stack:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "BALCAO_", "MOTO_"))}
    process = subprocess.Popen(
        [*README_RUN_COMMAND, "--port", str(port), "--aws-port", str(aws_port)],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True,
    )
    output: list[str] = []
    deadline = time.monotonic() + timeout
    assert process.stdout is not None
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        output.append(line)
        if "Press Ctrl-C to stop" in line:
            stack = Stack(process, f"http://127.0.0.1:{port}", port, aws_port, output)
            _drain_in_background(process, output)
            return stack
    process.kill()
    raise AssertionError("the local stack did not start:\n" + "".join(output))


def _drain_in_background(process: subprocess.Popen[str], output: list[str]) -> None:
    import threading

    def read() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            output.append(line)

    threading.Thread(target=read, daemon=True).start()


@pytest.fixture(scope="session")
def stack() -> Iterator[Stack]:
    running = start_stack(free_port(), free_port())
    yield running
    running.stop()


DEMO_PASSWORD = "Balcao-demo-2026"  # noqa: S105 - the local stack's published demo password


def staff_session(stack: Stack, identifier: str, password: str = DEMO_PASSWORD) -> Any:
    """A requests.Session logged in as staff, as the README does it: password, then the one-time code
    read from the local outbox."""
    import requests

    staff = requests.Session()
    # generous timeouts: a login hashes a password (argon2id) and sends an email, on a busy machine too
    challenge = staff.post(stack.base + "/api/staff/session", json={"identifier": identifier, "password": password},
                           timeout=60)
    assert challenge.status_code == 202, challenge.text
    sent_to = challenge.json()["code_sent_to"]
    code = None
    deadline = time.monotonic() + 60
    while code is None and time.monotonic() < deadline:
        for message in requests.get(stack.base + "/_local/outbox.json", timeout=30).json()["messages"]:
            local, _, domain = message["to"].partition("@")
            if message["subject"].startswith("Código de confirmação") and sent_to == f"{local[:1]}…{local[-1:]}@{domain}":
                code = message["subject"].rsplit(" ", 1)[-1]
                break
        else:
            time.sleep(0.2)
    assert code, "no login code in the outbox"
    login = staff.post(stack.base + "/api/staff/session/code", timeout=60,
                       json={"challenge_id": challenge.json()["challenge_id"], "code": code})
    assert login.status_code == 200, login.text
    staff.cookies.set("balcao_session", login.cookies["balcao_session"])  # requests keeps Secure cookies for https only
    staff.headers["X-Balcao-CSRF"] = "1"  # the API's CSRF protection on cookie-authenticated changes
    return staff
