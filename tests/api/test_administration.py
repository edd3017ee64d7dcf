"""Administrators act within their own organ: they lock, unlock and give roles to their organ's staff
and to citizens, never to another organ's staff nor to auditors, and never leave their organ without an
active administrator; registrations are read only while pending, by those who validate them, and each
reading is audited; every refusal of a logged-in caller is audited."""

from __future__ import annotations

from typing import Any

from tests.support.accounts import add_staff
from tests.support.api import staff


def _user_id(login: str) -> str:
    from chalicelib.accounts.users import Accounts

    return Accounts().find(login)["user_id"]


def _actions(subject: str) -> list[str]:
    from chalicelib.platform.audit import AuditTrail

    return [e["action"] for e in sorted(AuditTrail().for_subject(subject), key=lambda e: e["event_id"])]


def test_an_administrator_manages_only_their_own_organ(make_api: Any, demo: dict[str, Any]) -> None:
    add_staff("semae.admin", demo["password"], ["administrator"])
    other = staff(make_api, demo, "semae.admin")
    reason = {"reason": "Teste de âmbito."}
    for login in ("decisor", "administrador", "auditor"):
        refused = other.call("POST", f"/api/staff/accounts/{_user_id(login)}/lock", reason)
        assert refused.status_code == 403, login
    assert other.call("GET", "/api/me").status_code == 200
    admin = staff(make_api, demo, "administrador")
    assert admin.call("POST", f"/api/staff/accounts/{_user_id('auditor')}/lock", reason).status_code == 403
    assert admin.call("POST", f"/api/staff/accounts/{_user_id('administrador')}/lock", reason).status_code == 403
    assert admin.call("POST", f"/api/staff/accounts/{_user_id('atendimento')}/lock", reason).status_code == 200
    assert admin.call("POST", f"/api/staff/accounts/{_user_id('atendimento')}/unlock", reason).status_code == 200
    # each refusal left an audit event on the account of whoever tried
    assert _actions(f"user#{_user_id('semae.admin')}").count("access.refused") == 3


def test_roles_change_within_the_organ_and_the_last_administrator_stays(make_api: Any, demo: dict[str, Any]) -> None:
    admin = staff(make_api, demo, "administrador")
    clerk = staff(make_api, demo, "atendimento")
    clerk_id = _user_id("atendimento")
    auditor = admin.call("POST", f"/api/staff/accounts/{clerk_id}/roles", {"roles": ["auditor"]})
    assert auditor.status_code == 403
    unknown = admin.call("POST", f"/api/staff/accounts/{clerk_id}/roles", {"roles": ["superuser"]})
    assert unknown.status_code == 422 and unknown.data["error"]["field"] == "roles.0"
    changed = admin.call("POST", f"/api/staff/accounts/{clerk_id}/roles", {"roles": ["clerk", "organ_head"]})
    assert changed.status_code == 200 and changed.data["roles"] == ["clerk", "organ_head"]
    assert clerk.call("GET", "/api/me").status_code == 401  # the old powers' session is over
    alone = admin.call("POST", f"/api/staff/accounts/{_user_id('administrador')}/roles", {"roles": ["clerk"]})
    assert alone.status_code == 409 and "último administrador" in alone.data["error"]["message"]
    assert admin.call("GET", "/api/me").data["user"]["roles"] == ["administrator"]


def test_account_notifications_are_read_by_auditors_and_the_account_s_administrators(
    make_api: Any, demo: dict[str, Any]
) -> None:
    add_staff("semae.admin", demo["password"], ["administrator"])
    other = staff(make_api, demo, "semae.admin")
    assert other.call("GET", f"/api/staff/accounts/{_user_id('decisor')}/notifications").status_code == 403
    assert other.call("GET", f"/api/staff/accounts/{_user_id('auditor')}/notifications").status_code == 403
    assert other.call("GET", f"/api/staff/accounts/{_user_id('ana.silva')}/notifications").status_code == 200
    auditor = staff(make_api, demo, "auditor")
    assert auditor.call("GET", f"/api/staff/accounts/{_user_id('decisor')}/notifications").status_code == 200
    assert _actions(f"user#{_user_id('decisor')}").count("account.notifications_read") == 1


def test_a_registration_is_read_only_while_pending_by_validators_and_each_reading_audited(
    make_api: Any, demo: dict[str, Any]
) -> None:
    from chalicelib.accounts.users import Accounts
    from chalicelib.kernel.vocabulary import AccountStatus
    from chalicelib.platform.audit import Actor

    citizen_id = _user_id("ana.silva")  # an active account: no registration to read any more
    pending = (
        Accounts()
        .create(
            kind="citizen",
            name="Rui Pendente",
            email="rui.pendente@example.pt",
            username=None,
            password=demo["password"],
            identity_number="200000004",
            status=AccountStatus.AWAITING_VALIDATION,
            actor=Actor("test"),
        )
        .user_id
    )
    clerk = staff(make_api, demo, "atendimento")
    assert clerk.call("GET", f"/api/staff/registrations/{citizen_id}").status_code == 404
    read = clerk.call("GET", f"/api/staff/registrations/{pending}")
    assert read.status_code == 200 and read.data["identity_number"] == "200000004"
    assert "registration.read" in _actions(f"user#{pending}")
    auditor = staff(make_api, demo, "auditor")
    assert auditor.call("GET", f"/api/staff/registrations/{pending}").status_code == 403
    assert auditor.call("GET", "/api/staff/registrations").status_code == 403
