"""What a process asks of its citizen during the decision stage, each with its own deadline:

- a pendência (``pendencia``): staff ask for documents or information; the citizen answers with text
  and attachments;
- the prior hearing (``audiencia``, "audiência dos interessados", CPA art. 121.º-122.º): staff propose a
  rejection; the citizen has 10 working days to answer with arguments and documents before the final
  decision;
- a signature (``assinatura``): the citizen signs a document of the process with the system's
  electronic signature (``chalicelib.decision.signatures``).

A task is ``aberta`` until it is answered (``respondida``) or its deadline passes (``expirada``). While
it is open the workflow waits in ``AwaitCitizen`` with a task token kept on the task; the answer
resumes it. ``open_for`` (the account that filed the request, only while open: the one its messages
go to) feeds the sparse index behind "Minhas Pendências". Any citizen of the process (the filer, the
requerente's or the representante's account) may answer.

An answer's attachments go through the documents' upload slots and inspection like any other file:
a new file goes to the task's own slot (``tarefa_<task id>``) or to one of the service's slots, and a
file that corrects an earlier document is a new version of it (``replaces``), so staff keep seeing
the earlier one. Each such document records the task it answers (``task_id``).
"""

from __future__ import annotations

import uuid
from typing import Any

from chalicelib.kernel.clock import iso
from chalicelib.kernel.errors import Conflict, NotFound, ValidationFailed
from chalicelib.platform import aws
from chalicelib.platform.audit import SYSTEM, Actor, AuditTrail

PENDENCIA = "pendencia"
AUDIENCIA = "audiencia"
ASSINATURA = "assinatura"
KINDS = (PENDENCIA, AUDIENCIA, ASSINATURA)

OPEN = "aberta"
ANSWERED = "respondida"
EXPIRED = "expirada"

# What the process's status is while a task of each kind is open.
PROCESS_STATUS = {PENDENCIA: "pendente", AUDIENCIA: "em_audiencia", ASSINATURA: "a_aguardar_assinatura"}
TEMPLATE = {PENDENCIA: "pending_task", AUDIENCIA: "prior_hearing", ASSINATURA: "signature_request"}

PUBLIC_FIELDS = ("task_id", "process_id", "kind", "subject", "description", "status", "created_at", "deadline",
                 "deadline_at", "answered_at", "answer_text", "answer_documents", "document_id",
                 "signed_document_id", "proposed_grounds", "expired_at")


