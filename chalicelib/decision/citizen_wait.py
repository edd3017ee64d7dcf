"""The workflow's side of a task for the citizen: ``AwaitCitizen`` started, so its task token is kept
on the task (the answer takes it, once). A citizen who answered before the workflow got here is not
kept waiting: the workflow resumes at once."""

from __future__ import annotations

from typing import Any

from chalicelib.kernel.vocabulary import TaskStatus
from chalicelib.platform import aws
from chalicelib.platform.dynamo import condition_failed
from chalicelib.platform.task_tokens import resume


def await_citizen(process_id: str, task_id: str, token: str, table: Any = None, stepfunctions: Any = None) -> None:
    table = table or aws.table("tasks")
    key = {"process_id": process_id, "task_id": task_id}
    try:
        table.update_item(
            Key=key,
            UpdateExpression="SET task_token = :token",
            ConditionExpression="#status = :open",
            ExpressionAttributeNames={"#status": "status"},
            ExpressionAttributeValues={":token": token, ":open": TaskStatus.OPEN},
        )
    except condition_failed(table):
        task = table.get_item(Key=key, ConsistentRead=True)["Item"]
        resume(token, {"status": task["status"]}, stepfunctions=stepfunctions)
