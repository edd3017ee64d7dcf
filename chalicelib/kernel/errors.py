"""Domain exceptions. Domain code raises these; ``chalicelib.api.http`` turns them, in one place, into a
4xx response ``{"error": {"code", "message", "field"}, "errors": [{"field", "message"}, ...]}``:
``error`` is the first problem (what older clients read), ``errors`` all of them, so that a form can
mark every field at once. Messages are pt-PT, for the user to act on."""

from __future__ import annotations


class DomainError(Exception):
    status = 400
    code = "pedido_invalido"

    def __init__(self, message: str, field: str | None = None, current: dict | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        self.current = current  # the state that refused the action (a 409 shows it), if known

    def problems(self) -> list[dict[str, str | None]]:
        return [{"field": self.field, "message": self.message}]

    def to_body(self) -> dict:
        body = {"error": {"code": self.code, "message": self.message, "field": self.field}, "errors": self.problems()}
        if self.current is not None:
            body["error"]["current"] = self.current
        return body


class NotAuthenticated(DomainError):
    status = 401
    code = "nao_autenticado"

    def __init__(self, message: str = "Inicie sessão para continuar.", field: str | None = None):
        super().__init__(message, field)


class Forbidden(DomainError):
    status = 403
    code = "sem_permissao"

    def __init__(self, message: str = "Não tem permissão para esta ação.", field: str | None = None):
        super().__init__(message, field)


class NotFound(DomainError):
    status = 404
    code = "nao_encontrado"


class Conflict(DomainError):
    """The thing exists but is not in a state that allows this now (e.g. already decided)."""

    status = 409
    code = "conflito"


class ValidationFailed(DomainError):
    """One or more fields in error. Raise it with ``errors=[(field, message), ...]`` to report every
    problem at once; ``message``/``field`` are then the first of them."""

    status = 422
    code = "dados_invalidos"

    def __init__(
        self, message: str | None = None, field: str | None = None, errors: list[tuple[str | None, str]] | None = None
    ):
        self.errors = list(errors or [])
        if message is None:
            if not self.errors:
                raise ValueError("ValidationFailed needs a message or errors")
            field, message = self.errors[0]
        elif not self.errors:
            self.errors = [(field, message)]
        super().__init__(message, field)

    def problems(self) -> list[dict[str, str | None]]:
        return [{"field": field, "message": message} for field, message in self.errors]


class Problems:
    """Collects field errors while a whole input is checked, then raises them together."""

    def __init__(self) -> None:
        self.errors: list[tuple[str | None, str]] = []

    def add(self, field: str | None, message: str) -> None:
        self.errors.append((field, message))

    def extend(self, error: ValidationFailed) -> None:
        self.errors.extend(error.errors)

    def __bool__(self) -> bool:
        return bool(self.errors)

    def raise_if_any(self) -> None:
        if self.errors:
            raise ValidationFailed(errors=self.errors)


class TooManyRequests(DomainError):
    status = 429
    code = "demasiados_pedidos"


class TemporaryFailure(Exception):
    """A workflow step failed for a reason that may pass (AWS throttled, a 5xx, a lost connection).
    A Lambda task raises it by this name, which the state machines retry (``ErrorEquals``), unlike
    any other error; never shown to a user."""
