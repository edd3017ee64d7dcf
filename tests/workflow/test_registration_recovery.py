"""A registration's workflow (account_activation) under a fault injected for real into a task's AWS
calls (tests/support/faults.py): the registration needs attention, is listed for staff with the
step and the error, and staff retry the step; the registrant gets their email once."""

from __future__ import annotations

from typing import Any

from tests.support import faults
from tests.support.api import staff
from tests.support.outbox import latest, link_token, outbox_to
from tests.support.waiting import wait_for

EMAIL = "rosa.registo@example.pt"
REGISTRATION = {
    "person_type": "individual",
    "identity_number": "232013969",
    "name": "Rosa Registo",
    "email": EMAIL,
    "phone": "+351 936 123 456",
    "address": {"street": "Rua Teixeira de Pascoaes, 12", "postal_code": "4600-011", "locality": "Amarante"},
    "password": "uma frase longa de registo",
    "accept_terms": True,
    "terms_version": "2026-01",
}


def queued(api: Any, user_id: str) -> dict[str, Any] | None:
    registrations = api.call("GET", "/api/staff/registrations").data["registrations"]
    return next((r for r in registrations if r["user_id"] == user_id), None)


def test_a_failed_outcome_email_needs_attention_and_staff_retry_it(make_api: Any, demo: dict[str, Any]) -> None:
    from chalicelib.accounts.users import Accounts

    registrant = make_api()
    assert registrant.call("POST", "/api/registrations", REGISTRATION).status_code == 202
    token = link_token(latest(EMAIL, "Confirme o seu endereço"))
    assert registrant.call("POST", "/api/registrations/confirmation", {"token": token}).status_code == 200
    user_id = Accounts().find(EMAIL)["user_id"]
    wait_for(lambda: "validation_task_token" in Accounts().get_item(user_id))

    head = staff(make_api, demo, "dirigente")
    with faults.inject(
        "dynamodb",
        "GetItem",
        function="notify_registration_outcome",
        code="ValidationException",
        status=400,
        times=None,
        when=lambda request: user_id in request,
    ):
        rejected = head.call("POST", f"/api/staff/registrations/{user_id}/reject", {"reason": "Comprovativo antigo."})
        assert rejected.status_code == 200
        attention = wait_for(lambda: (queued(head, user_id) or {}).get("workflow_attention"), timeout=90)
    assert attention["step"] == "SendRejection" and "ValidationException" in attention["message"]
    assert not [m for m in outbox_to(EMAIL) if "não foi validado" in m["subject"] + m["body"]]

    auditor = staff(make_api, demo, "auditor")
    assert auditor.call("POST", f"/api/staff/registrations/{user_id}/retry").status_code == 403
    retried = head.call("POST", f"/api/staff/registrations/{user_id}/retry")
    assert retried.status_code == 200, retried.body
    assert retried.data["retried_step"] == "SendRejection"
    emails = wait_for(lambda: [m for m in outbox_to(EMAIL) if "não foi validado" in m["subject"] + m["body"]])
    assert len(emails) == 1 and "Comprovativo antigo." in emails[0]["body"]
    assert queued(head, user_id) is None  # out of the queue again: it was already decided
    assert head.call("POST", f"/api/staff/registrations/{user_id}/retry").status_code == 409
