"""The edge between HTTP and the domain: JSON bodies parsed into pydantic models, domain errors mapped
to 4xx responses in one place, the session cookie, and the caller's address for the audit trail."""

from __future__ import annotations

import functools
import json
import uuid
from collections.abc import Callable
from typing import Any, TypeVar

from chalice import Response

from chalicelib.kernel.errors import DomainError, NotFound, ValidationFailed
from chalicelib.kernel.log import bind_request, logger

SESSION_COOKIE = "balcao_session"
DEVICE_COOKIE = "balcao_device"
JSON_HEADERS = {"Content-Type": "application/json; charset=utf-8", "Cache-Control": "no-store"}

M = TypeVar("M")

# pydantic's error types in the words a citizen reads (pt-PT).
_MESSAGES = {
    "missing": "Campo obrigatório.",
    "extra_forbidden": "Campo desconhecido.",
    "string_type": "Deve ser texto.",
    "string_too_short": "Texto demasiado curto.",
    "string_too_long": "Texto demasiado longo.",
    "int_type": "Deve ser um número inteiro.",
    "int_parsing": "Deve ser um número inteiro.",
    "bool_type": "Deve ser verdadeiro ou falso.",
    "literal_error": "Valor não permitido.",
    "enum": "Valor não permitido.",
    "dict_type": "Deve ser um objeto JSON.",
    "model_type": "Deve ser um objeto JSON.",
    "greater_than": "Valor demasiado baixo.",
    "greater_than_equal": "Valor demasiado baixo.",
    "less_than_equal": "Valor demasiado alto.",
    "string_pattern_mismatch": "Formato inválido.",
    "bool_parsing": "Deve ser verdadeiro ou falso.",
    "float_type": "Deve ser um número.",
    "float_parsing": "Deve ser um número.",
    "decimal_type": "Deve ser um número.",
    "decimal_parsing": "Deve ser um número.",
    "decimal_max_places": "No máximo duas casas decimais.",
    "int_from_float": "Deve ser um número inteiro.",
    "list_type": "Deve ser uma lista.",
    "less_than": "Valor demasiado alto.",
    "too_long": "Demasiados elementos.",
}


def _plain(value: Any) -> Any:
    """DynamoDB gives numbers as Decimal: whole ones become int, the rest float."""
    from decimal import Decimal

    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return str(value)


def json_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(
        body=json.dumps(body, ensure_ascii=False, default=_plain),
        status_code=status,
        headers={**JSON_HEADERS, **(headers or {})},
    )


def error_response(error: DomainError) -> Response:
    retry_after = getattr(error, "retry_after", None)
    headers = {"Retry-After": str(retry_after)} if retry_after else None
    return json_response(error.to_body(), status=error.status, headers=headers)


def internal_error(request_id: str) -> Response:
    """What an unexpected failure answers: the request's id (in the logs with the details), nothing else."""
    body = {
        "error": {
            "code": "erro_interno",
            "message": f"Ocorreu um erro inesperado. Tente de novo; se persistir, indique o código {request_id}.",
            "field": None,
            "request_id": request_id,
        }
    }
    return json_response(body, status=500, headers={"X-Request-Id": request_id})


def unavailable(request_id: str) -> Response:
    """A storage or workflow call that failed for now (throttled, a 5xx): 503, to retry in a moment."""
    body = {
        "error": {
            "code": "indisponivel",
            "message": "O serviço está momentaneamente indisponível. Tente de novo dentro de momentos.",
            "field": None,
            "request_id": request_id,
        }
    }
    return json_response(body, status=503, headers={"X-Request-Id": request_id, "Retry-After": "5"})


def parse_body(raw_body: bytes | str | None, model: type[M]) -> M:
    """Parse a JSON body into ``model`` (which forbids unknown fields), or raise ValidationFailed
    naming every field in error."""
    from pydantic import ValidationError

    try:
        data = json.loads(raw_body or b"")
    except (ValueError, UnicodeDecodeError):
        raise ValidationFailed("O corpo do pedido não é JSON válido.") from None
    except RecursionError:  # thousands of nested brackets
        raise ValidationFailed("O corpo do pedido tem demasiados níveis de objetos ou listas.") from None
    if not isinstance(data, dict):
        raise ValidationFailed("O corpo do pedido deve ser um objeto JSON.")
    check_json_text(data)
    try:
        return model.model_validate(data)  # type: ignore[attr-defined]
    except ValidationError as exc:
        raise ValidationFailed(errors=pydantic_problems(exc)) from None


