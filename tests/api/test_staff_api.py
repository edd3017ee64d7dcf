"""The staff approval API through chalice.test.Client against moto: the queue (filters, order,
pages), one process in one call, claim and assignment, and idempotent actions."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.accounts import add_staff
from tests.support.api import generic_draft_with_slot, upload
from tests.support.files import small_pdf
from tests.support.waiting import wait_for

SLOW = 90  # seconds: a workflow's steps on a loaded machine (the tests wait only as long as they must)


def _submitted(citizen: Any, wait: bool = True) -> str:
    process_id, slot = generic_draft_with_slot(citizen)
    assert upload(slot, small_pdf()) in (200, 201, 204)
    assert citizen.call("POST", f"/api/requests/{process_id}/submit").status_code == 200
    if wait:
        wait_for(
            lambda: citizen.call("GET", f"/api/requests/{process_id}").data["status"] == "em_apreciacao", timeout=SLOW
        )
    return process_id


@pytest.fixture
def people(make_api: Any, demo: dict[str, Any]) -> dict[str, Any]:

    add_staff("semae.decisor", demo["password"], ["decision_maker"])
    logins = {
        "citizen": ("ana.silva", False),
        "clerk": ("atendimento", True),
        "decider": ("decisor", True),
        "head": ("dirigente", True),
        "auditor": ("auditor", True),
        "other": ("semae.decisor", True),
    }
    people = {}
    for who, (identifier, staff) in logins.items():
        people[who] = make_api()
        people[who].login(identifier, demo["password"], staff=staff)
        people[who].user_id = people[who].call("GET", "/api/me").data["user"]["user_id"]
    return people


def _set_deadline(process_id: str, day: str) -> None:
    # Test set-up: spread the deadlines so that the order is visible (all were submitted today).
    from chalicelib.platform import aws

    aws.table("processes").update_item(
        Key={"process_id": process_id},
        UpdateExpression="SET decision_deadline = :d",
        ExpressionAttributeValues={":d": day},
    )


def test_the_queue_is_sorted_by_deadline_filtered_and_paginated(people: dict[str, Any]) -> None:
    citizen, clerk = people["citizen"], people["clerk"]
    ids = [_submitted(citizen) for _ in range(3)]
    for process_id, day in zip(ids, ("2030-03-01", "2030-01-01", "2030-02-01"), strict=True):
        _set_deadline(process_id, day)
    expected = [ids[1], ids[2], ids[0]]

    everything = clerk.call("GET", "/api/staff/processes").data
    assert [p["process_id"] for p in everything["processes"]] == expected
    assert everything["processes"][0]["working_days_left"] > 0

    seen, cursor, pages = [], None, 0
    while True:
        query = "?status=em_apreciacao&service_id=generico&limit=2" + (f"&cursor={cursor}" if cursor else "")
        page = clerk.call("GET", "/api/staff/processes" + query).data
        seen += [p["process_id"] for p in page["processes"]]
        pages += 1
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert seen == expected and pages >= 2

    by_service = clerk.call("GET", "/api/staff/processes?service_id=generico&limit=1").data
    assert [p["process_id"] for p in by_service["processes"]] == expected[:1] and by_service["next_cursor"]
    assert clerk.call("GET", "/api/staff/processes?status=deferido").data["processes"] == []
    # another organ's staff see none of these; the auditor names the organ
    assert people["other"].call("GET", "/api/staff/processes").data["processes"] == []
    audited = people["auditor"].call("GET", "/api/staff/processes?organ=CAMARA").data["processes"]
    assert [p["process_id"] for p in audited] == expected


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("?status=perdido", "status"),
        ("?service_id=nao-existe", "service_id"),
        ("?limit=0", "limit"),
        ("?limit=muitos", "limit"),
        ("?cursor=%%%", "cursor"),
        ("?cursor=eyJpIjogImJ5X29yZ2FuX2RlYWRsaW5lIiwgImsiOiB7Im9yZ2FuIjogIlNFTUFFIn19", "cursor"),  # another organ's
    ],
)
def test_bad_queue_parameters_are_a_422_naming_them(people: dict[str, Any], query: str, field: str) -> None:
    response = people["clerk"].call("GET", "/api/staff/processes" + query)
    assert response.status_code in (404, 422), response.body
    assert response.data["error"]["field"] == field


def test_the_queue_of_another_organ_is_refused_and_the_auditor_must_name_one(people: dict[str, Any]) -> None:
    assert people["clerk"].call("GET", "/api/staff/processes?organ=SEMAE").status_code == 403
    response = people["auditor"].call("GET", "/api/staff/processes")
    assert response.status_code == 422 and response.data["error"]["field"] == "organ"


def test_one_call_gives_everything_about_a_process(people: dict[str, Any]) -> None:
    process_id = _submitted(people["citizen"])
    view = wait_for(
        lambda: (v := people["clerk"].call("GET", f"/api/staff/processes/{process_id}").data)["notifications"] and v,
        timeout=SLOW,
    )
    assert view["requerente"]["name"] == "Ana Silva" and view["requerente"]["identity_number"] == "123456789"
    assert view["representante"] is None
    assert view["documents"][0]["status"] == "aceite" and view["documents"][0]["inspection"]
    assert view["decision_deadline"] and isinstance(view["working_days_left"], int)
    assert "process.submitted" in [e["action"] for e in view["timeline"]]
    assert view["notifications"][0]["template"] == "submission_receipt"
    assert view["pending_tasks"] == [] and view["messages"] == [] and view["payments"] == []
    assert "decision_task_token" not in view

    # what the decision stage adds shows in the same call: the pendência asked, the citizen's message
    asked = people["clerk"].call(
        "POST",
        f"/api/staff/processes/{process_id}/pending-tasks",
        {"subject": "Planta de localização", "working_days": 5},
    )
    assert asked.status_code == 201, asked.body
    assert (
        people["citizen"].call("POST", f"/api/requests/{process_id}/messages", {"text": "Envio amanhã."}).status_code
        == 201
    )
    view = people["clerk"].call("GET", f"/api/staff/processes/{process_id}").data
    assert view["status"] == "pendente"
    waiting = people["clerk"].call("GET", "/api/staff/processes?status=pendente").data["processes"]
    assert [p["process_id"] for p in waiting] == [process_id]  # the queue's index follows the decision stage
    assert [(t["subject"], t["status"]) for t in view["pending_tasks"]] == [("Planta de localização", "aberta")]
    assert [m["text"] for m in view["messages"]] == ["Envio amanhã."]
    unknown = people["clerk"].call("GET", "/api/staff/processes/p_nao_existe")
    assert unknown.status_code == 404 and unknown.data["error"]["field"] == "process_id"


def test_claim_and_assignment(people: dict[str, Any]) -> None:
    from chalicelib.platform.audit import AuditTrail

    process_id = _submitted(people["citizen"])
    path = f"/api/staff/processes/{process_id}"
    claimed = people["clerk"].call("POST", path + "/claim")
    assert claimed.status_code == 200 and claimed.data["assignee_id"] == people["clerk"].user_id
    assert people["clerk"].call("POST", path + "/claim").status_code == 200  # mine already: nothing changes
    taken = people["decider"].call("POST", path + "/claim")
    assert taken.status_code == 409 and people["clerk"].user_id in taken.data["error"]["message"]

    to_auditor = people["head"].call("POST", path + "/assignment", {"assignee_id": people["auditor"].user_id})
    assert to_auditor.status_code == 422 and to_auditor.data["error"]["field"] == "assignee_id"
    to_other_organ = people["head"].call("POST", path + "/assignment", {"assignee_id": people["other"].user_id})
    assert to_other_organ.status_code == 422
    assert (
        people["clerk"].call("POST", path + "/assignment", {"assignee_id": people["decider"].user_id}).status_code
        == 403
    )
    moved = people["head"].call("POST", path + "/assignment", {"assignee_id": people["decider"].user_id})
    assert moved.status_code == 200 and moved.data["assignee_id"] == people["decider"].user_id

    actions = [(e["action"], e["actor"]) for e in AuditTrail().for_subject(f"process#{process_id}")]
    assert ("process.claimed", people["clerk"].user_id) in actions
    assert ("process.assigned", people["head"].user_id) in actions
    assert (
        people["decider"]
        .call("POST", path + "/decision", {"decision": "deferido", "grounds": "Conforme o regulamento."})
        .status_code
        == 200
    )
    closed = people["head"].call("POST", path + "/assignment", {"assignee_id": people["clerk"].user_id})
    assert closed.status_code == 409 and closed.data["error"]["field"] == "status"
    assert people["clerk"].call("POST", path + "/claim").status_code == 409


def test_a_retried_decision_with_its_idempotency_key_is_answered_once(people: dict[str, Any]) -> None:
    from chalicelib.platform.audit import AuditTrail

    decider = people["decider"]
    process_id = _submitted(people["citizen"])
    path = f"/api/staff/processes/{process_id}/decision"
    key = {"Idempotency-Key": "decisao-1"}

    no_grounds = decider.call("POST", path, {"decision": "deferido", "grounds": ""}, headers=key)
    assert no_grounds.status_code == 422  # a refused call does not use up its key
    first = decider.call("POST", path, {"decision": "deferido", "grounds": "Conforme."}, headers=key)
    assert first.status_code == 200, first.body
    again = decider.call("POST", path, {"grounds": "Conforme.", "decision": "deferido"}, headers=key)
    assert again.status_code == 200 and again.body == first.body
    assert again.headers["Idempotent-Replayed"] == "true"
    other_body = decider.call("POST", path, {"decision": "indeferido", "grounds": "Não."}, headers=key)
    assert other_body.status_code == 422 and other_body.data["error"]["field"] == "Idempotency-Key"
    new_key = decider.call(
        "POST", path, {"decision": "deferido", "grounds": "Conforme."}, headers={"Idempotency-Key": "decisao-2"}
    )
    assert new_key.status_code == 409
    # the same key from another caller is that caller's own key
    head = people["head"].call("POST", path, {"decision": "deferido", "grounds": "Conforme."}, headers=key)
    assert head.status_code == 409
    decisions = [e for e in AuditTrail().for_subject(f"process#{process_id}") if e["action"] == "process.deferido"]
    assert len(decisions) == 1


def test_bad_decisions_change_nothing(people: dict[str, Any]) -> None:
    process_id = _submitted(people["citizen"])
    path = f"/api/staff/processes/{process_id}/decision"
    cases = [
        (
            "/api/staff/processes/p_nao_existe/decision",
            {"decision": "deferido", "grounds": "x"},
            people["decider"],
            404,
            "process_id",
        ),
        (path, {"decision": "deferido", "grounds": "x"}, people["other"], 403, None),
        (path, {"decision": "deferido"}, people["decider"], 422, "grounds"),
        (path, {"decision": "deferido", "grounds": "x", "extra": 1}, people["decider"], 422, "extra"),
    ]
    for url, body, who, status, field in cases:
        response = who.call("POST", url, body)
        assert response.status_code == status, (url, body, response.body)
        assert response.data["error"]["field"] == field and response.data["error"]["message"]
    assert people["citizen"].call("GET", f"/api/requests/{process_id}").data["status"] == "em_apreciacao"
    too_long_key = people["decider"].call(
        "POST", path, {"decision": "deferido", "grounds": "x"}, headers={"Idempotency-Key": "k" * 300}
    )
    assert too_long_key.status_code == 422 and too_long_key.data["error"]["field"] == "Idempotency-Key"
    assert people["citizen"].call("GET", f"/api/requests/{process_id}").data["status"] == "em_apreciacao"


def test_signing_a_document_twice_in_the_same_second_is_a_409_and_leaves_one_signed_copy(
    people: dict[str, Any], make_api: Any, demo: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The decision-maker signs in the browser and, in the same second, a script of theirs signs with
    their API key: the second signed PDF would be byte for byte the first."""
    from chalicelib.decision import signatures
    from chalicelib.documents.store import Documents
    from chalicelib.platform import aws

    process_id = _submitted(people["citizen"])
    document_id = people["citizen"].call("GET", f"/api/requests/{process_id}").data["documents"][0]["document_id"]
    key = (
        people["decider"]
        .call("POST", "/api/staff/api-keys", {"label": "assinaturas", "scope": "act", "expires_in_days": 1})
        .data["api_key"]
    )
    moment = signatures.now()
    monkeypatch.setattr(signatures, "now", lambda: moment)  # both signatures within the same second
    path = f"/api/staff/processes/{process_id}/documents/{document_id}/signature"
    consent = {"password": demo["password"], "accept_statement": True}

    first = people["decider"].call("POST", path, consent)
    assert first.status_code == 201, first.body
    again = make_api().call("POST", path, consent, csrf=False, headers={"authorization": f"Bearer {key}"})
    assert again.status_code == 409, again.body
    assert again.data["error"]["field"] == "document_id" and "assinado" in again.data["error"]["message"]
    assert again.data["error"]["current"]["document_id"] == first.data["document_id"]

    signed = [d for d in Documents().list(process_id) if d.get("signed_from") == document_id]
    assert [d["document_id"] for d in signed] == [first.data["document_id"]]
    stored = aws.client("s3").list_objects_v2(Bucket=aws.bucket_name("documents"), Prefix=f"{process_id}/")
    assert [o["Key"] for o in stored.get("Contents", []) if "assinado" in o["Key"]] == [signed[0]["stored_key"]]


