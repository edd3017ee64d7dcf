"""Requests and the processes they become.

A request starts as a draft (``rascunho``) of the account that files it (``filed_by``), saved as it is
filled (PATCH), resumable on any device, and deleted by DynamoDB's TTL ``draft_days`` after it was last
saved (a reminder is emailed ``draft_reminder_days_before``). It names its requerente and, optionally,
a representante (``chalicelib.processes.parties``); the filer is one of them. Submitting it checks everything
at once (fields, who asks, notification choice, the service's rules, the documents that apply), gives
it a number per organ and year (``CAMARA 2026/000001``, allocated atomically), a legal decision
deadline, a Multibanco reference when the service has a fee, and a Step Functions execution that
inspects its documents, sends the receipt, waits for the payment if the service requires it, then for
a staff decision (task tokens), and notifies the citizen.

Once submitted, the process is visible to the accounts of its requerente and of its representante
(indexes ``by_requerente`` and ``by_representante``). Creating a draft with an ``Idempotency-Key`` and
submitting are idempotent: a double click, a retry or a lost response still yields one process.

Statuses: rascunho → submetido → [a_aguardar_pagamento →] em_apreciacao ⇄ (pendente | em_audiencia |
a_aguardar_assinatura) → deferido | indeferido (the decision stage: ``chalicelib.decision.stage``).

Every write of ``status`` also writes ``organ_status`` (``CAMARA#em_apreciacao``): the key of the
``by_organ_status_deadline`` index that serves the staff queue filtered by status (build it with
``organ_status()``), so a new status write must set both.
"""

from __future__ import annotations

import hashlib
import uuid
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from chalicelib.accounts.users import STAFF, Session
from chalicelib.catalogue.service import Service, get_service
from chalicelib.decision.tasks import PROCESS_STATUS
from chalicelib.documents.store import ACCEPTED, AWAITING, REJECTED, VIEW_FIELDS, Documents
from chalicelib.kernel.clock import iso, now
from chalicelib.kernel.errors import Conflict, Forbidden, NotFound, Problems, ValidationFailed
from chalicelib.kernel.settings import get_settings
from chalicelib.kernel.working_days import working_days_left as days_left_to
from chalicelib.platform import aws
from chalicelib.platform.audit import SYSTEM, Actor, AuditTrail

DRAFT = "rascunho"
SUBMITTED = "submetido"
AWAITING_DECISION = "em_apreciacao"
APPROVED = "deferido"
REJECTED_DECISION = "indeferido"
DOCUMENTS_REJECTED = "documentos_rejeitados"
AWAITING_PAYMENT = "a_aguardar_pagamento"
DECISIONS = (APPROVED, REJECTED_DECISION)
# the decision stage's waits for the citizen: pendente, em_audiencia, a_aguardar_assinatura
TASK_STATUSES = tuple(PROCESS_STATUS.values())
STATUSES = (DRAFT, SUBMITTED, AWAITING_PAYMENT, AWAITING_DECISION, *TASK_STATUSES, APPROVED, REJECTED_DECISION,
            DOCUMENTS_REJECTED)
OPEN_STATUSES = (SUBMITTED, AWAITING_PAYMENT, AWAITING_DECISION, *TASK_STATUSES, DOCUMENTS_REJECTED)
DECIDING_ROLES = ("decision_maker", "organ_head")
# Who may take a process for themselves, and who may hand one to a colleague.
CLAIMING_ROLES = ("clerk", "decision_maker", "organ_head")
ASSIGNING_ROLES = ("organ_head", "administrator")

LISBON = ZoneInfo("Europe/Lisbon")


