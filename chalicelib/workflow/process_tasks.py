"""The Lambda tasks of ``statemachines/process.asl.json``: each takes the state's input, does one step
through the domain, and returns what the next state needs. Errors they raise are caught by name in the
ASL (e.g. ``DocumentsNotAccepted``)."""

from __future__ import annotations

from typing import Any

from chalicelib.accounts.users import Accounts
from chalicelib.notifications.delivery import Attachment, Notifier
from chalicelib.processes.table import Processes


def _local_time(stamp: str | None) -> str:
    """``2026-11-22T01:51:33.399Z`` → ``22/11/2026 01:51`` (Lisbon time), as a citizen reads it."""
    if not stamp:
        return ""
    from datetime import datetime

    from chalicelib.processes.table import LISBON

    return datetime.fromisoformat(stamp.replace("Z", "+00:00")).astimezone(LISBON).strftime("%d/%m/%Y %H:%M")


def _local_date(day: str | None) -> str:
    return "/".join(reversed(day.split("-"))) if day else ""


def inspect_process_documents(event: dict[str, Any], processes: Processes | None = None) -> dict[str, Any]:
    return (processes or Processes()).inspect_documents(event["process_id"])


def register_decision_task(event: dict[str, Any], processes: Processes | None = None) -> dict[str, Any]:
    (processes or Processes()).register_decision_task(event["process_id"], event["task_token"])
    return {"process_id": event["process_id"]}


def register_citizen_task(event: dict[str, Any]) -> dict[str, Any]:
    from chalicelib.decision.tasks import PendingTasks

    PendingTasks().register_token(event["process_id"], event["task_id"], event["task_token"])
    return {"process_id": event["process_id"], "task_id": event["task_id"]}


def expire_citizen_task(event: dict[str, Any]) -> dict[str, Any]:
    from chalicelib.decision.tasks import PendingTasks

    return {"expired": PendingTasks().expire(event["process_id"], event["task_id"])}


def task_values(process_id: str, task_id: str) -> dict[str, Any]:
    """What the messages about a pendência, the prior hearing or a signature request say of it."""
    from chalicelib.decision.tasks import PendingTasks

    task = PendingTasks().get(process_id, task_id)
    deadline = _local_date(task["deadline"])
    described = task["subject"] + (f"\n\n{task['description']}" if task.get("description") else "")
    return {"task": described, "task_deadline": deadline, "grounds": task.get("proposed_grounds", ""),
            "hearing_days": 10, "hearing_deadline": deadline, "document_title": task["subject"],
            "sign_deadline": deadline}


def notify(event: dict[str, Any], processes: Processes | None = None, accounts: Accounts | None = None,
           notifier: Notifier | None = None) -> dict[str, Any]:
    """Notify the requerente about the process (``template``: submission_receipt, decision, ...) by
    the channels they consented to, or by post. Idempotent: the notification's key is the process and
    the template (plus ``key``, e.g. a pending task's id, where one process sends the message more
    than once), so a retried task sends nothing twice. A delivery failure is recorded in the log,
    never raised: the workflow goes on."""
    from chalicelib.notifications.delivery import recipient_for_process

    processes = processes or Processes()
    process = processes.get(event["process_id"])
    # the account that filed it (the requerente's, or its representante's)
    user = (accounts or Accounts()).get(process.get("filed_by") or process["requerente_id"])
    if user is None:
        return {"sent": False, "reason": "requerente desconhecido"}
    template = event["template"]
    values = {**process_values(process, user.name), **payment_values(process), **(event.get("values") or {})}
    if event.get("task_id"):  # one message a task: its id is the notification's key
        values.update(task_values(process["process_id"], event["task_id"]))
        event = {**event, "key": event["task_id"]}
    key = "#".join(["process", process["process_id"], template, *([event["key"]] if event.get("key") else [])])
    attachments: tuple[Attachment, ...] = ()
    if template == "submission_receipt":  # the receipt PDF goes with it (issued once, here, after inspection)
        from chalicelib.processes.receipts import Receipts

        receipt = Receipts(documents=processes.documents).issue(process, user)
        attachments = (Attachment(receipt["filename"], key=receipt["key"]),)
    results = (notifier or Notifier()).notify(
        recipient_for_process(process, user), template, values, key=key,
        process_id=process["process_id"], organ=process.get("service_organ"), attachments=attachments,
    )
    return {
        "sent": any(r.get("status") == "sent" for r in results),
        "notifications": [{k: r.get(k) for k in ("notification_id", "channel", "status")} for r in results],
    }


