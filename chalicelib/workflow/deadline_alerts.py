"""The ``watch_deadlines`` schedule: the deadline watch (``chalicelib.processes.deadline_watch``), and,
for each process whose legal decision deadline it finds breached, the people told: the citizen
(``decision_deadline_passed``, by the channels they consented to) and each head of the organ
(``deadline_escalation``, by email), besides the ``staff-alerts`` topic. Each message once a process
(the notifications' keys); if any could not be recorded, the escalation is not marked and the next
run tells them again."""

from __future__ import annotations

from datetime import date
from typing import Any

from chalicelib.accounts.users import Accounts
from chalicelib.correspondence.notices import notify_about_process
from chalicelib.correspondence.organ_alerts import email_heads
from chalicelib.correspondence.values import process_values
from chalicelib.kernel.clock import today
from chalicelib.kernel.working_days import working_days_between
from chalicelib.processes.deadline_watch import DeadlineWatch


def tell_of_escalation(process: dict[str, Any]) -> None:
    notify_about_process({"process_id": process["process_id"], "template": "decision_deadline_passed"})
    assignee = Accounts().get(process["assignee_id"]) if process.get("assignee_id") else None
    late = working_days_between(date.fromisoformat(process["decision_deadline"]), today())
    values = {
        **process_values(process, ""),
        "working_days_late": max(late, 1),
        "assignee": assignee.name if assignee else "ninguém (por atribuir)",
    }
    email_heads(process, "deadline_escalation", values, "escalation")


def watch_deadlines() -> dict[str, list[str]]:
    return DeadlineWatch(on_escalation=tell_of_escalation).run()
