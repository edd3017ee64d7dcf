"""View access ("vista", seed 003): someone who is not the requerente asks the organ's secretariat,
with the process's number, to see a process; staff grant it to that person's account, who is emailed
and finds it under "Processos liberados" (read-only: data, documents, timeline; no answers, no
messages). A grant always ends on a date (the one staff give, or ``view_grant_days`` from today) and
staff may revoke it sooner; the grant, its end and a revocation are in the requerente's timeline.

What a grantee sees is minimal (issue 19): of the parties only who they are (name, type, quality),
never their identification number, addresses, email or phone; not how they are notified (the consent
records and the addresses they were given from), not the payment, nor other grantees.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from boto3.dynamodb.conditions import Key

from chalicelib.accounts.users import Accounts, login_key
from chalicelib.correspondence.values import process_values
from chalicelib.kernel.clock import iso, today
from chalicelib.kernel.errors import Conflict, Forbidden, NotFound, ValidationFailed
from chalicelib.kernel.inject import Injected
from chalicelib.kernel.roles import CITIZEN, GRANTING_ROLES, holds_any
from chalicelib.kernel.settings import get_settings
from chalicelib.kernel.vocabulary import ReservedSlot
from chalicelib.notifications.delivery import Notifier
from chalicelib.platform import aws
from chalicelib.platform.audit import Actor, AuditTrail
from chalicelib.platform.dynamo import condition_failed, get_with_session
from chalicelib.processes.access import citizens_of, of_organ
from chalicelib.processes.table import Processes
from chalicelib.views.process_view import ProcessViews

if TYPE_CHECKING:
    from chalicelib.accounts.sessions import Session


# Of a party, what a grantee sees: who they are, not how to reach them nor where they live.
PARTY_FIELDS = ("type", "name", "collective_kind", "collective_kind_other", "quality", "quality_other")
# What the view of a process never shows a grantee.
WITHHELD = ("notification", "payment", "draft_expires_at", "pending_tasks")
# Steps of the timeline a grantee does not see: messages are not released, and other grants are not theirs.
WITHHELD_STEPS = ("message.sent", "process.view_granted", "process.view_revoked")


def in_force(grant: dict[str, Any] | None) -> bool:
    return (
        bool(grant)
        and not grant.get("revoked_at")
        and (not grant.get("until") or grant["until"] >= today().isoformat())
    )


def minimal_party(party: dict[str, Any] | None) -> dict[str, Any] | None:
    return {k: party[k] for k in PARTY_FIELDS if party.get(k) is not None} if party else None


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
        until = until or today() + timedelta(days=get_settings().view_grant_days)
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
            "until": until.isoformat(),
        }
        self.table.put_item(Item={k: v for k, v in grant.items() if v is not None})
        self.audit.record(
            Actor(session.user_id, source_ip),
            "process.view_granted",
            f"process#{process_id}",
            grantee=user.user_id,
            grantee_name=user.name,
            until=grant["until"],
        )
        values = {
            **process_values(process, user.name),
            "until": until.strftime("%d/%m/%Y"),
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

    def revoke(self, process_id: str, grantee_id: str, session: Session, source_ip: str | None) -> dict[str, Any]:
        """Staff of the process's organ who grant view access end a grant before its date: the grantee
        no longer sees the process (404), and the requerente's timeline says so."""
        process = self.processes.get(process_id)
        if not of_organ(session, process.get("service_organ")) or not holds_any(session.roles, GRANTING_ROLES):
            raise Forbidden("Só os serviços do processo revogam a vista.")
        key = {"grantee_id": grantee_id, "process_id": process_id}
        grant = self.table.get_item(Key=key).get("Item")
        if grant is None:
            raise NotFound("Este cidadão não tem vista do processo.", field="grantee_id")
        if not in_force(grant):
            raise Conflict("A vista deste cidadão já terminou ou foi revogada.", field="grantee_id")
        revoked_at = iso()
        try:
            self.table.update_item(
                Key=key,
                UpdateExpression="SET revoked_at = :at, revoked_by = :by",
                ConditionExpression="attribute_exists(grantee_id) AND attribute_not_exists(revoked_at)",
                ExpressionAttributeValues={":at": revoked_at, ":by": session.user_id},
            )
        except condition_failed(self.table):
            raise Conflict("A vista deste cidadão já foi revogada.", field="grantee_id") from None
        grantee = Accounts().get(grantee_id)
        self.audit.record(
            Actor(session.user_id, source_ip),
            "process.view_revoked",
            f"process#{process_id}",
            grantee=grantee_id,
            grantee_name=grantee.name if grantee else None,
        )
        return {**grant, "revoked_at": revoked_at, "revoked_by": session.user_id}

    def released(self, session: Session) -> list[dict[str, Any]]:
        """ "Processos liberados": the processes this citizen was granted view of, still in force."""
        items = self.table.query(KeyConditionExpression=Key("grantee_id").eq(session.user_id), Limit=200)["Items"]
        return [
            {k: g.get(k) for k in ("process_id", "number", "organ", "granted_at", "until")}
            for g in items
            if in_force(g)
        ]

    def view(self, process_id: str, session: Session) -> dict[str, Any]:
        grant = get_with_session(session, self.table, {"grantee_id": session.user_id, "process_id": process_id})
        if not in_force(grant):
            raise NotFound("Processo desconhecido.", field="process_id")
        view = ProcessViews(audit=self.audit).view(self.processes.get(process_id, session))
        for withheld in WITHHELD:  # pending tasks: what is asked of the requerente is theirs to answer
            view.pop(withheld, None)
        view["requerente"] = minimal_party(view.get("requerente"))
        view["representante"] = minimal_party(view.get("representante"))
        # Messages are not released: neither their attachments nor their place in the timeline.
        view["documents"] = [d for d in view["documents"] if d.get("slot") != ReservedSlot.MESSAGE_ATTACHMENT]
        view["timeline"] = [e for e in view["timeline"] if e["action"] not in WITHHELD_STEPS]
        view["view_until"] = grant.get("until")
        return view