# Objects or lists within one another, at most (DynamoDB stores 32; no form of ours needs more than 4).
MAX_JSON_DEPTH = 16


def check_json_text(data: Any) -> None:
    """What JSON lets through and neither DynamoDB nor a PDF can hold, refused naming the field: a
    lone UTF-16 surrogate (``"\\ud800"``, text that is not Unicode) in a key or a value, or values
    nested deeper than ``MAX_JSON_DEPTH``."""
    pending: list[tuple[Any, str, int]] = [(data, "", 0)]
    while pending:
        value, path, depth = pending.pop()
        if depth > MAX_JSON_DEPTH:
            raise ValidationFailed("Demasiados níveis de objetos ou listas.", field=path or None)
        if isinstance(value, str):
            if not _is_unicode(value):
                raise ValidationFailed("O texto tem um carácter inválido (não é Unicode).", field=path or None)
        elif isinstance(value, dict):
            for key, item in value.items():
                where = f"{path}.{key}" if path else str(key)
                if not _is_unicode(str(key)):
                    raise ValidationFailed("Um nome de campo tem um carácter inválido.", field=path or None)
                pending.append((item, where, depth + 1))
        elif isinstance(value, list):
            pending.extend((item, f"{path}.{index}", depth + 1) for index, item in enumerate(value))


