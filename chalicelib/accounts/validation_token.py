"""The account_activation workflow waits for staff to validate a registration: its task token (a new
one after each reminder) is kept on the account, for the staff's decision to resume it."""

from __future__ import annotations

from chalicelib.kernel.vocabulary import AccountStatus
from chalicelib.platform import aws
from chalicelib.platform.audit import SYSTEM, AuditTrail


def await_validation(user_id: str, task_token: str, table=None, audit: AuditTrail | None = None) -> None:
    table = table or aws.table("users")
    table.update_item(
        Key={"pk": f"USER#{user_id}"},
        UpdateExpression="SET validation_task_token = :token",
        ConditionExpression="#status = :awaiting",
        ExpressionAttributeNames={"#status": "status"},
        ExpressionAttributeValues={":token": task_token, ":awaiting": AccountStatus.AWAITING_VALIDATION},
    )
    (audit or AuditTrail()).record(SYSTEM, "registration.awaiting_validation", f"user#{user_id}")
