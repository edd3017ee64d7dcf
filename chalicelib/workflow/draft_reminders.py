"""The daily reminder of drafts about to expire (the ``remind_expiring_drafts`` schedule)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from boto3.dynamodb.conditions import Key

from chalicelib.accounts.users import Accounts
from chalicelib.catalogue.service import get_service
from chalicelib.kernel.clock import local, today
from chalicelib.kernel.settings import get_settings
from chalicelib.kernel.vocabulary import ProcessStatus
from chalicelib.notifications.delivery import Notifier
from chalicelib.processes.table import Processes


def remind_expiring_drafts(
    processes: Processes | None = None,
    accounts: Accounts | None = None,
    notifier: Notifier | None = None,
    day: Any = None,
) -> dict[str, Any]:
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
        items = processes.table.query(
            IndexName="by_draft_reminder", KeyConditionExpression=Key("reminder_due").eq(due), Limit=200
        )["Items"]
        for draft in items:
            try:
                processes.table.update_item(
                    Key={"process_id": draft["process_id"]},
                    UpdateExpression="REMOVE reminder_due",
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
            values = {
                "name": user.name,
                "service": get_service(draft["service_id"]).title,
                "expires_on": expires_on,
                "draft_url": f"{get_settings().public_base_url}/#/rascunhos/{draft['process_id']}",
            }
            notifier.email(
                user.email,
                "draft_expiring",
                values,
                f"process#{draft['process_id']}",
                key=f"process#{draft['process_id']}#draft_expiring#{due}",
            )
            sent.append(draft["process_id"])
    return {"reminded": sent}
