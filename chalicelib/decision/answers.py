"""The citizen's side of a task (``chalicelib.decision.tasks``): the attachments of an answer, the
answer itself, a signature. Attachments go through the documents' upload slots and inspection like
any other file: a new file goes to the task's own slot (``tarefa_<task id>``) or to one of the
service's slots, and a file that corrects an earlier document is a new version of it (``replaces``)."""

from __future__ import annotations

from typing import Any

from chalicelib.accounts.users import Accounts
from chalicelib.catalogue.service import DocumentSlot, get_service
from chalicelib.decision.signatures import Signatures
from chalicelib.decision.tasks import PendingTasks
from chalicelib.documents.store import Documents
from chalicelib.kernel.clock import iso
from chalicelib.kernel.errors import Conflict, NotFound, ValidationFailed
from chalicelib.kernel.inject import Injected
from chalicelib.kernel.roles import STAFF
from chalicelib.kernel.vocabulary import DocumentStatus, ReservedSlot, TaskKind, TaskStatus
from chalicelib.platform import aws
from chalicelib.platform.audit import Actor
from chalicelib.platform.dynamo import condition_failed
from chalicelib.platform.process_children import document_link
from chalicelib.platform.task_tokens import resume
from chalicelib.processes.table import Processes

ANSWER_FORMATS = ["pdf", "png", "jpeg"]


def task_slot(task: dict[str, Any]) -> Any:
    """The upload slot for the attachments of one task's answer."""
    return answer_slot(f"tarefa_{task['task_id']}", f"Resposta: {task['subject']}")


def answer_slot(name: str, label: str = "Resposta a uma pendência") -> Any:
    return DocumentSlot(slot=name, label=label, formats=ANSWER_FORMATS)


