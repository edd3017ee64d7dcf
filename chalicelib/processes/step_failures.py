"""A workflow step that failed after its retries, recorded on the process for staff to see.

The process state machine catches every task's failure: a notice that could not be sent (receipt,
payment reference, a task's notice, the decision) is recorded and the workflow goes on, since the
process itself is sound; a step the process cannot go on without (inspection, the waits for staff,
payment or citizen) is recorded and the execution then fails, which the workflow alarms report.
Either way staff find the step, the error and when on the process (``step_failures`` in the staff
view), and the audit trail has a ``workflow.step_failed`` event."""

from __future__ import annotations

from typing import Any

from chalicelib.kernel.clock import iso
from chalicelib.kernel.inject import Injected
from chalicelib.kernel.log import logger
from chalicelib.platform import aws
from chalicelib.platform.audit import SYSTEM, AuditTrail

CAUSE_LIMIT = 1000  # characters of the error's cause kept (a Lambda error's cause carries its stack)


class StepFailures:
    table = Injected(lambda self: aws.table("processes"))

    def __init__(self, table: Any = None, audit: AuditTrail | None = None):
        self._table = table
        self.audit = audit or AuditTrail()

    def record(self, process_id: str, step: str, error: str | None, cause: str | None) -> dict[str, Any]:
        failure = {"step": step, "error": error or "desconhecido", "cause": (cause or "")[:CAUSE_LIMIT], "at": iso()}
        logger.error("workflow step failed", extra={"process_id": process_id, "step": step, "error": failure["error"]})
        self.table.update_item(
            Key={"process_id": process_id},
            UpdateExpression="SET step_failures = list_append(if_not_exists(step_failures, :none), :failure)",
            ConditionExpression="attribute_exists(process_id)",
            ExpressionAttributeValues={":none": [], ":failure": [failure]},
        )
        self.audit.record(SYSTEM, "workflow.step_failed", f"process#{process_id}", step=step, error=failure["error"])
        return failure
