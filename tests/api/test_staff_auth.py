"""How staff log in: password, then the code of their authenticator app (TOTP) or a recovery code,
never the mailbox but once to set the app up; passwords reset by the organ's administrator only; and
personal API keys for scripts, shown once, stored hashed, expiring, scoped, revocable, audited."""

from __future__ import annotations

import json
import re
import time
from typing import Any

from tests.support.accounts import add_staff
from tests.support.api import session_set_cookie, staff
from tests.support.outbox import staff_login_code
from tests.support.second_factor import app_code, enrolment_code


def _challenge(api: Any, demo: dict[str, Any], identifier: str = "decisor") -> dict[str, Any]:
    """A login's first step; ``seen`` lists the outbox before it, so that only its own code is read."""
    from local import outbox

    seen = {m["message_id"] for m in outbox.messages()}
    response = api.call("POST", "/api/staff/session", {"identifier": identifier, "password": demo["password"]})
    assert response.status_code == 202, response.body
    assert "Set-Cookie" not in response.headers  # a password alone opens nothing
    return {**response.data, "seen": seen}


def _answer(api: Any, challenge: dict[str, Any], code: str) -> Any:
    return api.call("POST", "/api/staff/session/code", {"challenge_id": challenge["challenge_id"], "code": code})


def test_the_password_alone_opens_nothing_and_the_app_s_code_opens_a_session_once(
    make_api: Any, demo: dict[str, Any]
) -> None:
    import pyotp

    from chalicelib.platform import aws
    from local import outbox

    api = make_api()
    challenge = _challenge(api, demo)
    assert challenge["factor"] == "totp" and "code_sent_to" not in challenge
    assert not [m for m in outbox.messages() if m["message_id"] not in challenge["seen"]]  # the mailbox is no factor
    assert api.call("GET", "/api/staff/processes").status_code == 401
    code = app_code(aws.table("users"), "decisor")
    login = _answer(api, challenge, code)
    assert login.status_code == 200 and "HttpOnly" in session_set_cookie(login)
    assert login.data["user"]["roles"] == ["decision_maker"] and login.data["scope"] == "full"
    assert api.call("GET", "/api/staff/processes").status_code == 200
    reused = _answer(make_api(), challenge, code)
    assert reused.status_code == 401  # the challenge is spent
    replayed = _answer(make_api(), _challenge(make_api(), demo), code)
    assert replayed.status_code == 401 and "já foi usado" in replayed.data["error"]["message"]
    secret = aws.table("users").get_item(Key={"pk": f"USER#{login.data['user']['user_id']}"})["Item"]["totp_secret"]
    assert secret not in json.dumps(login.data) and pyotp.TOTP(secret).now()


def test_only_the_current_30_second_step_s_code_opens_a_session(make_api: Any, demo: dict[str, Any]) -> None:
    """ASVS 5.0 6.5.5: a TOTP lives at most 30 seconds: the code of the step before or after is wrong."""
    import pyotp

    from chalicelib.accounts.second_factor import STEP_SECONDS
    from chalicelib.accounts.users import Accounts
    from chalicelib.platform import aws

    current = app_code(aws.table("users"), "decisor")  # also sets the last used step back
    secret = Accounts().find("decisor")["totp_secret"]
    step = int(time.time()) // STEP_SECONDS
    totp = pyotp.TOTP(secret, interval=STEP_SECONDS)
    api = make_api()
    challenge = _challenge(api, demo)
    for other in (step - 1, step + 1):
        refused = _answer(api, challenge, totp.at(other * STEP_SECONDS))
        assert refused.status_code == 401 and "30 segundos" in refused.data["error"]["message"]
    assert _answer(api, challenge, current).status_code == 200


def test_wrong_codes_count_and_the_fifth_ends_the_challenge(make_api: Any, demo: dict[str, Any]) -> None:
    from chalicelib.platform import aws

    api = make_api()
    challenge = _challenge(api, demo)
    code = app_code(aws.table("users"), "decisor")
    wrong = "000000" if code != "000000" else "111111"
    answers = [_answer(api, challenge, wrong) for _ in range(5)]
    assert [a.status_code for a in answers] == [401, 401, 401, 401, 429]
    assert answers[0].data["error"]["field"] == "code"
    late = _answer(api, challenge, code)
    assert late.status_code == 401 and api.cookie is None
    malformed = _answer(api, challenge, "12a")
    assert malformed.status_code == 422 and malformed.data["error"]["field"] == "code"


def test_challenges_are_limited_per_account(make_api: Any, demo: dict[str, Any]) -> None:
    from chalicelib.accounts.staff_auth import LoginCodes

    answers = [
        make_api().call("POST", "/api/staff/session", {"identifier": "decisor", "password": demo["password"]})
        for _ in range(LoginCodes.CHALLENGES_PER_WINDOW + 1)
    ]
    assert [a.status_code for a in answers] == [202] * LoginCodes.CHALLENGES_PER_WINDOW + [429]


