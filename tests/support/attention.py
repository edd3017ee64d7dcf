"""A process and a registration whose workflow step failed for good (a fault injected into the
step's DynamoDB write), so that they need attention and wait for staff to retry the step: for the
authorization matrix and the route tour, which call the retry routes."""

from __future__ import annotations

from typing import Any

from tests.support.accounts import registered
from tests.support.api import WATER
from tests.support.waiting import wait_for

SLOW = 90  # seconds: a workflow's steps on a loaded machine


def process_needing_attention(citizen: Any, representante: dict[str, Any]) -> str:
    """A water-debt process (``citizen``'s, an Api) whose workflow could not keep the staff's task
    token: it needs attention, and its workflow waits for a retry."""
    from tests.support import faults

    process_id = citizen.call(
        "POST", "/api/requests", {"service_id": "agua-prestacoes", "fields": WATER, "representante": representante}
    ).data["process_id"]
    with faults.inject(
        "dynamodb",
        "TransactWriteItems",  # the staff's task token kept with its audit event
        function="register_decision_task",
        code="ValidationException",
        status=400,
        times=None,
        when=lambda request: process_id in request,
    ):
        assert citizen.call("POST", f"/api/requests/{process_id}/submit").status_code == 200
        wait_for(
            lambda: citizen.call("GET", f"/api/requests/{process_id}").data["status"] == "requer_atencao", timeout=SLOW
        )
    return process_id


def registration_needing_attention(number: str = "200000080", email: str = "falhou@example.pt") -> str:
    """A registration whose workflow could not keep the staff's task token: it needs attention, and
    its workflow waits for a retry."""
    from chalicelib.accounts.credentials import OneTimeLinks
    from chalicelib.accounts.registration import Registrations
    from chalicelib.accounts.users import Accounts
    from tests.support import faults

    user_id = registered(number, email, "Fausto Falhado", confirm=False)
    with faults.inject(
        "dynamodb",
        "UpdateItem",
        function="register_validation_task",
        code="ValidationException",
        status=400,
        times=None,
    ):
        Registrations().confirm_email(OneTimeLinks().issue("email_confirmation", user_id, 3600), None)
        wait_for(lambda: "recovery_task_token" in Accounts().get_item(user_id), timeout=SLOW)
    return user_id