def test_an_api_key_does_not_change_its_owners_password_email_or_phone(
    people: dict[str, Any], make_api: Any, demo: dict[str, Any]
) -> None:
    """A script holding the key (or whoever took it) works in the approval API; the account stays its
    owner's, and the key keeps working."""
    from chalicelib.accounts.users import Accounts
    from chalicelib.platform.audit import AuditTrail

    key = (
        people["decider"]
        .call("POST", "/api/staff/api-keys", {"label": "script", "scope": "act", "expires_in_days": 1})
        .data["api_key"]
    )
    script = make_api()
    bearer = {"authorization": f"Bearer {key}"}
    before = Accounts().get_item(people["decider"].user_id)
    changes = [
        ("/api/account/password", {"current_password": demo["password"], "new_password": "uma frase nova e longa"}),
        ("/api/account/email", {"password": demo["password"], "new_email": "outro.sitio@example.pt"}),
        ("/api/account/phone", {"phone": "+351 936 000 222"}),
        ("/api/account/phone/confirmation", {"code": "123456"}),
    ]
    for path, body in changes:
        refused = script.call("POST", path, body, csrf=False, headers=bearer)
        assert refused.status_code == 403 and "chave de API" in refused.data["error"]["message"], (path, refused.body)
    after = Accounts().get_item(people["decider"].user_id)
    assert {k: after.get(k) for k in ("password_hash", "email", "phone")} == {
        k: before.get(k) for k in ("password_hash", "email", "phone")
    }
    assert script.call("GET", "/api/staff/processes", headers=bearer).status_code == 200
    refusals = [
        e for e in AuditTrail().for_subject(f"user#{people['decider'].user_id}") if e["action"] == "access.refused"
    ]
    assert len(refusals) == len(changes)
