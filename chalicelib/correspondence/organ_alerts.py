"""Alerts about a process to the heads of its organ (staff with the ``organ_head`` role), by email,
each once per cause (the notification's key): a legal decision deadline breached, a pendência that
expired unanswered. The ``staff-alerts`` SNS topic carries the deadline alerts to the organ's own
address too (Terraform subscribes it, by organ: ``organ_alert_emails``)."""

from __future__ import annotations

from typing import Any

from boto3.dynamodb.conditions import Key

from chalicelib.accounts.users import Accounts
from chalicelib.kernel.roles import Role
from chalicelib.kernel.settings import get_settings
from chalicelib.kernel.vocabulary import AccountStatus
from chalicelib.notifications.delivery import Notifier


def organ_heads(organ: str, accounts: Accounts | None = None) -> list[dict[str, Any]]:
    """The organ's active heads (index ``by_organ``: staff accounts only)."""
    table = (accounts or Accounts()).table
    items: list[dict[str, Any]] = []
    page: dict[str, Any] = {}
    while True:
        response = table.query(IndexName="by_organ", KeyConditionExpression=Key("organ").eq(organ), **page)
        items += response["Items"]
        if "LastEvaluatedKey" not in response:
            break
        page = {"ExclusiveStartKey": response["LastEvaluatedKey"]}
    return [i for i in items if Role.ORGAN_HEAD in i.get("roles", []) and i.get("status") == AccountStatus.ACTIVE]


def email_heads(
    process: dict[str, Any],
    template: str,
    values: dict[str, Any],
    cause: str,
    notifier: Notifier | None = None,
    accounts: Accounts | None = None,
) -> list[str]:
    """Email ``template`` to each head of the process's organ, once per head and ``cause``; the
    addresses it went to."""
    notifier = notifier or Notifier()
    staff_url = f"{get_settings().public_base_url}/api/staff/processes/{process['process_id']}"
    sent = []
    for head in organ_heads(process["service_organ"], accounts):
        notifier.email(
            head["email"],
            template,
            {**values, "name": head.get("name", ""), "staff_url": staff_url},
            f"process#{process['process_id']}",
            key=f"process#{process['process_id']}#{template}#{cause}#{head['user_id']}",
        )
        sent.append(head["email"])
    return sent
