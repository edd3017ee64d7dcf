"""Who works a process: a staff member takes an open one for themselves (claim), or a head hands it
to a colleague of the organ (assign). Each is one conditional write, so two at once give one winner
and a 409 naming who holds it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chalicelib.kernel.clock import iso
from chalicelib.kernel.errors import Conflict, ValidationFailed
from chalicelib.kernel.roles import ASSIGNING_ROLES, CLAIMING_ROLES, STAFF, holds_any
from chalicelib.kernel.vocabulary import OPEN_STATUSES, AccountStatus
from chalicelib.platform.audit import Actor, AuditTrail
from chalicelib.platform.dynamo import condition_failed
from chalicelib.processes.table import Processes, status_in

if TYPE_CHECKING:
    from chalicelib.accounts.sessions import Session


class Assignments:
    def __init__(self, processes: Processes | None = None, audit: AuditTrail | None = None):
        self.processes = processes or Processes(audit=audit)
        self.audit = self.processes.audit

    def claim(self, process_id: str, session: Session, source_ip: str | None) -> dict[str, Any]:
        """Take an open process for myself (clerks, decision-makers and heads of its organ). Claiming
        one already mine changes nothing; one a colleague holds is a 409 naming them."""
        process = self.processes.for_staff(process_id, session, CLAIMING_ROLES, "assumir processos")
        if process.get("assignee_id") == session.user_id and process["status"] in OPEN_STATUSES:
            return process
        return self._assign(process, session.user_id, session, source_ip, only_if_free=True)

    def assign(self, process_id: str, session: Session, assignee: Any, source_ip: str | None) -> dict[str, Any]:
        """Hand an open process to a colleague of its organ who works processes (heads and
        administrators of the organ). ``assignee`` is the colleague's account (an ``accounts.User``)."""
        process = self.processes.for_staff(process_id, session, ASSIGNING_ROLES, "atribuir processos")
        if (
            assignee is None
            or assignee.kind != STAFF
            or assignee.organ != process["service_organ"]
            or not holds_any(assignee.roles, CLAIMING_ROLES)
            or assignee.status != AccountStatus.ACTIVE
        ):
            raise ValidationFailed("Indique um trabalhador deste serviço que trate processos.", field="assignee_id")
        return self._assign(process, assignee.user_id, session, source_ip, only_if_free=False)

    def _assign(
        self, process: dict[str, Any], assignee_id: str, session: Session, source_ip: str | None, only_if_free: bool
    ) -> dict[str, Any]:
        if process["status"] not in OPEN_STATUSES:
            raise Conflict("Só se atribuem processos em curso.", field="status")
        condition, in_values = status_in(OPEN_STATUSES)
        values: dict[str, Any] = dict(in_values)
        if only_if_free:
            condition += " AND (attribute_not_exists(assignee_id) OR assignee_id = :me)"
            values[":me"] = assignee_id
        elif process.get("assignee_id"):
            # whoever the head saw holding it: a concurrent reassignment makes this one a 409
            condition += " AND assignee_id = :seen"
            values[":seen"] = process["assignee_id"]
        else:
            condition += " AND attribute_not_exists(assignee_id)"
        try:
            result = self.processes.table.update_item(
                Key={"process_id": process["process_id"]},
                UpdateExpression="SET assignee_id = :assignee, assigned_at = :at, assigned_by = :by",
                ConditionExpression=condition,
                ExpressionAttributeNames={"#status": "status"},
                ExpressionAttributeValues={**values, ":assignee": assignee_id, ":at": iso(), ":by": session.user_id},
                ReturnValues="ALL_NEW",
            )
        except condition_failed(self.processes.table):
            current = self.processes.get(process["process_id"])
            if current["status"] not in OPEN_STATUSES:
                raise Conflict("Só se atribuem processos em curso.", field="status") from None
            raise Conflict(
                f"O processo já está atribuído a {current.get('assignee_id')}.", field="assignee_id"
            ) from None
        action = "process.claimed" if assignee_id == session.user_id else "process.assigned"
        self.audit.record(
            Actor(session.user_id, source_ip),
            action,
            f"process#{process['process_id']}",
            assignee_id=assignee_id,
            previous_assignee_id=process.get("assignee_id"),
        )
        return result["Attributes"]
