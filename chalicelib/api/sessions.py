"""Routes for logging in and out, citizens and staff."""

from __future__ import annotations

from typing import Any

from chalicelib.api.common import Routes, accounts, sessions
from chalicelib.http import expired_session_cookie, json_response, session_cookie, session_token

routes = Routes(__name__)


def _session_for(user: Any) -> Any:
    token, lifetime = sessions().start(user, routes.ip())
    return json_response({"user": user.public()}, headers={"Set-Cookie": session_cookie(token, lifetime)})


@routes.route("/api/session", methods=["POST"])
@routes.api
def citizen_login() -> Any:
    """Anyone: a citizen or company logs in with identity number, username or email + password."""
    body = routes.body("Login")
    return _session_for(accounts().authenticate(body.identifier, body.password, kind="citizen"))


@routes.route("/api/staff/session", methods=["POST"])
@routes.api
def staff_login() -> Any:
    """Anyone: the first step of a staff login: username or email + password. Answers 202 with a
    ``challenge_id`` and emails a one-time code; the session starts at ``/api/staff/session/code``."""
    from chalicelib.staff_auth import LoginCodes, mask_email

    body = routes.body("Login")
    user = accounts().authenticate(body.identifier, body.password, kind="staff")
    challenge_id, _code = LoginCodes().issue(user, routes.ip())
    return json_response({"challenge_id": challenge_id, "code_sent_to": mask_email(user.email)}, status=202)


@routes.route("/api/staff/session/code", methods=["POST"])
@routes.api
def staff_login_code() -> Any:
    """Anyone: the second step of a staff login: the challenge and the emailed code (6 digits, 10
    minutes, single use, 5 tries). Starts the staff session (cookie, as for citizens)."""
    from chalicelib.errors import NotAuthenticated
    from chalicelib.staff_auth import LoginCodes

    body = routes.body("LoginCode")
    user = accounts().get(LoginCodes().verify(body.challenge_id, body.code, routes.ip()))
    if user is None or user.status != "ativo":
        raise NotAuthenticated("Esta conta não está ativa.", field="challenge_id")
    return _session_for(user)


@routes.route("/api/session", methods=["DELETE"])
@routes.api
def logout() -> Any:
    """Anyone: ends the caller's session, if any."""
    sessions().end(session_token(routes.headers()), routes.ip())
    return json_response({"ended": True}, headers={"Set-Cookie": expired_session_cookie()})


@routes.route("/api/me", methods=["GET"])
@routes.api
def me() -> Any:
    """Any logged-in user: who am I."""
    session = routes.caller()
    user = accounts().get(session.user_id)
    return json_response({"user": user.public() if user else None, "session_expires_at": session.expires_at})
