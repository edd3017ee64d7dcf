"""Routes for logging in and out, citizens and staff."""

from __future__ import annotations

from typing import Any

from chalicelib.api.common import Routes, accounts, sessions
from chalicelib.http import expired_session_cookie, json_response, session_cookie, session_token

routes = Routes(__name__)


def _login(kind: str) -> Any:
    body = routes.body("Login")
    user = accounts().authenticate(body.identifier, body.password, kind=kind)
    token, lifetime = sessions().start(user, routes.ip())
    return json_response({"user": user.public()}, headers={"Set-Cookie": session_cookie(token, lifetime)})


@routes.route("/api/session", methods=["POST"])
@routes.api
def citizen_login() -> Any:
    """Anyone: a citizen or company logs in with identity number, username or email + password."""
    return _login("citizen")


@routes.route("/api/staff/session", methods=["POST"])
@routes.api
def staff_login() -> Any:
    """Anyone: staff log in with username or email + password."""
    return _login("staff")


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
