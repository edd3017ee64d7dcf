"""One's open sessions (ASVS 5.0 7.5.2): the account page lists them, where each was opened from and
when it was last used, and ends every other one with the password again; never through an API key."""

from __future__ import annotations

from typing import Any

from tests.support.api import staff


def _login_from(make_api: Any, demo: dict[str, Any], user_agent: str) -> Any:
    api = make_api()
    response = api.call(
        "POST",
        "/api/session",
        {"identifier": "ana.silva", "password": demo["password"]},
        headers={"user-agent": user_agent},
    )
    assert response.status_code == 200, response.body
    return api


def test_the_account_lists_its_sessions_and_ends_the_others_with_the_password(
    make_api: Any, demo: dict[str, Any]
) -> None:
    from chalicelib.platform.audit import AuditTrail

    phone = _login_from(make_api, demo, "Telemóvel da Ana")
    laptop = _login_from(make_api, demo, "Portátil\x00 da Ana\x1b[31m")
    listed = laptop.call("GET", "/api/account/sessions")
    assert listed.status_code == 200
    mine = listed.data["sessions"]
    assert [s["user_agent"] for s in mine] == [
        "Portátil da Ana[31m",
        "Telemóvel da Ana",
    ]  # newest first, no control bytes
    assert [s["current"] for s in mine] == [True, False]
    assert all(s["started_at"].endswith("Z") and s["last_seen_at"] and s["source_ip"] for s in mine)
    for caller in (phone, laptop):  # the list names sessions, it opens none
        assert caller.cookie.split("=", 1)[1] not in listed.body.decode()

    wrong = laptop.call("POST", "/api/account/sessions/ending", {"password": "não é esta"})
    assert wrong.status_code == 422 and wrong.data["error"]["field"] == "password"
    assert phone.call("GET", "/api/me").status_code == 200  # nothing ended

    ended = laptop.call("POST", "/api/account/sessions/ending", {"password": demo["password"]})
    assert ended.status_code == 200 and ended.data["ended"] == 1
    assert phone.call("GET", "/api/me").status_code == 401
    assert laptop.call("GET", "/api/me").status_code == 200
    assert [s["current"] for s in laptop.call("GET", "/api/account/sessions").data["sessions"]] == [True]
    user_id = laptop.call("GET", "/api/me").data["user"]["user_id"]
    actions = [e["action"] for e in AuditTrail().for_subject(f"user#{user_id}")]
    assert "session.others_ended" in actions and "account.reauthentication_failed" in actions


def test_one_chosen_session_can_be_ended_and_only_one_of_the_account_s_others(
    make_api: Any, demo: dict[str, Any]
) -> None:
    phone = _login_from(make_api, demo, "Telemóvel")
    tablet = _login_from(make_api, demo, "Tablet")
    laptop = _login_from(make_api, demo, "Portátil")
    listed = {s["user_agent"]: s for s in laptop.call("GET", "/api/account/sessions").data["sessions"]}
    chosen = {"password": demo["password"], "session_id": listed["Tablet"]["session_id"]}
    ended = laptop.call("POST", "/api/account/sessions/ending", chosen)
    assert ended.status_code == 200 and ended.data["ended"] == 1
    assert tablet.call("GET", "/api/me").status_code == 401
    assert phone.call("GET", "/api/me").status_code == 200 and laptop.call("GET", "/api/me").status_code == 200
    for gone in (chosen["session_id"], listed["Portátil"]["session_id"]):  # ended already; the caller's own
        again = laptop.call("POST", "/api/account/sessions/ending", {**chosen, "session_id": gone})
        assert again.status_code == 404 and again.data["error"]["field"] == "session_id"
    odd = laptop.call("POST", "/api/account/sessions/ending", {**chosen, "session_id": "../ᵃ"})
    assert odd.status_code == 422 and odd.data["error"]["field"] == "session_id"
    assert laptop.call("GET", "/api/me").status_code == 200


def test_an_api_key_may_neither_list_nor_end_its_owner_s_sessions(make_api: Any, demo: dict[str, Any]) -> None:
    decider = staff(make_api, demo, "decisor")
    key = decider.call("POST", "/api/staff/api-keys", {"label": "script", "scope": "act", "expires_in_days": 7})
    assert key.status_code == 201
    script = make_api()
    bearer = {"authorization": f"Bearer {key.data['api_key']}"}
    assert script.call("GET", "/api/account/sessions", headers=bearer).status_code == 403
    ending = script.call("POST", "/api/account/sessions/ending", {"password": demo["password"]}, headers=bearer)
    assert ending.status_code == 403
    assert decider.call("GET", "/api/me").status_code == 200
