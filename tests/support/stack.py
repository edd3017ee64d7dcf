"""The local stack started as a new user starts it: the README's command, in a subprocess (the e2e
tests' ``stack`` fixture, and test_local_stack's own stacks)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

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


def start_stack(
    port: int, aws_port: int, timeout: float = 120, options: tuple[str, ...] = (), data: Path | None = None
) -> Stack:
    """``options``: more of ``./dev up``'s (``--country BR``, ``--today 2026-12-24``). ``data``: where the
    stack keeps its data (a new, empty directory unless given: a test never finds another's data)."""
    import tempfile

    data = data or Path(tempfile.mkdtemp(prefix="balcao-local-data-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "BALCAO_", "MOTO_"))}
    process = subprocess.Popen(
        [*README_RUN_COMMAND, "--port", str(port), "--aws-port", str(aws_port), "--data", str(data), *options],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
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
