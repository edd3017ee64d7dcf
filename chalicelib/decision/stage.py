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

from typing import TYPE_CHECKING, Any

from chalicelib.decision.payment_plans import PaymentPlans
from chalicelib.decision.rules import (
    HEARING_WORKING_DAYS,
    check_decision,
    decided_late,
    hearing_needed,
    not_awaiting_message,
)
from chalicelib.decision.tasks import TEMPLATE, PendingTasks
from chalicelib.documents.store import Documents
from chalicelib.kernel.clock import iso, local_date, now, on_engine_clock, parse, wall
from chalicelib.kernel.errors import Conflict, NotFound, ValidationFailed
from chalicelib.kernel.inject import Injected
from chalicelib.kernel.roles import DECIDING_ROLES, INSTRUCTING_ROLES
from chalicelib.kernel.settings import get_settings
from chalicelib.kernel.vocabulary import DECISIONS, TASK_PROCESS_STATUS, DocumentStatus, ProcessStatus, TaskKind
from chalicelib.kernel.working_days import add_working_days, end_of_day, next_working_day_opening
from chalicelib.platform import aws, process_children
from chalicelib.platform.audit import Actor, AuditTrail
from chalicelib.platform.dynamo import condition_failed
from chalicelib.platform.task_tokens import resume
from chalicelib.processes.table import Processes, status_update

if TYPE_CHECKING:
    from chalicelib.accounts.sessions import Session

AWAITING_ACTION = ProcessStatus.AWAITING_DECISION

STATE_FIELDS = ("process_id", "number", "status", "decision", "decided_at", "current_task_id")


