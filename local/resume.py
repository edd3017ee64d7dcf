"""The workflows of a local stack started again on its kept data (``local.persistence``): moto cannot
give back the executions that were running, so each open process gets a new one that starts at the
stage the process is in (the process state machine's ``Resume`` choice, on ``resume_at``), and each
registration awaiting validation a new wait for staff. Never deployed: in AWS, executions outlive a
restart of anything."""

from __future__ import annotations

import json
import time
from typing import Any

from chalicelib.decision.tasks import PendingTasks
from chalicelib.kernel.clock import now, on_engine_clock, parse, wall
from chalicelib.kernel.settings import get_settings
from chalicelib.kernel.vocabulary import DECISIONS, TASK_STATUSES, AccountStatus, ProcessStatus
from chalicelib.notifications.log import NotificationLog
from chalicelib.platform import aws


def _stage(process: dict[str, Any]) -> dict[str, Any] | None:
    """The workflow input that starts a new execution where the process is; None: nothing runs."""
    status = process["status"]
    payment = process.get("payment") or {}
    base: dict[str, Any] = {
        "process_id": process["process_id"],
        "payment": {"issued": bool(payment), "before_decision": bool(payment.get("before_decision"))},
    }
    action = _citizen_action(process)
    if status == ProcessStatus.SUBMITTED:
        return base  # from the start: inspection (idempotent), the receipt (sent once)
    if status == ProcessStatus.AWAITING_PAYMENT:
        return {**base, "resume_at": "AwaitPayment"}
    if status == ProcessStatus.AWAITING_DECISION:
        return {**base, "resume_at": "AwaitStaffAction"}
    if status in TASK_STATUSES and action:
        return {**base, "resume_at": "AwaitCitizen", "action": action}
    if status == ProcessStatus.NEEDS_ATTENTION and process.get("attention"):
        attention = process["attention"]
        failure = {"Error": attention.get("error"), "Cause": attention.get("cause")}
        return {**base, "resume_at": f"{attention['step']}Failed", "step_failure": failure, "action": action or {}}
    if status in DECISIONS:
        sent = [n for n in NotificationLog().for_process(process["process_id"]) if n.get("template") == "decision"]
        return None if sent else {**base, "resume_at": "NotifyDecision"}
    return None


def _citizen_action(process: dict[str, Any]) -> dict[str, Any] | None:
    """What AwaitCitizen needs of the open task: its id and the seconds left to its deadline."""
    task_id = process.get("current_task_id")
    if not task_id:
        return None
    task = PendingTasks().get(process["process_id"], task_id)
    timeout = max(1, int((on_engine_clock(parse(task["deadline_at"])) - wall()).total_seconds()))
    return {"kind": "tarefa", "task_id": task_id, "timeout_seconds": timeout}


def resume_workflows() -> list[str]:
    """Start the workflows of the kept processes and registrations; what was started, by id."""
    settings = get_settings()
    stepfunctions = aws.client("stepfunctions")
    started = []
    processes = aws.table("processes")
    pages: dict[str, Any] = {}
    while True:
        page = processes.scan(**pages)  # the local stack's own start-up, never a request path
        for process in page["Items"]:
            if process["status"] == ProcessStatus.DRAFT or (workflow := _stage(process)) is None:
                continue
            execution = stepfunctions.start_execution(
                stateMachineArn=settings.state_machine_arn("process"),
                name=f"{process['process_id']}-{int(time.time())}",
                input=json.dumps(workflow, ensure_ascii=False, default=str),
            )
            processes.update_item(
                Key={"process_id": process["process_id"]},
                UpdateExpression="SET execution_arn = :arn",
                ExpressionAttributeValues={":arn": execution["executionArn"]},
            )
            started.append(process["process_id"])
        if "LastEvaluatedKey" not in page:
            break
        pages = {"ExclusiveStartKey": page["LastEvaluatedKey"]}
    started += _resume_registrations()
    return started


def _resume_registrations() -> list[str]:
    from boto3.dynamodb.conditions import Key

    from chalicelib.accounts.registration import Registrations
    from chalicelib.accounts.validation_wait import reminder_time
    from chalicelib.kernel.vocabulary import VALIDATION_QUEUE

    users = aws.table("users")
    waiting = users.query(
        IndexName="by_validation_queue", KeyConditionExpression=Key("validation_queue").eq(VALIDATION_QUEUE)
    )
    started = []
    for item in waiting["Items"]:
        if item.get("status") == AccountStatus.AWAITING_VALIDATION:
            users.update_item(Key={"pk": item["pk"]}, UpdateExpression="REMOVE validation_task_token")
            Registrations().start_validation(item["user_id"], reminder_time(now()))
            started.append(item["user_id"])
    return started
