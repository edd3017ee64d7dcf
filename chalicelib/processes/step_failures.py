"""A workflow step that failed after its retries: the process needs staff's attention, and staff retry
the step from where it failed.

Every task of the process state machine retries temporary errors by name (``TemporaryFailure``:
``chalicelib.workflow.steps``) and catches everything else into its ``<Step>Failed`` state, which
waits (task token) in this module: the failure is recorded on the process (``step_failures``, and
``attention``: the step, the error, when, the status it had), the process moves to
``requer_atencao`` (listed in the staff queue, shown to the citizen), and the audit trail has a
``workflow.step_failed`` event. ``POST /api/staff/processes/{id}/retry`` gives the process its status
back and resumes the workflow at the very step that failed (``chalicelib.processes.recovery``). No
step, a notice's included, is skipped or lost, and no failure leaves the process where nothing can
move it."""

from __future__ import annotations

from typing import Any

from chalicelib.kernel.log import logger
from chalicelib.kernel.vocabulary import ProcessStatus
from chalicelib.platform.audit import SYSTEM, AuditTrail
from chalicelib.platform.errors import task_failure
from chalicelib.processes.table import Processes, status_update

CAUSE_LIMIT = 1000  # characters of the error's cause kept (a Lambda error's cause carries its stack)


class StepFailures:
    def __init__(self, processes: Processes | None = None, audit: AuditTrail | None = None):
        self.audit = audit or (processes.audit if processes else AuditTrail())
        self.processes = processes or Processes(audit=self.audit)

    @property
    def table(self) -> Any:
        return self.processes.table

    def record(
        self, process_id: str, step: str, error: str | None, cause: str | None, task_token: str
    ) -> dict[str, Any]:
        """The step failed after its retries: the process needs attention, and ``task_token`` (the
        ``<Step>Failed`` state's) is what the staff's retry resumes. Repeating it (the state's own
        retry) changes nothing more."""
        process = self.processes.get(process_id)
        attention = process.get("attention") or {}
        if process["status"] == ProcessStatus.NEEDS_ATTENTION and attention.get("step") == step:
            if process.get("recovery_task_token") != task_token:  # a retried invocation with a new token
                self.table.update_item(
                    Key={"process_id": process_id},
                    UpdateExpression="SET recovery_task_token = :token",
                    ExpressionAttributeValues={":token": task_token},
                )
            return attention
        failure = task_failure(step, error, cause, CAUSE_LIMIT)
        logger.error("workflow step failed", extra={"process_id": process_id, "step": step, "error": failure["error"]})
        attention = {**failure, "status_before": process["status"]}
        self.audit.with_change(
            status_update(
                process_id,
                process["service_organ"],
                ProcessStatus.NEEDS_ATTENTION,
                condition="attribute_exists(process_id)",
                sets="step_failures = list_append(if_not_exists(step_failures, :none), :failure), "
                "attention = :attention, recovery_task_token = :token",
                values={":none": [], ":failure": [failure], ":attention": attention, ":token": task_token},
            ),
            self.table,
            self.audit.put(
                SYSTEM,
                "workflow.step_failed",
                f"process#{process_id}",
                step=step,
                error=failure["error"],
                status_before=attention["status_before"],
            ),
        )
        return attention