class DecisionStage:
    def __init__(
        self,
        table: Any = None,
        tasks: PendingTasks | None = None,
        stepfunctions: Any = None,
        audit: AuditTrail | None = None,
    ):
        self._table = table
        self._stepfunctions = stepfunctions
        self.audit = audit or AuditTrail()
        self.tasks = tasks or PendingTasks()

    table = Injected(lambda self: aws.table("processes"))

    stepfunctions = Injected(lambda self: aws.client("stepfunctions"))

    def _process(self, process_id: str) -> dict[str, Any]:
        item = self.table.get_item(Key={"process_id": process_id}).get("Item")
        if item is None:
            raise NotFound("Processo desconhecido.", field="process_id")
        return item

    def _staff_process(self, process_id: str, session: Session, roles: tuple[str, ...], what: str) -> dict[str, Any]:
        """The process, if this staff member of its organ holds one of ``roles`` (403 otherwise)."""
        return Processes(table=self.table, audit=self.audit).for_staff(process_id, session, roles, what)

    @staticmethod
    def _state(process: dict[str, Any]) -> dict[str, Any]:
        return {k: process[k] for k in STATE_FIELDS if k in process}

    def _require_awaiting(self, process: dict[str, Any]) -> str:
        token = process.get("decision_task_token")
        if process["status"] != AWAITING_ACTION or not token:
            raise Conflict(not_awaiting_message(process["status"]), field="status", current=self._state(process))
        return token

    # -- staff actions -----------------------------------------------------------------------------
    def ask(
        self,
        process_id: str,
        session: Session,
        kind: str,
        subject: str,
        description: str,
        working_days: int,
        source_ip: str | None,
        document_id: str | None = None,
    ) -> dict[str, Any]:
        """Open a pendência (documents/information) or a signature request for the citizen."""
        what = {TaskKind.PENDENCIA: "pedir elementos ao requerente", TaskKind.ASSINATURA: "pedir uma assinatura"}[kind]
        process = self._staff_process(process_id, session, INSTRUCTING_ROLES, what)
        if not subject.strip():
            raise ValidationFailed("Indique o que pede ao requerente.", field="subject")
        if kind == TaskKind.ASSINATURA:
            self._signable(process_id, document_id)
        return self._open_task(
            process,
            session,
            kind,
            subject.strip(),
            description.strip(),
            working_days,
            source_ip,
            document_id=document_id,
        )

    def issue_payment_plan(self, process_id: str, session: Session, source_ip: str | None) -> dict[str, Any]:
        """The installment plan as a PDF of the process, for both parties to sign (seed 001)."""
        process = self._staff_process(process_id, session, INSTRUCTING_ROLES, "emitir o plano de pagamento")
        if process["status"] in DECISIONS:
            raise Conflict(not_awaiting_message(process["status"]), field="status", current=self._state(process))
        return PaymentPlans().issue(process, Actor(session.user_id, source_ip))

    def propose_rejection(
        self, process_id: str, session: Session, grounds: str, source_ip: str | None
    ) -> dict[str, Any]:
        """The prior hearing: the citizen is told the proposed rejection and its grounds, and has 10
        working days to answer with arguments and documents."""
        process = self._staff_process(process_id, session, DECIDING_ROLES, "propor o indeferimento")
        if not grounds.strip():
            raise ValidationFailed("Indique a fundamentação do projeto de indeferimento.", field="grounds")
        return self._open_task(
            process,
            session,
            TaskKind.AUDIENCIA,
            "Audiência prévia: projeto de indeferimento",
            grounds.strip(),
            HEARING_WORKING_DAYS,
            source_ip,
            proposed_grounds=grounds.strip(),
        )

    def _signable(self, process_id: str, document_id: str | None) -> None:
        if not document_id:
            raise ValidationFailed("Indique o documento a assinar.", field="document_id")
        try:
            document = Documents().get(process_id, document_id)
        except NotFound:
            raise ValidationFailed("O documento a assinar não pertence a este processo.", field="document_id") from None
        if document["status"] != DocumentStatus.ACCEPTED or document.get("content_type") != "application/pdf":
            raise ValidationFailed("Só se assina um documento PDF aceite.", field="document_id")

    def _open_task(
        self,
        process: dict[str, Any],
        session: Session,
        kind: str,
        subject: str,
        description: str,
        working_days: int,
        source_ip: str | None,
        **extra: Any,
    ) -> dict[str, Any]:
        token = self._require_awaiting(process)
        opened = now()
        deadline = add_working_days(local_date(opened), working_days)
        deadline_at = end_of_day(deadline)
        task = PendingTasks.new_item(
            process, kind, subject, description, deadline.isoformat(), iso(deadline_at), session.user_id, **extra
        )
        client = self.table.meta.client
        task_list, task_list_names = process_children.add_clause("tasks", ":task_key")
        organ, status = process["service_organ"], TASK_PROCESS_STATUS[kind]
        actor, subject_key = Actor(session.user_id, source_ip), f"process#{process['process_id']}"
        opened_event = self.audit.put(
            actor, f"task.opened.{kind}", subject_key, task_id=task["task_id"], deadline=task["deadline"], what=subject
        )
        try:
            client.transact_write_items(
                TransactItems=[
                    {
                        "Put": {
                            "TableName": self.tasks.table.name,
                            "Item": task,
                            "ConditionExpression": "attribute_not_exists(task_id)",
                        }
                    },
                    opened_event,
                    {
                        "Update": {
                            "TableName": self.table.name,
                            **status_update(
                                process["process_id"],
                                organ,
                                status,
                                condition="#status = :awaiting AND decision_task_token = :token",
                                sets="current_task_id = :task",
                                removes="decision_task_token",
                                adds=task_list,
                                names=task_list_names,
                                values={
                                    ":task": task["task_id"],
                                    ":task_key": {task["task_id"]},
                                    ":awaiting": AWAITING_ACTION,
                                    ":token": token,
                                },
                            ),
                        }
                    },
                ]
            )
        except client.exceptions.TransactionCanceledException:
            current = self._process(process["process_id"])
            raise Conflict(
                not_awaiting_message(current["status"]), field="status", current=self._state(current)
            ) from None
        # The engine's timer counts real seconds: a deadline already past (a test's travelled clock)
        # times out at once, as its Wait for a past timestamp would.
        timeout = max(1, int((on_engine_clock(deadline_at) - wall()).total_seconds()))
        output = {
            "kind": "tarefa",
            "task_id": task["task_id"],
            "task_kind": kind,
            "template": TEMPLATE[kind],
            "deadline_at": task["deadline_at"],
            "timeout_seconds": timeout,
        }

        def withdraw() -> None:
            client.transact_write_items(
                TransactItems=[
                    {
                        "Delete": {
                            "TableName": self.tasks.table.name,
                            "Key": {"process_id": process["process_id"], "task_id": task["task_id"]},
                        }
                    },
                    {
                        "Update": {
                            "TableName": self.table.name,
                            **_back_to_staff(process["process_id"], organ, token, "current_task_id"),
                        }
                    },
                    self.audit.put(actor, "task.withdrawn", subject_key, task_id=task["task_id"]),
                ]
            )

        if not resume(token, output, undo=withdraw, stepfunctions=self.stepfunctions):
            raise Conflict(
                "O fluxo do processo já não aguarda esta ação.", field="status", current=self._state(process)
            )
        return task

    def decide(
        self, process_id: str, session: Session, decision: str, grounds: str, source_ip: str | None
    ) -> dict[str, Any]:
        """Record the final decision once, then resume the workflow, which notifies the citizen on the
        next working day. A second decision, or one while the process is not awaiting a decision, is a
        409 and changes nothing."""
        process = self._staff_process(process_id, session, DECIDING_ROLES, "deferir ou indeferir")
        check_decision(decision, grounds)
        token = self._require_awaiting(process)
        if hearing_needed(decision, self.tasks.for_process(process_id)):
            raise Conflict(
                "Antes de indeferir, o requerente tem de ser ouvido: abra a audiência prévia.",
                field="decision",
                current=self._state(process),
            )
        decided = now()
        late = decided_late(local_date(decided), process.get("decision_deadline"))
        at_once = get_settings().decision_notice == "at_once"
        notify_at = iso(decided if at_once else next_working_day_opening(decided))
        organ = process["service_organ"]
        actor, subject = Actor(session.user_id, source_ip), f"process#{process_id}"
        decided_event = self.audit.put(
            actor, f"process.{decision}", subject, grounds=grounds.strip(), late=late or None, notify_at=notify_at
        )
        try:
            # the decision and its audit event in one transaction: neither without the other
            self.audit.with_change(
                status_update(
                    process_id,
                    organ,
                    decision,
                    condition="#status = :awaiting AND decision_task_token = :token",
                    sets="decision = :status, decision_grounds = :grounds, decided_at = :at, decided_by = :by, "
                    "decided_late = :late, notify_at = :notify",
                    removes="decision_task_token",
                    values={
                        ":grounds": grounds.strip(),
                        ":at": iso(decided),
                        ":by": session.user_id,
                        ":late": late,
                        ":notify": notify_at,
                        ":awaiting": AWAITING_ACTION,
                        ":token": token,
                    },
                ),
                self.table,
                decided_event,
            )
        except condition_failed(self.table):
            current = self._process(process_id)
            raise Conflict(
                not_awaiting_message(current["status"]), field="status", current=self._state(current)
            ) from None
        output = {
            "kind": "decisao",
            "decision": decision,
            "grounds": grounds.strip(),
            "late": late,
            "notify_at": iso(on_engine_clock(parse(notify_at))),  # the Wait's TimestampPath: the engine's clock
        }

        def undo() -> None:
            # The workflow did not take the decision (token expired or unknown): nothing half-done,
            # and the audit trail says the decision recorded was withdrawn.
            self.audit.with_change(
                _back_to_staff(
                    process_id,
                    organ,
                    token,
                    "decision, decision_grounds, decided_at, decided_by, decided_late, notify_at",
                ),
                self.table,
                self.audit.put(actor, "process.decision_withdrawn", subject, decision=decision),
            )

        if not resume(token, output, undo=undo, stepfunctions=self.stepfunctions):
            raise Conflict(
                "O fluxo do processo já não aguarda esta decisão.", field="status", current=self._state(process)
            )
        return self._process(process_id)


def _back_to_staff(process_id: str, organ: str, token: str, removes: str) -> dict[str, Any]:
    """The undo of a staff action the workflow did not take: the process awaits staff again, with its
    token, and what the action recorded (``removes``) is gone."""
    return status_update(
        process_id,
        organ,
        AWAITING_ACTION,
        sets="decision_task_token = :token",
        removes=removes,
        values={":token": token},
    )
