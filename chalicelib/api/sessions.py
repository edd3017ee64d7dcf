"""Routes for logging in and out, citizens and staff."""

from __future__ import annotations

from typing import Any

from chalicelib.api.common import Routes, accounts, authentication, sessions
from chalicelib.api.http import (
    DEVICE_COOKIE,
    check_csrf,
    cookie_value,
    device_cookie,
    expired_session_cookie,
    json_response,
    session_cookie,
    session_credentials,
)

routes = Routes(__name__)

# What the holder of a narrower session does next (the web form shows the matching page).
NEXT_STEP = {"full": None, "registration": "acompanhar_registo", "code": "codigo_de_confirmacao"}


def _end_presented_session() -> None:
    """A login ends the session the request came with, whoever's it was: one browser, one session."""
    from chalicelib.accounts.staff_auth import API_KEY_PREFIX

    token, _from_cookie = session_credentials(routes.headers())
    if token and not token.startswith(API_KEY_PREFIX):
        sessions().end(token, routes.ip())


def _device() -> str | None:
    return cookie_value(routes.headers(), DEVICE_COOKIE)


def _cookies(user: Any, token: str, lifetime: int) -> dict[str, Any]:
    """The new session's cookie, and a device cookie for a browser that had none of this account."""
    new_device = authentication().remember_device(user, _device())
    cookies = [session_cookie(token, lifetime)] + ([device_cookie(new_device)] if new_device else [])
    return {"Set-Cookie": cookies if len(cookies) > 1 else cookies[0]}


def _login(kind: str) -> Any:
    body = routes.body("Login")
    user = authentication().authenticate(
        body.identifier, body.password, kind=kind, source_ip=routes.ip(), device=_device()
    )
    scope = user.session_scope()
    _end_presented_session()
    token, lifetime = sessions().start(
        user, routes.ip(), scope=scope, user_agent=routes.user_agent()
    )  # a new token at every login
    answer: dict[str, Any] = {"user": user.public(), "scope": scope, "next": NEXT_STEP[scope]}
    if scope == "code":
        from chalicelib.accounts.profile import AccountSettings

        answer["channels"] = AccountSettings.channels(user)
    return json_response(answer, headers=_cookies(user, token, lifetime))


@routes.route("/api/session", methods=["POST"])
@routes.api
def citizen_login() -> Any:
    """Anyone: a citizen or company logs in with identity number, username or email + password.
    Until the registration is validated the session only follows it; at the first login after
    activation it only asks for the confirmation code (``scope``, ``next``)."""
    from chalicelib.kernel.roles import CITIZEN

    return _login(CITIZEN)


@routes.route("/api/staff/session", methods=["POST"])
@routes.api
def staff_login() -> Any:
    """Anyone: the first step of a staff login: username or email + password. Answers 202 with a
    ``challenge_id`` and the ``factor`` that answers it at ``/api/staff/session/code``: ``totp``, the
    code of the authenticator app (or a recovery code); at the first login, ``email``: a one-time
    code is emailed (``code_sent_to``), which opens only the app's set-up. At most 10 challenges per
    account in 15 minutes."""
    from chalicelib.accounts.staff_auth import LoginCodes
    from chalicelib.kernel.roles import STAFF

    body = routes.body("Login")
    user = authentication().authenticate(
        body.identifier, body.password, kind=STAFF, source_ip=routes.ip(), device=_device()
    )
    user.session_scope()  # a locked account is refused here, before any code is sent
    return json_response(LoginCodes().issue(user, routes.ip()), status=202)


@routes.route("/api/staff/session/code", methods=["POST"])
@routes.api
def staff_login_code() -> Any:
    """Anyone: the second step of a staff login: the challenge and the code of the authenticator app
    (each used once), a recovery code (``abcd-efgh-ijkl``, each used once), or at the first login the
    emailed code (6 digits, 10 minutes, single use, 5 tries). Starts the staff session (cookie, as for
    citizens): a full one, or after the emailed code one that only sets the app up
    (``scope``: ``enrolment``, ``next``: ``POST /api/staff/second-factor``)."""
    from chalicelib.accounts.staff_auth import FACTOR_EMAIL, LoginCodes
    from chalicelib.kernel.errors import NotAuthenticated
    from chalicelib.kernel.vocabulary import AccountStatus, SessionScope

    body = routes.body("LoginCode")
    user_id, factor = LoginCodes().verify(body.challenge_id, body.code, routes.ip())
    user = accounts().get(user_id)
    if user is None or user.status != AccountStatus.ACTIVE:
        raise NotAuthenticated("Esta conta não está ativa.", field="challenge_id")
    scope = SessionScope.ENROLMENT if factor == FACTOR_EMAIL else SessionScope.FULL
    _end_presented_session()
    token, lifetime = sessions().start(user, routes.ip(), scope=scope, user_agent=routes.user_agent())
    answer = {
        "user": user.public(),
        "scope": scope,
        "factor": factor,
        "next": "POST /api/staff/second-factor" if scope == SessionScope.ENROLMENT else None,
    }
    return json_response(answer, headers=_cookies(user, token, lifetime))


@routes.route("/api/staff/second-factor", methods=["POST"])
@routes.api
def staff_second_factor() -> Any:
    """Staff at their first login (the session the emailed code opened): a new secret for an
    authenticator app (TOTP, 30 s, 6 digits), as text and as the ``otpauth://`` address of a QR code."""
    from chalicelib.accounts.second_factor import SecondFactor

    session = routes.caller(scopes=("enrolment",))
    return json_response(SecondFactor().begin(session.user_id, routes.ip()), status=201)


@routes.route("/api/staff/second-factor/confirmation", methods=["POST"])
@routes.api
def staff_second_factor_confirmation() -> Any:
    """Staff at their first login: the app's current code confirms it; the answer carries ten
    single-use recovery codes (shown only now: keep them apart from the phone) and a full session."""
    from chalicelib.accounts.second_factor import SecondFactor
    from chalicelib.api.http import session_token

    session = routes.caller(scopes=("enrolment",))
    codes = SecondFactor().confirm(session.user_id, routes.body("Code").code, routes.ip())
    sessions().end(session_token(routes.headers()), routes.ip())
    user = accounts().get(session.user_id)
    token, lifetime = sessions().start(user, routes.ip(), user_agent=routes.user_agent())
    return json_response(
        {"user": user.public(), "scope": "full", "recovery_codes": codes}, headers=_cookies(user, token, lifetime)
    )


@routes.route("/api/session", methods=["DELETE"])
@routes.api
def logout() -> Any:
    """Anyone: ends the caller's session, if any (with the CSRF header when the cookie carries it)."""
    token, from_cookie = session_credentials(routes.headers())
    if from_cookie:
        check_csrf(routes.current_request)
    sessions().end(token, routes.ip())
    return json_response({"ended": True}, headers={"Set-Cookie": expired_session_cookie()})


@routes.route("/api/me", methods=["GET"])
@routes.api
def me() -> Any:
    """Any logged-in user, whatever the session's scope: who am I, and what the session allows."""
    session = routes.caller(scopes=("full", "registration", "code", "enrolment"))
    user = session.account or accounts().get(session.user_id)  # read with the session, in its round trip
    return json_response(
        {"user": user.public() if user else None, "session_expires_at": session.expires_at, "scope": session.scope}
    )