class PendingTasks:
    def __init__(self, table: Any = None, stepfunctions: Any = None, audit: AuditTrail | None = None):
        self._table = table
        self._stepfunctions = stepfunctions
        self.audit = audit or AuditTrail()

    @property
    def table(self) -> Any:
        return self._table or aws.table("tasks")

    @property
    def stepfunctions(self) -> Any:
        return self._stepfunctions or aws.client("stepfunctions")

    # -- reading -------------------------------------------------------------------------------
    def get(self, process_id: str, task_id: str) -> dict[str, Any]:
        item = self.table.get_item(Key={"process_id": process_id, "task_id": task_id}).get("Item")
        if item is None:
            raise NotFound("Pendência desconhecida.", field="task_id")
        return item

    def for_process(self, process_id: str) -> list[dict[str, Any]]:
        from boto3.dynamodb.conditions import Key

        return self.table.query(KeyConditionExpression=Key("process_id").eq(process_id))["Items"]

    def open_for_requerente(self, user_id: str, limit: int = 100) -> list[dict[str, Any]]:
        """"Minhas Pendências": every open task of the citizen's processes, nearest deadline first."""
        from boto3.dynamodb.conditions import Key

        return self.table.query(IndexName="open_by_requerente", KeyConditionExpression=Key("open_for").eq(user_id),
                                Limit=limit)["Items"]

    @staticmethod
    def public(task: dict[str, Any]) -> dict[str, Any]:
        """What the citizen and staff see of a task; an open one with the working days left to its
        deadline (counted as the law counts them, not calendar days)."""
        view = {k: task[k] for k in PUBLIC_FIELDS if k in task}
        if task.get("status") == OPEN and task.get("deadline"):
            from datetime import date

            from chalicelib.kernel.working_days import working_days_left

            view["working_days_left"] = working_days_left(date.fromisoformat(task["deadline"][:10]))
        return view

    # -- opening (inside the staff action's transaction) -----------------------------------------
    @staticmethod
    def new_item(process: dict[str, Any], kind: str, subject: str, description: str, deadline: str,
                 deadline_at: str, by: str, **extra: Any) -> dict[str, Any]:
        if kind not in KINDS:
            raise ValidationFailed("Tipo de pendência desconhecido.", field="kind")
        return {
            "process_id": process["process_id"],
            "task_id": f"t_{uuid.uuid4().hex[:16]}",
            "kind": kind,
            "subject": subject,
            "description": description,
            "status": OPEN,
            "open_for": _filer(process),
            "citizen_id": _filer(process),
            "number": process.get("number"),
            "created_at": iso(),
            "created_by": by,
            "deadline": deadline,
            "deadline_at": deadline_at,
            **{k: v for k, v in extra.items() if v is not None},
        }

    # -- the workflow's side -----------------------------------------------------------------------
    def register_token(self, process_id: str, task_id: str, token: str) -> None:
        """``AwaitCitizen`` started: keep its token on the task. A citizen who answered before the
        workflow got here is not kept waiting: the answer resumes the workflow at once."""
        try:
            self.table.update_item(
                Key={"process_id": process_id, "task_id": task_id},
                UpdateExpression="SET task_token = :token",
                ConditionExpression="#status = :open",
                ExpressionAttributeNames={"#status": "status"},
                ExpressionAttributeValues={":token": token, ":open": OPEN},
            )
        except self.table.meta.client.exceptions.ConditionalCheckFailedException:
            task = self.get(process_id, task_id)
            self.stepfunctions.send_task_success(taskToken=token, output=_json({"status": task["status"]}))

    def expire(self, process_id: str, task_id: str) -> bool:
        """The task's deadline passed unanswered: it closes as ``expirada``; False when it was
        answered meanwhile."""
        try:
            self.table.update_item(
                Key={"process_id": process_id, "task_id": task_id},
                UpdateExpression="SET #status = :expired, expired_at = :at REMOVE open_for, task_token",
                ConditionExpression="#status = :open",
                ExpressionAttributeNames={"#status": "status"},
                ExpressionAttributeValues={":expired": EXPIRED, ":open": OPEN, ":at": iso()},
            )
        except self.table.meta.client.exceptions.ConditionalCheckFailedException:
            return False
        self.audit.record(SYSTEM, "task.expired", f"process#{process_id}", task_id=task_id)
        return True

    # -- the citizen's side ------------------------------------------------------------------------
    def answer(self, task: dict[str, Any], actor: Actor, values: dict[str, Any], action: str) -> dict[str, Any]:
        """Close an open task with the citizen's answer (exactly once) and resume the workflow. A
        second answer, or one after the deadline, is a 409 and changes nothing."""
        answered_at = iso()
        values = {**values, "answered_at": answered_at, "answered_by": actor.id}
        names = {"#status": "status", **{f"#{k}": k for k in values}}
        try:
            result = self.table.update_item(
                Key={"process_id": task["process_id"], "task_id": task["task_id"]},
                UpdateExpression="SET #status = :answered, " + ", ".join(f"#{k} = :{k}" for k in values)
                + " REMOVE open_for, task_token",
                ConditionExpression="#status = :open AND deadline_at >= :now",
                ExpressionAttributeNames=names,
                ExpressionAttributeValues={":answered": ANSWERED, ":open": OPEN, ":now": answered_at,
                                           **{f":{k}": v for k, v in values.items()}},
                ReturnValues="ALL_OLD",
            )
        except self.table.meta.client.exceptions.ConditionalCheckFailedException:
            current = self.get(task["process_id"], task["task_id"])
            message = ("Esta pendência já foi respondida." if current["status"] == ANSWERED
                       else "O prazo desta pendência terminou." if current["status"] == EXPIRED or current["deadline_at"] < answered_at
                       else "Esta pendência já não aceita respostas.")
            raise Conflict(message, field="task_id", current=self.public(current)) from None
        token = result["Attributes"].get("task_token")
        if token:
            try:
                self.stepfunctions.send_task_success(taskToken=token, output=_json({"status": ANSWERED}))
            except self.stepfunctions.exceptions.ClientError:
                # The workflow stopped waiting (deadline): put the task back as it was, for the
                # expiry to close it, and say so.
                self.table.update_item(
                    Key={"process_id": task["process_id"], "task_id": task["task_id"]},
                    UpdateExpression="SET #status = :open, open_for = :for REMOVE "
                    + ", ".join(f"#{k}" for k in values),
                    ExpressionAttributeNames=names,
                    ExpressionAttributeValues={":open": OPEN, ":for": task.get("citizen_id") or task["requerente_id"]},
                )
                raise Conflict("O prazo desta pendência terminou.", field="task_id", current=self.public(task)) from None
        self.audit.record(actor, action, f"process#{task['process_id']}", task_id=task["task_id"], kind=task["kind"])
        return self.get(task["process_id"], task["task_id"])


def _json(value: Any) -> str:
    import json

    return json.dumps(value, ensure_ascii=False)


ANSWER_FORMATS = ["pdf", "png", "jpeg"]


def _filer(process: dict[str, Any]) -> str:
    return process.get("filed_by") or process["requerente_id"]


def task_slot(task: dict[str, Any]) -> Any:
    """The upload slot for the attachments of one task's answer."""
    return answer_slot(f"tarefa_{task['task_id']}", f"Resposta: {task['subject']}")


def answer_slot(name: str, label: str = "Resposta a uma pendência") -> Any:
    from chalicelib.catalogue.service import DocumentSlot

    return DocumentSlot(slot=name, label=label, formats=ANSWER_FORMATS)


