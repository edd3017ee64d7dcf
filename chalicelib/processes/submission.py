"""Submitting a request: everything checked at once (fields, who asks, the notification choice, the
service's rules, the documents that apply), then a number per organ and year (``CAMARA 2026/000001``,
allocated atomically), a legal decision deadline, a Multibanco reference when the service has a fee,
and the Step Functions execution that inspects the documents, sends the receipt, waits for the payment
if it is due first, then for staff (``chalicelib.decision``). Submitting is idempotent: a double click,
a retry or a lost response still yields one process.

Once submitted, the process is visible to the accounts of its requerente and of its representante
(indexes ``by_requerente`` and ``by_representante``)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from chalicelib.accounts.users import Accounts
from chalicelib.catalogue.deadlines import decision_deadline
from chalicelib.catalogue.service import Service, get_service
from chalicelib.documents.store import Documents
from chalicelib.kernel.clock import iso, local_date, now
from chalicelib.kernel.errors import Conflict, Forbidden, Problems, ValidationFailed
from chalicelib.kernel.inject import Injected
from chalicelib.kernel.settings import get_settings
from chalicelib.kernel.vocabulary import DocumentStatus, ProcessStatus
from chalicelib.platform import aws
from chalicelib.platform.audit import Actor, AuditTrail
from chalicelib.platform.errors import is_not_found
from chalicelib.processes.access import filer
from chalicelib.processes.drafts import preview_plan
from chalicelib.processes.fees import new_reference
from chalicelib.processes.parties import (
    applicable_slots,
    check_for_submission,
    facts,
    notification_record,
    recipient_consent,
)
from chalicelib.processes.table import Processes, status_update

if TYPE_CHECKING:
    from chalicelib.accounts.sessions import Session

NUMBERING_ATTEMPTS = 10  # submissions of one organ racing for the next number
INSPECTING = "a_ser_verificado"  # (submission's own view) the file landed, its inspection has no verdict yet


class Submissions:
    counters = Injected(lambda self: aws.table("counters"))
    stepfunctions = Injected(lambda self: aws.client("stepfunctions"))
    documents = Injected(lambda self: Documents(audit=self.audit))

    def __init__(
        self,
        processes: Processes | None = None,
        counters: Any = None,
        documents: Documents | None = None,
        stepfunctions: Any = None,
        audit: AuditTrail | None = None,
    ):
        self.audit = audit or (processes.audit if processes else AuditTrail())
        self.processes = processes or Processes(audit=self.audit)
        self._counters = counters
        self._documents = documents
        self._stepfunctions = stepfunctions

    @property
    def table(self) -> Any:
        return self.processes.table

    def submit(self, process_id: str, session: Session, source_ip: str | None) -> dict[str, Any]:
        """Submit the caller's draft, once. Every problem is reported at once (422). Submitting again
        (a double click, a retry after a lost response) returns the process as submitted, and
        finishes starting its workflow if a failure interrupted that."""
        process = self.processes.get_for(process_id, session)
        if filer(process) != session.user_id:
            raise Forbidden()
        if process["status"] != ProcessStatus.DRAFT:
            if process.get("number"):
                return self._start_workflow(process) if not process.get("execution_arn") else process
            raise Conflict("O pedido já foi submetido.", field="status")
        service = get_service(process["service_id"])
        checked = self._check_for_submission(service, process, session)

        submitted = now()
        local_day = local_date(submitted)
        deadline = decision_deadline(service, local_day)
        record = notification_record(process.get("notification"), iso(submitted), source_ip)
        sets = {
            "number": "",  # the number, allocated with the write that submits (see _submit_numbered)
            "organ": service.organ,
            "submitted_at": iso(submitted),
            "decision_deadline": deadline.isoformat(),
            "fields": checked["fields"],
            "notification": record,
            "requerente_id": checked["requerente_id"],
        }
        consent = recipient_consent(record, process.get("requerente"), process.get("representante"))
        if consent is not None:  # what chalicelib.correspondence.recipients reads to choose the channels
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
            payment = new_reference(self.counters, service.fees.amount_cents)
            payment["before_decision"] = service.fees.pay_before_decision
            sets["payment"] = payment
            sets["payment_reference"] = payment["reference"]
        actor = Actor(session.user_id, source_ip)

        def submitted_event(number: str) -> dict[str, Any]:
            return self.audit.put(
                actor,
                "process.submitted",
                f"process#{process_id}",
                number=number,
                payment_reference=sets.get("payment_reference"),
            )

        process = self._submit_numbered(process, service.organ, local_day.year, sets, removes, submitted_event)
        if process is None:
            # a concurrent submission won: answer as it did (its number is the process's)
            return self.submit(process_id, session, source_ip)
        return self._start_workflow(process)

    def _submit_numbered(
        self,
        process: dict[str, Any],
        organ: str,
        year: int,
        sets: dict[str, Any],
        removes: list[str],
        event: Any,
    ) -> dict[str, Any] | None:
        """Submit the draft with the organ's next number and its audit event (``event(number)``), in
        one transaction: the counter moves on only with the submission that takes its number (a
        concurrent double submit, or a failure between the two, leaves no gap in the organ's
        sequence), and never without its event. None when the draft was submitted by a concurrent
        call; the counter moved by another process's submission: try the next one."""
        counter = f"process#{organ}#{year}"
        client = self.table.meta.client
        for _ in range(NUMBERING_ATTEMPTS):
            current = self.counters.get_item(Key={"counter": counter}, ConsistentRead=True).get("Item")
            last = int(current["value"]) if current else 0
            number = f"{organ} {year}/{last + 1:06d}"
            numbered = {**sets, "number": number}
            # every name through a placeholder: "fields", "number", "status" are reserved words
            names = {f"#n{index}": key for index, key in enumerate(numbered)}
            values = {f":v{index}": value for index, value in enumerate(numbered.values())}
            try:
                client.transact_write_items(
                    TransactItems=[
                        {
                            "Update": {
                                "TableName": self.counters.name,
                                "Key": {"counter": counter},
                                "UpdateExpression": "SET #value = :next",
                                "ConditionExpression": "#value = :last" if current else "attribute_not_exists(#value)",
                                "ExpressionAttributeNames": {"#value": "value"},
                                "ExpressionAttributeValues": {
                                    ":next": last + 1,
                                    **({":last": last} if current else {}),
                                },
                            }
                        },
                        {
                            "Update": {
                                "TableName": self.table.name,
                                **status_update(
                                    process["process_id"],
                                    organ,
                                    ProcessStatus.SUBMITTED,
                                    condition="#status = :draft",
                                    sets=", ".join(f"#n{index} = :v{index}" for index in range(len(numbered))),
                                    removes=", ".join(removes),
                                    names=names,
                                    values={**values, ":draft": ProcessStatus.DRAFT},
                                ),
                            }
                        },
                        event(number),
                    ]
                )
            except client.exceptions.TransactionCanceledException as error:
                reasons = error.response.get("CancellationReasons") or [{}, {}]
                if reasons[1].get("Code") == "ConditionalCheckFailed":
                    return None
                continue
            return self.table.get_item(Key={"process_id": process["process_id"]}, ConsistentRead=True)["Item"]
        raise Conflict("Muitos pedidos submetidos ao mesmo tempo; tente de novo dentro de momentos.", field="status")

    def _check_for_submission(self, service: Service, process: dict[str, Any], session: Session) -> dict[str, Any]:
        """Everything a submission needs, every problem collected before answering."""
        problems = Problems()
        requerente, representante = process.get("requerente"), process.get("representante")
        fields = process.get("fields", {})
        try:
            fields = service.validate_fields(fields, facts=facts(requerente, representante))
        except ValidationFailed as error:
            problems.extend(error)
        accounts = Accounts()
        filer = accounts.get(session.user_id)
        check_for_submission(
            requerente, representante, process.get("notification"), filer.identity_number if filer else None, problems
        )
        plan = None
        if service.installments is not None and not any((f or "").startswith("fields.") for f, _ in problems.errors):
            try:
                plan = [item.to_dict() for item in preview_plan({**process, "fields": fields}) or []]
            except ValidationFailed as error:
                problems.extend(error)
        self._check_documents(service, {**process, "fields": fields}, problems)
        problems.raise_if_any()

        # Who sees the process from now on: the accounts of the requerente and of the representante.
        requerente_id = representante_id = None
        filer_identity = filer.identity_number if filer else None
        if representante and representante.get("identity_number") == filer_identity:
            representante_id = session.user_id
            requerente_id = account_for(accounts, requerente["identity_number"])
        else:
            requerente_id = session.user_id
            if representante:
                representante_id = account_for(accounts, representante["identity_number"])
        return {"fields": fields, "plan": plan, "requerente_id": requerente_id, "representante_id": representante_id}

    def _start_workflow(self, process: dict[str, Any]) -> dict[str, Any]:
        payment = process.get("payment") or {}
        workflow_input = {
            "process_id": process["process_id"],
            "payment": {"issued": bool(payment), "before_decision": bool(payment.get("before_decision"))},
        }
        try:
            execution = self.stepfunctions.start_execution(
                stateMachineArn=get_settings().state_machine_arn("process"),
                name=process["process_id"],  # one execution per process, whatever the retries
                input=json.dumps(workflow_input, ensure_ascii=False),
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

    def _check_documents(self, service: Service, process: dict[str, Any], problems: Problems) -> None:
        """Every slot that applies holds an accepted file when required; no file of the request is
        still being inspected (it might yet be refused) or refused without an accepted one beside it
        (the workflow would stop the process on it): each named, with the reason."""
        documents = [self._settled(d) for d in self.documents.list(process["process_id"], current_only=True)]
        labels = {slot.slot: slot.label for slot in applicable_slots(service, process)}
        required = {slot.slot for slot in applicable_slots(service, process) if slot.required}
        for slot in dict.fromkeys([*labels, *(d["slot"] for d in documents)]):
            label = labels.get(slot, slot)
            in_slot = [d for d in documents if d["slot"] == slot]
            accepted = any(d["status"] == DocumentStatus.ACCEPTED for d in in_slot)
            inspecting = [d for d in in_slot if d["status"] == INSPECTING]
            rejected = [d for d in in_slot if d["status"] == DocumentStatus.REJECTED]
            field = f"documents.{slot}"
            if inspecting:
                problems.add(
                    field,
                    f"O ficheiro «{inspecting[0]['filename']}» ({label}) ainda está a ser verificado; "
                    "aguarde um momento e submeta de novo.",
                )
            elif rejected and not accepted:
                reason = rejected[0].get("reason") or "Ficheiro recusado."
                problems.add(
                    field, f"O ficheiro «{rejected[0]['filename']}» ({label}) foi recusado: {reason} Envie outro."
                )
            elif slot in required and not accepted:
                problems.add(field, f"Falta o documento: {label}.")

    def _settled(self, document: dict[str, Any]) -> dict[str, Any]:
        """The document as submission sees it: a file that landed but whose inspection has not given
        its verdict is ``INSPECTING``; a slot issued and never used stays ``a_aguardar`` (no file)."""
        if document["status"] != DocumentStatus.AWAITING:
            return document
        try:
            self.documents.s3.head_object(Bucket=aws.bucket_name("uploads"), Key=document["quarantine_key"])
        except self.documents.s3.exceptions.ClientError as error:
            if not is_not_found(error):  # S3 could not say for now: not a missing file, not yet checked
                return {**document, "status": INSPECTING}
            # no file, or inspection gave its verdict (and cleared the quarantine) since the list was read
            return self.documents.get(document["process_id"], document["document_id"])
        return {**document, "status": INSPECTING}


def account_for(accounts: Any, identity_number: str | None) -> str | None:
    """The account registered with this identity number, if any (one GetItem on its login alias)."""
    if not identity_number:
        return None
    alias = accounts.table.get_item(Key={"pk": f"LOGIN#nif:{identity_number}"}).get("Item")
    return alias["user_id"] if alias else None
