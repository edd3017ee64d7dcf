"""A notice to the requerente about their process (``template``: submission_receipt, decision,
payment_receipt, pending_task, ...), by the channels they consented to, or by post. The workflow's
``notify`` task and the payments both send them here."""

from __future__ import annotations

from typing import Any

from chalicelib.accounts.users import Accounts
from chalicelib.correspondence.organ_alerts import email_heads
from chalicelib.correspondence.recipients import recipient_for_process
from chalicelib.correspondence.values import payment_values, process_values, task_values
from chalicelib.notifications.addressing import Attachment
from chalicelib.notifications.delivery import Notifier
from chalicelib.processes.receipts import Receipts
from chalicelib.processes.table import Processes


def notify_about_process(
    event: dict[str, Any],
    processes: Processes | None = None,
    accounts: Accounts | None = None,
    notifier: Notifier | None = None,
) -> dict[str, Any]:
    """Idempotent: the notification's key is the process and the template (plus ``key``, e.g. a
    pending task's id, where one process sends the message more than once), so a retried task sends
    nothing twice. A delivery failure is recorded in the log, never raised: the workflow goes on."""
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
        receipt = Receipts(audit=processes.audit).issue(process, user)
        attachments = (Attachment(receipt["filename"], key=receipt["key"]),)
    results = (notifier or Notifier()).notify(
        recipient_for_process(process, user),
        template,
        values,
        key=key,
        process_id=process["process_id"],
        organ=process.get("service_organ"),
        attachments=attachments,
    )
    if template == "task_expired":  # the organ's heads learn of it too
        email_heads(process, "task_expired_staff", values, event["task_id"], notifier=notifier)
    return {
        "sent": any(r.get("status") == "sent" for r in results),
        "notifications": [{k: r.get(k) for k in ("notification_id", "channel", "status")} for r in results],
    }