class CitizenAnswers:
    """The citizen's side of a task: attachments, then one answer (text and/or documents)."""

    def __init__(self, processes: Any = None, tasks: PendingTasks | None = None):
        from chalicelib.processes.table import Processes

        self.processes = processes or Processes()
        self.tasks = tasks or PendingTasks(audit=self.processes.audit)

    def _own_task(self, process_id: str, task_id: str, session: Any) -> dict[str, Any]:
        """The task, if the caller is a citizen of its process (get_for: the filer, the requerente's
        or the representante's account); staff and anyone else get a 404."""
        from chalicelib.accounts.users import STAFF

        self.processes.get_for(process_id, session)
        if session.kind == STAFF:
            raise NotFound("Pendência desconhecida.", field="task_id")
        return self.tasks.get(process_id, task_id)

    def upload_slot(self, process_id: str, task_id: str, session: Any, filename: str, content_type: str,
                    source_ip: str | None, slot: str | None = None, replaces: str | None = None) -> dict[str, Any]:
        """A presigned POST for one file of the answer, while the task is open: into the task's own
        slot, into one of the service's slots (``slot``), or as a new version of a document of the
        process (``replaces``). The file is inspected like any other before the answer may use it."""
        task = self._own_task(process_id, task_id, session)
        if task["status"] != OPEN:
            raise Conflict("Esta pendência já não aceita documentos.", field="task_id", current=PendingTasks.public(task))
        if task["kind"] == ASSINATURA:
            raise Conflict("Um pedido de assinatura responde-se assinando o documento.", field="task_id")
        target = self._target_slot(process_id, task, slot, replaces)
        return self.processes.documents.upload_slot(process_id, target, filename, content_type,
                                                    Actor(session.user_id, source_ip), replaces=replaces,
                                                    task_id=task["task_id"])

    def _target_slot(self, process_id: str, task: dict[str, Any], slot: str | None, replaces: str | None) -> Any:
        from chalicelib.catalogue.service import get_service

        own = task_slot(task)
        name = slot or own.slot
        if replaces is not None:
            try:
                previous = self.processes.documents.get(process_id, replaces)
            except NotFound:
                raise ValidationFailed("Documento a substituir desconhecido.", field="replaces") from None
            if slot and slot != previous["slot"]:
                raise ValidationFailed("Só pode substituir um documento do mesmo tipo.", field="replaces")
            name = previous["slot"]
        if name == own.slot:
            return own
        if name.startswith("tarefa_"):  # an earlier answer's file, corrected now
            return answer_slot(name)
        from chalicelib.decision.signatures import SIGNED_SLOT
        from chalicelib.messages.threads import ATTACHMENT_SLOT

        if name in (ATTACHMENT_SLOT, SIGNED_SLOT):
            raise ValidationFailed("Este documento não se substitui numa resposta.", field="replaces" if replaces else "slot")
        return get_service(self.processes.get(process_id)["service_id"]).slot(name)

    def answer(self, process_id: str, task_id: str, session: Any, text: str, document_ids: list[str],
               source_ip: str | None) -> dict[str, Any]:
        from chalicelib.documents.store import ACCEPTED, AWAITING

        task = self._own_task(process_id, task_id, session)
        if task["kind"] == ASSINATURA:
            raise Conflict("Um pedido de assinatura responde-se assinando o documento.", field="task_id")
        if not text.strip() and not document_ids:
            raise ValidationFailed("Escreva a sua resposta ou junte pelo menos um documento.", field="text")
        for index, document_id in enumerate(document_ids):
            field = f"document_ids.{index}"
            try:
                document = self.processes.documents.get(process_id, document_id)
            except NotFound:
                raise ValidationFailed("Documento desconhecido.", field=field) from None
            if document.get("task_id") != task["task_id"]:
                raise ValidationFailed("O documento não foi enviado para esta pendência.", field=field)
            if document["status"] == AWAITING:
                raise Conflict("O documento ainda está a ser verificado; tente daqui a instantes.", field=field)
            if document["status"] != ACCEPTED:
                raise ValidationFailed(f"O documento foi recusado: {document.get('reason', '')}", field=field)
        values: dict[str, Any] = {"answer_text": text.strip(), "answer_documents": list(document_ids)}
        action = "hearing.answered" if task["kind"] == AUDIENCIA else "task.answered"
        return self.tasks.answer(task, Actor(session.user_id, source_ip), values, action)

    def sign(self, process_id: str, task_id: str, session: Any, password: str, accept_statement: bool,
             source_ip: str | None) -> dict[str, Any]:
        """Answer a signature request by signing its document (password again + the statement)."""
        from chalicelib.accounts.users import Accounts
        from chalicelib.decision.signatures import Signatures

        task = self._own_task(process_id, task_id, session)
        if task["kind"] != ASSINATURA:
            raise Conflict("Esta pendência não pede uma assinatura.", field="task_id")
        if task["status"] != OPEN:
            raise Conflict("Este pedido de assinatura já não está aberto.", field="task_id", current=PendingTasks.public(task))
        actor = Actor(session.user_id, source_ip)
        process = self.processes.get(process_id)
        signer = Accounts().get(session.user_id)
        signed = Signatures(documents=self.processes.documents, audit=self.processes.audit).sign(
            process, task["document_id"], signer, password, accept_statement, actor)
        return self.tasks.answer(task, actor, {"signed_document_id": signed["document_id"]}, "task.signed")
