"""The Lambda tasks of ``statemachines/process.asl.json`` and the daily draft reminder: each takes the
state's input, does one step through the domain, and returns what the next state needs. Errors they
raise are caught by name in the ASL (e.g. ``DocumentsNotAccepted``)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from boto3.dynamodb.conditions import Key

from chalicelib.accounts.users import Accounts
from chalicelib.catalogue.service import get_service
from chalicelib.correspondence.notices import notify_about_process
from chalicelib.decision.stage import DecisionStage
from chalicelib.decision.tasks import PendingTasks
from chalicelib.kernel.clock import local, today
from chalicelib.kernel.settings import get_settings
from chalicelib.kernel.vocabulary import ProcessStatus
from chalicelib.notifications.delivery import Notifier
from chalicelib.payments.recording import Payments
from chalicelib.processes.submission import Submissions
from chalicelib.processes.table import Processes


def inspect_process_documents(event: dict[str, Any], submissions: Submissions | None = None) -> dict[str, Any]:
    return (submissions or Submissions()).inspect_documents(event["process_id"])


def register_decision_task(event: dict[str, Any], stage: DecisionStage | None = None) -> dict[str, Any]:
    """The workflow now waits for staff (``chalicelib.decision.stage``)."""
    (stage or DecisionStage()).register(event["process_id"], event["task_token"])
    return {"process_id": event["process_id"]}


def register_citizen_task(event: dict[str, Any]) -> dict[str, Any]:
    PendingTasks().register_token(event["process_id"], event["task_id"], event["task_token"])
    return {"process_id": event["process_id"], "task_id": event["task_id"]}


def expire_citizen_task(event: dict[str, Any]) -> dict[str, Any]:
    return {"expired": PendingTasks().expire(event["process_id"], event["task_id"])}


def notify(event: dict[str, Any], processes: Processes | None = None, accounts: Accounts | None = None,
           notifier: Notifier | None = None) -> dict[str, Any]:
    """Notify the requerente about the process (``chalicelib.correspondence.notices``)."""
    return notify_about_process(event, processes=processes, accounts=accounts, notifier=notifier)


def register_payment_task(event: dict[str, Any], payments: Payments | None = None) -> dict[str, Any]:
    already_paid = (payments or Payments()).register_payment_task(event["process_id"], event["task_token"])
    return {"process_id": event["process_id"], "already_paid": already_paid}


def remind_expiring_drafts(processes: Processes | None = None, accounts: Accounts | None = None,
                           notifier: Notifier | None = None, day: Any = None) -> dict[str, Any]:
    """Daily: email each citizen whose draft expires in ``draft_reminder_days_before`` days. Drafts
    whose reminder fell on a day the job did not run (the two days before) are included; each
    reminder is sent once (its marker is removed with a conditional write first)."""
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
                    ExpressionAttributeValues={":due": due, ":draft": ProcessStatus.DRAFT},
                )
            except processes.table.meta.client.exceptions.ConditionalCheckFailedException:
                continue  # saved again since (a later reminder), submitted, or reminded by another run
            user = accounts.get(draft.get("filed_by") or draft["requerente_id"])
            if user is None:
                continue
            expires_on = local(datetime.fromtimestamp(int(draft["expires_at"]), UTC)).strftime("%d/%m/%Y")
            values = {"name": user.name, "service": get_service(draft["service_id"]).title, "expires_on": expires_on,
                      "draft_url": f"{get_settings().public_base_url}/#/rascunhos/{draft['process_id']}"}
            notifier.email(user.email, "draft_expiring", values, f"process#{draft['process_id']}",
                           key=f"process#{draft['process_id']}#draft_expiring#{due}")
            sent.append(draft["process_id"])
    return {"reminded": sent}
