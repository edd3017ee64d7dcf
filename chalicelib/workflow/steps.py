"""What every state machine task does with an error: a temporary one (AWS throttled, a 5xx, a lost
connection) is raised as ``TemporaryFailure``, the one name the state machines retry with backoff;
anything else keeps its own name and goes straight to the state's Catch (the process then needs
staff's attention: ``chalicelib.processes.step_failures``). So a storage hiccup is retried, never
read as the citizen's fault, and a real bug is not retried for nothing."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from chalicelib.kernel.errors import TemporaryFailure
from chalicelib.platform.errors import error_code, is_transient

Handler = Callable[[dict[str, Any], Any], Any]


def workflow_task(handler: Handler) -> Handler:
    @functools.wraps(handler)
    def run(event: dict[str, Any], context: Any) -> Any:
        try:
            return handler(event, context)
        except TemporaryFailure:
            raise
        except Exception as error:
            if is_transient(error):
                raise TemporaryFailure(f"{error_code(error)}: {error}") from error
            raise

    return run
