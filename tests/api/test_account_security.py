"""Sessions, CSRF, throttling, first-login codes, recovery and changes of password, email and phone,
and locked accounts, through the HTTP API under moto: what an account holder (or an attacker) sees."""

from __future__ import annotations

import json
import re
import time
from typing import Any

import pytest

from tests.support.outbox import latest, link_token, outbox_to
from tests.support.waiting import wait_for

PASSWORD = "uma frase bastante comprida"
EMAIL = "rita.costa@example.pt"
PHONE = "+351936555111"


@pytest.fixture
def rita(demo: dict[str, Any]) -> dict[str, Any]:
    """An account validated and activated, at its first login (the registration flow itself is in
    test_registration.py): her phone is the one the municipality confirmed."""
    from chalicelib.accounts.users import Accounts
    from chalicelib.kernel.roles import CITIZEN
    from chalicelib.platform.audit import Actor

    user = Accounts().create(
        kind=CITIZEN,
        name="Rita Costa",
        email=EMAIL,
        username="rita.costa",
        password=PASSWORD,
        identity_number="212345672",
        phone=PHONE,
        actor=Actor("test"),
        person_type="individual",
        extra={"first_login_pending": True},
    )
    return {"user_id": user.user_id, "username": "rita.costa", "nif": "212345672"}


def logged_in(make_api: Any, identifier: str, password: str = PASSWORD) -> Any:
    api = make_api()
    api.login(identifier, password)
    return api


def code_in(message: dict[str, Any]) -> str:
    return re.search(r"\b(\d{6})\b", message["body"]).group(1)


def full_session(make_api: Any, rita: dict[str, Any]) -> Any:
    api = logged_in(make_api, rita["username"])
    api.call("POST", "/api/session/code", {"channel": "email"})
    code = code_in(latest(EMAIL, "Código de confirmação"))
    assert api.call("POST", "/api/session/code/verification", {"code": code}).status_code == 200
    return api


# -- 6. first-login confirmation code ----------------------------------------------------------------
def test_first_login_code_by_sms_to_a_confirmed_phone(make_api: Any, rita: dict[str, Any]) -> None:
    api = logged_in(make_api, rita["username"])
    assert api.call("GET", "/api/me").data["scope"] == "code"
    sent = api.call("POST", "/api/session/code", {"channel": "sms"})
    assert sent.status_code == 200 and sent.data["channel"] == "sms" and sent.data["to"].endswith("111")
    sms = wait_for(lambda: [m for m in outbox_to(PHONE) if m["channel"] == "sms"])[0]
    code = re.search(r"\b(\d{6})\b", sms["body"]).group(1)
    assert api.call("POST", "/api/session/code/verification", {"code": code}).status_code == 200
    assert api.call("GET", "/api/me").data["scope"] == "full"
    # Single use: the same code does not open a second first-login session (there is none to open).
    assert logged_in(make_api, rita["username"]).call("GET", "/api/me").data["scope"] == "full"


def test_a_wrong_code_six_times_needs_a_new_code_and_changes_nothing(make_api: Any, rita: dict[str, Any]) -> None:
    from chalicelib.accounts.users import Accounts

    api = logged_in(make_api, rita["username"])
    assert api.call("POST", "/api/session/code", {"channel": "email"}).status_code == 200
    code = code_in(latest(EMAIL, "Código de confirmação"))
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    answers = [api.call("POST", "/api/session/code/verification", {"code": wrong}) for _ in range(5)]
    assert [a.status_code for a in answers] == [422] * 5
    assert all(a.data["error"]["field"] == "code" for a in answers)
    assert "Restam 4 tentativas" in answers[0].data["error"]["message"]
    assert "Resta 1 tentativa." in answers[3].data["error"]["message"]
    assert "novo código" in answers[4].data["error"]["message"]
    sixth = api.call("POST", "/api/session/code/verification", {"code": code})  # even the right one, now
    assert sixth.status_code == 422 and sixth.data["error"]["field"] == "code"
    assert Accounts().get_item(rita["user_id"])["first_login_pending"] is True
    assert api.call("GET", "/api/me").data["scope"] == "code"
    # A new code works.
    assert api.call("POST", "/api/session/code", {"channel": "email"}).status_code == 200
    fresh = wait_for(lambda: (c := code_in(latest(EMAIL, "Código de confirmação"))) != code and c)
    assert api.call("POST", "/api/session/code/verification", {"code": fresh}).status_code == 200