def test_the_first_login_s_emailed_code_only_sets_the_app_up_and_recovery_codes_work_once(
    make_api: Any, demo: dict[str, Any]
) -> None:

    from chalicelib.platform.audit import AuditTrail

    user_id = add_staff("nova.colega", demo["password"], ["clerk"], organ="CAMARA", email="nova@municipio-demo.pt")
    api = make_api()
    challenge = _challenge(api, demo, "nova.colega")
    assert challenge["factor"] == "email" and challenge["code_sent_to"] == "n…a@municipio-demo.pt"
    opened = _answer(api, challenge, staff_login_code(challenge, challenge["seen"]))
    assert opened.status_code == 200 and opened.data["scope"] == "enrolment"
    assert api.call("GET", "/api/staff/processes").status_code == 403  # nothing but the set-up
    assert (
        api.call("POST", "/api/staff/api-keys", {"label": "x", "scope": "read", "expires_in_days": 1}).status_code
        == 403
    )
    begun = api.call("POST", "/api/staff/second-factor")
    assert begun.status_code == 201 and begun.data["otpauth_uri"].startswith("otpauth://totp/")
    wrong = api.call("POST", "/api/staff/second-factor/confirmation", {"code": "000000"})
    assert wrong.status_code == 422 and wrong.data["error"]["field"] == "code"
    done = api.call("POST", "/api/staff/second-factor/confirmation", {"code": enrolment_code(begun.data["secret"])})
    assert done.status_code == 200 and done.data["scope"] == "full" and len(done.data["recovery_codes"]) == 10
    # 24 characters of an alphabet of 31 each: 118 bits, written in groups to be copied off paper
    assert len(set(done.data["recovery_codes"])) == 10
    assert all(re.fullmatch(r"[a-hj-km-np-z2-9]{4}(-[a-hj-km-np-z2-9]{4}){5}", c) for c in done.data["recovery_codes"])
    assert api.call("GET", "/api/staff/processes").status_code == 200

    # from now on the app (or a recovery code), never the mailbox
    again = make_api()
    second = _challenge(again, demo, "nova.colega")
    assert second["factor"] == "totp"
    recovery = done.data["recovery_codes"][0]
    assert _answer(again, second, recovery).status_code == 200
    third = _challenge(make_api(), demo, "nova.colega")
    assert _answer(make_api(), third, recovery).status_code == 401  # each recovery code once
    actions = [e["action"] for e in AuditTrail().for_subject(f"user#{user_id}")]
    assert "account.second_factor_enrolled" in actions and "session.recovery_code_used" in actions


def test_staff_passwords_are_reset_by_the_organ_s_administrator_never_by_email(
    make_api: Any, demo: dict[str, Any]
) -> None:
    from chalicelib.accounts.users import Accounts
    from chalicelib.platform.audit import AuditTrail
    from tests.support.outbox import latest, outbox_to

    decider = staff(make_api, demo, "decisor")
    asked = make_api().call("POST", "/api/password/recovery", {"identifier": "decisor"})
    assert asked.status_code == 202  # the same answer as for anyone, but no link is sent
    assert not [m for m in outbox_to("decisor@municipio-demo.pt") if "Recuperação" in m["subject"]]
    user_id = Accounts().find("decisor")["user_id"]
    add_staff("semae.admin", demo["password"], ["administrator"])
    other = staff(make_api, demo, "semae.admin")
    reset = {"reason": "Pedido presencial, identidade verificada."}
    assert other.call("POST", f"/api/staff/accounts/{user_id}/password-reset", reset).status_code == 403
    admin = staff(make_api, demo, "administrador")
    done = admin.call("POST", f"/api/staff/accounts/{user_id}/password-reset", reset)
    assert done.status_code == 200
    assert decider.call("GET", "/api/me").status_code == 401
    temporary = re.search(r"temporária: (\S+)", latest("decisor@municipio-demo.pt", "reposta")["body"]).group(1)
    old = make_api().call("POST", "/api/staff/session", {"identifier": "decisor", "password": demo["password"]})
    assert old.status_code == 401
    new = "ribeira de ovelha ao luar"
    activated = make_api().call(
        "POST",
        "/api/account/activation",
        {"identifier": "decisor", "activation_password": temporary, "new_password": new},
    )
    assert activated.status_code == 200
    api = make_api()
    api.login("decisor", new, staff=True)  # still with the app's code
    assert api.call("GET", "/api/staff/processes").status_code == 200
    actions = [e["action"] for e in AuditTrail().for_subject(f"user#{user_id}")]
    assert "account.password_reset_by_administrator" in actions and "account.recovery_refused" in actions


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
