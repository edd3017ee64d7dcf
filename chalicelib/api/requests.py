"""Routes for citizens' requests and processes: drafts, uploads, submission, my processes."""

from __future__ import annotations

from typing import Any

from chalicelib.api.common import Routes, processes
from chalicelib.http import json_response

routes = Routes(__name__)

LIST_FIELDS = ("process_id", "number", "service_id", "status", "created_at", "submitted_at", "decision_deadline")


@routes.route("/api/requests", methods=["POST"])
@routes.api
def create_request() -> Any:
    """Citizen: start a request (a draft) for a service."""
    session = routes.caller()
    body = routes.body("NewRequest")
    domain = processes()
    process = domain.create_draft(session, body.service_id, body.fields, routes.ip())
    return json_response(domain.view(process), status=201)


@routes.route("/api/requests", methods=["GET"])
@routes.api
def my_requests() -> Any:
    """Citizen: my processes, newest first, with status and deadline."""
    session = routes.caller()
    items = processes().list_for_requerente(session.user_id)
    return json_response({"processes": [{k: p.get(k) for k in LIST_FIELDS} for p in items]})


@routes.route("/api/requests/{process_id}", methods=["GET"])
@routes.api
def get_request(process_id: str) -> Any:
    """The citizen who owns it, or staff of its organ: one process with its documents."""
    session = routes.caller()
    domain = processes()
    return json_response(domain.view(domain.get_for(process_id, session)))


@routes.route("/api/requests/{process_id}/documents", methods=["POST"])
@routes.api
def request_upload(process_id: str) -> Any:
    """The citizen who owns the draft: a presigned POST to upload one file straight to S3 (one file
    per slot; ``replaces`` makes it a new version of an earlier document)."""
    session = routes.caller()
    body = routes.body("UploadSlotRequest")
    slot = processes().upload_slot(process_id, session, body.slot, body.filename, body.content_type, routes.ip(),
                                   replaces=body.replaces)
    return json_response(slot, status=201)


@routes.route("/api/requests/{process_id}/documents/{document_id}", methods=["GET"])
@routes.api
def get_document(process_id: str, document_id: str) -> Any:
    """The requerente, their representante, staff of the organ, auditors: a document's inspection
    status and findings (the file itself: ``.../download``)."""
    from chalicelib.documents import VIEW_FIELDS

    session = routes.caller()
    domain = processes()
    domain.get_for(process_id, session)
    document = domain.documents.get(process_id, document_id)
    return json_response({k: document.get(k) for k in VIEW_FIELDS})


@routes.route("/api/requests/{process_id}/submit", methods=["POST"])
@routes.api
def submit_request(process_id: str) -> Any:
    """The citizen who owns the draft: submit it; it gets its number and its workflow starts."""
    session = routes.caller()
    domain = processes()
    return json_response(domain.view(domain.submit(process_id, session, routes.ip())))
