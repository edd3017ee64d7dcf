"""What the municipality's messages about a process say of it: the values its templates fill in
(``chalicelib/templates/<lang>/``), as a citizen reads them (local dates and times, the service's
title, the Multibanco reference, the task and its deadline)."""

from __future__ import annotations

from typing import Any

from chalicelib.catalogue.service import get_service
from chalicelib.decision.rules import HEARING_WORKING_DAYS
from chalicelib.decision.tasks import PendingTasks
from chalicelib.kernel.clock import date_text, local_time_text
from chalicelib.kernel.settings import get_settings


def process_values(process: dict[str, Any], name: str) -> dict[str, Any]:
    """The values every process message uses."""
    service = get_service(process["service_id"]).title
    return {
        "name": name,
        "number": process.get("number", ""),
        "subject": process.get("fields", {}).get("subject", service),
        "service": service,
        "submitted_at": local_time_text(process.get("submitted_at")),
        "decision_deadline": date_text(process.get("decision_deadline")),
        "decision": process.get("decision", ""),
        "grounds": process.get("decision_grounds", ""),
        "process_url": f"{get_settings().public_base_url}/#/processos/{process['process_id']}",
    }


def payment_values(process: dict[str, Any]) -> dict[str, Any]:
    """What the payment messages show: the Multibanco reference, amount, due date, when paid."""
    payment = process.get("payment") or {}
    if not payment:
        return {}
    return {
        "entity": payment.get("entity", ""),
        "reference": payment.get("reference_text", ""),
        "amount": payment.get("amount_text", ""),
        "due_date": date_text(payment.get("due_date")),
        "paid_at": local_time_text(payment.get("paid_at")),
        "description": get_service(process["service_id"]).title,
    }


def task_values(process_id: str, task_id: str, tasks: PendingTasks | None = None) -> dict[str, Any]:
    """What the messages about a pendência, the prior hearing or a signature request say of it."""
    task = (tasks or PendingTasks()).get(process_id, task_id)
    deadline = date_text(task["deadline"])
    described = task["subject"] + (f"\n\n{task['description']}" if task.get("description") else "")
    return {
        "task": described,
        "task_deadline": deadline,
        "grounds": task.get("proposed_grounds", ""),
        "hearing_days": HEARING_WORKING_DAYS,
        "hearing_deadline": deadline,
        "document_title": task["subject"],
        "sign_deadline": deadline,
    }
