"""Submission and the documents' inspection: a file still being inspected, or refused, cannot be
submitted: the refusal names it, with the reason, and the draft stays a draft (no number used)."""

from __future__ import annotations

import json
from typing import Any

from tests.support import faults
from tests.support.api import generic_draft_with_slot, upload
from tests.support.files import small_pdf


def test_a_file_still_being_inspected_cannot_be_submitted(make_api: Any, demo: dict[str, Any], client: Any) -> None:
    citizen = make_api()
    citizen.login("ana.silva", demo["password"])
    process_id, slot = generic_draft_with_slot(citizen)
    # The inspection cannot look at the file for now (S3 answers 500 to it, retries included).
    with faults.inject("s3", "HeadObject", function="inspect_upload", times=None):
        assert upload(slot, small_pdf()) == 204
    document = citizen.call("GET", f"/api/requests/{process_id}/documents/{slot['document_id']}").data
    assert document["status"] == "a_aguardar"

    refused = citizen.call("POST", f"/api/requests/{process_id}/submit")
    assert refused.status_code == 422, refused.body
    assert refused.data["error"]["field"] == "documents.anexo"
    assert "anexo.pdf" in refused.data["error"]["message"] and "a ser verificado" in refused.data["error"]["message"]
    draft = citizen.call("GET", f"/api/requests/{process_id}").data
    assert draft["status"] == "rascunho" and not draft.get("number")

    # S3 is back and the event delivered again: the file is inspected, and the request goes in.
    event = client.events.generate_s3_event(bucket="balcao-local-uploads", key=slot["upload"]["fields"]["key"])
    client.lambda_.invoke("inspect_upload", event)
    submitted = citizen.call("POST", f"/api/requests/{process_id}/submit")
    assert submitted.status_code == 200, submitted.body
    assert submitted.data["number"]


def test_a_refused_file_is_named_with_its_reason_when_submitting(make_api: Any, demo: dict[str, Any]) -> None:
    citizen = make_api()
    citizen.login("ana.silva", demo["password"])
    process_id, slot = generic_draft_with_slot(citizen)
    assert upload(slot, b"<html>not a pdf</html>" * 10) == 204
    document = citizen.call("GET", f"/api/requests/{process_id}/documents/{slot['document_id']}").data
    assert document["status"] == "rejeitado"

    refused = citizen.call("POST", f"/api/requests/{process_id}/submit")
    assert refused.status_code == 422
    message = refused.data["error"]["message"]
    assert refused.data["error"]["field"] == "documents.anexo"
    assert "anexo.pdf" in message and "recusado" in message and document["reason"] in message, json.dumps(message)
    assert citizen.call("GET", f"/api/requests/{process_id}").data["status"] == "rascunho"
