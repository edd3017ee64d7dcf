"""Requests and the processes they become.

A request starts as a draft (``rascunho``) owned by its requerente (the person or company asking).
Submitting it gives it a number per organ and year (``CAMARA 2026/000001``, allocated atomically), a
legal decision deadline in working days, and a Step Functions execution that inspects its documents,
waits for a staff decision (a task token) and notifies the citizen.

Statuses: rascunho → submetido → em_apreciacao (awaiting decision) → deferido | indeferido.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from chalicelib import aws
from chalicelib.accounts import STAFF, Session
from chalicelib.audit import SYSTEM, Actor, AuditTrail
from chalicelib.catalogue import get_service
from chalicelib.clock import iso, now
from chalicelib.deadlines import add_working_days, working_days_between
from chalicelib.documents import ACCEPTED, AWAITING, REJECTED, VIEW_FIELDS, Documents
from chalicelib.errors import Conflict, Forbidden, NotFound, ValidationFailed
from chalicelib.settings import get_settings

DRAFT = "rascunho"
SUBMITTED = "submetido"
AWAITING_DECISION = "em_apreciacao"
APPROVED = "deferido"
REJECTED_DECISION = "indeferido"
DOCUMENTS_REJECTED = "documentos_rejeitados"
DECISIONS = (APPROVED, REJECTED_DECISION)
DECIDING_ROLES = ("decision_maker", "organ_head")

LISBON = ZoneInfo("Europe/Lisbon")


def process_id_for(number: str) -> str:
    """``CAMARA 2026/000001`` → a URL-safe reference, ``CAMARA-2026-000001``."""
    return number.replace(" ", "-").replace("/", "-")


class Processes:
    def __init__(
        self,
        table: Any = None,
        counters: Any = None,
        documents: Documents | None = None,
        stepfunctions: Any = None,
        audit: AuditTrail | None = None,
    ):
        self._table = table
        self._counters = counters
        self._stepfunctions = stepfunctions
        self.audit = audit or AuditTrail()
        self.documents = documents or Documents(audit=self.audit)

    @property
    def table(self) -> Any:
        return self._table or aws.table("processes")

    @property
    def counters(self) -> Any:
        return self._counters or aws.table("counters")

    @property
    def stepfunctions(self) -> Any:
        return self._stepfunctions or aws.client("stepfunctions")

    # -- reading -------------------------------------------------------------------------------
    def get(self, process_id: str) -> dict[str, Any]:
        item = self.table.get_item(Key={"process_id": process_id}).get("Item")
        if item is None:
            raise NotFound("Processo desconhecido.", field="process_id")
        return item

    def get_for(self, process_id: str, session: Session) -> dict[str, Any]:
        """The process, if this caller may see it: its requerente or their representante, or staff of
        its organ (auditors read all). Anyone else gets the same 404 as for a process that does not exist."""
        process = self.get(process_id)
        if session.kind == STAFF:
            if "auditor" in session.roles or (session.organ and session.organ == process.get("service_organ")):
                return process
        elif session.user_id in (process["requerente_id"], process.get("representante_id")):
            return process
        raise NotFound("Processo desconhecido.", field="process_id")

    def list_for_requerente(self, user_id: str, limit: int = 50) -> list[dict[str, Any]]:
        from boto3.dynamodb.conditions import Key

        response = self.table.query(
            IndexName="by_requerente",
            KeyConditionExpression=Key("requerente_id").eq(user_id),
            ScanIndexForward=False,
            Limit=limit,
        )
        return response["Items"]

    def queue_for_organ(self, organ: str, limit: int = 50) -> list[dict[str, Any]]:
        """Submitted processes of an organ, nearest legal deadline first (drafts are not indexed)."""
        from boto3.dynamodb.conditions import Key

        response = self.table.query(
            IndexName="by_organ_deadline", KeyConditionExpression=Key("organ").eq(organ), Limit=limit
        )
        return response["Items"]

    def view(self, process: dict[str, Any], for_staff: bool = False) -> dict[str, Any]:
        """What the citizen (or staff) sees of a process: never the task token."""
        service = get_service(process["service_id"])
        # Staff see every version of a replaced document; the citizen sees the current ones.
        documents = [{k: doc.get(k) for k in VIEW_FIELDS}
                     for doc in self.documents.list(process["process_id"], current_only=not for_staff)]
        deadline = process.get("decision_deadline")
        days_left = None
        if deadline and process["status"] not in DECISIONS:
            days_left = working_days_between(now().astimezone(LISBON).date(), datetime.fromisoformat(deadline).date())
        view = {
            "process_id": process["process_id"],
            "number": process.get("number"),
            "service_id": process["service_id"],
            "service_title": service.title,
            "organ": process.get("service_organ"),
            "status": process["status"],
            "fields": process.get("fields", {}),
            "created_at": process["created_at"],
            "submitted_at": process.get("submitted_at"),
            "decision_deadline": deadline,
            "working_days_left": days_left,
            "decision": process.get("decision"),
            "decision_grounds": process.get("decision_grounds"),
            "decided_at": process.get("decided_at"),
            "documents": documents,
        }
        if for_staff:
            view["requerente_id"] = process["requerente_id"]
            view["timeline"] = self.audit.for_subject(f"process#{process['process_id']}")
            from chalicelib.notifications import NotificationLog, public_entry

            # the proof of notification: every message of the process, its channel and status
            view["notifications"] = [public_entry(e) for e in NotificationLog().for_process(process["process_id"])]
        return view

    # -- citizen actions -------------------------------------------------------------------------
    def create_draft(self, session: Session, service_id: str, fields: dict[str, Any], source_ip: str | None) -> dict[str, Any]:
        if session.kind == STAFF:
            raise Forbidden("Os pedidos são apresentados por cidadãos e empresas.")
        service = get_service(service_id)
        clean = service.validate_fields(fields)
        process = {
            "process_id": f"p_{uuid.uuid4().hex}",
            "service_id": service.id,
            "service_organ": service.organ,
            "requerente_id": session.user_id,
            "status": DRAFT,
            "fields": clean,
            "created_at": iso(),
        }
        self.table.put_item(Item=process, ConditionExpression="attribute_not_exists(process_id)")
        self.audit.record(Actor(session.user_id, source_ip), "process.draft_created", f"process#{process['process_id']}", service_id=service.id)
        return process

    def _own_draft(self, process_id: str, session: Session) -> dict[str, Any]:
        process = self.get_for(process_id, session)
        if process["requerente_id"] != session.user_id:
            raise Forbidden()
        if process["status"] != DRAFT:
            raise Conflict("O pedido já foi submetido e não pode ser alterado.", field="status")
        return process

    def upload_slot(self, process_id: str, session: Session, slot: str, filename: str, content_type: str,
                    source_ip: str | None, replaces: str | None = None) -> dict[str, Any]:
        process = self._own_draft(process_id, session)
        service = get_service(process["service_id"])
        return self.documents.upload_slot(process_id, service.slot(slot), filename, content_type,
                                          Actor(session.user_id, source_ip), replaces=replaces)

    def submit(self, process_id: str, session: Session, source_ip: str | None) -> dict[str, Any]:
        process = self._own_draft(process_id, session)
        service = get_service(process["service_id"])
        documents = self.documents.list(process_id)
        for slot in service.documents:
            candidates = [d for d in documents if d["slot"] == slot.slot and d["status"] != REJECTED]
            if slot.required and not any(self._uploaded(d) for d in candidates):
                raise ValidationFailed(f"Falta o documento: {slot.label}.", field=f"documents.{slot.slot}")

        settings = get_settings()
        submitted = now()
        local_day = submitted.astimezone(LISBON).date()
        number = self._allocate_number(service.organ, local_day.year)
        if service.decision_deadline.kind == "working":
            deadline = add_working_days(local_day, service.decision_deadline.days)
        else:
            from datetime import timedelta

            deadline = local_day + timedelta(days=service.decision_deadline.days)
        try:
            result = self.table.update_item(
                Key={"process_id": process_id},
                UpdateExpression="SET #status = :submitted, #number = :number, organ = :organ, "
                "submitted_at = :at, decision_deadline = :deadline",
                ConditionExpression="#status = :draft",
                ExpressionAttributeNames={"#status": "status", "#number": "number"},
                ExpressionAttributeValues={
                    ":submitted": SUBMITTED,
                    ":draft": DRAFT,
                    ":number": number,
                    ":organ": service.organ,
                    ":at": iso(submitted),
                    ":deadline": deadline.isoformat(),
                },
                ReturnValues="ALL_NEW",
            )
        except self.table.meta.client.exceptions.ConditionalCheckFailedException:
            raise Conflict("O pedido já foi submetido.", field="status") from None
        process = result["Attributes"]
        self.audit.record(Actor(session.user_id, source_ip), "process.submitted", f"process#{process_id}", number=number)
        execution = self.stepfunctions.start_execution(
            stateMachineArn=settings.state_machine_arn("process"),
            name=process_id,  # one execution per process, whatever the retries
            input=_json({"process_id": process_id}),
        )
        self.table.update_item(
            Key={"process_id": process_id},
            UpdateExpression="SET execution_arn = :arn",
            ExpressionAttributeValues={":arn": execution["executionArn"]},
        )
        return process

    def _uploaded(self, document: dict[str, Any]) -> bool:
        if document["status"] == ACCEPTED:
            return True
        if document["status"] != AWAITING:
            return False
        try:  # bytes landed but inspection has not run yet: the workflow will inspect them
            self.documents.s3.head_object(Bucket=aws.bucket_name("uploads"), Key=document["quarantine_key"])
            return True
        except self.documents.s3.exceptions.ClientError:
            return False

    def _allocate_number(self, organ: str, year: int) -> str:
        result = self.counters.update_item(
            Key={"counter": f"process#{organ}#{year}"},
            UpdateExpression="ADD #value :one",
            ExpressionAttributeNames={"#value": "value"},
            ExpressionAttributeValues={":one": 1},
            ReturnValues="UPDATED_NEW",
        )
        return f"{organ} {year}/{int(result['Attributes']['value']):06d}"

    # -- workflow steps ------------------------------------------------------------------------
    def inspect_documents(self, process_id: str) -> dict[str, Any]:
        """Every document of the process inspected (those whose S3 event has not arrived yet are
        inspected now). A slot is good when it holds an accepted file: a file rejected and then
        replaced, or a slot issued but never used, does not count against the request."""
        service = get_service(self.get(process_id)["service_id"])
        results = [self.documents.inspect(doc) for doc in self.documents.list(process_id)]
        accepted_slots = {doc["slot"] for doc in results if doc["status"] == ACCEPTED}
        rejected = [doc["document_id"] for doc in results if doc["status"] == REJECTED and doc["slot"] not in accepted_slots]
        missing = [slot.slot for slot in service.documents if slot.required and slot.slot not in accepted_slots]
        if rejected or missing:
            self._set_status(process_id, DOCUMENTS_REJECTED, SUBMITTED)
        return {"process_id": process_id, "documents_ok": not rejected and not missing,
                "rejected": rejected, "missing": missing}

    def register_decision_task(self, process_id: str, task_token: str) -> None:
        """The workflow now waits for staff: keep its task token on the process."""
        self.table.update_item(
            Key={"process_id": process_id},
            UpdateExpression="SET #status = :awaiting, decision_task_token = :token",
            ConditionExpression="#status = :submitted",
            ExpressionAttributeNames={"#status": "status"},
            ExpressionAttributeValues={":awaiting": AWAITING_DECISION, ":token": task_token, ":submitted": SUBMITTED},
        )
        self.audit.record(SYSTEM, "process.awaiting_decision", f"process#{process_id}")

    def _set_status(self, process_id: str, status: str, expected: str) -> None:
        try:
            self.table.update_item(
                Key={"process_id": process_id},
                UpdateExpression="SET #status = :new",
                ConditionExpression="#status = :expected",
                ExpressionAttributeNames={"#status": "status"},
                ExpressionAttributeValues={":new": status, ":expected": expected},
            )
        except self.table.meta.client.exceptions.ConditionalCheckFailedException:
            return
        self.audit.record(SYSTEM, f"process.{status}", f"process#{process_id}")

    # -- staff actions -------------------------------------------------------------------------
    def decide(self, process_id: str, session: Session, decision: str, grounds: str, source_ip: str | None) -> dict[str, Any]:
        """Record a staff decision once, then resume the workflow with it. A second decision, or one
        while the process is not awaiting a decision, is a 409 and changes nothing."""
        process = self.get(process_id)
        if session.kind != STAFF or session.organ != process.get("service_organ"):
            raise Forbidden("Este processo pertence a outro serviço.")
        if not set(session.roles) & set(DECIDING_ROLES):
            raise Forbidden("Só quem decide no serviço pode deferir ou indeferir.")
        if decision not in DECISIONS:
            raise ValidationFailed("A decisão é 'deferido' ou 'indeferido'.", field="decision")
        if not grounds.strip():
            raise ValidationFailed("Indique a fundamentação da decisão.", field="grounds")
        token = process.get("decision_task_token")
        if process["status"] != AWAITING_DECISION or not token:
            raise Conflict("O processo não está a aguardar decisão.", field="status")
        decided_at = iso()
        try:
            self.table.update_item(
                Key={"process_id": process_id},
                UpdateExpression="SET #status = :decision, decision = :decision, decision_grounds = :grounds, "
                "decided_at = :at, decided_by = :by REMOVE decision_task_token",
                ConditionExpression="#status = :awaiting AND decision_task_token = :token",
                ExpressionAttributeNames={"#status": "status"},
                ExpressionAttributeValues={
                    ":decision": decision,
                    ":grounds": grounds.strip(),
                    ":at": decided_at,
                    ":by": session.user_id,
                    ":awaiting": AWAITING_DECISION,
                    ":token": token,
                },
            )
        except self.table.meta.client.exceptions.ConditionalCheckFailedException:
            raise Conflict("O processo já foi decidido.", field="status") from None
        try:
            self.stepfunctions.send_task_success(
                taskToken=token, output=_json({"decision": decision, "grounds": grounds.strip()})
            )
        except self.stepfunctions.exceptions.ClientError:
            # The workflow did not take the decision (token expired or unknown): undo it, so that
            # nothing is half-done, and say so.
            self.table.update_item(
                Key={"process_id": process_id},
                UpdateExpression="SET #status = :awaiting, decision_task_token = :token "
                "REMOVE decision, decision_grounds, decided_at, decided_by",
                ExpressionAttributeNames={"#status": "status"},
                ExpressionAttributeValues={":awaiting": AWAITING_DECISION, ":token": token},
            )
            raise Conflict("O fluxo do processo já não aguarda esta decisão.", field="status") from None
        self.audit.record(Actor(session.user_id, source_ip), f"process.{decision}", f"process#{process_id}",
                          grounds=grounds.strip())
        return self.get(process_id)


def _json(value: Any) -> str:
    import json

    return json.dumps(value, ensure_ascii=False)
