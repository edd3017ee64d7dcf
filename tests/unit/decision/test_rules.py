"""The decision stage's rules, without storage: when a rejection may be decided, when a decision is
late, what staff are told when a process is not waiting for them."""

from __future__ import annotations

from datetime import date

import pytest

from chalicelib.decision.rules import check_decision, decided_late, hearing_held, hearing_needed, not_awaiting_message
from chalicelib.kernel.errors import ValidationFailed


def _task(kind: str, status: str) -> dict[str, str]:
    return {"kind": kind, "status": status}


def test_a_rejection_needs_a_prior_hearing_that_was_answered_or_ran_out() -> None:
    open_hearing = [_task("audiencia", "aberta")]
    assert hearing_needed("indeferido", []) is True
    assert hearing_needed("indeferido", open_hearing) is True
    assert hearing_needed("indeferido", [_task("pendencia", "respondida")]) is True
    assert hearing_needed("indeferido", [_task("audiencia", "respondida")]) is False
    assert hearing_needed("indeferido", [_task("audiencia", "expirada")]) is False
    assert hearing_needed("deferido", []) is False  # an approval needs no hearing
    assert hearing_held([_task("pendencia", "aberta"), _task("audiencia", "expirada")]) is True


def test_a_decision_is_late_only_after_the_deadline_day() -> None:
    assert decided_late(date(2026, 12, 10), "2026-12-10") is False  # the deadline's day still counts
    assert decided_late(date(2026, 12, 11), "2026-12-10") is True
    assert decided_late(date(2026, 12, 11), None) is False


@pytest.mark.parametrize(
    ("decision", "grounds", "field"), [("aprovado", "Conforme.", "decision"), ("deferido", "  ", "grounds")]
)
def test_a_decision_names_what_is_wrong(decision: str, grounds: str, field: str) -> None:
    with pytest.raises(ValidationFailed) as refused:
        check_decision(decision, grounds)
    assert refused.value.field == field
    check_decision("indeferido", "Falta a planta.")  # a good one passes


def test_staff_are_told_why_a_process_does_not_wait_for_them() -> None:
    assert not_awaiting_message("deferido") == "O processo já foi decidido."
    assert not_awaiting_message("em_audiencia") == "O processo aguarda uma resposta do requerente."
    assert not_awaiting_message("submetido") == "O processo não está a aguardar decisão."
