"""The one place a waiting workflow is resumed. A Step Functions task that waits for a callback
(``.waitForTaskToken``) gave us its token; the domain records what happened (a decision, an answer,
a payment) and then resumes the workflow with it. If the workflow no longer waits (its timeout
passed, it was stopped, the token is stale), the change just recorded is put back by ``undo`` so that
nothing is left half-done, and the caller says so to whoever acted."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from chalicelib.platform import aws


def resume(
    token: str, output: dict[str, Any], undo: Callable[[], None] | None = None, stepfunctions: Any = None
) -> bool:
    """Resume the workflow waiting on ``token`` with ``output``; False (after ``undo``) when it no
    longer waits."""
    client = stepfunctions or aws.client("stepfunctions")
    try:
        client.send_task_success(taskToken=token, output=json.dumps(output, ensure_ascii=False))
    except client.exceptions.ClientError:
        if undo is not None:
            undo()
        return False
    return True
