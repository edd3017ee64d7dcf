"""/openapi.json tells the truth: it is a valid OpenAPI 3.1 document, it has exactly the app's routes,
and each operation says who may call it."""

from __future__ import annotations

import json
from typing import Any

import pytest


@pytest.fixture(scope="module")
def spec() -> dict[str, Any]:
    import app as balcao
    from chalicelib.api.openapi import build

    return build(balcao.app)


def test_the_app_serves_the_document(client: Any, spec: dict[str, Any]) -> None:
    response = client.http.get("/openapi.json")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/json")
    assert json.loads(response.body) == spec


def _app_routes() -> set[tuple[str, str]]:
    import app as balcao

    return {(method.lower(), path) for path, methods in balcao.app.routes.items() for method in methods}


def _operations(spec: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    return {(method, path): op for path, methods in spec["paths"].items() for method, op in methods.items()}


def test_the_document_is_valid_openapi(spec: dict[str, Any]) -> None:
    from openapi_spec_validator import validate

    validate(spec)
    assert spec["openapi"].startswith("3.")


def test_the_document_has_every_route_of_the_app_and_no_other(spec: dict[str, Any]) -> None:
    assert set(_operations(spec)) == _app_routes()


def test_every_operation_says_who_may_call_it_and_documents_its_parameters(spec: dict[str, Any]) -> None:
    for (method, path), op in _operations(spec).items():
        where = f"{method.upper()} {path}"
        assert op["x-access"], f"{where}: its docstring must open with who may call it, then a colon"
        assert op["summary"] and op["operationId"], where
        path_params = {p["name"] for p in op.get("parameters", []) if p["in"] == "path"}
        assert path_params == set(path.replace("}", "{").split("{")[1::2]), where
        assert any(code.startswith("2") for code in op["responses"]), where
        public = op["x-access"].lower().startswith("anyone")
        assert (op["security"] == [{}]) == public, f"{where}: security must match '{op['x-access']}'"


def test_request_bodies_are_the_models_json_schemas(spec: dict[str, Any]) -> None:
    decision = spec["paths"]["/api/staff/processes/{process_id}/decision"]["post"]
    ref = decision["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    schema = spec["components"]["schemas"][ref.rsplit("/", 1)[-1]]
    assert schema["required"] == ["decision", "grounds"]
    assert schema["additionalProperties"] is False
    assert set(schema["properties"]["decision"]["enum"]) == {"deferido", "indeferido"}
    assert any(p["name"] == "Idempotency-Key" for p in decision["parameters"])
    queue = spec["paths"]["/api/staff/processes"]["get"]
    assert {p["name"] for p in queue["parameters"]} >= {"status", "service_id", "limit", "cursor"}
    for ref_holder in json.dumps(spec).split('"$ref": "')[1:]:
        name = ref_holder.split('"', 1)[0].rsplit("/", 1)[-1]
        assert name in spec["components"]["schemas"] or name in spec["components"]["responses"], name