class CitizenAnswers:
    """The citizen's side of a task: attachments, then one answer (text and/or documents)."""

    documents = Injected(lambda self: Documents(audit=self.processes.audit))
    stepfunctions = Injected(lambda self: aws.client("stepfunctions"))

    def __init__(
        self, processes: Processes | None = None, tasks: PendingTasks | None = None, documents: Documents | None = None
    ):
        self._documents = documents
        self.processes = processes or Processes()
        self.tasks = tasks or PendingTasks()
        self.audit = self.processes.audit
        self._stepfunctions = None

    def _own_task(self, process_id: str, task_id: str, session: Any) -> dict[str, Any]:
        """The task, if the caller is a citizen of its process (get_for: the filer, the requerente's
        or the representante's account); staff and anyone else get a 404."""
        self.processes.get_for(process_id, session)
        if session.kind == STAFF:
            raise NotFound("Pendência desconhecida.", field="task_id")
        return self.tasks.get(process_id, task_id)

    def upload_slot(
        self,
        process_id: str,
        task_id: str,
        session: Any,
        filename: str,
        content_type: str,
        source_ip: str | None,
        slot: str | None = None,
        replaces: str | None = None,
    ) -> dict[str, Any]:
        """A presigned POST for one file of the answer, while the task is open: into the task's own
        slot, into one of the service's slots (``slot``), or as a new version of a document of the
        process (``replaces``). The file is inspected like any other before the answer may use it."""
        task = self._own_task(process_id, task_id, session)
        if task["status"] != TaskStatus.OPEN:
            raise Conflict(
                "Esta pendência já não aceita documentos.", field="task_id", current=PendingTasks.public(task)
            )
        if task["kind"] == TaskKind.ASSINATURA:
            raise Conflict("Um pedido de assinatura responde-se assinando o documento.", field="task_id")
        target = self._target_slot(process_id, task, slot, replaces)
        return self.documents.upload_slot(
            process_id,
            target,
            filename,
            content_type,
            Actor(session.user_id, source_ip),
            replaces=replaces,
            task_id=task["task_id"],
            listed_with=document_link(process_id),
        )

    def _target_slot(self, process_id: str, task: dict[str, Any], slot: str | None, replaces: str | None) -> Any:
        own = task_slot(task)
        name = slot or own.slot
        if replaces is not None:
            try:
                previous = self.documents.get(process_id, replaces)
            except NotFound:
                raise ValidationFailed("Documento a substituir desconhecido.", field="replaces") from None
            if slot and slot != previous["slot"]:
                raise ValidationFailed("Só pode substituir um documento do mesmo tipo.", field="replaces")
            name = previous["slot"]
        if name == own.slot:
            return own
        if name.startswith("tarefa_"):  # an earlier answer's file, corrected now
            return answer_slot(name)
        if name in (ReservedSlot.MESSAGE_ATTACHMENT, ReservedSlot.SIGNED):
            raise ValidationFailed(
                "Este documento não se substitui numa resposta.", field="replaces" if replaces else "slot"
            )
        return get_service(self.processes.get(process_id)["service_id"]).slot(name)

    def answer(
        self, process_id: str, task_id: str, session: Any, text: str, document_ids: list[str], source_ip: str | None
    ) -> dict[str, Any]:
        task = self._own_task(process_id, task_id, session)
        if task["kind"] == TaskKind.ASSINATURA:
            raise Conflict("Um pedido de assinatura responde-se assinando o documento.", field="task_id")
        if not text.strip() and not document_ids:
            raise ValidationFailed("Escreva a sua resposta ou junte pelo menos um documento.", field="text")
        for index, document_id in enumerate(document_ids):
            field = f"document_ids.{index}"
            try:
                document = self.documents.get(process_id, document_id)
            except NotFound:
                raise ValidationFailed("Documento desconhecido.", field=field) from None
            if document.get("task_id") != task["task_id"]:
                raise ValidationFailed("O documento não foi enviado para esta pendência.", field=field)
            if document["status"] == DocumentStatus.AWAITING:
                raise Conflict("O documento ainda está a ser verificado; tente daqui a instantes.", field=field)
            if document["status"] != DocumentStatus.ACCEPTED:
                raise ValidationFailed(f"O documento foi recusado: {document.get('reason', '')}", field=field)
        values: dict[str, Any] = {"answer_text": text.strip(), "answer_documents": list(document_ids)}
        action = "hearing.answered" if task["kind"] == TaskKind.AUDIENCIA else "task.answered"
        return self._close(task, Actor(session.user_id, source_ip), values, action)

    def sign(
        self, process_id: str, task_id: str, session: Any, password: str, accept_statement: bool, source_ip: str | None
    ) -> dict[str, Any]:
        """Answer a signature request by signing its document (password again + the statement)."""
        task = self._own_task(process_id, task_id, session)
        if task["kind"] != TaskKind.ASSINATURA:
            raise Conflict("Esta pendência não pede uma assinatura.", field="task_id")
        if task["status"] != TaskStatus.OPEN:
            raise Conflict(
                "Este pedido de assinatura já não está aberto.", field="task_id", current=PendingTasks.public(task)
            )
        actor = Actor(session.user_id, source_ip)
        process = self.processes.get(process_id)
        signer = Accounts().get(session.user_id)
        signed = Signatures(documents=self.documents, audit=self.processes.audit).sign(
            process, task["document_id"], signer, password, accept_statement, actor
        )
        return self._close(task, actor, {"signed_document_id": signed["document_id"]}, "task.signed")

    def _close(self, task: dict[str, Any], actor: Actor, values: dict[str, Any], action: str) -> dict[str, Any]:
        """Close an open task with the citizen's answer (exactly once) and resume the workflow. A
        second answer, or one after the deadline, is a 409 and changes nothing."""
        answered_at = iso()
        values = {**values, "answered_at": answered_at, "answered_by": actor.id}
        names = {"#status": "status", **{f"#{k}": k for k in values}}
        try:
            result = self.tasks.table.update_item(
                Key={"process_id": task["process_id"], "task_id": task["task_id"]},
                UpdateExpression="SET #status = :answered, "
                + ", ".join(f"#{k} = :{k}" for k in values)
                + " REMOVE open_for, task_token",
                ConditionExpression="#status = :open AND deadline_at >= :now",
                ExpressionAttributeNames=names,
                ExpressionAttributeValues={
                    ":answered": TaskStatus.ANSWERED,
                    ":open": TaskStatus.OPEN,
                    ":now": answered_at,
                    **{f":{k}": v for k, v in values.items()},
                },
                ReturnValues="ALL_OLD",
            )
        except condition_failed(self.tasks.table):
            current = self.tasks.get(task["process_id"], task["task_id"])
            message = (
                "Esta pendência já foi respondida."
                if current["status"] == TaskStatus.ANSWERED
                else "O prazo desta pendência terminou."
                if current["status"] == TaskStatus.EXPIRED or current["deadline_at"] < answered_at
                else "Esta pendência já não aceita respostas."
            )
            raise Conflict(message, field="task_id", current=PendingTasks.public(current)) from None
        token = result["Attributes"].get("task_token")
        if token:

            def reopen() -> None:
                # The workflow stopped waiting (deadline): put the task back as it was, for the
                # expiry to close it.
                self.tasks.table.update_item(
                    Key={"process_id": task["process_id"], "task_id": task["task_id"]},
                    UpdateExpression="SET #status = :open, open_for = :for REMOVE "
                    + ", ".join(f"#{k}" for k in values),
                    ExpressionAttributeNames=names,
                    ExpressionAttributeValues={
                        ":open": TaskStatus.OPEN,
                        ":for": task.get("citizen_id") or task["requerente_id"],
                    },
                )

            if not resume(token, {"status": TaskStatus.ANSWERED}, undo=reopen, stepfunctions=self.stepfunctions):
                raise Conflict("O prazo desta pendência terminou.", field="task_id", current=PendingTasks.public(task))
        self.audit.record(actor, action, f"process#{task['process_id']}", task_id=task["task_id"], kind=task["kind"])
        return self.tasks.get(task["process_id"], task["task_id"])