def organ_status(organ: str, status: str) -> str:
    """The queue index's key for a process of ``organ`` in ``status``."""
    return f"{organ}#{status}"


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
        # DynamoDB deletes expired items within days, not at once: an expired draft is already gone
        if item is None or (item["status"] == DRAFT and int(item.get("expires_at", 0) or 0) and int(item["expires_at"]) < now().timestamp()):
            raise NotFound("Processo desconhecido.", field="process_id")
        return item

    def get_for(self, process_id: str, session: Session) -> dict[str, Any]:
        """The process, if this caller may see it: who filed it, its requerente's or its
        representante's account, or staff of its organ (auditors read all). Anyone else gets the
        same 404 as for a process that does not exist."""
        process = self.get(process_id)
        if session.kind == STAFF:
            if "auditor" in session.roles or (session.organ and session.organ == process.get("service_organ")):
                return process
        elif session.user_id in _citizens_of(process):
            return process
        raise NotFound("Processo desconhecido.", field="process_id")

    def for_staff(self, process_id: str, session: Session, roles: tuple[str, ...], action: str) -> dict[str, Any]:
        """The process, if this staff member may act on it: staff of its organ holding one of
        ``roles`` (403 otherwise; auditors only read). ``action`` names the act in the message."""
        process = self.get(process_id)
        if session.kind != STAFF or not session.organ or session.organ != process.get("service_organ"):
            raise Forbidden("Este processo pertence a outro serviço.")
        if not set(session.roles) & set(roles):
            raise Forbidden(f"O seu perfil não permite {action}.")
        return process

    def list_for_citizen(self, user_id: str, limit: int = 50) -> list[dict[str, Any]]:
        """The caller's drafts and processes: as requerente and as representante, newest first."""
        from boto3.dynamodb.conditions import Key

        found: dict[str, dict[str, Any]] = {}
        for index, key in (("by_requerente", "requerente_id"), ("by_representante", "representante_id")):
            response = self.table.query(IndexName=index, KeyConditionExpression=Key(key).eq(user_id),
                                        ScanIndexForward=False, Limit=limit)
            for item in response["Items"]:
                found[item["process_id"]] = item
        live = [item for item in found.values() if item["status"] != DRAFT or int(item.get("expires_at", 0) or 0) >= now().timestamp()]
        return sorted(live, key=lambda item: item["created_at"], reverse=True)[:limit]

    list_for_requerente = list_for_citizen

    def queue_for_organ(self, organ: str, limit: int = 50) -> list[dict[str, Any]]:
        """Submitted processes of an organ, nearest legal deadline first (drafts are not indexed)."""
        return self.queue(organ, limit=limit)[0]

    def queue(self, organ: str, status: str | None = None, service_id: str | None = None, limit: int = 25,
              cursor: str | None = None) -> tuple[list[dict[str, Any]], str | None]:
        """One page of an organ's submitted processes, nearest legal deadline first, and the cursor of
        the next page (None on the last). One Query on an index, never a Scan: by status on
        ``by_organ_status_deadline`` (then by service as a filter on it), by service alone on
        ``by_service_deadline``, else ``by_organ_deadline``. A filtered page may hold fewer than
        ``limit`` processes while a cursor still follows."""
        from boto3.dynamodb.conditions import Attr, Key

        if status is not None and status not in STATUSES:
            raise ValidationFailed(f"Estado desconhecido; use um de: {', '.join(STATUSES)}.", field="status")
        if service_id is not None and get_service(service_id).organ != organ:
            raise ValidationFailed("Esse serviço não pertence a este órgão.", field="service_id")
        if not 1 <= limit <= 100:
            raise ValidationFailed("Entre 1 e 100 processos por página.", field="limit")
        query: dict[str, Any] = {"Limit": limit}
        if status is not None:
            index, key, value = "by_organ_status_deadline", "organ_status", organ_status(organ, status)
            if service_id is not None:
                query["FilterExpression"] = Attr("service_id").eq(service_id)
        elif service_id is not None:
            index, key, value = "by_service_deadline", "service_id", service_id
        else:
            index, key, value = "by_organ_deadline", "organ", organ
        query.update(IndexName=index, KeyConditionExpression=Key(key).eq(value))
        if cursor:
            query["ExclusiveStartKey"] = _decode_cursor(cursor, index, key, value)
        response = self.table.query(**query)
        last = response.get("LastEvaluatedKey")
        return response["Items"], _encode_cursor(index, last) if last else None

    def view(self, process: dict[str, Any], for_staff: bool = False) -> dict[str, Any]:
        """What the citizen (or staff) sees of a process: never the task token."""
        service = get_service(process["service_id"])
        # Staff see every version of a replaced document; the citizen sees the current ones.
        documents = [{k: doc.get(k) for k in VIEW_FIELDS}
                     for doc in self.documents.list(process["process_id"], current_only=not for_staff)]
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
            "decision_deadline": process.get("decision_deadline"),
            "working_days_left": working_days_left(process),
            "decision": process.get("decision"),
            "decision_grounds": process.get("decision_grounds"),
            "decided_at": process.get("decided_at"),
            "decided_late": process.get("decided_late"),
            "documents": documents,
            "requerente": process.get("requerente"),
            "representante": process.get("representante"),
            "notification": process.get("notification"),
            "document_slots": [{**slot.model_dump(exclude={"when"})} for slot in self.applicable_slots(service, process)],
            "payment": _payment_view(process.get("payment")),
            "installment_plan": process.get("installment_plan"),
            "draft_expires_at": _expiry(process) if process["status"] == DRAFT else None,
        }
        if process["status"] != DRAFT:
            from chalicelib.decision.tasks import PendingTasks

            view["pending_tasks"] = [PendingTasks.public(t) for t in PendingTasks(audit=self.audit).for_process(process["process_id"])]
        events = self.audit.for_subject(f"process#{process['process_id']}")
        if for_staff:
            view["requerente_id"] = process.get("requerente_id")
            view["representante_id"] = process.get("representante_id")
            view["filed_by"] = process.get("filed_by", process.get("requerente_id"))
            view["assignee_id"] = process.get("assignee_id")
            view["timeline"] = events
            from chalicelib.notifications.delivery import NotificationLog, public_entry

            # the proof of notification: every message of the process, its channel and status
            view["notifications"] = [public_entry(e) for e in NotificationLog().for_process(process["process_id"])]
        else:
            view["timeline"] = citizen_timeline(events)
        return view

    def staff_view(self, process: dict[str, Any], accounts: Any = None) -> dict[str, Any]:
        """Everything staff need about a process in one answer: its data, who asks (requerente) and
        for whom (representante), as the request declares them and the accounts they have here
        (``requerente_account``, ``representante_account``), documents with their inspection
        results, the payment (``payments``: the fee's, once there is one), the timeline, the
        notification log (the proof of notification), pending tasks, messages about the process,
        deadline and working days left."""
        from chalicelib.accounts.users import Accounts

        accounts = accounts or Accounts()
        view = self.view(process, for_staff=True)

        def party(user_id: str | None) -> dict[str, Any] | None:
            user = accounts.get(user_id) if user_id else None
            if user is None:
                return None
            return {"user_id": user.user_id, "name": user.name, "identity_number": user.identity_number,
                    "email": user.email, "phone": user.phone}

        view["requerente_account"] = party(process.get("requerente_id"))
        view["representante_account"] = party(process.get("representante_id"))
        view["requerente"] = view.get("requerente") or view["requerente_account"]
        view["representante"] = view.get("representante") or view["representante_account"]
        view["payments"] = [view["payment"]] if view.get("payment") else []
        view.setdefault("pending_tasks", [])  # a draft has none
        from chalicelib.messages.threads import Messages

        view["messages"] = Messages(processes=self, audit=self.audit).thread(f"process#{process['process_id']}")
        return view

    # -- citizen actions -------------------------------------------------------------------------
    def create_draft(self, session: Session, service_id: str, fields: dict[str, Any], source_ip: str | None,
                     requerente: dict[str, Any] | None = None, representante: dict[str, Any] | None = None,
                     notification: dict[str, Any] | None = None, idempotency_key: str | None = None) -> tuple[dict[str, Any], bool]:
        """A new draft, saved as filled so far (types and limits checked; what is missing is asked at
        submission). Without a requerente, the caller is the requerente. With an ``idempotency_key``
        the same key gives back the same draft. Returns (draft, created)."""
        if session.kind == STAFF:
            raise Forbidden("Os pedidos são apresentados por cidadãos e empresas.")
        service = get_service(service_id)
        clean = service.validate_fields(fields, partial=True)
        if requerente is None:
            from chalicelib.accounts.users import Accounts
            from chalicelib.processes.parties import default_requerente

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
            "status": DRAFT,
            "fields": clean,
            "requerente": requerente,
            "representante": representante,
            "notification": notification,
            "created_at": created_at,
            "updated_at": created_at,
            **_draft_expiry(),
        }
        try:
            self.table.put_item(Item=process, ConditionExpression="attribute_not_exists(process_id)")
        except self.table.meta.client.exceptions.ConditionalCheckFailedException:
            existing = self.get(process_id)
            if existing.get("filed_by") != session.user_id:
                raise Conflict("Chave de idempotência já usada.", field="Idempotency-Key") from None
            return existing, False
        self.audit.record(Actor(session.user_id, source_ip), "process.draft_created", f"process#{process_id}", service_id=service.id)
        return process, True

    def update_draft(self, process_id: str, session: Session, changes: dict[str, Any], source_ip: str | None) -> dict[str, Any]:
        """Save what the citizen filled since: ``fields`` are merged (a null clears one), ``requerente``,
        ``representante`` (null removes it) and ``notification`` replace theirs. The draft's expiry
        starts again."""
        process = self._own_draft(process_id, session)
        service = get_service(process["service_id"])
        sets: dict[str, Any] = {"updated_at": iso(), **_draft_expiry()}
        if "fields" in changes:
            merged = {**process.get("fields", {}), **(changes["fields"] or {})}
            sets["fields"] = service.validate_fields({k: v for k, v in merged.items() if v is not None}, partial=True)
        for part in ("requerente", "representante", "notification"):
            if part in changes:
                sets[part] = changes[part]
        names = {f"#{key}": key for key in sets}
        values = {f":{key}": value for key, value in sets.items()}
        try:
            result = self.table.update_item(
                Key={"process_id": process_id},
                UpdateExpression="SET " + ", ".join(f"#{key} = :{key}" for key in sets),
                ConditionExpression="#st = :draft",
                ExpressionAttributeNames={**names, "#st": "status"},
                ExpressionAttributeValues={**values, ":draft": DRAFT},
                ReturnValues="ALL_NEW",
            )
        except self.table.meta.client.exceptions.ConditionalCheckFailedException:
            raise Conflict("O pedido já foi submetido e não pode ser alterado.", field="status") from None
        self.audit.record(Actor(session.user_id, source_ip), "process.draft_saved", f"process#{process_id}",
                          parts=sorted(k for k in changes if k in ("fields", "requerente", "representante", "notification")))
        return result["Attributes"]

    def _own_draft(self, process_id: str, session: Session) -> dict[str, Any]:
        process = self.get_for(process_id, session)
        if _filer(process) != session.user_id:
            raise Forbidden()
        if process["status"] != DRAFT:
            raise Conflict("O pedido já foi submetido e não pode ser alterado.", field="status")
        return process

    def upload_slot(self, process_id: str, session: Session, slot: str, filename: str, content_type: str,
                    source_ip: str | None, replaces: str | None = None) -> dict[str, Any]:
        """One file for a slot of the service: in the filer's draft, or, once submitted, while the
        services wait for the citizen's answer to a pendência or the prior hearing (the file is then
        part of that answer: ``chalicelib.decision.tasks``)."""
        process = self.get_for(process_id, session)
        if process["status"] != DRAFT and process.get("current_task_id") and session.kind != STAFF:
            from chalicelib.decision.tasks import CitizenAnswers

            return CitizenAnswers(processes=self).upload_slot(process_id, process["current_task_id"], session, filename,
                                                              content_type, source_ip, slot=slot, replaces=replaces)
        process = self._own_draft(process_id, session)
        service = get_service(process["service_id"])
        return self.documents.upload_slot(process_id, service.slot(slot), filename, content_type,
                                          Actor(session.user_id, source_ip), replaces=replaces)

    def applicable_slots(self, service: Service, process: dict[str, Any]) -> list[Any]:
        from chalicelib.processes.parties import facts

        slots = service.applicable_slots({**facts(process.get("requerente"), process.get("representante")),
                                          **process.get("fields", {})})
        if (process.get("requerente") or {}).get("certidao_code"):
            # a company may give the permanent certificate's access code instead of the document
            slots = [slot for slot in slots if slot.slot != "legitimidade_empresa"]
        return slots

    def preview_plan(self, process: dict[str, Any]) -> list[Any] | None:
        service = get_service(process["service_id"])
        if service.installments is None:
            return None
        from chalicelib.catalogue.installments import plan_for_fields
        from chalicelib.kernel.clock import today

        return plan_for_fields(service, process.get("fields", {}), service.deadline_from(today()))

    def submit(self, process_id: str, session: Session, source_ip: str | None) -> dict[str, Any]:
        """Submit the caller's draft, once. Every problem is reported at once (422). Submitting again
        (a double click, a retry after a lost response) returns the process as submitted, and
        finishes starting its workflow if a failure interrupted that."""
        process = self.get_for(process_id, session)
        if _filer(process) != session.user_id:
            raise Forbidden()
        if process["status"] != DRAFT:
            if process.get("number"):
                return self._start_workflow(process) if not process.get("execution_arn") else process
            raise Conflict("O pedido já foi submetido.", field="status")
        service = get_service(process["service_id"])
        checked = self._check_for_submission(service, process, session)

        submitted = now()
        local_day = submitted.astimezone(LISBON).date()
        number = self._allocate_number(service.organ, local_day.year)
        deadline = service.deadline_from(local_day)
        from chalicelib.processes.parties import notification_record, recipient_consent

        record = notification_record(process.get("notification"), iso(submitted), source_ip)
        sets = {
            "#status": SUBMITTED, "#number": number, "organ": service.organ,
            "organ_status": organ_status(service.organ, SUBMITTED), "submitted_at": iso(submitted),
            "decision_deadline": deadline.isoformat(), "fields": checked["fields"],
            "notification": record,
            "requerente_id": checked["requerente_id"],
        }
        consent = recipient_consent(record, process.get("requerente"), process.get("representante"))
        if consent is not None:  # what chalicelib.notifications.delivery reads to choose the channels
            sets["notifications"] = consent
        removes = ["expires_at", "reminder_due"]
        if checked["representante_id"]:
            sets["representante_id"] = checked["representante_id"]
        if not checked["requerente_id"]:
            del sets["requerente_id"]
            removes.append("requerente_id")
        if checked["plan"] is not None:
            sets["installment_plan"] = checked["plan"]
        if service.fees.kind == "fixed":
            from chalicelib.payments.recording import Payments

            payment = Payments(table=self.table, counters=self.counters, audit=self.audit).new_reference(service.fees.amount_cents)
            payment["before_decision"] = service.fees.pay_before_decision
            sets["payment"] = payment
            sets["payment_reference"] = payment["reference"]
        # every name through a placeholder: "fields", "number", "status" are reserved words
        names = {f"#n{index}": key.lstrip("#") for index, key in enumerate(sets)}
        values = {f":v{index}": value for index, value in enumerate(sets.values())}
        assignments = ", ".join(f"#n{index} = :v{index}" for index in range(len(sets)))
        try:
            result = self.table.update_item(
                Key={"process_id": process_id},
                UpdateExpression=f"SET {assignments} REMOVE {', '.join(removes)}",
                ConditionExpression="#n0 = :draft",
                ExpressionAttributeNames=names,
                ExpressionAttributeValues={**values, ":draft": DRAFT},
                ReturnValues="ALL_NEW",
            )
        except self.table.meta.client.exceptions.ConditionalCheckFailedException:
            # a concurrent submission won: answer as it did (its number is the process's)
            return self.submit(process_id, session, source_ip)
        process = result["Attributes"]
        self.audit.record(Actor(session.user_id, source_ip), "process.submitted", f"process#{process_id}", number=number,
                          payment_reference=process.get("payment_reference"))
        return self._start_workflow(process)

    def _check_for_submission(self, service: Service, process: dict[str, Any], session: Session) -> dict[str, Any]:
        """Everything a submission needs, every problem collected before answering."""
        from chalicelib.accounts.users import Accounts
        from chalicelib.processes.parties import check_for_submission, facts

        problems = Problems()
        requerente, representante = process.get("requerente"), process.get("representante")
        fields = process.get("fields", {})
        try:
            fields = service.validate_fields(fields, facts=facts(requerente, representante))
        except ValidationFailed as error:
            problems.extend(error)
        accounts = Accounts()
        filer = accounts.get(session.user_id)
        check_for_submission(requerente, representante, process.get("notification"),
                             filer.identity_number if filer else None, problems)
        plan = None
        if service.installments is not None and not any((f or "").startswith("fields.") for f, _ in problems.errors):
            try:
                plan = [item.to_dict() for item in self.preview_plan({**process, "fields": fields}) or []]
            except ValidationFailed as error:
                problems.extend(error)
        documents = self.documents.list(process["process_id"])
        for slot in self.applicable_slots(service, {**process, "fields": fields}):
            candidates = [d for d in documents if d["slot"] == slot.slot and d["status"] != REJECTED]
            if slot.required and not any(self._uploaded(d) for d in candidates):
                problems.add(f"documents.{slot.slot}", f"Falta o documento: {slot.label}.")
        problems.raise_if_any()

        # Who sees the process from now on: the accounts of the requerente and of the representante.
        requerente_id = representante_id = None
        filer_identity = filer.identity_number if filer else None
        if representante and representante.get("identity_number") == filer_identity:
            representante_id = session.user_id
            requerente_id = _account_for(accounts, requerente["identity_number"])
        else:
            requerente_id = session.user_id
            if representante:
                representante_id = _account_for(accounts, representante["identity_number"])
        return {"fields": fields, "plan": plan, "requerente_id": requerente_id, "representante_id": representante_id}

    def _start_workflow(self, process: dict[str, Any]) -> dict[str, Any]:
        payment = process.get("payment") or {}
        workflow_input = {"process_id": process["process_id"],
                          "payment": {"issued": bool(payment), "before_decision": bool(payment.get("before_decision"))}}
        try:
            execution = self.stepfunctions.start_execution(
                stateMachineArn=get_settings().state_machine_arn("process"),
                name=process["process_id"],  # one execution per process, whatever the retries
                input=_json(workflow_input),
            )
            arn = execution["executionArn"]
        except self.stepfunctions.exceptions.ExecutionAlreadyExists:
            arn = f"{get_settings().state_machine_arn('process').replace(':stateMachine:', ':execution:')}:{process['process_id']}"
        self.table.update_item(
            Key={"process_id": process["process_id"]},
            UpdateExpression="SET execution_arn = :arn",
            ExpressionAttributeValues={":arn": arn},
        )
        return {**process, "execution_arn": arn}

    def _uploaded(self, document: dict[str, Any]) -> bool:
        if document["status"] == ACCEPTED:
            return True
        if document["status"] != AWAITING:
            return False
        try:  # bytes landed but inspection has not run yet: the workflow will inspect them
            self.documents.s3.head_object(Bucket=aws.bucket_name("uploads"), Key=document["quarantine_key"])
            return True
        except self.documents.s3.exceptions.ClientError:
            # or inspection accepted it (and removed it from quarantine) since the list was read
            fresh = self.documents.get(document["process_id"], document["document_id"])
            return fresh["status"] == ACCEPTED

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
        process = self.get(process_id)
        service = get_service(process["service_id"])
        results = [self.documents.inspect(doc) for doc in self.documents.list(process_id)]
        accepted_slots = {doc["slot"] for doc in results if doc["status"] == ACCEPTED}
        rejected = [doc["document_id"] for doc in results if doc["status"] == REJECTED and doc["slot"] not in accepted_slots]
        missing = [slot.slot for slot in self.applicable_slots(service, process) if slot.required and slot.slot not in accepted_slots]
        if rejected or missing:
            self._set_status(process_id, DOCUMENTS_REJECTED, SUBMITTED)
        return {"process_id": process_id, "documents_ok": not rejected and not missing,
                "rejected": rejected, "missing": missing}

    def register_decision_task(self, process_id: str, task_token: str) -> None:
        """The workflow now waits for staff: see ``chalicelib.decision.stage``."""
        from chalicelib.decision.stage import DecisionStage

        DecisionStage(table=self._table, stepfunctions=self._stepfunctions, audit=self.audit).register(process_id, task_token)

    def _set_status(self, process_id: str, status: str, expected: str) -> None:
        organ = self.get(process_id)["service_organ"]
        try:
            self.table.update_item(
                Key={"process_id": process_id},
                UpdateExpression="SET #status = :new, organ_status = :organ_status",
                ConditionExpression="#status = :expected",
                ExpressionAttributeNames={"#status": "status"},
                ExpressionAttributeValues={":new": status, ":expected": expected,
                                           ":organ_status": organ_status(organ, status)},
            )
        except self.table.meta.client.exceptions.ConditionalCheckFailedException:
            return
        self.audit.record(SYSTEM, f"process.{status}", f"process#{process_id}")

    # -- staff actions -------------------------------------------------------------------------
    def decide(self, process_id: str, session: Session, decision: str, grounds: str, source_ip: str | None) -> dict[str, Any]:
        """The final decision: see ``chalicelib.decision.stage``."""
        from chalicelib.decision.stage import DecisionStage

        stage = DecisionStage(table=self._table, stepfunctions=self._stepfunctions, audit=self.audit)
        return stage.decide(process_id, session, decision, grounds, source_ip)


    def claim(self, process_id: str, session: Session, source_ip: str | None) -> dict[str, Any]:
        """Take an open process for myself (clerks, decision-makers and heads of its organ). Claiming
        one already mine changes nothing; one a colleague holds is a 409 naming them."""
        process = self.for_staff(process_id, session, CLAIMING_ROLES, "assumir processos")
        if process.get("assignee_id") == session.user_id and process["status"] in OPEN_STATUSES:
            return process
        return self._assign(process, session.user_id, session, source_ip, only_if_free=True)

    def assign(self, process_id: str, session: Session, assignee: Any, source_ip: str | None) -> dict[str, Any]:
        """Hand an open process to a colleague of its organ who works processes (heads and
        administrators of the organ). ``assignee`` is the colleague's account (an ``accounts.User``)."""
        process = self.for_staff(process_id, session, ASSIGNING_ROLES, "atribuir processos")
        if assignee is None or assignee.kind != STAFF or assignee.organ != process["service_organ"] \
                or not set(assignee.roles) & set(CLAIMING_ROLES) or assignee.status != "ativo":
            raise ValidationFailed("Indique um trabalhador deste serviço que trate processos.", field="assignee_id")
        return self._assign(process, assignee.user_id, session, source_ip, only_if_free=False)

    def _assign(self, process: dict[str, Any], assignee_id: str, session: Session, source_ip: str | None,
                only_if_free: bool) -> dict[str, Any]:
        if process["status"] not in OPEN_STATUSES:
            raise Conflict("Só se atribuem processos em curso.", field="status")
        condition = "#status IN (" + ", ".join(f":s{i}" for i in range(len(OPEN_STATUSES))) + ")"
        values: dict[str, Any] = {f":s{i}": status for i, status in enumerate(OPEN_STATUSES)}
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
            result = self.table.update_item(
                Key={"process_id": process["process_id"]},
                UpdateExpression="SET assignee_id = :assignee, assigned_at = :at, assigned_by = :by",
                ConditionExpression=condition,
                ExpressionAttributeNames={"#status": "status"},
                ExpressionAttributeValues={**values, ":assignee": assignee_id, ":at": iso(), ":by": session.user_id},
                ReturnValues="ALL_NEW",
            )
        except self.table.meta.client.exceptions.ConditionalCheckFailedException:
            current = self.get(process["process_id"])
            if current["status"] not in OPEN_STATUSES:
                raise Conflict("Só se atribuem processos em curso.", field="status") from None
            raise Conflict(f"O processo já está atribuído a {current.get('assignee_id')}.", field="assignee_id") from None
        action = "process.claimed" if assignee_id == session.user_id else "process.assigned"
        self.audit.record(Actor(session.user_id, source_ip), action, f"process#{process['process_id']}",
                          assignee_id=assignee_id, previous_assignee_id=process.get("assignee_id"))
        return result["Attributes"]