def test_a_code_expires_after_ten_minutes(make_api: Any, rita: dict[str, Any]) -> None:
    from chalicelib.platform import aws

    api = logged_in(make_api, rita["username"])
    api.call("POST", "/api/session/code", {"channel": "email"})
    code = code_in(latest(EMAIL, "Código de confirmação"))
    aws.table("account_tokens").update_item(
        Key={"pk": f"CODE#{rita['user_id']}#first_login"},
        UpdateExpression="SET expires_at = :past",
        ExpressionAttributeValues={":past": 1},
    )
    expired = api.call("POST", "/api/session/code/verification", {"code": code})
    assert expired.status_code == 422 and "expirou" in expired.data["error"]["message"]


def test_codes_cannot_be_requested_without_limit(make_api: Any, rita: dict[str, Any]) -> None:
    api = logged_in(make_api, rita["username"])
    answers = [api.call("POST", "/api/session/code", {"channel": "email"}).status_code for _ in range(6)]
    assert answers == [200] * 5 + [429]


# -- 7. sessions ------------------------------------------------------------------------------------
def test_every_login_gets_a_new_random_token_stored_only_hashed(make_api: Any, demo: dict[str, Any]) -> None:
    from chalicelib.platform import aws

    first = logged_in(make_api, "ana.silva", demo["password"])
    second = logged_in(make_api, "ana.silva", demo["password"])
    tokens = [api.cookie.split("=", 1)[1] for api in (first, second)]
    assert tokens[0] != tokens[1] and all(len(t) >= 43 for t in tokens)  # 32 random bytes, base64url
    stored = aws.table("sessions").scan()["Items"]  # test inspection only
    assert not any(t in str(item) for t in tokens for item in stored)
    ttl = aws.client("dynamodb").describe_time_to_live(TableName="balcao-local-sessions")["TimeToLiveDescription"]
    assert ttl["AttributeName"] == "expires_at"
    assert first.call("GET", "/api/me").status_code == second.call("GET", "/api/me").status_code == 200


def test_csrf_a_cookie_alone_does_not_change_anything(make_api: Any, demo: dict[str, Any]) -> None:
    from tests.support.api import GENERIC

    api = logged_in(make_api, "ana.silva", demo["password"])
    forged = api.call("POST", "/api/requests", GENERIC, csrf=False)
    assert forged.status_code == 403 and "X-Balcao-CSRF" in forged.data["error"]["message"]
    other_site = api.call("POST", "/api/requests", GENERIC, headers={"origin": "https://atacante.example"})
    assert other_site.status_code == 403
    assert api.call("GET", "/api/requests").data["processes"] == []  # nothing was created
    assert api.call("GET", "/api/requests", csrf=False).status_code == 200  # reading needs no header
    assert api.call("DELETE", "/api/session", csrf=False).status_code == 403
    same_site = api.call("POST", "/api/requests", GENERIC, headers={"origin": "http://127.0.0.1:8000"})
    assert same_site.status_code == 201
    # A script with the token in Authorization is not CSRF-able and needs no header.
    token = api.cookie.split("=", 1)[1]
    script = make_api()
    assert (
        script.call(
            "POST", "/api/requests", GENERIC, csrf=False, headers={"authorization": f"Bearer {token}"}
        ).status_code
        == 201
    )


# -- 8. throttling --------------------------------------------------------------------------------------
def test_failed_logins_are_throttled_the_same_for_unknown_users_and_not_for_long(
    make_api: Any, demo: dict[str, Any]
) -> None:
    from chalicelib.platform import aws

    def attempt(identifier: str, password: str = "errada-errada") -> Any:  # noqa: S107 - a wrong guess
        return make_api().call("POST", "/api/session", {"identifier": identifier, "password": password})

    known = [attempt("ana.silva") for _ in range(6)]
    unknown = [attempt("ninguem.aqui") for _ in range(6)]
    assert [r.status_code for r in known] == [r.status_code for r in unknown] == [401] * 5 + [429]
    # the same bodies, but for the seconds left to wait, which depend only on the caller's own timing
    assert [re.sub(r"\d+", "N", json.dumps(r.data)) for r in known] == [
        re.sub(r"\d+", "N", json.dumps(r.data)) for r in unknown
    ]
    assert 20 < int(known[5].headers["Retry-After"]) <= 30
    # While the delay runs even the right password waits; the delays grow.
    assert attempt("ana.silva", demo["password"]).status_code == 429
    throttles = aws.table("account_tokens")
    key = {"pk": "THROTTLE#login:id:username:ana.silva"}
    throttles.update_item(  # 31 seconds later
        Key=key,
        UpdateExpression="SET last_failure = last_failure - :s, blocked_until = blocked_until - :s",
        ExpressionAttributeValues={":s": 31},
    )
    assert attempt("ana.silva").status_code == 401
    again = attempt("ana.silva")
    assert again.status_code == 429 and 50 < int(again.headers["Retry-After"]) <= 60
    # However many failures, the owner waits at most 15 minutes.
    throttles.update_item(
        Key=key,
        UpdateExpression="SET failures = :many, last_failure = last_failure - :cap, blocked_until = :now",
        ExpressionAttributeValues={":many": 500, ":cap": 15 * 60, ":now": int(time.time())},
    )
    assert attempt("ana.silva", demo["password"]).status_code == 200


