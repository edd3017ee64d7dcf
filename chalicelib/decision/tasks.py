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
from datetime import date
from typing import Any

from boto3.dynamodb.conditions import Key

from chalicelib.kernel.clock import iso
from chalicelib.kernel.errors import NotFound, ValidationFailed
from chalicelib.kernel.inject import Injected
from chalicelib.kernel.vocabulary import TaskKind, TaskStatus
from chalicelib.kernel.working_days import working_days_left
from chalicelib.platform import aws
from chalicelib.processes.access import filer

# The message that tells the citizen of a task of each kind.
TEMPLATE = {
    TaskKind.PENDENCIA: "pending_task",
    TaskKind.AUDIENCIA: "prior_hearing",
    TaskKind.ASSINATURA: "signature_request",
}

PUBLIC_FIELDS = (
    "task_id",
    "process_id",
    "kind",
    "subject",
    "description",
    "status",
    "created_at",
    "deadline",
    "deadline_at",
    "answered_at",
    "answer_text",
    "answer_documents",
    "document_id",
    "signed_document_id",
    "proposed_grounds",
    "expired_at",
)


class PendingTasks:
    def __init__(self, table: Any = None):
        self._table = table

    table = Injected(lambda self: aws.table("tasks"))

    # -- reading -------------------------------------------------------------------------------
    def get(self, process_id: str, task_id: str) -> dict[str, Any]:
        item = self.table.get_item(Key={"process_id": process_id, "task_id": task_id}).get("Item")
        if item is None:
            raise NotFound("Pendência desconhecida.", field="task_id")
        return item

    def for_process(self, process_id: str) -> list[dict[str, Any]]:
        return self.table.query(KeyConditionExpression=Key("process_id").eq(process_id))["Items"]

    def open_for_requerente(self, user_id: str, limit: int = 100) -> list[dict[str, Any]]:
        """ "Minhas Pendências": every open task of the citizen's processes, nearest deadline first."""
        return self.table.query(
            IndexName="open_by_requerente", KeyConditionExpression=Key("open_for").eq(user_id), Limit=limit
        )["Items"]

    @staticmethod
    def public(task: dict[str, Any]) -> dict[str, Any]:
        """What the citizen and staff see of a task; an open one with the working days left to its
        deadline (counted as the law counts them, not calendar days)."""
        view = {k: task[k] for k in PUBLIC_FIELDS if k in task}
        if task.get("status") == TaskStatus.OPEN and task.get("deadline"):
            view["working_days_left"] = working_days_left(date.fromisoformat(task["deadline"][:10]))
        return view

    # -- opening (inside the staff action's transaction) -----------------------------------------
    @staticmethod
    def new_item(
        process: dict[str, Any],
        kind: str,
        subject: str,
        description: str,
        deadline: str,
        deadline_at: str,
        by: str,
        **extra: Any,
    ) -> dict[str, Any]:
        if kind not in tuple(TaskKind):
            raise ValidationFailed("Tipo de pendência desconhecido.", field="kind")
        return {
            "process_id": process["process_id"],
            "task_id": f"t_{uuid.uuid4().hex[:16]}",
            "kind": kind,
            "subject": subject,
            "description": description,
            "status": TaskStatus.OPEN,
            "open_for": filer(process),
            "citizen_id": filer(process),
            "number": process.get("number"),
            "created_at": iso(),
            "created_by": by,
            "deadline": deadline,
            "deadline_at": deadline_at,
            **{k: v for k, v in extra.items() if v is not None},
        }
