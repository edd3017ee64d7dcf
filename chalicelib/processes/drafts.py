"""Drafts: a request as the citizen fills it, saved as it goes (PATCH), resumable on any device, and
deleted by DynamoDB's TTL ``draft_days`` after it was last saved (a reminder is emailed
``draft_reminder_days_before``). It names its requerente and, optionally, a representante
(``chalicelib.processes.parties``); the account that files it is one of them. Creating a draft with
an ``Idempotency-Key`` gives back the same draft on a retry."""

from __future__ import annotations

import hashlib
import uuid
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from chalicelib.accounts.users import Accounts
from chalicelib.catalogue.deadlines import decision_deadline
from chalicelib.catalogue.installments import plan_for_fields
from chalicelib.catalogue.service import get_service
from chalicelib.documents.store import Documents
from chalicelib.kernel.clock import iso, now, today, zone
from chalicelib.kernel.errors import Conflict, Forbidden
from chalicelib.kernel.inject import Injected
from chalicelib.kernel.roles import STAFF
from chalicelib.kernel.settings import get_settings
from chalicelib.kernel.vocabulary import ProcessStatus
from chalicelib.platform.audit import Actor, AuditTrail
from chalicelib.platform.dynamo import condition_failed
from chalicelib.platform.process_children import LISTED, document_link
from chalicelib.processes.access import filer
from chalicelib.processes.parties import default_requerente
from chalicelib.processes.table import Processes

if TYPE_CHECKING:
    from chalicelib.accounts.sessions import Session

MERGE_ATTEMPTS = 5  # saves of one draft racing each other: each retry merges on the newest version


def stale(process: dict[str, Any]) -> Conflict:
    """A save made on an older version of the draft: the 409 shows the draft as it is now."""
    return Conflict(
        "O pedido foi alterado entretanto (noutra janela ou dispositivo). Reveja-o e guarde de novo.",
        field="version",
        current={
            "process_id": process["process_id"],
            "version": int(process.get("version", 0)),
            "fields": process.get("fields", {}),
            "requerente": process.get("requerente"),
            "representante": process.get("representante"),
            "notification": process.get("notification"),
            "updated_at": process.get("updated_at"),
        },
    )


