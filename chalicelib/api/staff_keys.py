"""Routes for staff members' API keys, which let scripts call the approval API without a browser."""

from __future__ import annotations

from typing import Any

from chalicelib.api.common import Routes
from chalicelib.api.http import json_response

routes = Routes(__name__)


def _keys() -> Any:
    from chalicelib.accounts.staff_auth import ApiKeys

    return ApiKeys()


@routes.route("/api/staff/api-keys", methods=["POST"])
@routes.api
def create_api_key() -> Any:
    """Staff, logged in with password and code (not with another key): a new personal API key,
    ``read`` (GET only) or ``act`` (never an auditor's), expiring in 1-90 days; its owner is emailed.
    Its secret (``api_key``) is shown in this answer only; send it as ``Authorization: Bearer <api_key>``."""
    session = routes.staff()
    body = routes.body("NewApiKey")
    return json_response(_keys().create(session, body.label, body.scope, body.expires_in_days, routes.ip()), status=201)


@routes.route("/api/staff/api-keys", methods=["GET"])
@routes.api
def list_api_keys() -> Any:
    """Staff: my API keys, newest first, without their secrets (when created, last used, revoked)."""
    session = routes.staff()
    keys = _keys()
    return json_response({"api_keys": [keys.public(k) for k in keys.list_for(session.user_id)]})


@routes.route("/api/staff/api-keys/{key_id}", methods=["DELETE"])
@routes.api
def revoke_api_key(key_id: str) -> Any:
    """Staff: revoke one of my API keys (administrators: also a colleague's of their organ); it stops
    working at once."""
    session = routes.staff()
    return json_response(_keys().revoke(key_id, session, routes.ip()))
