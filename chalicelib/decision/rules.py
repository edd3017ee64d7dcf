"""The decision stage's rules that need no storage (tested without moto): whether a process may be
decided now, whether a rejection may be decided (the prior hearing was held: CPA art. 121.º), whether
the decision came after the legal deadline, and what to tell staff when the process is not waiting."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from chalicelib.kernel.errors import ValidationFailed
from chalicelib.kernel.vocabulary import DECISIONS, TASK_STATUSES, ProcessStatus, TaskKind, TaskStatus

HEARING_WORKING_DAYS = 10  # CPA art. 122.º: not less than 10 working days


def check_decision(decision: str, grounds: str) -> None:
    if decision not in DECISIONS:
        raise ValidationFailed("A decisão é 'deferido' ou 'indeferido'.", field="decision")
    if not grounds.strip():
        raise ValidationFailed("Indique a fundamentação da decisão.", field="grounds")


def hearing_held(tasks: Iterable[dict[str, Any]]) -> bool:
    """A prior hearing was opened and closed (answered, or its 10 days passed unanswered)."""
    return any(
        t["kind"] == TaskKind.AUDIENCIA and t["status"] in (TaskStatus.ANSWERED, TaskStatus.EXPIRED) for t in tasks
    )


def hearing_needed(decision: str, tasks: Iterable[dict[str, Any]]) -> bool:
    """A rejection needs the prior hearing first."""
    return decision == ProcessStatus.REJECTED and not hearing_held(tasks)


def decided_late(decided_on: date, deadline: str | None) -> bool:
    """Decided after the legal deadline (the deadline's day still counts)."""
    return bool(deadline) and decided_on > date.fromisoformat(deadline)


def not_awaiting_message(status: str) -> str:
    if status in DECISIONS:
        return "O processo já foi decidido."
    if status in TASK_STATUSES:
        return "O processo aguarda uma resposta do requerente."
    return "O processo não está a aguardar decisão."