# What a citizen reads in their process's timeline: every step, dated, in their words; who in the
# services did it and from where stay in the staff's view.
TIMELINE_LABELS = {
    "process.draft_created": "Pedido iniciado",
    "document.accepted": "Documento recebido e verificado",
    "document.rejected": "Documento recusado",
    "document.replaced": "Documento substituído por nova versão",
    "process.submitted": "Pedido submetido",
    "process.awaiting_payment": "A aguardar pagamento",
    "process.payment_recorded": "Pagamento recebido",
    "receipt.issued": "Comprovativo de submissão emitido",
    "process.awaiting_decision": "Em apreciação pelos serviços",
    "process.documentos_rejeitados": "Documentos recusados",
    "task.opened.pendencia": "Pendência: os serviços pedem elementos",
    "task.opened.audiencia": "Audiência prévia: projeto de indeferimento",
    "task.opened.assinatura": "Pedida a sua assinatura",
    "task.answered": "Pendência respondida",
    "hearing.answered": "Pronúncia na audiência prévia entregue",
    "task.expired": "Prazo de resposta terminado",
    "payment_plan.issued": "Plano de pagamento emitido",
    "signature.signed": "Documento assinado",
    "process.deferido": "Decisão: deferido",
    "process.indeferido": "Decisão: indeferido",
    "notification.sent": "Notificação enviada",
    "message.sent": "Mensagem",
}


