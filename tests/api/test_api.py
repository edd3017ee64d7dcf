"""The HTTP API through chalice.test.Client, against moto in-process: what a citizen or staff member
sees for good and bad input."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.accounts import add_citizen
from tests.support.api import GENERIC, session_set_cookie, upload
from tests.support.files import small_pdf
from tests.support.waiting import wait_for


def _citizen(make_api: Any, demo: dict[str, Any]) -> Any:
    api = make_api()
    api.login(demo["citizen"]["identity_number"], demo["password"])
    return api


def _draft_with_document(api: Any, data: bytes) -> tuple[str, str]:
    draft = api.call("POST", "/api/requests", GENERIC)
    assert draft.status_code == 201, draft.body
    process_id = draft.data["process_id"]
    slot = api.call(
        "POST",
        f"/api/requests/{process_id}/documents",
        {"slot": "anexo", "filename": "anexo.pdf", "content_type": "application/pdf"},
    )
    assert slot.status_code == 201, slot.body
    assert upload(slot.data, data) in (200, 201, 204)
    return process_id, slot.data["document_id"]


def _document_status(api: Any, process_id: str, document_id: str) -> dict[str, Any]:
    return api.call("GET", f"/api/requests/{process_id}/documents/{document_id}").data


def test_health_answers_without_login(client: Any) -> None:
    response = client.http.get("/health")
    assert response.status_code == 200
    assert response.json_body == {"status": "ok"}


def test_catalogue_is_public(client: Any) -> None:
    services = client.http.get("/api/services").json_body["services"]
    assert "generico" in {s["id"] for s in services}
    page = client.http.get("/api/services/generico").json_body
    assert page["decision_deadline"] == {"days": 10, "kind": "working"}
    assert client.http.get("/api/services/nao-existe").status_code == 404


@pytest.mark.parametrize("identifier", ["123456789", "ana.silva", "ANA.SILVA@example.pt"])
def test_citizen_logs_in_with_nif_username_or_email(make_api: Any, demo: dict[str, Any], identifier: str) -> None:
    api = make_api()
    response = api.call("POST", "/api/session", {"identifier": identifier, "password": demo["password"]})
    assert response.status_code == 200
    cookie = session_set_cookie(response)
    assert "HttpOnly" in cookie and "Secure" in cookie and "SameSite=Strict" in cookie
    assert api.call("GET", "/api/me").data["user"]["name"] == "Ana Silva"


def test_wrong_password_and_unknown_user_get_the_same_answer(make_api: Any, demo: dict[str, Any]) -> None:
    wrong = make_api().call("POST", "/api/session", {"identifier": "123456789", "password": "nope"})
    unknown = make_api().call("POST", "/api/session", {"identifier": "999999990", "password": "nope"})
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.data == unknown.data
    assert "Set-Cookie" not in wrong.headers


def test_staff_cannot_use_the_citizen_login(make_api: Any, demo: dict[str, Any]) -> None:
    response = make_api().call("POST", "/api/session", {"identifier": "decisor", "password": demo["password"]})
    assert response.status_code == 401


@pytest.mark.parametrize(
    ("raw", "field", "status"),
    [
        ("{not json", None, 422),
        ('["a list"]', None, 422),
        ('{"identifier": "123456789"}', "password", 422),
        ('{"identifier": 123456789, "password": "x"}', "identifier", 422),
        ('{"identifier": "123456789", "password": "x", "admin": true}', "admin", 422),
    ],
)
def test_bad_login_bodies_name_the_field(
    make_api: Any, demo: dict[str, Any], raw: str, field: str | None, status: int
) -> None:
    response = make_api().call("POST", "/api/session", raw=raw)
    assert response.status_code == status
    assert response.data["error"]["field"] == field
    assert response.data["error"]["message"]


def test_requests_need_a_session(client: Any) -> None:
    response = client.http.post("/api/requests", headers={"content-type": "application/json"}, body="{}")
    assert response.status_code == 401
    assert response.json_body["error"]["code"] == "nao_autenticado"


@pytest.mark.parametrize(
    "path", ["/api/requests//receipt", "/api/requests//documents/d_1/download", "/api/staff/processes//decision"]
)
def test_an_empty_identifier_in_the_address_is_a_404_naming_it(make_api: Any, demo: dict[str, Any], path: str) -> None:
    staff = path.startswith("/api/staff")
    api = make_api()
    api.login("decisor" if staff else "ana.silva", demo["password"], staff=staff)
    response = api.call("POST" if staff else "GET", path, {"decision": "deferido", "grounds": "x"} if staff else None)
    assert response.status_code == 404, response.body
    assert response.data["error"]["field"] == "process_id"


def test_an_expired_session_is_refused(make_api: Any, demo: dict[str, Any]) -> None:
    from chalicelib.platform import aws

    api = _citizen(make_api, demo)
    sessions = aws.table("sessions")
    for item in sessions.scan()["Items"]:  # test set-up only: age every session past its idle limit
        sessions.update_item(
            Key={"token_hash": item["token_hash"]},
            UpdateExpression="SET last_seen = :old",
            ExpressionAttributeValues={":old": 0},
        )
    response = api.call("GET", "/api/requests")
    assert response.status_code == 401
    assert "expirou" in response.data["error"]["message"]


def test_logout_ends_the_session(make_api: Any, demo: dict[str, Any]) -> None:
    api = _citizen(make_api, demo)
    token_cookie = api.cookie
    assert api.call("DELETE", "/api/session").status_code == 200
    api.cookie = token_cookie  # replaying the old cookie does not work
    assert api.call("GET", "/api/me").status_code == 401


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"subject": "x", "text": "x", "color": "red"}, "fields.color"),
        ({"subject": "x" * 201, "text": "x"}, "fields.subject"),
        ({"subject": 12, "text": "x"}, "fields.subject"),
    ],
)
def test_bad_request_fields_are_refused_and_nothing_is_stored(
    make_api: Any, demo: dict[str, Any], fields: dict, field: str
) -> None:
    api = _citizen(make_api, demo)
    response = api.call("POST", "/api/requests", {"service_id": "generico", "fields": fields})
    assert response.status_code == 422
    assert response.data["error"]["field"] == field
    assert api.call("GET", "/api/requests").data["processes"] == []


def test_upload_slot_refuses_a_type_the_slot_does_not_take(make_api: Any, demo: dict[str, Any]) -> None:
    api = _citizen(make_api, demo)
    process_id = api.call("POST", "/api/requests", GENERIC).data["process_id"]
    response = api.call(
        "POST",
        f"/api/requests/{process_id}/documents",
        {"slot": "anexo", "filename": "x.exe", "content_type": "application/x-msdownload"},
    )
    assert response.status_code == 422
    assert response.data["error"]["field"] == "content_type"


def test_a_pdf_is_inspected_and_accepted(make_api: Any, demo: dict[str, Any]) -> None:
    api = _citizen(make_api, demo)
    process_id, document_id = _draft_with_document(api, small_pdf(pages=2))
    document = wait_for(lambda: (d := _document_status(api, process_id, document_id))["status"] != "a_aguardar" and d)
    assert document["status"] == "aceite"
    assert len(document["sha256"]) == 64
    download = api.call("GET", f"/api/requests/{process_id}/documents/{document_id}/download")
    assert download.status_code == 200 and download.data["sha256"] == document["sha256"]


def test_a_file_that_is_not_a_pdf_is_rejected_with_a_reason(make_api: Any, demo: dict[str, Any]) -> None:
    api = _citizen(make_api, demo)
    process_id, document_id = _draft_with_document(api, b"MZ\x90\x00 this is a Windows program, not a PDF")
    document = wait_for(lambda: (d := _document_status(api, process_id, document_id))["status"] != "a_aguardar" and d)
    assert document["status"] == "rejeitado"
    assert "PDF" in document["reason"]
    submit = api.call("POST", f"/api/requests/{process_id}/submit")
    assert submit.status_code == 422
    assert submit.data["error"]["field"] == "documents.anexo"
    assert api.call("GET", f"/api/requests/{process_id}").data["status"] == "rascunho"


def test_submitting_without_the_document_is_refused(make_api: Any, demo: dict[str, Any]) -> None:
    api = _citizen(make_api, demo)
    process_id = api.call("POST", "/api/requests", GENERIC).data["process_id"]
    response = api.call("POST", f"/api/requests/{process_id}/submit")
    assert response.status_code == 422
    assert response.data["error"]["field"] == "documents.anexo"


def test_another_citizen_cannot_see_or_touch_my_process(make_api: Any, demo: dict[str, Any]) -> None:

    add_citizen("Bruno Costa", "bruno", "Outra-palavra-2026", "100000002", "bruno@example.pt")
    ana = _citizen(make_api, demo)
    process_id = ana.call("POST", "/api/requests", GENERIC).data["process_id"]
    bruno = make_api()
    bruno.login("bruno", "Outra-palavra-2026")
    assert bruno.call("GET", f"/api/requests/{process_id}").status_code == 404
    assert bruno.call("POST", f"/api/requests/{process_id}/submit").status_code == 404
    assert bruno.call("GET", "/api/requests").data["processes"] == []


def test_citizens_cannot_use_the_staff_api(make_api: Any, demo: dict[str, Any]) -> None:
    api = _citizen(make_api, demo)
    assert api.call("GET", "/api/staff/processes").status_code == 403


def test_submission_numbers_are_sequential_per_organ(make_api: Any, demo: dict[str, Any]) -> None:
    api = _citizen(make_api, demo)
    numbers = []
    for _ in range(2):
        process_id, _doc = _draft_with_document(api, small_pdf())
        response = api.call("POST", f"/api/requests/{process_id}/submit")
        assert response.status_code == 200, response.body
        numbers.append(response.data["number"])
        again = api.call("POST", f"/api/requests/{process_id}/submit")  # a retry: the same process
        assert again.status_code == 200 and again.data["number"] == response.data["number"]
    year = numbers[0].split()[1].split("/")[0]
    assert numbers == [f"CAMARA {year}/000001", f"CAMARA {year}/000002"]
