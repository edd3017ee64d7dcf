"""The OpenAPI 3.1 document of the whole HTTP API, citizen and staff, served at ``/openapi.json``.

It is built from the app itself, so that it cannot drift from the routes: every route Chalice knows
becomes an operation; its view's docstring gives the summary, the description and who may call it
(the words before the first colon: "Anyone" means no login); the model named in ``routes.body("X")``
(or parsed as ``api_models.X``) gives the request body (its JSON Schema from pydantic,
``chalicelib/api/models.py``); the names in ``routes.query("x")`` give the query parameters (described
in ``QUERY_PARAMETERS``); ``@routes.idempotent`` (or a view reading ``idempotency-key``) adds the
``Idempotency-Key`` header; a view calling ``check_signature(`` is secured by the payment provider's
signature instead of a session. Documenting a new route means writing its docstring well.
"""

from __future__ import annotations

import inspect
import json
import re
import textwrap
from functools import lru_cache
from typing import Any

QUERY_PARAMETERS: dict[str, dict[str, Any]] = {
    "status": {"description": "Only processes in this status (e.g. `em_apreciacao`).", "schema": {"type": "string"}},
    "service_id": {"description": "Only processes of this service (e.g. `generico`).", "schema": {"type": "string"}},
    "limit": {
        "description": "Page size, 1 to 100 (default 25).",
        "schema": {"type": "integer", "minimum": 1, "maximum": 100, "default": 25},
    },
    "cursor": {
        "description": "The `next_cursor` of the previous page, with the same filters (opaque).",
        "schema": {"type": "string"},
    },
    "organ": {
        "description": "The organ whose queue to read (auditors; staff may only name their own).",
        "schema": {"type": "string"},
    },
    "citizen_id": {
        "description": "Staff: whose general thread with the organ to read (the citizen's `user_id`).",
        "schema": {"type": "string"},
    },
    "q": {
        "description": "Words to search for (accents and case ignored); every word must match.",
        "schema": {"type": "string", "maxLength": 200},
    },
}

_BODY = re.compile(r"routes\.body\(\s*[\"'](\w+)[\"']|api_models\.(\w+)")
_QUERY = re.compile(r"routes\.query\(\s*[\"'](\w+)[\"']")
_PATH_PARAM = re.compile(r"{(\w+)}")
_STATUS = re.compile(r"status=(2\d\d)\b")


def _source(view: Any) -> str:
    """The view's source and that of the module-level helpers it calls (query parameters are often
    read in a helper such as ``_limit()``)."""
    function = inspect.unwrap(view)
    source = inspect.getsource(function)
    module = inspect.getmodule(function)
    for name in re.findall(r"\b(_\w+)\(", source):
        helper = getattr(module, name, None)
        if inspect.isfunction(helper):
            source += inspect.getsource(helper)
    return source


def who_may_call(docstring: str) -> str:
    """The access rule a view's docstring opens with: the words before its first colon."""
    head, colon, _ = docstring.partition(":")
    return " ".join(head.split()) if colon else ""