def citizen_timeline(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    timeline = []
    for event in events:
        label = TIMELINE_LABELS.get(event["action"])
        if label is None:
            continue
        details = event.get("details", {})
        entry = {"at": event["at"], "action": event["action"], "label": label}
        for key in ("task_id", "deadline", "template", "document_id"):
            if key in details:
                entry[key] = details[key]
        timeline.append(entry)
    return timeline


def working_days_left(process: dict[str, Any]) -> int | None:
    """Working days from today (Lisbon) to the legal decision deadline; None once decided."""
    deadline = process.get("decision_deadline")
    if not deadline or process["status"] in DECISIONS:
        return None
    return days_left_to(datetime.fromisoformat(deadline).date())


def _encode_cursor(index: str, last_key: dict[str, Any]) -> str:
    """An opaque page cursor: the index and DynamoDB's LastEvaluatedKey, base64url-encoded."""
    import base64

    raw = _json({"i": index, "k": last_key}).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_cursor(cursor: str, index: str, key: str, value: str) -> dict[str, Any]:
    """The ExclusiveStartKey inside a cursor, if it was made by the same query (same index and
    partition); a 422 naming ``cursor`` otherwise, never a 500 on a forged one."""
    import base64
    import json

    invalid = ValidationFailed("Cursor inválido: use o next_cursor da página anterior, com os mesmos filtros.",
                               field="cursor")
    try:
        data = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (ValueError, UnicodeDecodeError):
        raise invalid from None
    start = data.get("k") if isinstance(data, dict) else None
    if (data.get("i") if isinstance(data, dict) else None) != index or not isinstance(start, dict) \
            or start.get(key) != value or not all(isinstance(v, str) and v for v in start.values()) \
            or not set(start) <= {"process_id", "organ", "organ_status", "service_id", "decision_deadline"}:
        raise invalid
    return start


def _filer(process: dict[str, Any]) -> str | None:
    return process.get("filed_by", process.get("requerente_id"))


def _citizens_of(process: dict[str, Any]) -> set[str]:
    return {who for who in (_filer(process), process.get("requerente_id"), process.get("representante_id")) if who}


def _account_for(accounts: Any, identity_number: str | None) -> str | None:
    """The account registered with this identity number, if any (one GetItem on its login alias)."""
    if not identity_number:
        return None
    alias = accounts.table.get_item(Key={"pk": f"LOGIN#nif:{identity_number}"}).get("Item")
    return alias["user_id"] if alias else None


def _draft_expiry() -> dict[str, Any]:
    """The TTL of a draft saved now, and the day its reminder is due (the sparse ``by_draft_reminder``
    index the daily reminder job reads)."""
    settings = get_settings()
    expires = now() + timedelta(days=settings.draft_days)
    reminder = (expires - timedelta(days=settings.draft_reminder_days_before)).astimezone(LISBON).date()
    return {"expires_at": int(expires.timestamp()), "reminder_due": reminder.isoformat()}


def _expiry(process: dict[str, Any]) -> str | None:
    from datetime import UTC

    stamp = process.get("expires_at")
    return iso(datetime.fromtimestamp(int(stamp), UTC)) if stamp else None


def _payment_view(payment: dict[str, Any] | None) -> dict[str, Any] | None:
    if not payment:
        return None
    keys = ("status", "entity", "reference", "reference_text", "amount_cents", "amount_text", "issued_at", "due_date",
            "paid_at", "before_decision")
    return {key: payment.get(key) for key in keys}


def _json(value: Any) -> str:
    import json

    return json.dumps(value, ensure_ascii=False)