def test_failed_logins_are_throttled_per_source_address(demo: dict[str, Any]) -> None:
    from chalicelib.accounts.authentication import Authentication
    from chalicelib.kernel.errors import NotAuthenticated, TooManyRequests

    accounts = Authentication()
    for n in range(20):  # many names, one source: password spraying
        with pytest.raises(NotAuthenticated):
            accounts.authenticate(f"pessoa{n}", "errada-errada", "citizen", source_ip="203.0.113.7")
    with pytest.raises(TooManyRequests):
        accounts.authenticate("ana.silva", demo["password"], "citizen", source_ip="203.0.113.7")
    assert (
        accounts.authenticate("ana.silva", demo["password"], "citizen", source_ip="198.51.100.1").username
        == "ana.silva"
    )


def test_code_guesses_are_throttled_per_account_with_growing_delays(make_api: Any, rita: dict[str, Any]) -> None:
    api = logged_in(make_api, rita["username"])
    statuses = []
    for _ in range(3):  # three codes, five wrong guesses each
        api.call("POST", "/api/session/code", {"channel": "email"})
        for _ in range(5):
            statuses.append(api.call("POST", "/api/session/code/verification", {"code": "000000"}).status_code)
    assert statuses[:10] == [422] * 10 and statuses[10] == 429


# -- 9. recovery and changes ---------------------------------------------------------------------------
def test_password_recovery_by_a_single_use_link(make_api: Any, demo: dict[str, Any]) -> None:
    from chalicelib.accounts.credentials import _sha256
    from chalicelib.platform import aws

    old_session = logged_in(make_api, "ana.silva", demo["password"])
    known = make_api().call("POST", "/api/password/recovery", {"identifier": "123456789"})
    unknown = make_api().call("POST", "/api/password/recovery", {"identifier": "999999990"})
    assert known.status_code == unknown.status_code == 202 and known.data == unknown.data
    message = latest("ana.silva@example.pt", "Recuperação")
    assert "30 minutos" in message["body"]
    token = link_token(message)
    common = make_api().call("POST", "/api/password/reset", {"token": token, "new_password": "iloveyou2"})
    assert common.status_code == 422 and common.data["error"]["field"] == "new_password"
    new = "o meu gato chama-se Tareco"
    assert make_api().call("POST", "/api/password/reset", {"token": token, "new_password": new}).status_code == 200
    reused = make_api().call("POST", "/api/password/reset", {"token": token, "new_password": new + "!"})
    assert reused.status_code == 422 and reused.data["error"]["field"] == "token"
    assert old_session.call("GET", "/api/me").status_code == 401  # every session ended
    assert (
        make_api().call("POST", "/api/session", {"identifier": "ana.silva", "password": demo["password"]}).status_code
        == 401
    )
    logged_in(make_api, "ana.silva", new)
    # A link past its 30 minutes is refused.
    make_api().call("POST", "/api/password/recovery", {"identifier": "ana.silva"})
    late = wait_for(lambda: (t := link_token(latest("ana.silva@example.pt", "Recuperação"))) != token and t)
    aws.table("account_tokens").update_item(
        Key={"pk": f"LINK#{_sha256(late)}"}, UpdateExpression="SET expires_at = :p", ExpressionAttributeValues={":p": 1}
    )
    expired = make_api().call(
        "POST", "/api/password/reset", {"token": late, "new_password": "outra frase bem comprida"}
    )
    assert expired.status_code == 422 and "expirou" in expired.data["error"]["message"]


