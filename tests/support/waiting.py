"""Waiting for what the workflows do on moto's threads."""

from __future__ import annotations

import time
from typing import Any


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
