"""What every route module uses: lazy domain getters, the caller's session, the parsed body."""

from __future__ import annotations

from typing import Any

from chalice import Blueprint

from chalicelib.http import check_csrf, handles_errors, parse_body, session_credentials, source_ip


class Routes(Blueprint):
    """A blueprint whose views map domain errors to 4xx responses (``@routes.api``) and which knows
    who is calling."""

    @property
    def api(self) -> Any:
        return handles_errors(self)

    def headers(self) -> Any:
        return self.current_request.headers

    def ip(self) -> str | None:
        return source_ip(self.current_request)

    def body(self, model_name: str) -> Any:
        from chalicelib import api_models

        return parse_body(self.current_request.raw_body, getattr(api_models, model_name))

    def caller(self, scopes: tuple[str, ...] = ("full",)) -> Any:
        """The caller's session; a 401 without a valid one, a 403 when it is a narrower session
        (registration awaiting validation, first-login code) than ``scopes`` allow, or when a
        state-changing request rides on the cookie without the CSRF header."""
        token, from_cookie = session_credentials(self.headers())
        if from_cookie:
            check_csrf(self.current_request)
        return sessions().resolve(token, scopes)

    def staff(self) -> Any:
        """The caller's session, which must be a staff member's (403 otherwise)."""
        from chalicelib.errors import Forbidden

        session = self.caller()
        if session.kind != "staff":
            raise Forbidden("Área reservada aos serviços municipais.")
        return session

    def actor(self, session: Any) -> Any:
        from chalicelib.audit import Actor

        return Actor(session.user_id, self.ip())


# Lazy getters: nothing touches AWS, pydantic or argon2 before a request needs it.
def accounts() -> Any:
    from chalicelib.accounts import Accounts

    return Accounts()


def sessions() -> Any:
    from chalicelib.accounts import Sessions

    return Sessions()


def registrations() -> Any:
    from chalicelib.registrations import Registrations

    return Registrations()


def account_settings() -> Any:
    from chalicelib.account_settings import AccountSettings

    return AccountSettings()


def processes() -> Any:
    from chalicelib.processes import Processes

    return Processes()
