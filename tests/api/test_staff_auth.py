"""How staff log in: password then an emailed one-time code; and personal API keys for scripts,
shown once, stored hashed, revocable, audited."""

from __future__ import annotations

from typing import Any

from tests.support.api import session_set_cookie
from tests.support.outbox import staff_login_code


def _challenge(api: Any, demo: dict[str, Any], identifier: str = "decisor") -> dict[str, Any]:
    """A login's first step; ``seen`` lists the outbox before it, so that only its own code is read."""
    from local import outbox

    seen = {m["message_id"] for m in outbox.messages()}
    response = api.call("POST", "/api/staff/session", {"identifier": identifier, "password": demo["password"]})
    assert response.status_code == 202, response.body
    assert "Set-Cookie" not in response.headers  # a password alone opens nothing
    assert response.data["code_sent_to"] == "d…r@municipio-demo.pt"
    return {**response.data, "seen": seen}


def test_the_password_alone_opens_nothing_and_the_code_opens_a_session(make_api: Any, demo: dict[str, Any]) -> None:
    api = make_api()
    challenge = _challenge(api, demo)
    assert api.call("GET", "/api/staff/processes").status_code == 401
    code = staff_login_code(challenge, challenge["seen"])
    login = api.call("POST", "/api/staff/session/code", {"challenge_id": challenge["challenge_id"], "code": code})
    assert login.status_code == 200 and "HttpOnly" in session_set_cookie(login)
    assert login.data["user"]["roles"] == ["decision_maker"]
    assert api.call("GET", "/api/staff/processes").status_code == 200
    reused = make_api().call(
        "POST", "/api/staff/session/code", {"challenge_id": challenge["challenge_id"], "code": code}
    )
    assert reused.status_code == 401  # single use


def test_wrong_codes_count_and_the_fifth_ends_the_challenge(make_api: Any, demo: dict[str, Any]) -> None:
    api = make_api()
    challenge = _challenge(api, demo)
    code = staff_login_code(challenge, challenge["seen"])
    wrong = "000000" if code != "000000" else "111111"
    answers = [
        api.call("POST", "/api/staff/session/code", {"challenge_id": challenge["challenge_id"], "code": wrong})
        for _ in range(5)
    ]
    assert [a.status_code for a in answers] == [401, 401, 401, 401, 429]
    assert answers[0].data["error"]["field"] == "code"
    late = api.call("POST", "/api/staff/session/code", {"challenge_id": challenge["challenge_id"], "code": code})
    assert late.status_code == 401 and api.cookie is None
    malformed = api.call("POST", "/api/staff/session/code", {"challenge_id": challenge["challenge_id"], "code": "12a"})
    assert malformed.status_code == 422 and malformed.data["error"]["field"] == "code"


def test_citizens_cannot_log_in_as_staff_nor_reach_the_staff_api(make_api: Any, demo: dict[str, Any]) -> None:
    citizen = make_api()
    refused = citizen.call("POST", "/api/staff/session", {"identifier": "ana.silva", "password": demo["password"]})
    assert refused.status_code == 401
    citizen.login("ana.silva", demo["password"])
    assert citizen.call("GET", "/api/staff/processes").status_code == 403
    assert (
        citizen.call("POST", "/api/staff/api-keys", {"label": "x", "scope": "act", "expires_in_days": 30}).status_code
        == 403
    )


