"""What a citizen, and what staff, see of a process: its data, documents, who asks, payment, pending
tasks and timeline; for staff also the accounts behind the parties, every document version, the
notification log (the proof of notification) and the messages. Never the workflow's task tokens."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from chalicelib.accounts.users import Accounts, User
from chalicelib.catalogue.service import get_service
from chalicelib.decision.tasks import PendingTasks
from chalicelib.documents.store import VIEW_FIELDS, Documents
from chalicelib.kernel.inject import Injected
from chalicelib.kernel.vocabulary import DECISIONS, ProcessStatus
from chalicelib.kernel.working_days import working_days_left as days_left_to
from chalicelib.messages.threads import Messages, public_message
from chalicelib.notifications.log import NotificationLog, public_entry
from chalicelib.platform import aws, process_children
from chalicelib.platform.audit import AuditTrail
from chalicelib.platform.dynamo import batch_get
from chalicelib.platform.process_children import is_listed
from chalicelib.processes.drafts import expiry
from chalicelib.processes.parties import applicable_slots
from chalicelib.views.timeline import citizen_timeline

# what every view reads of what hangs off the process (staff's also the messages)
VIEW_READS = ("documents", "tasks")
MESSAGES_SHOWN = 200


class ProcessViews:
    documents = Injected(lambda self: Documents(audit=self.audit))
    accounts = Injected(lambda self: Accounts())

    def __init__(
        self, documents: Documents | None = None, accounts: Accounts | None = None, audit: AuditTrail | None = None
    ):
        self.audit = audit or AuditTrail()
        self._documents = documents
        self._accounts = accounts

    def view(self, process: dict[str, Any], for_staff: bool = False) -> dict[str, Any]:
        """What the citizen (or staff) sees of a process: never the task token."""
        return self._view(process, self._children(process, VIEW_READS)[0], for_staff)

    def _children(
        self, process: dict[str, Any], tables: tuple[str, ...], party_ids: tuple[str | None, ...] = ()
    ) -> tuple[dict[str, list[dict[str, Any]]], dict[str, User]]:
        """The process's items in ``tables`` (documents, tasks, messages) and the
        accounts of ``party_ids``: all in one BatchGetItem when the process lists its items' keys
        (``process_children``); a process from before that is read the old way, a Query per table."""
        process_id = process["process_id"]
        if not is_listed(process):
            read = {
                "documents": lambda: self.documents.list(process_id),
                "tasks": lambda: PendingTasks().for_process(process_id),
                "messages": lambda: Messages(audit=self.audit).thread_items(f"process#{process_id}"),
            }
            return {table: read[table]() for table in tables}, self.accounts.get_many(list(party_ids))
        wanted = [(table, key) for table in tables for key in process_children.keys(process, table)]
        accounts = self.accounts.batch_keys(list(party_ids))
        found = batch_get([(aws.table(table), key, False) for table, key in wanted] + accounts)
        children: dict[str, list[dict[str, Any]]] = {table: [] for table in tables}
        for (table, _), item in zip(wanted, found, strict=False):
            if item is not None:  # a key listed for an item since deleted (a withdrawn task) is skipped
                children[table].append(item)
        # as the Queries give them: notifications newest first, at most as many as they read
        return children, Accounts.from_batch(found[len(wanted) :])

    def _view(
        self, process: dict[str, Any], children: dict[str, list[dict[str, Any]]], for_staff: bool
    ) -> dict[str, Any]:
        service = get_service(process["service_id"])
        # Staff see every version of a replaced document; the citizen sees the current ones.
        documents = [
            {k: doc.get(k) for k in VIEW_FIELDS}
            for doc in children["documents"]
            if for_staff or not doc.get("superseded_by")
        ]
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
            "document_slots": [{**slot.model_dump(exclude={"when"})} for slot in applicable_slots(service, process)],
            "payment": payment_view(process.get("payment")),
            "installment_plan": process.get("installment_plan"),
            "draft_expires_at": expiry(process) if process["status"] == ProcessStatus.DRAFT else None,
            "version": int(process.get("version", 0)),  # a draft's save counter (PATCH's "version")
        }
        if process["status"] != ProcessStatus.DRAFT:
            view["pending_tasks"] = [PendingTasks.public(t) for t in children["tasks"]]
        events = self.audit.for_subject(f"process#{process['process_id']}")
        if for_staff:
            view["requerente_id"] = process.get("requerente_id")
            view["representante_id"] = process.get("representante_id")
            view["filed_by"] = process.get("filed_by", process.get("requerente_id"))
            view["assignee_id"] = process.get("assignee_id")
            # workflow steps that failed after their retries (processes/step_failures.py): never silent
            view["step_failures"] = process.get("step_failures", [])
            # the step that failed and waits for staff to retry it (status requer_atencao)
            view["attention"] = process.get("attention")
            view["timeline"] = events
            # the proof of notification: every message of the process, its channel and status
            view["notifications"] = [public_entry(e) for e in NotificationLog().for_process(process["process_id"])]
        else:
            view["timeline"] = citizen_timeline(events)
        return view

    def staff_view(self, process: dict[str, Any]) -> dict[str, Any]:
        """Everything staff need about a process in one answer: its data, who asks (requerente) and
        for whom (representante), as the request declares them and the accounts they have here
        (``requerente_account``, ``representante_account``), documents with their inspection
        results, the payment (``payments``: the fee's, once there is one), the timeline, the
        notification log (the proof of notification), pending tasks, messages about the process,
        deadline and working days left."""
        children, known = self._children(
            process, (*VIEW_READS, "messages"), (process.get("requerente_id"), process.get("representante_id"))
        )
        view = self._view(process, children, for_staff=True)

        def party(user_id: str | None) -> dict[str, Any] | None:
            user = known.get(user_id) if user_id else None
            if user is None:
                return None
            return {
                "user_id": user.user_id,
                "name": user.name,
                "identity_number": user.identity_number,
                "email": user.email,
                "phone": user.phone,
            }

        view["requerente_account"] = party(process.get("requerente_id"))
        view["representante_account"] = party(process.get("representante_id"))
        view["requerente"] = view.get("requerente") or view["requerente_account"]
        view["representante"] = view.get("representante") or view["representante_account"]
        view["payments"] = [view["payment"]] if view.get("payment") else []
        view.setdefault("pending_tasks", [])  # a draft has none
        view["messages"] = [public_message(m) for m in children["messages"][:MESSAGES_SHOWN]]
        return view


def working_days_left(process: dict[str, Any]) -> int | None:
    """Working days from today (where the municipality is) to the legal decision deadline; None once decided."""
    deadline = process.get("decision_deadline")
    if not deadline or process["status"] in DECISIONS:
        return None
    return days_left_to(datetime.fromisoformat(deadline).date())


def payment_view(payment: dict[str, Any] | None) -> dict[str, Any] | None:
    if not payment:
        return None
    keys = (
        "status",
        "entity",
        "reference",
        "reference_text",
        "amount_cents",
        "amount_text",
        "issued_at",
        "due_date",
        "paid_at",
        "before_decision",
    )
    return {key: payment.get(key) for key in keys}