def test_change_of_password_needs_the_old_one_and_ends_other_sessions(make_api: Any, demo: dict[str, Any]) -> None:
    api = logged_in(make_api, "ana.silva", demo["password"])
    other = logged_in(make_api, "123456789", demo["password"])
    wrong = api.call(
        "POST", "/api/account/password", {"current_password": "nao-e-esta", "new_password": "frase nova e comprida"}
    )
    assert wrong.status_code == 422 and wrong.data["error"]["field"] == "current_password"
    short = api.call("POST", "/api/account/password", {"current_password": demo["password"], "new_password": "curta"})
    assert short.status_code == 422 and short.data["error"]["field"] == "new_password"
    before = api.cookie
    changed = api.call(
        "POST", "/api/account/password", {"current_password": demo["password"], "new_password": "frase nova e comprida"}
    )
    assert changed.status_code == 200 and api.cookie != before
    assert api.call("GET", "/api/me").status_code == 200  # this caller got a new session
    assert other.call("GET", "/api/me").status_code == 401
    api.cookie = before
    assert api.call("GET", "/api/me").status_code == 401


def test_change_of_email_confirmed_on_the_new_address_the_old_one_told(make_api: Any, demo: dict[str, Any]) -> None:
    api = logged_in(make_api, "ana.silva", demo["password"])
    no_password = api.call("POST", "/api/account/email", {"password": "errada", "new_email": "ana@novo.example.pt"})
    assert no_password.status_code == 422 and no_password.data["error"]["field"] == "password"
    malformed = api.call("POST", "/api/account/email", {"password": demo["password"], "new_email": "ana@@novo"})
    assert malformed.status_code == 422 and malformed.data["error"]["field"] == "new_email"
    assert (
        api.call(
            "POST", "/api/account/email", {"password": demo["password"], "new_email": "Ana@Novo.example.pt"}
        ).status_code
        == 202
    )
    token = link_token(latest("ana@novo.example.pt", "Confirme o seu novo endereço"))
    # Until confirmed nothing changes.
    assert api.call("GET", "/api/me").data["user"]["email"] == "ana.silva@example.pt"
    assert make_api().call("POST", "/api/account/email/confirmation", {"token": token}).status_code == 200
    assert api.call("GET", "/api/me").status_code == 401  # a new address ends every session
    latest("ana.silva@example.pt", "email da sua conta foi alterado")
    again = logged_in(make_api, "ana@novo.example.pt", demo["password"])
    assert again.call("GET", "/api/me").data["user"]["email"] == "ana@novo.example.pt"
    assert (
        make_api()
        .call("POST", "/api/session", {"identifier": "ana.silva@example.pt", "password": demo["password"]})
        .status_code
        == 401
    )
    reused = make_api().call("POST", "/api/account/email/confirmation", {"token": token})
    assert reused.status_code == 422 and reused.data["error"]["field"] == "token"


def test_an_address_taken_meanwhile_is_refused_at_confirmation(
    make_api: Any, demo: dict[str, Any], rita: dict[str, Any]
) -> None:
    api = logged_in(make_api, "ana.silva", demo["password"])
    api.call("POST", "/api/account/email", {"password": demo["password"], "new_email": EMAIL})
    token = link_token(latest(EMAIL, "Confirme o seu novo endereço"))
    taken = make_api().call("POST", "/api/account/email/confirmation", {"token": token})
    assert taken.status_code == 409 and taken.data["error"]["field"] == "token"
    assert api.call("GET", "/api/me").data["user"]["email"] == "ana.silva@example.pt"


def test_change_of_phone_confirmed_by_sms_code(make_api: Any, demo: dict[str, Any]) -> None:
    api = logged_in(make_api, "ana.silva", demo["password"])
    landline = api.call("POST", "/api/account/phone", {"phone": "255 420 000"})
    assert landline.status_code == 422 and landline.data["error"]["field"] == "phone"
    assert api.call("POST", "/api/account/phone", {"phone": "926 000 111"}).status_code == 202
    sms = wait_for(lambda: outbox_to("+351926000111"))[0]
    code = re.search(r"\b(\d{6})\b", sms["body"]).group(1)
    assert api.call("GET", "/api/me").data["user"]["phone"] == "+351912345678"  # not before the code
    wrong = api.call("POST", "/api/account/phone/confirmation", {"code": "999999" if code != "999999" else "000000"})
    assert wrong.status_code == 422 and wrong.data["error"]["field"] == "code"
    assert api.call("POST", "/api/account/phone/confirmation", {"code": code}).status_code == 200
    user = api.call("GET", "/api/me").data["user"]
    assert user["phone"] == "+351926000111" and user["phone_confirmed"] is True


