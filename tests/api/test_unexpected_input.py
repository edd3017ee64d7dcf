"""Inputs that used to reach a 500, each answered with a 4xx naming the field; and the catch-all: an
unexpected failure is a 500 with the request's id and none of the internals."""

from __future__ import annotations

import json
from typing import Any

from tests.support.api import WATER, staff


def test_deeply_nested_json_is_a_422(make_api: Any, demo: dict[str, Any]) -> None:
    api = make_api()
    nested = "[" * 100_000 + "]" * 100_000
    answer = api.call("POST", "/api/session", raw=nested)
    assert answer.status_code == 422 and "níveis" in answer.data["error"]["message"]
    deep_field = '{"identifier": ' + "[" * 5000 + "]" * 5000 + ', "password": "x"}'
    assert api.call("POST", "/api/session", raw=deep_field).status_code == 422


def test_a_huge_amount_and_superscript_digits_are_422s_naming_the_field(make_api: Any, demo: dict[str, Any]) -> None:
    api = make_api()
    plan = "/api/services/agua-prestacoes/plan"
    huge = api.call("POST", plan, {"fields": {**WATER, "valor_divida": "1e30"}})
    assert huge.status_code == 422 and huge.data["error"]["field"] == "fields.valor_divida"
    count = api.call("POST", plan, {"fields": {**WATER, "numero_prestacoes": "²"}})
    assert count.status_code == 422 and count.data["error"]["field"] == "fields.numero_prestacoes"
    api.login("ana.silva", demo["password"])
    draft = api.call(
        "POST", "/api/requests", {"service_id": "agua-prestacoes", "fields": {**WATER, "numero_documentos": "³"}}
    )
    assert draft.status_code == 422 and draft.data["error"]["field"] == "fields.numero_documentos"
    assert "invalid literal" not in draft.body.decode()  # never Python's own words
    clerk = staff(make_api, demo, "atendimento")
    limit = clerk.call("GET", "/api/staff/processes?limit=%C2%B2")
    assert limit.status_code == 422 and limit.data["error"]["field"] == "limit"


def test_pydantic_english_never_reaches_the_user(make_api: Any, demo: dict[str, Any]) -> None:
    answer = make_api().call("POST", "/api/session", {"identifier": {"a": 1}, "password": ["x"]})
    assert answer.status_code == 422
    assert all(
        problem["message"].isascii() is False or "Input" not in problem["message"] for problem in answer.data["errors"]
    )
    assert {problem["field"] for problem in answer.data["errors"]} == {"identifier", "password"}


def test_an_unexpected_failure_is_a_500_with_a_request_id_and_no_internals(client: Any, demo: dict[str, Any]) -> None:
    from chalicelib.platform import aws

    aws.table("users").delete()  # a real failure of AWS under the app: the table is gone
    response = client.http.post(
        "/api/session",
        headers={"content-type": "application/json"},
        body=json.dumps({"identifier": "ana.silva", "password": demo["password"]}),
    )
    assert response.status_code == 500
    body = json.loads(response.body)
    request_id = body["error"]["request_id"]
    assert request_id and request_id in body["error"]["message"] and response.headers["X-Request-Id"] == request_id
    for internal in ("Traceback", "ResourceNotFound", "botocore", "users", ".py"):
        assert internal not in response.body.decode()


def test_a_lone_surrogate_or_deep_nesting_in_a_draft_is_a_422_naming_the_field(
    make_api: Any, demo: dict[str, Any]
) -> None:
    """Valid JSON, yet not text DynamoDB (or a PDF) can hold: refused, naming the field, nothing stored."""
    api = make_api()
    api.login("ana.silva", demo["password"])
    created = api.call(
        "POST", "/api/requests", raw='{"service_id": "generico", "fields": {"subject": "Licen\\ud800ça", "text": "x"}}'
    )
    assert created.status_code == 422 and created.data["error"]["field"] == "fields.subject"
    draft = api.call("POST", "/api/requests", {"service_id": "generico", "fields": {"subject": "Licença"}})
    path = f"/api/requests/{draft.data['process_id']}"
    surrogate = api.call("PATCH", path, raw='{"fields": {"text": "a\\udfffb"}}')
    assert surrogate.status_code == 422 and surrogate.data["error"]["field"] == "fields.text"
    nested = api.call("PATCH", path, raw='{"fields": {"text": ' + "[" * 40 + "]" * 40 + "}}")
    assert nested.status_code == 422 and nested.data["error"]["field"].startswith("fields.text")
    assert api.call("GET", path).data["fields"] == {"subject": "Licença"}