def process_values(process: dict[str, Any], name: str) -> dict[str, Any]:
    """The values every process message uses, as a citizen reads them."""
    from chalicelib.catalogue.service import get_service
    from chalicelib.kernel.settings import get_settings

    service = get_service(process["service_id"]).title
    return {
        "name": name,
        "number": process.get("number", ""),
        "subject": process.get("fields", {}).get("subject", service),
        "service": service,
        "submitted_at": _local_time(process.get("submitted_at")),
        "decision_deadline": _local_date(process.get("decision_deadline")),
        "decision": process.get("decision", ""),
        "grounds": process.get("decision_grounds", ""),
        "process_url": f"{get_settings().public_base_url}/#/processos/{process['process_id']}",
    }


def payment_values(process: dict[str, Any]) -> dict[str, Any]:
    """What the payment messages show: the Multibanco reference, amount, due date, when paid."""
    from chalicelib.catalogue.service import get_service

    payment = process.get("payment") or {}
    if not payment:
        return {}
    return {"entity": payment.get("entity", ""), "reference": payment.get("reference_text", ""),
            "amount": payment.get("amount_text", ""), "due_date": _local_date(payment.get("due_date")),
            "paid_at": _local_time(payment.get("paid_at")), "description": get_service(process["service_id"]).title}


def register_payment_task(event: dict[str, Any], payments: Any = None) -> dict[str, Any]:
    from chalicelib.payments.recording import Payments

    already_paid = (payments or Payments()).register_payment_task(event["process_id"], event["task_token"])
    return {"process_id": event["process_id"], "already_paid": already_paid}


def remind_expiring_drafts(processes: Processes | None = None, accounts: Accounts | None = None,
                           notifier: Notifier | None = None, day: Any = None) -> dict[str, Any]:
    """Daily: email each citizen whose draft expires in ``draft_reminder_days_before`` days. Drafts
    whose reminder fell on a day the job did not run (the two days before) are included; each
    reminder is sent once (its marker is removed with a conditional write first)."""
    from datetime import timedelta

    from boto3.dynamodb.conditions import Key

    from chalicelib.catalogue.service import get_service
    from chalicelib.kernel.clock import today
    from chalicelib.kernel.settings import get_settings

    processes = processes or Processes()
    accounts = accounts or Accounts()
    notifier = notifier or Notifier()
    day = day or today()
    sent = []
    for offset in (2, 1, 0):
        due = (day - timedelta(days=offset)).isoformat()
        items = processes.table.query(IndexName="by_draft_reminder", KeyConditionExpression=Key("reminder_due").eq(due),
                                      Limit=200)["Items"]
        for draft in items:
            try:
                processes.table.update_item(
                    Key={"process_id": draft["process_id"]}, UpdateExpression="REMOVE reminder_due",
                    ConditionExpression="reminder_due = :due AND #status = :draft",
                    ExpressionAttributeNames={"#status": "status"},
                    ExpressionAttributeValues={":due": due, ":draft": "rascunho"},
                )
            except processes.table.meta.client.exceptions.ConditionalCheckFailedException:
                continue  # saved again since (a later reminder), submitted, or reminded by another run
            user = accounts.get(draft.get("filed_by") or draft["requerente_id"])
            if user is None:
                continue
            values = {"name": user.name, "service": get_service(draft["service_id"]).title,
                      "expires_on": _local_date_from_epoch(int(draft["expires_at"])),
                      "draft_url": f"{get_settings().public_base_url}/#/rascunhos/{draft['process_id']}"}
            notifier.email(user.email, "draft_expiring", values, f"process#{draft['process_id']}",
                           key=f"process#{draft['process_id']}#draft_expiring#{due}")
            sent.append(draft["process_id"])
    return {"reminded": sent}


def _local_date_from_epoch(stamp: int) -> str:
    from datetime import UTC, datetime

    from chalicelib.processes.table import LISBON

    return datetime.fromtimestamp(stamp, UTC).astimezone(LISBON).strftime("%d/%m/%Y")