def _operation(path: str, method: str, entry: Any, schemas: set[str]) -> dict[str, Any]:
    view = entry.view_function
    doc = inspect.getdoc(view) or ""
    source = _source(view)
    access = who_may_call(doc)
    first_sentence = " ".join(doc.split(". ")[0].split())
    operation: dict[str, Any] = {
        "operationId": entry.view_name,
        "tags": [view.__module__.rsplit(".", 1)[-1]],
        "summary": textwrap.shorten(first_sentence, 120, placeholder="…"),
        "description": doc,
        "x-access": access,
        "parameters": [
            {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
            for name in _PATH_PARAM.findall(path)
        ],
    }
    for name in dict.fromkeys(_QUERY.findall(source)):
        operation["parameters"].append(
            {
                "name": name,
                "in": "query",
                "required": False,
                **QUERY_PARAMETERS.get(name, {"schema": {"type": "string"}}),
            }
        )
    if getattr(view, "idempotent", False) or "idempotency-key" in source:
        # @routes.idempotent replays the stored response; a view reading the header itself (creating
        # a draft) gives back what the first request made, as its description says
        replay = (
            "A retry with the same key returns the first response (header `Idempotent-Replayed: true`); "
            "the same key with another body is a 422."
            if getattr(view, "idempotent", False)
            else "The same request again with the same key gives back what the first one made."
        )
        operation["parameters"].append(
            {
                "name": "Idempotency-Key",
                "in": "header",
                "required": False,
                "schema": {"type": "string", "maxLength": 255},
                "description": f"Any unique string (e.g. a UUID). {replay}",
            }
        )
        operation["x-idempotent"] = True
    body = _BODY.search(source)
    if body:
        model = body.group(1) or body.group(2)
        schemas.add(model)
        operation["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{model}"}}},
        }
    found = _STATUS.search(source)
    success = found.group(1) if found else "200"
    operation["responses"] = {
        success: {"description": "OK", "content": {"application/json": {"schema": {"type": "object"}}}},
        "4XX": {"$ref": "#/components/responses/Error"},
    }
    if "check_signature(" in source:  # the payment provider's callback: no session, a signed body
        operation["security"] = [{"signature": []}]
    elif access.lower().startswith("anyone"):
        operation["security"] = [{}]
    else:
        operation["security"] = [{"session": []}, {"bearer": []}]
    if not operation["parameters"]:
        del operation["parameters"]
    return operation


def _schemas(names: set[str]) -> dict[str, Any]:
    from chalicelib.api import models as api_models

    components: dict[str, Any] = {}
    for name in sorted(names):
        schema = getattr(api_models, name).model_json_schema(ref_template="#/components/schemas/{model}")
        components.update(schema.pop("$defs", {}))
        components[name] = schema
    return components


def build(app: Any) -> dict[str, Any]:
    schemas: set[str] = set()
    paths: dict[str, dict[str, Any]] = {}
    for path, methods in sorted(app.routes.items()):
        for method, entry in sorted(methods.items()):
            paths.setdefault(path, {})[method.lower()] = _operation(path, method, entry, schemas)
    components_schemas = _schemas(schemas)
    components_schemas["Error"] = {
        "type": "object",
        "required": ["error"],
        "properties": {
            "error": {
                "type": "object",
                "required": ["code", "message"],
                "properties": {
                    "code": {"type": "string", "examples": ["dados_invalidos"]},
                    "message": {"type": "string", "description": "pt-PT, for the user to act on"},
                    "field": {"type": ["string", "null"], "description": "the field in error, when there is one"},
                },
            },
            "errors": {
                "type": "array",
                "description": "every problem found (a form marks each field at once); `error` is the first",
                "items": {
                    "type": "object",
                    "required": ["message"],
                    "properties": {"field": {"type": ["string", "null"]}, "message": {"type": "string"}},
                },
            },
        },
    }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Balcão",
            "version": "1",
            "description": "The online one-stop counter of a municipality: the citizens' API (the web form uses it) "
            'and the staff approval API. Errors are `{"error": {"code", "message", "field"}, '
            '"errors": [{"field", "message"}]}`. State-changing requests authenticated by the '
            "session cookie need the header `X-Balcao-CSRF: 1`; with `Authorization: Bearer` they do not.",
        },
        "paths": paths,
        "components": {
            "schemas": components_schemas,
            "responses": {
                "Error": {
                    "description": "Refused: the body says why and names the field",
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
                }
            },
            "securitySchemes": {
                "session": {
                    "type": "apiKey",
                    "in": "cookie",
                    "name": "balcao_session",
                    "description": "The session cookie set by a login: citizens at POST /api/session; "
                    "staff at POST /api/staff/session then POST /api/staff/session/code.",
                },
                "signature": {
                    "type": "apiKey",
                    "in": "header",
                    "name": "X-Balcao-Signature",
                    "description": "The payment provider's callback only: hex HMAC-SHA256 of the raw body "
                    "with the secret shared with the provider.",
                },
                "bearer": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "`Authorization: Bearer <token>`: a session token, or a staff member's "
                    "API key (`bk_...`, from POST /api/staff/api-keys) for scripts.",
                },
            },
        },
    }


@lru_cache(maxsize=4)
def document(app: Any) -> str:
    """The document as JSON text, built once per Lambda container."""
    return json.dumps(build(app), ensure_ascii=False)
