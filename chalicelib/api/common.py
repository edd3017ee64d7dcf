"""What every route module uses: lazy domain getters, the caller's session, the parsed body, query
parameters, and idempotency keys for actions."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from chalice import Blueprint

from chalicelib.api.http import SAFE_METHODS, check_csrf, handles_errors, parse_body, session_credentials, source_ip


class Routes(Blueprint):
    """A blueprint whose views map domain errors to 4xx responses (``@routes.api``) and which knows
    who is calling. The OpenAPI document (``chalicelib/api/openapi.py``) is built from these views: their
    docstrings, the model named in ``routes.body("Model")`` and the names in ``routes.query("name")``."""

    @property
    def api(self) -> Any:
        return handles_errors(self)

    def headers(self) -> Any:
        return self.current_request.headers

    def ip(self) -> str | None:
        return source_ip(self.current_request)

    def user_agent(self) -> str | None:
        return self.headers().get("user-agent")

    def body(self, model_name: str) -> Any:
        from chalicelib.api import models as api_models

        return parse_body(self.current_request.raw_body, getattr(api_models, model_name))

    def query(self, name: str) -> str | None:
        """A query-string parameter (its last value), or None."""
        return (self.current_request.query_params or {}).get(name)

    def caller(self, scopes: tuple[str, ...] = ("full",)) -> Any:
        """The caller's session (resolved once per request): a session token (cookie or bearer) or a
        staff API key (``Authorization: Bearer bk_...``); a 401 without a valid one, a 403 when it is
        a narrower session (registration awaiting validation, first-login code) than ``scopes``
        allow, or when a state-changing request rides on the cookie without the CSRF header."""
        from chalicelib.accounts.sessions import ALL_SCOPES, require_scope

        request = self.current_request
        session = getattr(request, "_balcao_session", None)
        if session is None:
            from chalicelib.accounts.staff_auth import API_KEY_PREFIX, ApiKeys

            token, from_cookie = session_credentials(self.headers())
            if from_cookie:
                check_csrf(request)
            if token and not from_cookie and token.startswith(API_KEY_PREFIX):
                session = ApiKeys().resolve(token)
            else:
                session = sessions().resolve(token, ALL_SCOPES, also=self._read_with_session(token))
            request._balcao_session = session
        require_scope(session.scope, scopes, session.account_status)
        if session.read_only and request.method not in SAFE_METHODS:
            from chalicelib.kernel.errors import Forbidden

            raise Forbidden("Esta chave de API só permite consultas: crie uma chave «act» para ações.")
        return session

    def holder(self, scopes: tuple[str, ...] = ("full",)) -> Any:
        """The caller's session, which must be the account holder's own (their cookie or session
        token), never an API key: a script works in the approval API; it does not change its owner's
        password, email or phone, nor list or end their sessions (403)."""
        from chalicelib.accounts.staff_auth import API_KEY_SESSION_PREFIX
        from chalicelib.kernel.errors import Forbidden

        session = self.caller(scopes)
        if session.token_hash.startswith(API_KEY_SESSION_PREFIX):
            raise Forbidden("Uma chave de API não serve para gerir a conta: inicie sessão com palavra-passe e código.")
        return session

    def _read_with_session(self, token: str | None) -> list[tuple[Any, dict[str, Any], bool]]:
        """What a read of one process or one account (``GET .../{process_id}...``, ``GET
        .../{user_id}...``) reads next, read in the session's round trip: the process item, the
        account item (``Processes.get``, ``Accounts.get_item`` take them from there when given the
        session), and for a released process the caller's own grant of it (the account the token
        names: the session is refused if it is not that account's). Only on reads: a write reads
        them again as it changes them."""
        from chalicelib.accounts.sessions import named_account
        from chalicelib.platform import aws

        request = self.current_request
        if request.method not in SAFE_METHODS:
            return []
        params = {name: value for name, value in (request.uri_params or {}).items() if value and value.strip()}
        also = []
        if "process_id" in params:
            also.append((processes().table, {"process_id": params["process_id"]}, False))
            released = (request.context or {}).get("resourcePath", "").startswith("/api/released-processes/")
            named = named_account(token or "") if released else None
            if named:
                grant = {"grantee_id": named, "process_id": params["process_id"]}
                also.append((aws.table("view_grants"), grant, False))
        if "user_id" in params:
            also.append((accounts().table, {"pk": f"USER#{params['user_id']}"}, True))
        return also

    def staff(self) -> Any:
        """The caller's session, which must be a staff member's (403 otherwise)."""
        from chalicelib.kernel.errors import Forbidden
        from chalicelib.kernel.roles import STAFF

        session = self.caller()
        if session.kind != STAFF:
            raise Forbidden("Área reservada aos serviços municipais.")
        return session

    def actor(self, session: Any) -> Any:
        from chalicelib.platform.audit import Actor

        return Actor(session.user_id, self.ip())

    @property
    def idempotent(self) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        """Wrap an action (under ``@routes.api``) so that an ``Idempotency-Key`` header makes retries
        safe: same caller, route and key → the first response again; another body → 422."""

        def decorator(view: Callable[..., Any]) -> Callable[..., Any]:
            @functools.wraps(view)
            def wrapped(*args: Any, **kwargs: Any) -> Any:
                from chalicelib.api.idempotency import HEADER

                key = self.headers().get(HEADER.lower())
                if key is None:
                    return view(*args, **kwargs)
                return _run_idempotently(self, view, key, args, kwargs)

            wrapped.idempotent = True  # type: ignore[attr-defined]  # read by the OpenAPI builder
            return wrapped

        return decorator


def _run_idempotently(routes: Routes, view: Callable[..., Any], key: str, args: Any, kwargs: Any) -> Any:
    from chalice import Response

    from chalicelib.api.idempotency import Idempotency, StoredResponse, body_hash

    request = routes.current_request
    session = routes.caller()  # who asks comes first: an anonymous call never reaches the store
    route = f"{request.method} {request.context.get('resourcePath', '')} {sorted((request.uri_params or {}).items())}"
    store = Idempotency()
    record_key = store.record_key(key, session.user_id, route)
    stored = store.begin(record_key, body_hash(request.raw_body))
    if stored is not None:
        return Response(
            body=stored.body, status_code=stored.status, headers={**stored.headers, "Idempotent-Replayed": "true"}
        )
    try:
        response = view(*args, **kwargs)
    except BaseException:
        store.abandon(record_key)
        raise
    if 200 <= response.status_code < 300:
        headers = {k: v for k, v in (response.headers or {}).items() if k.lower() != "set-cookie"}
        store.complete(record_key, StoredResponse(response.status_code, response.body, headers))
    else:
        store.abandon(record_key)
    return response


# Lazy getters: nothing touches AWS, pydantic or argon2 before a request needs it.
def accounts() -> Any:
    from chalicelib.accounts.users import Accounts

    return Accounts()


def authentication() -> Any:
    from chalicelib.accounts.authentication import Authentication

    return Authentication()


def sessions() -> Any:
    from chalicelib.accounts.sessions import Sessions

    return Sessions()


def registrations() -> Any:
    from chalicelib.accounts.registration import Registrations

    return Registrations()


def validations() -> Any:
    from chalicelib.accounts.validation import RegistrationValidation

    return RegistrationValidation()


def account_settings() -> Any:
    from chalicelib.accounts.profile import AccountSettings

    return AccountSettings()


def processes() -> Any:
    from chalicelib.processes.table import Processes

    return Processes()


def drafts() -> Any:
    from chalicelib.processes.drafts import Drafts

    return Drafts()


def views() -> Any:
    from chalicelib.views.process_view import ProcessViews

    return ProcessViews()


def data_access() -> Any:
    from chalicelib.processes.data_access import DataAccessLog

    return DataAccessLog()


def documents() -> Any:
    from chalicelib.documents.store import Documents

    return Documents()
