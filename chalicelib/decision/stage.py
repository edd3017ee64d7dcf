"""The decision stage of a process: what staff do while the workflow waits for them.

The workflow waits in ``AwaitStaffAction`` with a task token kept on the process
(``decision_task_token``). Each staff action takes that token exactly once, in the same conditional
write that records the action, then resumes the workflow with it:

- ask for documents or information (a pendência), ask for a signature, or propose a rejection (the
  prior hearing): a task for the citizen with its own deadline (``chalicelib.decision.tasks``);
- decide (``deferido`` / ``indeferido``) with grounds: the workflow waits for the next working day and
  notifies the citizen (seed 001). A decision after the legal deadline is recorded all the same and
  marked late. A rejection needs the prior hearing first (CPA art. 121.º).

Two staff acting at once, or a token used twice: one conditional write wins; the other gets a 409 with
the process's current state, and nothing is done twice.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from chalicelib.accounts.users import Session
from chalicelib.decision.tasks import (
    ANSWERED,
    ASSINATURA,
    AUDIENCIA,
    EXPIRED,
    PENDENCIA,
    PROCESS_STATUS,
    TEMPLATE,
    PendingTasks,
)
from chalicelib.kernel.clock import iso, now, wall
from chalicelib.kernel.errors import Conflict, NotFound, ValidationFailed
from chalicelib.kernel.working_days import add_working_days, end_of_day, local_today, next_working_day_opening
from chalicelib.platform import aws
from chalicelib.platform.audit import Actor, AuditTrail
from chalicelib.processes.table import organ_status

AWAITING_ACTION = "em_apreciacao"
APPROVED = "deferido"
REJECTED = "indeferido"
DECISIONS = (APPROVED, REJECTED)
DECIDING_ROLES = ("decision_maker", "organ_head")
# Asking the citizen for something is instruction work: clerks do it too.
INSTRUCTING_ROLES = ("clerk", "decision_maker", "organ_head")
HEARING_WORKING_DAYS = 10  # CPA art. 122.º: not less than 10 working days

STATE_FIELDS = ("process_id", "number", "status", "decision", "decided_at", "current_task_id")


class DecisionStage:
    def __init__(self, table: Any = None, tasks: PendingTasks | None = None, stepfunctions: Any = None,
                 audit: AuditTrail | None = None):
        self._table = table
        self._stepfunctions = stepfunctions
        self.audit = audit or AuditTrail()
        self.tasks = tasks or PendingTasks(audit=self.audit)

    @property
    def table(self) -> Any:
        return self._table or aws.table("processes")

    @property
    def stepfunctions(self) -> Any:
        return self._stepfunctions or aws.client("stepfunctions")

    def _process(self, process_id: str) -> dict[str, Any]:
        item = self.table.get_item(Key={"process_id": process_id}).get("Item")
        if item is None:
            raise NotFound("Processo desconhecido.", field="process_id")
        return item

    def _staff_process(self, process_id: str, session: Session, roles: tuple[str, ...], what: str) -> dict[str, Any]:
        """The process, if this staff member of its organ holds one of ``roles`` (403 otherwise)."""
        from chalicelib.processes.table import Processes

        return Processes(table=self._table, audit=self.audit).for_staff(process_id, session, roles, what)

    @staticmethod
    def _state(process: dict[str, Any]) -> dict[str, Any]:
        return {k: process[k] for k in STATE_FIELDS if k in process}

    def _require_awaiting(self, process: dict[str, Any]) -> str:
        token = process.get("decision_task_token")
        if process["status"] != AWAITING_ACTION or not token:
            raise Conflict(_not_awaiting_message(process["status"]), field="status", current=self._state(process))
        return token

    # -- the workflow's side ---------------------------------------------------------------------
    def register(self, process_id: str, task_token: str) -> None:
        """``AwaitStaffAction`` started (after submission, or after a citizen task closed): the
        process is back in the staff's hands, with the token that resumes it."""
        # submetido, or a_aguardar_pagamento when the fee is paid before the decision
        open_statuses = ["submetido", "a_aguardar_pagamento", AWAITING_ACTION, *PROCESS_STATUS.values()]
        organ = self._process(process_id)["service_organ"]
        self.table.update_item(
            Key={"process_id": process_id},
            UpdateExpression="SET #status = :awaiting, organ_status = :organ_status, decision_task_token = :token "
            "REMOVE current_task_id",
            ConditionExpression="#status IN (" + ", ".join(f":s{i}" for i in range(len(open_statuses))) + ")",
            ExpressionAttributeNames={"#status": "status"},
            ExpressionAttributeValues={":awaiting": AWAITING_ACTION, ":token": task_token,
                                       ":organ_status": organ_status(organ, AWAITING_ACTION),
                                       **{f":s{i}": s for i, s in enumerate(open_statuses)}},
        )
        from chalicelib.platform.audit import SYSTEM

        self.audit.record(SYSTEM, "process.awaiting_decision", f"process#{process_id}")

    # -- staff actions -----------------------------------------------------------------------------
    def ask(self, process_id: str, session: Session, kind: str, subject: str, description: str,
            working_days: int, source_ip: str | None, document_id: str | None = None) -> dict[str, Any]:
        """Open a pendência (documents/information) or a signature request for the citizen."""
        what = {PENDENCIA: "pedir elementos ao requerente", ASSINATURA: "pedir uma assinatura"}[kind]
        process = self._staff_process(process_id, session, INSTRUCTING_ROLES, what)
        if not subject.strip():
            raise ValidationFailed("Indique o que pede ao requerente.", field="subject")
        if kind == ASSINATURA:
            self._signable(process_id, document_id)
        return self._open_task(process, session, kind, subject.strip(), description.strip(), working_days,
                               source_ip, document_id=document_id)

    def issue_payment_plan(self, process_id: str, session: Session, source_ip: str | None) -> dict[str, Any]:
        """The installment plan as a PDF of the process, for both parties to sign (seed 001)."""
        from chalicelib.decision.payment_plans import PaymentPlans

        process = self._staff_process(process_id, session, INSTRUCTING_ROLES, "emitir o plano de pagamento")
        if process["status"] in DECISIONS:
            raise Conflict(_not_awaiting_message(process["status"]), field="status", current=self._state(process))
        return PaymentPlans().issue(process, Actor(session.user_id, source_ip))

    def propose_rejection(self, process_id: str, session: Session, grounds: str, source_ip: str | None) -> dict[str, Any]:
        """The prior hearing: the citizen is told the proposed rejection and its grounds, and has 10
        working days to answer with arguments and documents."""
        process = self._staff_process(process_id, session, DECIDING_ROLES, "propor o indeferimento")
        if not grounds.strip():
            raise ValidationFailed("Indique a fundamentação do projeto de indeferimento.", field="grounds")
        return self._open_task(process, session, AUDIENCIA, "Audiência prévia: projeto de indeferimento",
                               grounds.strip(), HEARING_WORKING_DAYS, source_ip, proposed_grounds=grounds.strip())

    def _signable(self, process_id: str, document_id: str | None) -> None:
        from chalicelib.documents.store import ACCEPTED, Documents

        if not document_id:
            raise ValidationFailed("Indique o documento a assinar.", field="document_id")
        try:
            document = Documents().get(process_id, document_id)
        except NotFound:
            raise ValidationFailed("O documento a assinar não pertence a este processo.", field="document_id") from None
        if document["status"] != ACCEPTED or document.get("content_type") != "application/pdf":
            raise ValidationFailed("Só se assina um documento PDF aceite.", field="document_id")

    def _open_task(self, process: dict[str, Any], session: Session, kind: str, subject: str, description: str,
                   working_days: int, source_ip: str | None, **extra: Any) -> dict[str, Any]:
        token = self._require_awaiting(process)
        opened = now()
        deadline = add_working_days(local_today(opened), working_days)
        deadline_at = end_of_day(deadline)
        task = PendingTasks.new_item(process, kind, subject, description, deadline.isoformat(), iso(deadline_at),
                                     session.user_id, **extra)
        client = self.table.meta.client
        try:
            client.transact_write_items(TransactItems=[
                {"Put": {"TableName": self.tasks.table.name, "Item": task,
                         "ConditionExpression": "attribute_not_exists(task_id)"}},
                {"Update": {
                    "TableName": self.table.name,
                    "Key": {"process_id": process["process_id"]},
                    "UpdateExpression": "SET #status = :status, organ_status = :organ_status, current_task_id = :task "
                    "REMOVE decision_task_token",
                    "ConditionExpression": "#status = :awaiting AND decision_task_token = :token",
                    "ExpressionAttributeNames": {"#status": "status"},
                    "ExpressionAttributeValues": {":status": PROCESS_STATUS[kind], ":task": task["task_id"],
                                                  ":organ_status": organ_status(process["service_organ"], PROCESS_STATUS[kind]),
                                                  ":awaiting": AWAITING_ACTION, ":token": token},
                }},
            ])
        except client.exceptions.TransactionCanceledException:
            current = self._process(process["process_id"])
            raise Conflict(_not_awaiting_message(current["status"]), field="status", current=self._state(current)) from None
        # The engine's timer counts real seconds: a deadline already past (a test's travelled clock)
        # times out at once, as its Wait for a past timestamp would.
        timeout = max(1, int((deadline_at - wall()).total_seconds()))
        output = {"kind": "tarefa", "task_id": task["task_id"], "task_kind": kind, "template": TEMPLATE[kind],
                  "deadline_at": task["deadline_at"], "timeout_seconds": timeout}
        try:
            self.stepfunctions.send_task_success(taskToken=token, output=_json(output))
        except self.stepfunctions.exceptions.ClientError:
            client.transact_write_items(TransactItems=[
                {"Delete": {"TableName": self.tasks.table.name,
                            "Key": {"process_id": process["process_id"], "task_id": task["task_id"]}}},
                {"Update": {
                    "TableName": self.table.name,
                    "Key": {"process_id": process["process_id"]},
                    "UpdateExpression": "SET #status = :awaiting, organ_status = :organ_status, decision_task_token = :token "
                    "REMOVE current_task_id",
                    "ExpressionAttributeNames": {"#status": "status"},
                    "ExpressionAttributeValues": {":awaiting": AWAITING_ACTION, ":token": token,
                                                  ":organ_status": organ_status(process["service_organ"], AWAITING_ACTION)},
                }},
            ])
            raise Conflict("O fluxo do processo já não aguarda esta ação.", field="status",
                           current=self._state(process)) from None
        self.audit.record(Actor(session.user_id, source_ip), f"task.opened.{kind}", f"process#{process['process_id']}",
                          task_id=task["task_id"], deadline=task["deadline"], what=subject)
        return task

    def decide(self, process_id: str, session: Session, decision: str, grounds: str, source_ip: str | None) -> dict[str, Any]:
        """Record the final decision once, then resume the workflow, which notifies the citizen on the
        next working day. A second decision, or one while the process is not awaiting a decision, is a
        409 and changes nothing."""
        process = self._staff_process(process_id, session, DECIDING_ROLES, "deferir ou indeferir")
        if decision not in DECISIONS:
            raise ValidationFailed("A decisão é 'deferido' ou 'indeferido'.", field="decision")
        if not grounds.strip():
            raise ValidationFailed("Indique a fundamentação da decisão.", field="grounds")
        token = self._require_awaiting(process)
        if decision == REJECTED and not self._hearing_held(process_id):
            raise Conflict("Antes de indeferir, o requerente tem de ser ouvido: abra a audiência prévia.",
                           field="decision", current=self._state(process))
        decided = now()
        deadline = process.get("decision_deadline")
        late = bool(deadline) and local_today(decided) > date.fromisoformat(deadline)
        from chalicelib.kernel.settings import get_settings

        at_once = get_settings().decision_notice == "at_once"
        notify_at = iso(decided if at_once else next_working_day_opening(decided))
        try:
            self.table.update_item(
                Key={"process_id": process_id},
                UpdateExpression="SET #status = :decision, organ_status = :organ_status, decision = :decision, "
                "decision_grounds = :grounds, "
                "decided_at = :at, decided_by = :by, decided_late = :late, notify_at = :notify "
                "REMOVE decision_task_token",
                ConditionExpression="#status = :awaiting AND decision_task_token = :token",
                ExpressionAttributeNames={"#status": "status"},
                ExpressionAttributeValues={":decision": decision, ":grounds": grounds.strip(), ":at": iso(decided),
                                           ":organ_status": organ_status(process["service_organ"], decision),
                                           ":by": session.user_id, ":late": late, ":notify": notify_at,
                                           ":awaiting": AWAITING_ACTION, ":token": token},
            )
        except self.table.meta.client.exceptions.ConditionalCheckFailedException:
            current = self._process(process_id)
            raise Conflict(_not_awaiting_message(current["status"]), field="status", current=self._state(current)) from None
        output = {"kind": "decisao", "decision": decision, "grounds": grounds.strip(), "late": late, "notify_at": notify_at}
        try:
            self.stepfunctions.send_task_success(taskToken=token, output=_json(output))
        except self.stepfunctions.exceptions.ClientError:
            # The workflow did not take the decision (token expired or unknown): undo it, so that
            # nothing is half-done, and say so.
            self.table.update_item(
                Key={"process_id": process_id},
                UpdateExpression="SET #status = :awaiting, organ_status = :organ_status, decision_task_token = :token "
                "REMOVE decision, decision_grounds, decided_at, decided_by, decided_late, notify_at",
                ExpressionAttributeNames={"#status": "status"},
                ExpressionAttributeValues={":awaiting": AWAITING_ACTION, ":token": token,
                                           ":organ_status": organ_status(process["service_organ"], AWAITING_ACTION)},
            )
            raise Conflict("O fluxo do processo já não aguarda esta decisão.", field="status",
                           current=self._state(process)) from None
        self.audit.record(Actor(session.user_id, source_ip), f"process.{decision}", f"process#{process_id}",
                          grounds=grounds.strip(), late=late or None, notify_at=notify_at)
        return self._process(process_id)

    def _hearing_held(self, process_id: str) -> bool:
        return any(t["kind"] == AUDIENCIA and t["status"] in (ANSWERED, EXPIRED) for t in self.tasks.for_process(process_id))


def _not_awaiting_message(status: str) -> str:
    if status in DECISIONS:
        return "O processo já foi decidido."
    if status in PROCESS_STATUS.values():
        return "O processo aguarda uma resposta do requerente."
    return "O processo não está a aguardar decisão."


def _json(value: Any) -> str:
    import json

    return json.dumps(value, ensure_ascii=False)
