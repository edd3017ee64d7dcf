"""Sessions that really end: a lock or a change of password, email or roles ends every session and API
key of the account at once (the credential epoch, read on every request); an account holds a bounded
number of sessions; a login ends the session it came with."""

from __future__ import annotations

from typing import Any

from tests.support.api import staff


def _citizen_sessions(make_api: Any, demo: dict[str, Any], count: int) -> list[Any]:
    callers = []
    for _ in range(count):
        api = make_api()
        api.login("ana.silva", demo["password"])
        callers.append(api)
    return callers


def test_a_lock_ends_every_session_however_many_there_were(make_api: Any, demo: dict[str, Any]) -> None:
    from chalicelib.accounts.sessions import Sessions
    from chalicelib.accounts.users import Accounts

    user_id = Accounts().find("ana.silva")["user_id"]
    callers = _citizen_sessions(make_api, demo, Sessions.MAX_OPEN + 2)
    # the cap: the two oldest ended when the newest began; the others work
    answers = [api.call("GET", "/api/me").status_code for api in callers]
    assert answers == [401, 401] + [200] * Sessions.MAX_OPEN
    admin = staff(make_api, demo, "administrador")
    locked = admin.call("POST", f"/api/staff/accounts/{user_id}/lock", {"reason": "Uso indevido comunicado."})
    assert locked.status_code == 200
    assert [api.call("GET", "/api/me").status_code for api in callers] == [401] * len(callers)
    assert callers[-1].call("POST", "/api/requests", {"service_id": "generico", "fields": {}}).status_code == 401
    # unlocking does not bring an old session back
    assert admin.call("POST", f"/api/staff/accounts/{user_id}/unlock", {"reason": "Esclarecido."}).status_code == 200
    assert callers[-1].call("GET", "/api/me").status_code == 401


def test_a_login_ends_the_session_it_came_with(make_api: Any, demo: dict[str, Any]) -> None:
    api = make_api()
    api.login("ana.silva", demo["password"])
    first = api.cookie
    api.login("ana.silva", demo["password"])  # the browser sends its cookie with the new login
    assert api.cookie != first and api.call("GET", "/api/me").status_code == 200
    api.cookie = first
    assert api.call("GET", "/api/me").status_code == 401


def test_a_password_reset_ends_sessions_and_api_keys(make_api: Any, demo: dict[str, Any]) -> None:
    from chalicelib.accounts.profile import AccountSettings
    from chalicelib.accounts.users import Accounts
    from chalicelib.platform.audit import Actor

    decider = staff(make_api, demo, "decisor")
    key = decider.call("POST", "/api/staff/api-keys", {"label": "script", "scope": "act", "expires_in_days": 30}).data[
        "api_key"
    ]
    script = make_api()
    assert script.call("GET", "/api/staff/processes", headers={"authorization": f"Bearer {key}"}).status_code == 200
    user_id = Accounts().find("decisor")["user_id"]
    AccountSettings().auth.set_password(
        user_id, "uma frase nova para o decisor", Actor("admin"), "account.password_reset"
    )
    assert decider.call("GET", "/api/staff/processes").status_code == 401
    assert script.call("GET", "/api/staff/processes", headers={"authorization": f"Bearer {key}"}).status_code == 401


def test_a_change_of_roles_ends_the_sessions_that_had_the_old_ones(make_api: Any, demo: dict[str, Any]) -> None:
    from chalicelib.accounts.users import Accounts
    from chalicelib.platform.audit import Actor, AuditTrail

    head = staff(make_api, demo, "dirigente")
    user_id = Accounts().find("dirigente")["user_id"]
    assert head.call("GET", "/api/staff/processes").status_code == 200
    Accounts().set_roles(user_id, ["clerk"], Actor("admin"))
    assert head.call("GET", "/api/staff/processes").status_code == 401
    again = staff(make_api, demo, "dirigente")
    assert again.call("GET", "/api/me").data["user"]["roles"] == ["clerk"]
    changed = [e for e in AuditTrail().for_subject(f"user#{user_id}") if e["action"] == "account.roles_changed"]
    assert changed and changed[0]["details"]["roles"] == ["clerk"]
