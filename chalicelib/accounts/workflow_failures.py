"""A step of a registration's workflow (``account_activation``) that failed after its retries: the
registration needs staff's attention. As for a process (``chalicelib.processes.step_failures``), the
step's ``<Step>Failed`` state waits here (task token): the failure is kept on the registration
(``workflow_attention``: the step, the error, when), the registration is listed in the staff's
registrations queue (even when it was already approved or rejected: its outcome's email is what
failed), and the audit trail has a ``registration.step_failed`` event. Staff retry the step with
``POST /api/staff/registrations/{user_id}/retry`` (``chalicelib.accounts.workflow_recovery``)."""

from __future__ import annotations

import json
from typing import Any

from chalicelib.accounts.users import Accounts
from chalicelib.kernel.clock import iso
from chalicelib.kernel.log import logger
from chalicelib.kernel.vocabulary import VALIDATION_QUEUE
from chalicelib.platform.audit import SYSTEM, AuditTrail

MESSAGE_LIMIT = 1000


def failure_message(cause: str | None) -> str:
    """What the failed Lambda said (its ``errorMessage``: the cause Step Functions gives is its JSON)."""
    try:
        said = json.loads(cause or "")
    except ValueError:
        return (cause or "")[:MESSAGE_LIMIT]
    return str(said.get("errorMessage", "") if isinstance(said, dict) else said)[:MESSAGE_LIMIT]


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
        attention = {"step": step, "error": error or "desconhecido", "message": failure_message(cause), "at": iso()}
        logger.error("registration workflow step failed", extra={"user_id": user_id, "step": step})
        self.accounts.table.update_item(
            Key={"pk": f"USER#{user_id}"},
            UpdateExpression="SET workflow_attention = :attention, recovery_task_token = :token, "
            "validation_queue = :queue, queued_at = if_not_exists(queued_at, :at)",
            ConditionExpression="attribute_exists(pk)",
            ExpressionAttributeValues={
                ":attention": attention,
                ":token": task_token,
                ":queue": VALIDATION_QUEUE,
                ":at": attention["at"],
            },
        )
        self.audit.record(SYSTEM, "registration.step_failed", f"user#{user_id}", step=step, error=attention["error"])
        return attention