def test_an_api_key_is_shown_once_stored_hashed_works_and_is_revoked(
    make_api: Any, client: Any, demo: dict[str, Any]
) -> None:
    from chalicelib.platform import aws
    from chalicelib.platform.audit import AuditTrail

    staff = make_api()
    staff.login("decisor", demo["password"], staff=True)
    created = staff.call(
        "POST", "/api/staff/api-keys", {"label": "relatório diário", "scope": "act", "expires_in_days": 30}
    )
    assert created.status_code == 201
    secret = created.data["api_key"]
    assert secret.startswith("bk_")
    stored = aws.table("api_keys").get_item(Key={"key_id": created.data["key_id"]})["Item"]
    assert secret.split(".", 1)[1] not in str(stored)
    listed = staff.call("GET", "/api/staff/api-keys").data["api_keys"]
    assert [k["label"] for k in listed] == ["relatório diário"] and "api_key" not in listed[0]

    script = make_api()
    bearer = {"Authorization": f"Bearer {secret}"}
    assert script.call("GET", "/api/staff/processes", headers=bearer).status_code == 200
    assert (
        script.call(
            "POST", "/api/staff/api-keys", {"label": "outra", "scope": "act", "expires_in_days": 30}, headers=bearer
        ).status_code
        == 403
    )
    forged = {"Authorization": f"Bearer {secret[:-2]}xx"}
    assert script.call("GET", "/api/staff/processes", headers=forged).status_code == 401

    user_id = staff.call("GET", "/api/me").data["user"]["user_id"]
    assert staff.call("DELETE", f"/api/staff/api-keys/{created.data['key_id']}").data["revoked_at"]
    revoked = script.call("GET", "/api/staff/processes", headers=bearer)
    assert revoked.status_code == 401 and revoked.data["error"]["code"] == "nao_autenticado"
    actions = [e["action"] for e in AuditTrail().for_subject(f"user#{user_id}")]
    assert "api_key.created" in actions and "api_key.revoked" in actions


def test_an_administrator_revokes_a_colleagues_key_and_no_one_else_can(make_api: Any, demo: dict[str, Any]) -> None:
    decider = make_api()
    decider.login("decisor", demo["password"], staff=True)
    key_id = decider.call(
        "POST", "/api/staff/api-keys", {"label": "script", "scope": "act", "expires_in_days": 30}
    ).data["key_id"]
    clerk = make_api()
    clerk.login("atendimento", demo["password"], staff=True)
    assert clerk.call("DELETE", f"/api/staff/api-keys/{key_id}").status_code == 404
    admin = make_api()
    admin.login("administrador", demo["password"], staff=True)
    assert admin.call("DELETE", f"/api/staff/api-keys/{key_id}").status_code == 200
    assert decider.call("GET", "/api/staff/api-keys").data["api_keys"][0]["revoked_at"]


def test_an_api_key_expires_reads_or_acts_and_its_owner_is_emailed(make_api: Any, demo: dict[str, Any]) -> None:
    import time

    from chalicelib.platform import aws
    from tests.support.outbox import latest

    decider = make_api()
    decider.login("decisor", demo["password"], staff=True)
    forever = decider.call("POST", "/api/staff/api-keys", {"label": "x", "scope": "act", "expires_in_days": 365})
    assert forever.status_code == 422 and forever.data["error"]["field"] == "expires_in_days"
    no_expiry = decider.call("POST", "/api/staff/api-keys", {"label": "x", "scope": "act"})
    assert no_expiry.status_code == 422 and no_expiry.data["error"]["field"] == "expires_in_days"
    made = decider.call("POST", "/api/staff/api-keys", {"label": "painel", "scope": "read", "expires_in_days": 7})
    assert made.status_code == 201 and made.data["scope"] == "read" and made.data["expires_at"]
    notice = latest("decisor@municipio-demo.pt", "chave de API")
    assert "painel" in notice["body"] and made.data["api_key"] not in notice["body"]

    bearer = {"Authorization": f"Bearer {made.data['api_key']}"}
    script = make_api()
    process = "p_doesnotexist"
    assert script.call("GET", "/api/staff/processes", headers=bearer).status_code == 200
    acting = script.call("POST", f"/api/staff/processes/{process}/claim", headers=bearer)
    assert acting.status_code == 403 and "consultas" in acting.data["error"]["message"]
    aws.table("api_keys").update_item(
        Key={"key_id": made.data["key_id"]},
        UpdateExpression="SET expires_epoch = :past",
        ExpressionAttributeValues={":past": int(time.time()) - 1},
    )
    expired = script.call("GET", "/api/staff/processes", headers=bearer)
    assert expired.status_code == 401 and "expirou" in expired.data["error"]["message"]


def test_auditors_get_read_only_keys(make_api: Any, demo: dict[str, Any]) -> None:
    auditor = make_api()
    auditor.login("auditor", demo["password"], staff=True)
    acting = auditor.call("POST", "/api/staff/api-keys", {"label": "x", "scope": "act", "expires_in_days": 30})
    assert acting.status_code == 403
    reading = auditor.call("POST", "/api/staff/api-keys", {"label": "x", "scope": "read", "expires_in_days": 30})
    assert reading.status_code == 201
