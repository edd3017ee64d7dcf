"""A step of a registration's workflow (``account_activation``) that failed after its retries: the
registration needs staff's attention. As for a process (``chalicelib.processes.step_failures``), the
step's ``<Step>Failed`` state waits here (task token): the failure is kept on the registration
(``workflow_attention``: the step, the error, when), the registration is listed in the staff's
registrations queue (even when it was already approved or rejected: its outcome's email is what
failed), and the audit trail has a ``registration.step_failed`` event. Staff retry the step with
``POST /api/staff/registrations/{user_id}/retry`` (``chalicelib.accounts.workflow_recovery``)."""

from __future__ import annotations

from typing import Any

from chalicelib.accounts.users import Accounts
from chalicelib.kernel.log import logger
from chalicelib.kernel.vocabulary import VALIDATION_QUEUE
from chalicelib.platform.audit import SYSTEM, AuditTrail
from chalicelib.platform.errors import task_failure

MESSAGE_LIMIT = 1000


class RegistrationStepFailures:
    def __init__(self, accounts: Accounts | None = None, audit: AuditTrail | None = None):
        self.audit = audit or AuditTrail()
        self.accounts = accounts or Accounts(audit=self.audit)

    def record(self, user_id: str, step: str, error: str | None, cause: str | None, task_token: str) -> dict[str, Any]:
        item = self.accounts.citizen_item(user_id)
        known = item.get("workflow_attention") or {}
        if known.get("step") == step and item.get("recovery_task_token"):  # the state's own retry
            self.accounts.table.update_item(
                Key={"pk": f"USER#{user_id}"},
                UpdateExpression="SET recovery_task_token = :token",
                ExpressionAttributeValues={":token": task_token},
            )
            return known
        attention = task_failure(step, error, cause, MESSAGE_LIMIT)
        logger.error("registration workflow step failed", extra={"user_id": user_id, "step": step})
        self.audit.with_change(  # the failure recorded and its audit event, together
            {
                "Key": {"pk": f"USER#{user_id}"},
                "UpdateExpression": "SET workflow_attention = :attention, recovery_task_token = :token, "
                "validation_queue = :queue, queued_at = if_not_exists(queued_at, :at)",
                "ConditionExpression": "attribute_exists(pk)",
                "ExpressionAttributeValues": {
                    ":attention": attention,
                    ":token": task_token,
                    ":queue": VALIDATION_QUEUE,
                    ":at": attention["at"],
                },
            },
            self.accounts.table,
            self.audit.put(SYSTEM, "registration.step_failed", f"user#{user_id}", step=step, error=attention["error"]),
        )
        return attention