# -- 11. account states ---------------------------------------------------------------------------------
def test_administrators_lock_and_unlock_accounts_audited(make_api: Any, demo: dict[str, Any]) -> None:
    from chalicelib.accounts.users import Accounts
    from tests.support.accounts import statuses
    from tests.support.api import staff

    user_id = Accounts().find("ana.silva")["user_id"]
    citizen = logged_in(make_api, "ana.silva", demo["password"])
    clerk = staff(make_api, demo, "atendimento")
    assert clerk.call("POST", f"/api/staff/accounts/{user_id}/lock", {"reason": "x"}).status_code == 403
    admin = staff(make_api, demo, "administrador")
    no_reason = admin.call("POST", f"/api/staff/accounts/{user_id}/lock", {})
    assert no_reason.status_code == 422 and no_reason.data["error"]["field"] == "reason"
    locked = admin.call(
        "POST", f"/api/staff/accounts/{user_id}/lock", {"reason": "Uso indevido comunicado pela titular."}
    )
    assert locked.status_code == 200 and locked.data["status"] == "bloqueado"
    assert citizen.call("GET", "/api/me").status_code == 401
    refused = make_api().call("POST", "/api/session", {"identifier": "ana.silva", "password": demo["password"]})
    assert refused.status_code == 403 and "bloqueada" in refused.data["error"]["message"]
    assert admin.call("POST", f"/api/staff/accounts/{user_id}/lock", {"reason": "de novo"}).status_code == 409
    assert admin.call("POST", f"/api/staff/accounts/{user_id}/unlock", {"reason": "Resolvido."}).status_code == 200
    logged_in(make_api, "ana.silva", demo["password"])
    assert statuses(user_id) == ["ativo", "bloqueado", "ativo"]


# -- one-time links die with the credentials they were made under ------------------------------------
def _recovery_link(make_api: Any, identifier: str, seen: set[str]) -> str:
    from local import outbox

    make_api().call("POST", "/api/password/recovery", {"identifier": identifier})
    fresh = wait_for(
        lambda: [m for m in outbox.messages() if m["message_id"] not in seen and "Recuperação" in m["subject"]]
    )[0]
    seen.add(fresh["message_id"])
    return link_token(fresh)


def test_only_the_newest_reset_link_works_and_none_after_a_password_change(make_api: Any, demo: dict[str, Any]) -> None:
    from local import outbox

    seen = {m["message_id"] for m in outbox.messages()}
    first = _recovery_link(make_api, "ana.silva", seen)
    second = _recovery_link(make_api, "ana.silva", seen)
    older = make_api().call("POST", "/api/password/reset", {"token": first, "new_password": "uma frase nova qualquer"})
    assert older.status_code == 422 and "mais recente" in older.data["error"]["message"]
    third = _recovery_link(make_api, "ana.silva", seen)
    api = logged_in(make_api, "ana.silva", demo["password"])
    changed = api.call(
        "POST", "/api/account/password", {"current_password": demo["password"], "new_password": "frase nova e comprida"}
    )
    assert changed.status_code == 200
    stale = make_api().call("POST", "/api/password/reset", {"token": third, "new_password": "outra frase comprida"})
    assert stale.status_code == 422 and stale.data["error"]["field"] == "token"
    assert second != third
    logged_in(make_api, "ana.silva", "frase nova e comprida")


def test_a_pending_email_change_dies_with_a_new_password_and_the_old_address_is_told_at_once(
    make_api: Any, demo: dict[str, Any]
) -> None:
    api = logged_in(make_api, "ana.silva", demo["password"])
    asked = api.call("POST", "/api/account/email", {"password": demo["password"], "new_email": "intruso@example.pt"})
    assert asked.status_code == 202
    notice = latest("ana.silva@example.pt", "Pedido de alteração do email")
    assert "i***@example.pt" in notice["body"] and "intruso@example.pt" not in notice["body"]
    token = link_token(latest("intruso@example.pt", "Confirme o seu novo endereço"))
    api.call(
        "POST", "/api/account/password", {"current_password": demo["password"], "new_password": "frase nova e comprida"}
    )
    late = make_api().call("POST", "/api/account/email/confirmation", {"token": token})
    assert late.status_code == 422 and late.data["error"]["field"] == "token"
    assert api.call("GET", "/api/me").data["user"]["email"] == "ana.silva@example.pt"
