"""Staff retry a registration's workflow step that failed (``chalicelib.accounts.workflow_failures``):
the registration leaves the queue again unless it still awaits validation, and its workflow runs the
step again. Audited as ``registration.step_retried``; 409 when no step waits."""

from __future__ import annotations

from typing import Any

from chalicelib.accounts.users import Accounts
from chalicelib.kernel.errors import Conflict, Forbidden
from chalicelib.kernel.roles import STAFF, VALIDATING_ROLES, holds_any
from chalicelib.kernel.vocabulary import VALIDATION_QUEUE, AccountStatus
from chalicelib.platform.audit import Actor, AuditTrail
from chalicelib.platform.dynamo import condition_failed
from chalicelib.platform.task_tokens import resume


class RegistrationStepRetry:
    def __init__(self, accounts: Accounts | None = None, audit: AuditTrail | None = None):
        self.audit = audit or AuditTrail()
        self.accounts = accounts or Accounts(audit=self.audit)

    def retry(self, user_id: str, session: Any, source_ip: str | None) -> dict[str, Any]:
        if session.kind != STAFF or not holds_any(session.roles, VALIDATING_ROLES):
            raise Forbidden("O seu perfil não permite validar registos.")
        item = self.accounts.citizen_item(user_id)
        token, attention = item.get("recovery_task_token"), item.get("workflow_attention")
        if not token or not attention:
            raise Conflict(
                "Nenhum passo do fluxo deste registo aguarda ser retomado.",
                field="user_id",
                current={"user_id": user_id, "status": item["status"]},
            )
        table = self.accounts.table
        # out of the queue again if it only came back to it for the failure
        leaves_queue = item["status"] != AccountStatus.AWAITING_VALIDATION
        removes = "recovery_task_token, workflow_attention" + (", validation_queue, queued_at" if leaves_queue else "")
        try:
            table.update_item(
                Key={"pk": f"USER#{user_id}"},
                UpdateExpression=f"REMOVE {removes}",
                ConditionExpression="recovery_task_token = :token",
                ExpressionAttributeValues={":token": token},
            )
        except condition_failed(table):
            raise Conflict("O passo já foi retomado por outra pessoa.", field="user_id") from None

        def undo() -> None:
            sets = "recovery_task_token = :token, workflow_attention = :attention"
            values: dict[str, Any] = {":token": token, ":attention": attention}
            if leaves_queue:
                sets += ", validation_queue = :queue, queued_at = :at"
                values.update({":queue": VALIDATION_QUEUE, ":at": item.get("queued_at") or attention["at"]})
            table.update_item(
                Key={"pk": f"USER#{user_id}"}, UpdateExpression=f"SET {sets}", ExpressionAttributeValues=values
            )

        if not resume(token, {"retried_step": attention["step"], "by": session.user_id}, undo=undo):
            raise Conflict("O fluxo deste registo já não aguarda; contacte o suporte técnico.", field="user_id")
        self.audit.record(
            Actor(session.user_id, source_ip), "registration.step_retried", f"user#{user_id}", step=attention["step"]
        )
        return {"user_id": user_id, "status": item["status"], "retried_step": attention["step"]}
