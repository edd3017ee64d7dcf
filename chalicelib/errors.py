"""Domain exceptions. Domain code raises these; ``chalicelib.http`` turns them, in one place, into a
4xx response ``{"error": {"code", "message", "field"}}``. Messages are pt-PT, for the user to act on."""

from __future__ import annotations


class DomainError(Exception):
    status = 400
    code = "pedido_invalido"

    def __init__(self, message: str, field: str | None = None, current: dict | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        self.current = current  # the state that refused the action (a 409 shows it), if known

    def to_body(self) -> dict:
        body = {"error": {"code": self.code, "message": self.message, "field": self.field}}
        if self.current is not None:
            body["error"]["current"] = self.current
        return body


class BadRequest(DomainError):
    status = 400
    code = "pedido_invalido"


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
    status = 422
    code = "dados_invalidos"


class TooManyRequests(DomainError):
    status = 429
    code = "demasiados_pedidos"


class DocumentRejected(DomainError):
    """Inspection refused a file; the reason is shown to the uploader."""

    status = 422
    code = "documento_rejeitado"