def _is_unicode(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def pydantic_problems(exc: Any, prefix: str = "") -> list[tuple[str | None, str]]:
    """Every error of a pydantic ValidationError as (field path, pt-PT message)."""
    problems: list[tuple[str | None, str]] = []
    for error in exc.errors():
        # a model validator's error has no location of its own: its message says "campo: ..."
        loc = [str(part) for part in error["loc"] if not str(part).startswith("function-")]
        field = prefix + ".".join(loc) if loc else (prefix.rstrip(".") or None)
        ctx = error.get("ctx", {})
        # pydantic's own English text never reaches the user: only our validators' messages (value_error)
        message = ctx.get("reason") or _MESSAGES.get(error["type"]) or "Valor inválido."
        if error["type"] == "value_error":
            message = str(ctx.get("error") or error["msg"]).removeprefix("Value error, ")
        problems.append((field or None, str(message)))
    return problems


def session_token(headers: dict[str, str]) -> str | None:
    """The session token from the HttpOnly cookie, or from ``Authorization: Bearer`` (scripts)."""
    return session_credentials(headers)[0]


def session_credentials(headers: dict[str, str]) -> tuple[str | None, bool]:
    """The session token and whether it came from the cookie (which a browser adds by itself)."""
    auth = headers.get("authorization", "")
    if auth.lower().startswith("bearer "):
        return auth[7:].strip() or None, False
    token = cookie_value(headers, SESSION_COOKIE)
    return token, token is not None


def cookie_value(headers: dict[str, str], cookie: str) -> str | None:
    for part in headers.get("cookie", "").split(";"):
        name, _, value = part.strip().partition("=")
        if name == cookie and value:
            return value
    return None


# CSRF: a state-changing request authenticated by the session cookie must carry this header. A page
# of another site cannot add a custom header to a cross-origin request without a CORS preflight,
# which this API never grants; when the browser says where the request comes from (Origin), that
# must be this site too. SameSite=Strict on the cookie is a second, independent guard. Requests
# authenticated by ``Authorization: Bearer`` are not CSRF-able and need neither.
CSRF_HEADER = "X-Balcao-CSRF"
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


def check_csrf(request: Any) -> None:
    from urllib.parse import urlsplit

    from chalicelib.kernel.errors import Forbidden
    from chalicelib.kernel.settings import get_settings

    if request.method in SAFE_METHODS:
        return
    headers = request.headers
    if headers.get(CSRF_HEADER.lower(), "") != "1":
        raise Forbidden(f"Pedido recusado: falta o cabeçalho {CSRF_HEADER}: 1 (proteção contra pedidos forjados).")
    origin = headers.get("origin")
    if origin and origin != "null":
        allowed = {urlsplit(get_settings().public_base_url).netloc, headers.get("host", "")}
        if urlsplit(origin).netloc not in allowed:
            raise Forbidden("Pedido recusado: vem de outro sítio (proteção contra pedidos forjados).")
    elif origin == "null":
        raise Forbidden("Pedido recusado: vem de outro sítio (proteção contra pedidos forjados).")


def session_cookie(token: str, max_age: int) -> str:
    return f"{SESSION_COOKIE}={token}; Path=/; Max-Age={max_age}; HttpOnly; Secure; SameSite=Strict"


def device_cookie(token: str) -> str:
    """The known-device cookie (``Devices``): sent only to the login routes."""
    return f"{DEVICE_COOKIE}={token}; Path=/api; Max-Age={180 * 24 * 3600}; HttpOnly; Secure; SameSite=Strict"


def expired_session_cookie() -> str:
    return f"{SESSION_COOKIE}=; Path=/; Max-Age=0; HttpOnly; Secure; SameSite=Strict"


ORIGIN_HEADER = "x-balcao-origin"  # CloudFront adds it to origin requests, with the secret
VIEWER_ADDRESS_HEADER = "x-balcao-viewer-address"  # CloudFront's viewer-request function sets it


def through_cloudfront(request: Any) -> bool:
    """The request carries the secret CloudFront adds (settings.origin_secret), compared in constant time."""
    import hmac

    from chalicelib.kernel.settings import get_settings

    secret = get_settings().origin_secret
    given = (request.headers or {}).get(ORIGIN_HEADER, "")
    return secret is not None and hmac.compare_digest(given.encode(), secret.get_secret_value().encode())


def source_ip(request: Any) -> str | None:
    """The client's address: behind CloudFront (the secret present) the viewer's, as CloudFront's
    function wrote it; otherwise the connection's. A viewer address without the secret is ignored."""
    import ipaddress

    connection = (request.context or {}).get("identity", {}).get("sourceIp")
    if not through_cloudfront(request):
        return connection
    try:
        return str(ipaddress.ip_address((request.headers or {}).get(VIEWER_ADDRESS_HEADER, "").strip()))
    except ValueError:
        return connection


def origin_guard(event: Any, get_response: Callable[[Any], Any]) -> Any:
    """Chalice HTTP middleware: with an origin secret set, only requests CloudFront forwarded are
    answered; a call straight to the execute-api address gets 403."""
    from chalicelib.kernel.errors import Forbidden
    from chalicelib.kernel.settings import get_settings

    if get_settings().origin_secret is not None and not through_cloudfront(event):
        return error_response(Forbidden("Pedido recusado: use o endereço do balcão, não o endereço direto da API."))
    return get_response(event)


def _audit_refusal(request: Any, error: DomainError) -> None:
    """A logged-in caller refused (403) leaves an audit event on their account: who tried what."""
    session = getattr(request, "_balcao_session", None)
    if session is None:
        return
    from chalicelib.platform.audit import Actor, AuditTrail

    try:
        AuditTrail().record(
            Actor(session.user_id, source_ip(request)),
            "access.refused",
            f"user#{session.user_id}",
            method=request.method,
            route=(request.context or {}).get("resourcePath"),
            message=error.message,
        )
    except Exception:  # noqa: BLE001 - the refusal stands even if its audit event cannot be written
        logger.exception("refusal not audited")


def handles_errors(app: Any) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Wrap a view: bind the request id to the logs, turn DomainError into its 4xx response."""

    def decorator(view: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            request = app.current_request
            context = (request.context or {}) if request else {}
            request_id = context.get("requestId") or str(uuid.uuid4())
            bind_request(request_id, route=context.get("resourcePath"))
            try:
                for name, value in kwargs.items():
                    # an empty path segment (``/api/requests//receipt``) names nothing: never a key lookup
                    if isinstance(value, str) and not value.strip():
                        raise NotFound("Não encontrado: falta o identificador no endereço.", field=name)
                return view(*args, **kwargs)
            except DomainError as error:
                logger.info("request refused", extra={"status": error.status, "code": error.code, "field": error.field})
                if error.status == 403:
                    _audit_refusal(request, error)
                return error_response(error)
            except Exception as error:  # noqa: BLE001 - the catch-all: a 500 that names the request, never the internals
                logger.exception("request failed")
                from chalicelib.platform.errors import is_transient

                if is_transient(error):  # AWS busy or briefly down: nothing was changed, try again
                    return unavailable(request_id)
                return internal_error(request_id)

        return wrapped

    return decorator
