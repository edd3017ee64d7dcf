"""Staff retry a workflow step that failed (the process is ``requer_atencao``: see
``chalicelib.processes.step_failures``): the process gets back the status it had and its workflow,
waiting in the step's ``<Step>Failed`` state, is resumed and runs the step again. Audited as
``workflow.step_retried`` in the same transaction as the status it gives back; a retry that finds
nothing waiting is a 409 with the process's status."""

from __future__ import annotations

from typing import Any

from chalicelib.kernel.errors import Conflict
from chalicelib.kernel.roles import RECOVERING_ROLES
from chalicelib.kernel.vocabulary import ProcessStatus
from chalicelib.platform.audit import Actor, AuditTrail
from chalicelib.platform.dynamo import condition_failed
from chalicelib.platform.task_tokens import resume
from chalicelib.processes.table import Processes, status_update


class StepRetry:
    def __init__(self, processes: Processes | None = None, audit: AuditTrail | None = None):
        self.audit = audit or (processes.audit if processes else AuditTrail())
        self.processes = processes or Processes(audit=self.audit)

    @property
    def table(self) -> Any:
        return self.processes.table

    def retry(self, process_id: str, session: Any, source_ip: str | None) -> dict[str, Any]:
        """Staff retry the failed step: the process gets its status back and its workflow goes on at
        that step (409 if no step waits for it)."""
        process = self.processes.for_staff(process_id, session, RECOVERING_ROLES, "retomar o fluxo do processo")
        token, attention = process.get("recovery_task_token"), process.get("attention")
        if process["status"] != ProcessStatus.NEEDS_ATTENTION or not token or not attention:
            raise Conflict(
                "Nenhum passo do fluxo deste processo aguarda ser retomado.",
                field="status",
                current={"process_id": process_id, "status": process["status"]},
            )
        organ = process["service_organ"]
        actor, subject = Actor(session.user_id, source_ip), f"process#{process_id}"
        try:
            self.audit.with_change(
                status_update(
                    process_id,
                    organ,
                    attention["status_before"],
                    condition="#status = :attention_status AND recovery_task_token = :token",
                    removes="recovery_task_token, attention",
                    values={":attention_status": ProcessStatus.NEEDS_ATTENTION, ":token": token},
                ),
                self.table,
                self.audit.put(actor, "workflow.step_retried", subject, step=attention["step"]),
            )
        except condition_failed(self.table):
            current = self.processes.get(process_id)
            raise Conflict(
                "O passo já foi retomado por outra pessoa.",
                field="status",
                current={"process_id": process_id, "status": current["status"]},
            ) from None

        def undo() -> None:  # the workflow no longer waits: back as it was, and said so in the audit trail
            self.audit.with_change(
                status_update(
                    process_id,
                    organ,
                    ProcessStatus.NEEDS_ATTENTION,
                    sets="recovery_task_token = :token, attention = :attention",
                    values={":token": token, ":attention": attention},
                ),
                self.table,
                self.audit.put(actor, "workflow.step_retry_undone", subject, step=attention["step"]),
            )

        if not resume(token, {"retried_step": attention["step"], "by": session.user_id}, undo=undo):
            raise Conflict(
                "O fluxo deste processo já não aguarda; contacte o suporte técnico.",
                field="status",
                current={"process_id": process_id, "status": ProcessStatus.NEEDS_ATTENTION},
            )
        return self.processes.get(process_id)