class Drafts:
    documents = Injected(lambda self: Documents(audit=self.audit))

    def __init__(
        self, processes: Processes | None = None, documents: Documents | None = None, audit: AuditTrail | None = None
    ):
        self.audit = audit or (processes.audit if processes else AuditTrail())
        self.processes = processes or Processes(audit=self.audit)
        self._documents = documents

    @property
    def table(self) -> Any:
        return self.processes.table

    def create_draft(
        self,
        session: Session,
        service_id: str,
        fields: dict[str, Any],
        source_ip: str | None,
        requerente: dict[str, Any] | None = None,
        representante: dict[str, Any] | None = None,
        notification: dict[str, Any] | None = None,
        idempotency_key: str | None = None,
    ) -> tuple[dict[str, Any], bool]:
        """A new draft, saved as filled so far (types and limits checked; what is missing is asked at
        submission). Without a requerente, the caller is the requerente. With an ``idempotency_key``
        the same key gives back the same draft. Returns (draft, created)."""
        if session.kind == STAFF:
            raise Forbidden("Os pedidos são apresentados por cidadãos e empresas.")
        service = get_service(service_id)
        clean = service.validate_fields(fields, partial=True)
        if requerente is None:
            user = Accounts().get(session.user_id)
            requerente = default_requerente(user) if user else None
        if idempotency_key:
            digest = hashlib.sha256(f"{session.user_id}\n{idempotency_key}".encode()).hexdigest()[:32]
            process_id = f"p_{digest}"
        else:
            process_id = f"p_{uuid.uuid4().hex}"
        created_at = iso()
        process = {
            "process_id": process_id,
            "service_id": service.id,
            "service_organ": service.organ,
            "filed_by": session.user_id,
            "requerente_id": session.user_id,  # the filer's, while a draft (the index lists drafts)
            "status": ProcessStatus.DRAFT,
            "fields": clean,
            "requerente": requerente,
            "representante": representante,
            "notification": notification,
            "created_at": created_at,
            "updated_at": created_at,
            "version": 1,  # one more at every save: a save made on an older version is refused or redone
            LISTED: True,  # its documents, tasks, messages and notifications are listed on it (process_children)
            **draft_expiry(),
        }
        try:
            self.table.put_item(Item=process, ConditionExpression="attribute_not_exists(process_id)")
        except condition_failed(self.table):
            existing = self.processes.get(process_id)
            if existing.get("filed_by") != session.user_id:
                raise Conflict("Chave de idempotência já usada.", field="Idempotency-Key") from None
            return existing, False
        self.audit.record(
            Actor(session.user_id, source_ip), "process.draft_created", f"process#{process_id}", service_id=service.id
        )
        return process, True

    def update_draft(
        self,
        process_id: str,
        session: Session,
        changes: dict[str, Any],
        source_ip: str | None,
        expected_version: int | None = None,
    ) -> dict[str, Any]:
        """Save what the citizen filled since: ``fields`` are merged (a null clears one), ``requerente``,
        ``representante`` (null removes it) and ``notification`` replace theirs. The draft's expiry
        starts again, and its ``version`` goes up by one.

        Optimistic concurrency: the write holds only if the draft is still the version read. With
        ``expected_version`` (the version the caller's form was filled on) a save on an older one is
        a 409 whose ``error.current`` is the draft as it is now; without it the merge is redone on
        the newer draft, so two tabs saving different fields at once both keep theirs."""
        parts = sorted(k for k in changes if k in ("fields", "requerente", "representante", "notification"))
        for _ in range(MERGE_ATTEMPTS):
            process = self.own_draft(process_id, session)
            version = int(process.get("version", 0))
            if expected_version is not None and expected_version != version:
                raise stale(process)
            sets = self._changes(process, changes)
            sets["version"] = version + 1
            names = {f"#{key}": key for key in sets}
            values = {f":{key}": value for key, value in sets.items()}
            same_version = "#version = :read" if version else "attribute_not_exists(#version)"
            try:
                result = self.table.update_item(
                    Key={"process_id": process_id},
                    UpdateExpression="SET " + ", ".join(f"#{key} = :{key}" for key in sets),
                    ConditionExpression=f"#st = :draft AND {same_version}",
                    ExpressionAttributeNames={**names, "#st": "status"},
                    ExpressionAttributeValues={
                        **values,
                        ":draft": ProcessStatus.DRAFT,
                        **({":read": version} if version else {}),
                    },
                    ReturnValues="ALL_NEW",
                )
            except condition_failed(self.table):
                if expected_version is not None:
                    raise stale(self.own_draft(process_id, session)) from None
                continue  # saved meanwhile (or submitted: own_draft says so): merge again on the new version
            self.audit.record(
                Actor(session.user_id, source_ip),
                "process.draft_saved",
                f"process#{process_id}",
                parts=parts,
                version=version + 1,
            )
            return result["Attributes"]
        raise stale(self.own_draft(process_id, session))

    @staticmethod
    def _changes(process: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
        service = get_service(process["service_id"])
        sets: dict[str, Any] = {"updated_at": iso(), **draft_expiry()}
        if "fields" in changes:
            merged = {**process.get("fields", {}), **(changes["fields"] or {})}
            sets["fields"] = service.validate_fields({k: v for k, v in merged.items() if v is not None}, partial=True)
        for part in ("requerente", "representante", "notification"):
            if part in changes:
                sets[part] = changes[part]
        return sets

    def own_draft(self, process_id: str, session: Session) -> dict[str, Any]:
        process = self.processes.get_for(process_id, session)
        if filer(process) != session.user_id:
            raise Forbidden()
        if process["status"] != ProcessStatus.DRAFT:
            raise Conflict("O pedido já foi submetido e não pode ser alterado.", field="status")
        return process

    def upload_slot(
        self,
        process_id: str,
        session: Session,
        slot: str,
        filename: str,
        content_type: str,
        source_ip: str | None,
        replaces: str | None = None,
    ) -> dict[str, Any]:
        """One file for a slot of the service in the filer's draft (once submitted, uploads answer a
        task: ``chalicelib.decision.uploads``)."""
        process = self.own_draft(process_id, session)
        service = get_service(process["service_id"])
        return self.documents.upload_slot(
            process_id,
            service.slot(slot),
            filename,
            content_type,
            Actor(session.user_id, source_ip),
            replaces=replaces,
            listed_with=document_link(process_id),
        )


def preview_plan(process: dict[str, Any]) -> list[Any] | None:
    """The installment plan its fields make (None for a service without one)."""
    service = get_service(process["service_id"])
    if service.installments is None:
        return None
    return plan_for_fields(service, process.get("fields", {}), decision_deadline(service, today()))


def draft_expiry() -> dict[str, Any]:
    """The TTL of a draft saved now, and the day its reminder is due (the sparse ``by_draft_reminder``
    index the daily reminder job reads)."""
    settings = get_settings()
    expires = now() + timedelta(days=settings.draft_days)
    reminder = (expires - timedelta(days=settings.draft_reminder_days_before)).astimezone(zone()).date()
    return {"expires_at": int(expires.timestamp()), "reminder_due": reminder.isoformat()}


def _expiry(process: dict[str, Any]) -> str | None:
    from datetime import UTC

    stamp = process.get("expires_at")
    return iso(datetime.fromtimestamp(int(stamp), UTC)) if stamp else None


def expiry(process: dict[str, Any]) -> str | None:
    stamp = process.get("expires_at")
    return iso(datetime.fromtimestamp(int(stamp), UTC)) if stamp else None
