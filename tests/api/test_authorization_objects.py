"""Authorization by object, where the matrix's one-object-per-row cannot reach: who may read and do what
on a process filed by a representative; one's own process named in the address with someone else's
document, task or message attachment (in the address and in the body); what a grantee of view access
("vista") gets beyond what was released; and registrants whose registration was rejected or never
confirmed. Each case asserts what the caller sees (the status, the message) and that nothing changed
or leaked."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.accounts import REGISTRATION_PASSWORD, add_citizen, registered
from tests.support.api import GENERIC, staff, submit_generic, upload
from tests.support.files import small_pdf
from tests.support.waiting import wait_for

SLOW = 90  # seconds: a workflow's steps on a loaded machine (the tests wait only as long as they must)
RITA = {"name": "Rita Mandatária", "identity_number": "100000010", "quality": "gestor_negocios"}


@pytest.fixture
def people(make_api: Any, demo: dict[str, Any]) -> dict[str, Any]:
    """Ana (A), Bruno (B), Rita (who represents A) and the CAMARA clerk, logged in."""
    add_citizen("Bruno Costa", "bruno", demo["password"], "100000002", "bruno@example.pt")
    add_citizen("Rita Mandatária", "rita.mandataria", demo["password"], "100000010", "rita@example.pt")
    people = {}
    for who, identifier in (("a", "ana.silva"), ("b", "bruno"), ("rita", "rita.mandataria")):
        people[who] = make_api()
        people[who].login(identifier, demo["password"])
        people[who].user_id = people[who].call("GET", "/api/me").data["user"]["user_id"]
    people["clerk"] = staff(make_api, demo, "atendimento")
    return people


def _awaiting_staff(api: Any, process_id: str) -> dict[str, Any]:
    return wait_for(
        lambda: (v := api.call("GET", f"/api/requests/{process_id}").data)["status"] == "em_apreciacao" and v,
        timeout=SLOW,
    )


def _pendencia(clerk: Any, process_id: str) -> str:
    asked = clerk.call("POST", f"/api/staff/processes/{process_id}/pending-tasks", {"subject": "Planta de localização"})
    assert asked.status_code == 201, asked.body
    return asked.data["task_id"]


def _refused(response: Any, status: int, field: str | None = None) -> None:
    assert response.status_code == status, response.body
    assert response.data["error"]["message"]
    if field is not None:
        assert response.data["error"]["field"] == field, response.body


def _task(api: Any, process_id: str, task_id: str) -> dict[str, Any]:
    view = api.call("GET", f"/api/requests/{process_id}").data
    return next(t for t in view["pending_tasks"] if t["task_id"] == task_id)


def test_a_process_the_representative_filed_for_a_is_theirs_both_and_not_bs(people: dict[str, Any]) -> None:
    a, b, rita, clerk = people["a"], people["b"], people["rita"], people["clerk"]
    body = {**GENERIC, "requerente": {"name": "Ana Silva", "identity_number": "123456789"}, "representante": RITA}
    created = rita.call("POST", "/api/requests", body)
    assert created.status_code == 201, created.body
    process_id = created.data["process_id"]
    path = f"/api/requests/{process_id}"
    # The draft is the filer's alone: the requerente sees it once it is submitted.
    _refused(a.call("GET", path), 404, "process_id")
    _refused(a.call("PATCH", path, {"fields": {"subject": "Outro assunto"}}), 404, "process_id")
    slot = rita.call(
        "POST", f"{path}/documents", {"slot": "anexo", "filename": "anexo.pdf", "content_type": "application/pdf"}
    ).data
    assert upload(slot, small_pdf()) in (200, 201, 204)
    _refused(a.call("POST", f"{path}/submit"), 404, "process_id")
    assert rita.call("POST", f"{path}/submit").status_code == 200
    view = _awaiting_staff(rita, process_id)
    assert view["fields"]["subject"] == GENERIC["fields"]["subject"]  # A's PATCH changed nothing
    document_id = view["documents"][0]["document_id"]

    # A and Rita read everything of it; B is told it does not exist, everywhere.
    for reader in (a, rita):
        assert process_id in [p["process_id"] for p in reader.call("GET", "/api/requests").data["processes"]]
        for suffix in ("", f"/documents/{document_id}", f"/documents/{document_id}/download", "/receipt", "/messages"):
            assert reader.call("GET", f"{path}{suffix}").status_code == 200, suffix
    assert process_id not in [p["process_id"] for p in b.call("GET", "/api/requests").data["processes"]]
    for suffix in ("", f"/documents/{document_id}", f"/documents/{document_id}/download", "/receipt", "/messages"):
        _refused(b.call("GET", f"{path}{suffix}"), 404, "process_id")

    # Both may write about it and answer what staff ask; B may do neither, and changes nothing.
    assert a.call("POST", f"{path}/messages", {"text": "Sou a requerente."}).status_code == 201
    assert rita.call("POST", f"{path}/messages", {"text": "Represento a requerente."}).status_code == 201
    _refused(b.call("POST", f"{path}/messages", {"text": "Intromissão."}), 404, "process_id")
    task_id = _pendencia(clerk, process_id)
    # "Minhas Pendências" lists it for the one who filed it; the requerente finds it in the process.
    assert task_id in [t["task_id"] for t in rita.call("GET", "/api/pending-tasks").data["pending_tasks"]]
    assert _task(a, process_id, task_id)["status"] == "aberta"
    assert b.call("GET", "/api/pending-tasks").data["pending_tasks"] == []
    _refused(b.call("POST", f"{path}/tasks/{task_id}/answer", {"text": "Respondo eu."}), 404, "process_id")
    answered = rita.call("POST", f"{path}/tasks/{task_id}/answer", {"text": "Segue por correio."})
    assert answered.status_code == 200, answered.body
    _refused(a.call("POST", f"{path}/tasks/{task_id}/answer", {"text": "Eu também."}), 409)
    assert _task(a, process_id, task_id)["answer_text"] == "Segue por correio."
    messages = [m["text"] for m in a.call("GET", f"{path}/messages").data["messages"]]
    assert sorted(messages) == ["Represento a requerente.", "Sou a requerente."]


def test_ones_own_process_with_anothers_document_task_or_attachment_is_refused_and_changes_nothing(
    people: dict[str, Any], make_api: Any, demo: dict[str, Any]
) -> None:
    from chalicelib.documents.store import Documents

    a, b, clerk = people["a"], people["b"], people["clerk"]
    own, other = submit_generic(a, small_pdf()), submit_generic(b, small_pdf())
    own_doc = _awaiting_staff(a, own)["documents"][0]["document_id"]
    other_doc = _awaiting_staff(b, other)["documents"][0]["document_id"]
    own_task, other_task = _pendencia(clerk, own), _pendencia(clerk, other)
    attachment = b.call(
        "POST", f"/api/requests/{other}/messages/attachments", {"filename": "foto.png", "content_type": "image/png"}
    )
    assert attachment.status_code == 201, attachment.body
    other_attachment = attachment.data["document_id"]
    before = {p: Documents().list(p) for p in (own, other)}
    mine = f"/api/requests/{own}"

    # In the address: another's document, attachment or task under one's own process does not exist.
    for document_id in (other_doc, other_attachment):
        _refused(a.call("GET", f"{mine}/documents/{document_id}"), 404, "document_id")
        _refused(a.call("GET", f"{mine}/documents/{document_id}/download"), 404, "document_id")
    _refused(a.call("POST", f"{mine}/tasks/{other_task}/answer", {"text": "Respondo à do Bruno."}), 404, "task_id")
    upload_to_other = {"filename": "planta.pdf", "content_type": "application/pdf"}
    _refused(a.call("POST", f"{mine}/tasks/{other_task}/documents", upload_to_other), 404, "task_id")
    signer = staff(make_api, demo, "decisor")
    consent = {"password": demo["password"], "accept_statement": True}
    _refused(signer.call("POST", f"/api/staff/processes/{own}/documents/{other_doc}/signature", consent), 404)

    # In the body: another's document as an answer's, as the one replaced, as an attachment, as the one to sign.
    _refused(
        a.call("POST", f"{mine}/tasks/{own_task}/answer", {"text": "Junto.", "document_ids": [other_doc]}),
        422,
        "document_ids.0",
    )
    replacing = {**upload_to_other, "replaces": other_doc}
    _refused(a.call("POST", f"{mine}/tasks/{own_task}/documents", replacing), 422, "replaces")
    with_attachment = {"text": "Veja o anexo.", "attachments": [other_attachment]}
    _refused(a.call("POST", f"{mine}/messages", with_attachment), 422, "attachments.0")
    sign_other = {"subject": "Assine", "document_id": other_doc}
    _refused(clerk.call("POST", f"/api/staff/processes/{own}/signature-requests", sign_other), 422, "document_id")

    # Nothing changed: both tasks still open, no message, no document moved, B's own copy untouched.
    assert _task(a, own, own_task)["status"] == _task(b, other, other_task)["status"] == "aberta"
    assert a.call("GET", f"{mine}/messages").data["messages"] == []
    assert {p: Documents().list(p) for p in (own, other)} == before
    assert b.call("GET", f"/api/requests/{other}/documents/{other_doc}").data["status"] == "aceite"
    assert own_doc != other_doc


def test_a_grantee_of_view_access_gets_the_released_view_and_nothing_beyond_it(people: dict[str, Any]) -> None:
    from chalicelib.platform import aws

    a, b, clerk = people["a"], people["b"], people["clerk"]
    released, kept = submit_generic(a, small_pdf()), submit_generic(a, small_pdf())
    document_id = _awaiting_staff(a, released)["documents"][0]["document_id"]
    _awaiting_staff(a, kept)
    attachment = a.call(
        "POST", f"/api/requests/{released}/messages/attachments", {"filename": "foto.png", "content_type": "image/png"}
    ).data["document_id"]
    assert a.call("POST", f"/api/requests/{released}/messages", {"text": "Só para os serviços."}).status_code == 201
    task_id = _pendencia(clerk, released)
    granted = clerk.call("POST", f"/api/staff/processes/{released}/view-access", {"identifier": "bruno"})
    assert granted.status_code == 201, granted.body

    listed = b.call("GET", "/api/released-processes").data["processes"]
    assert [p["process_id"] for p in listed] == [released]
    view = b.call("GET", f"/api/released-processes/{released}")
    assert view.status_code == 200 and document_id in [d["document_id"] for d in view.data["documents"]]
    assert "pending_tasks" not in view.data  # what is asked of the requerente is theirs
    # Messages are not released: not their text, nor their attachments, nor their place in the timeline.
    assert attachment not in [d["document_id"] for d in view.data["documents"]]
    assert "message.sent" not in [e["action"] for e in view.data["timeline"]]
    assert "Só para os serviços." not in view.body.decode() and "foto.png" not in view.body.decode()

    # Beyond it: another process of A's, the process's files through the parties' routes, its messages, its task.
    _refused(b.call("GET", f"/api/released-processes/{kept}"), 404, "process_id")
    for suffix in (
        "",
        f"/documents/{document_id}",
        f"/documents/{document_id}/download",
        f"/documents/{attachment}/download",
        "/receipt",
        "/messages",
    ):
        _refused(b.call("GET", f"/api/requests/{released}{suffix}"), 404, "process_id")
    _refused(b.call("POST", f"/api/requests/{released}/messages", {"text": "Posso?"}), 404, "process_id")
    _refused(b.call("POST", f"/api/requests/{released}/tasks/{task_id}/answer", {"text": "Eu."}), 404, "process_id")
    assert _task(a, released, task_id)["status"] == "aberta"

    # A grant that has ended releases nothing.
    aws.table("view_grants").update_item(
        Key={"grantee_id": b.user_id, "process_id": released},
        UpdateExpression="SET #until = :yesterday",
        ExpressionAttributeNames={"#until": "until"},
        ExpressionAttributeValues={":yesterday": "2000-01-01"},
    )
    _refused(b.call("GET", f"/api/released-processes/{released}"), 404, "process_id")
    assert b.call("GET", "/api/released-processes").data["processes"] == []


def test_a_rejected_or_unconfirmed_registrant_files_nothing_on_the_citizen_routes(
    people: dict[str, Any], make_api: Any
) -> None:
    from chalicelib.platform import aws
    from chalicelib.platform.audit import AuditTrail

    rejected = registered("200000063", "recusado@example.pt", "Rui Recusado", confirm=True)
    refusal = {"reason": "O comprovativo não é legível."}
    assert people["clerk"].call("POST", f"/api/staff/registrations/{rejected}/reject", refusal).status_code == 200
    unconfirmed = registered("200000071", "por.confirmar@example.pt", "Paula Porconfirmar", confirm=False)

    never = make_api()
    attempt = never.call(
        "POST", "/api/session", {"identifier": "por.confirmar@example.pt", "password": REGISTRATION_PASSWORD}
    )
    _refused(attempt, 401, "identifier")
    assert "Confirme" in attempt.data["error"]["message"] and never.cookie is None
    _refused(never.call("POST", "/api/requests", GENERIC), 401)

    registrant = make_api()
    session = registrant.call(
        "POST", "/api/session", {"identifier": "recusado@example.pt", "password": REGISTRATION_PASSWORD}
    )
    assert session.status_code == 200 and session.data["scope"] == "registration", session.body
    state = registrant.call("GET", "/api/registration").data
    assert state["status"] == "rejeitado" and state["rejection_reason"] == refusal["reason"]
    attempts = [
        ("POST", "/api/requests", GENERIC, 403),
        ("GET", "/api/requests", None, 403),
        ("GET", "/api/pending-tasks", None, 403),
        ("GET", "/api/released-processes", None, 403),
        ("POST", "/api/messages/CAMARA", {"text": "Porque foi recusado?"}, 403),
        ("POST", "/api/registration/documents", {"filename": "fatura.pdf", "content_type": "application/pdf"}, 409),
    ]
    for method, path, body, status in attempts:
        _refused(registrant.call(method, path, body), status)
    refusals = [e for e in AuditTrail().for_subject(f"user#{rejected}") if e["action"] == "access.refused"]
    assert len(refusals) == len([a for a in attempts if a[3] == 403])
    told = registrant.call("GET", "/api/requests").data["error"]["message"]
    assert "recusado" in told and "aguarda" not in told  # what happened, not "still awaiting validation"

    # Nothing was filed by or for either of them.
    processes = aws.table("processes").scan()["Items"]  # a test's look at the whole table, never a request's
    assert not [p for p in processes if {p.get("filed_by"), p.get("requerente_id")} & {rejected, unconfirmed}]
    assert registrant.call("GET", "/api/registration").data["status"] == "rejeitado"


def test_staff_reply_in_general_only_to_a_citizen_and_nothing_is_stored_or_sent_otherwise(
    people: dict[str, Any],
) -> None:
    """A general thread is a citizen's with an organ: staff naming a colleague, or nobody, as the citizen
    is bad input (422 naming ``citizen_id``), not a thread that no citizen reads."""
    from local import outbox

    clerk = people["clerk"]
    colleague = clerk.call("GET", "/api/me").data["user"]["user_id"]
    sent_before = len(outbox.messages())
    for citizen_id in (colleague, "u_ninguem"):
        reply = clerk.call("POST", "/api/messages/CAMARA", {"text": "Resposta.", "citizen_id": citizen_id})
        _refused(reply, 422, "citizen_id")
        assert clerk.call("GET", f"/api/messages/CAMARA?citizen_id={citizen_id}").data["messages"] == []
    assert len(outbox.messages()) == sent_before
    answered = clerk.call("POST", "/api/messages/CAMARA", {"text": "Resposta.", "citizen_id": people["b"].user_id})
    assert answered.status_code == 201, answered.body
    assert [m["text"] for m in people["b"].call("GET", "/api/messages/CAMARA").data["messages"]] == ["Resposta."]
