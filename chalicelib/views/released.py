"""View access ("vista", seed 003): someone who is not the requerente asks the organ's secretariat,
with the process's number, to see a process; staff grant it to that person's account, who is emailed
and finds it under "Processos liberados" (read-only: data, documents, timeline; no answers, no
messages). A grant may end on a date.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from boto3.dynamodb.conditions import Key

from chalicelib.accounts.users import Accounts, login_key
from chalicelib.correspondence.values import process_values
from chalicelib.kernel.clock import iso, today
from chalicelib.kernel.errors import Forbidden, NotFound, ValidationFailed
from chalicelib.kernel.inject import Injected
from chalicelib.kernel.roles import CITIZEN, GRANTING_ROLES, holds_any
from chalicelib.kernel.settings import get_settings
from chalicelib.kernel.vocabulary import ReservedSlot
from chalicelib.notifications.delivery import Notifier
from chalicelib.platform import aws
from chalicelib.platform.audit import Actor, AuditTrail
from chalicelib.processes.access import citizens_of, of_organ
from chalicelib.processes.table import Processes
from chalicelib.views.process_view import ProcessViews

if TYPE_CHECKING:
    from chalicelib.accounts.sessions import Session


class ViewAccess:
    def __init__(self, table: Any = None, processes: Processes | None = None, audit: AuditTrail | None = None):
        self._table = table
        self.audit = audit or AuditTrail()
        self.processes = processes or Processes(audit=self.audit)

    table = Injected(lambda self: aws.table("view_grants"))

    def grant(
        self, process_id: str, session: Session, identifier: str, until: date | None, source_ip: str | None
    ) -> dict[str, Any]:
        process = self.processes.get(process_id)
        if not of_organ(session, process.get("service_organ")) or not holds_any(session.roles, GRANTING_ROLES):
            raise Forbidden("Só os serviços do processo concedem vista.")
        if process.get("number") is None:
            raise ValidationFailed("Um rascunho não tem vista.", field="process_id")
        if until is not None and until < today():
            raise ValidationFailed("A data final da vista já passou.", field="until")
        accounts = Accounts()
        alias = accounts.table.get_item(Key={"pk": f"LOGIN#{login_key(identifier)}"}).get("Item")
        user = accounts.get(alias["user_id"]) if alias else None
        if user is None or user.kind != CITIZEN:
            raise ValidationFailed("Não há nenhum cidadão registado com essa identificação.", field="identifier")
        if user.user_id in citizens_of(process):
            raise ValidationFailed("O requerente e o representante já veem o processo.", field="identifier")
        grant = {
            "grantee_id": user.user_id,
            "process_id": process_id,
            "number": process["number"],
            "organ": process.get("service_organ"),
            "granted_at": iso(),
            "granted_by": session.user_id,
            "until": until.isoformat() if until else None,
        }
        self.table.put_item(Item={k: v for k, v in grant.items() if v is not None})
        self.audit.record(
            Actor(session.user_id, source_ip),
            "process.view_granted",
            f"process#{process_id}",
            grantee=user.user_id,
            until=grant["until"],
        )
        values = {
            **process_values(process, user.name),
            "until": until.strftime("%d/%m/%Y") if until else None,
            "released_url": f"{get_settings().public_base_url}/#/processos-liberados/{process_id}",
        }
        Notifier(audit=self.audit).email(
            user.email,
            "view_granted",
            values,
            f"process#{process_id}",
            key=f"view#{process_id}#{user.user_id}#{grant['granted_at']}",
        )
        return grant

    def released(self, session: Session) -> list[dict[str, Any]]:
        """ "Processos liberados": the processes this citizen was granted view of, still in force."""
        today_text = today().isoformat()
        items = self.table.query(KeyConditionExpression=Key("grantee_id").eq(session.user_id), Limit=200)["Items"]
        return [
            {k: g.get(k) for k in ("process_id", "number", "organ", "granted_at", "until")}
            for g in items
            if not g.get("until") or g["until"] >= today_text
        ]

    def view(self, process_id: str, session: Session) -> dict[str, Any]:
        grant = self.table.get_item(Key={"grantee_id": session.user_id, "process_id": process_id}).get("Item")
        if grant is None or (grant.get("until") and grant["until"] < today().isoformat()):
            raise NotFound("Processo desconhecido.", field="process_id")
        view = ProcessViews(audit=self.audit).view(self.processes.get(process_id, session))
        view.pop("pending_tasks", None)  # what is asked of the requerente is theirs to answer
        # Messages are not released: neither their attachments nor their place in the timeline.
        view["documents"] = [d for d in view["documents"] if d.get("slot") != ReservedSlot.MESSAGE_ATTACHMENT]
        view["timeline"] = [e for e in view["timeline"] if e["action"] != "message.sent"]
        return view
