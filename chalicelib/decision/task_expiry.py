"""A task's deadline passed unanswered (the workflow's wait timed out): it closes as ``expirada``."""

from __future__ import annotations

from typing import Any

from chalicelib.kernel.clock import iso
from chalicelib.kernel.vocabulary import TaskStatus
from chalicelib.platform import aws
from chalicelib.platform.audit import SYSTEM, AuditTrail
from chalicelib.platform.dynamo import condition_failed


def expire_task(process_id: str, task_id: str, table: Any = None, audit: AuditTrail | None = None) -> bool:
    """False when it was answered meanwhile."""
    table = table or aws.table("tasks")
    try:
        table.update_item(
            Key={"process_id": process_id, "task_id": task_id},
            UpdateExpression="SET #status = :expired, expired_at = :at REMOVE open_for, task_token",
            ConditionExpression="#status = :open",
            ExpressionAttributeNames={"#status": "status"},
            ExpressionAttributeValues={":expired": TaskStatus.EXPIRED, ":open": TaskStatus.OPEN, ":at": iso()},
        )
    except condition_failed(table):
        return False
    (audit or AuditTrail()).record(SYSTEM, "task.expired", f"process#{process_id}", task_id=task_id)
    return True
