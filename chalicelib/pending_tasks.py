"""What a process asks of its citizen during the decision stage, each with its own deadline:

- a pendência (``pendencia``): staff ask for documents or information; the citizen answers with text
  and attachments;
- the prior hearing (``audiencia``, "audiência dos interessados", CPA art. 121.º-122.º): staff propose a
  rejection; the citizen has 10 working days to answer with arguments and documents before the final
  decision;
- a signature (``assinatura``): the citizen signs a document of the process with the system's
  electronic signature (``chalicelib.signatures``).

A task is ``aberta`` until it is answered (``respondida``) or its deadline passes (``expirada``). While
it is open the workflow waits in ``AwaitCitizen`` with a task token kept on the task; the answer
resumes it. ``open_for`` (the requerente's id, only while open) feeds the sparse index behind "Minhas
Pendências".
"""

from __future__ import annotations

import uuid
from typing import Any

from chalicelib import aws
from chalicelib.audit import SYSTEM, Actor, AuditTrail
from chalicelib.clock import iso
from chalicelib.errors import Conflict, NotFound, ValidationFailed

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
        return {k: task[k] for k in PUBLIC_FIELDS if k in task}

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
            "open_for": process["requerente_id"],
            "requerente_id": process["requerente_id"],
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
                    ExpressionAttributeValues={":open": OPEN, ":for": task["requerente_id"]},
                )
                raise Conflict("O prazo desta pendência terminou.", field="task_id", current=self.public(task)) from None
        self.audit.record(actor, action, f"process#{task['process_id']}", task_id=task["task_id"], kind=task["kind"])
        return self.get(task["process_id"], task["task_id"])


def _json(value: Any) -> str:
    import json

    return json.dumps(value, ensure_ascii=False)


ANSWER_FORMATS = ["pdf", "png", "jpeg"]


def task_slot(task: dict[str, Any]) -> Any:
    """The upload slot for the attachments of one task's answer."""
    from chalicelib.catalogue import DocumentSlot

    return DocumentSlot(slot=f"tarefa:{task['task_id']}", label=f"Resposta: {task['subject']}", formats=ANSWER_FORMATS)


class CitizenAnswers:
    """The citizen's side of a task: attachments, then one answer (text and/or documents)."""

    def __init__(self, processes: Any = None, tasks: PendingTasks | None = None):
        from chalicelib.processes import Processes

        self.processes = processes or Processes()
        self.tasks = tasks or PendingTasks(audit=self.processes.audit)

    def _own_task(self, process_id: str, task_id: str, session: Any) -> dict[str, Any]:
        process = self.processes.get_for(process_id, session)
        if process["requerente_id"] != session.user_id:
            raise NotFound("Pendência desconhecida.", field="task_id")
        return self.tasks.get(process_id, task_id)

    def upload_slot(self, process_id: str, task_id: str, session: Any, filename: str, content_type: str,
                    source_ip: str | None) -> dict[str, Any]:
        task = self._own_task(process_id, task_id, session)
        if task["status"] != OPEN:
            raise Conflict("Esta pendência já não aceita documentos.", field="task_id", current=PendingTasks.public(task))
        if task["kind"] == ASSINATURA:
            raise Conflict("Um pedido de assinatura responde-se assinando o documento.", field="task_id")
        return self.processes.documents.upload_slot(process_id, task_slot(task), filename, content_type,
                                                    Actor(session.user_id, source_ip))

    def answer(self, process_id: str, task_id: str, session: Any, text: str, document_ids: list[str],
               source_ip: str | None) -> dict[str, Any]:
        from chalicelib.documents import ACCEPTED, AWAITING

        task = self._own_task(process_id, task_id, session)
        if task["kind"] == ASSINATURA:
            raise Conflict("Um pedido de assinatura responde-se assinando o documento.", field="task_id")
        if not text.strip() and not document_ids:
            raise ValidationFailed("Escreva a sua resposta ou junte pelo menos um documento.", field="text")
        slot = task_slot(task).slot
        for index, document_id in enumerate(document_ids):
            field = f"document_ids.{index}"
            try:
                document = self.processes.documents.get(process_id, document_id)
            except NotFound:
                raise ValidationFailed("Documento desconhecido.", field=field) from None
            if document["slot"] != slot:
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
        from chalicelib.accounts import Accounts
        from chalicelib.signatures import Signatures

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
