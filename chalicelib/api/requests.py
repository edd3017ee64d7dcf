"""Routes for citizens' requests and processes: drafts, uploads, submission, my processes."""

from __future__ import annotations

from typing import Any

from chalicelib.api.common import Routes, data_access, documents, drafts, processes, views
from chalicelib.api.http import json_response

routes = Routes(__name__)

LIST_FIELDS = (
    "process_id",
    "number",
    "service_id",
    "status",
    "created_at",
    "updated_at",
    "submitted_at",
    "decision_deadline",
)


@routes.route("/api/requests", methods=["POST"])
@routes.api
def create_request() -> Any:
    """Citizen: start a request (a draft) for a service. With an ``Idempotency-Key`` header, sending
    the same request again returns the same draft (200) instead of a second one."""
    session = routes.caller()
    body = routes.body("NewRequest")
    key = (routes.headers().get("idempotency-key") or "").strip()[:200] or None
    parts = body.model_dump(include={"requerente", "representante", "notification"})
    process, created = drafts().create_draft(
        session, body.service_id, body.fields, routes.ip(), idempotency_key=key, **parts
    )
    return json_response(views().view(process), status=201 if created else 200)


@routes.route("/api/requests", methods=["GET"])
@routes.api
def my_requests() -> Any:
    """Citizen: my drafts and processes, as requerente or as representante, newest first."""
    session = routes.caller()
    from chalicelib.processes.queries import ProcessQueries

    items = ProcessQueries().list_for_citizen(session.user_id)
    return json_response({"processes": [{k: p.get(k) for k in LIST_FIELDS} for p in items]})


@routes.route("/api/requests/{process_id}", methods=["PATCH"])
@routes.api
def save_draft(process_id: str) -> Any:
    """The citizen who filed the draft: save what was filled since (only the parts sent). With
    ``version`` (the draft's, as last read), a save on an older version is a 409 whose
    ``error.current`` is the draft as it is now; without it, concurrent saves are merged."""
    session = routes.caller()
    body = routes.body("DraftUpdate")
    changes = body.model_dump(exclude_unset=True)
    version = changes.pop("version", None)
    process = drafts().update_draft(process_id, session, changes, routes.ip(), expected_version=version)
    return json_response(views().view(process))


@routes.route("/api/requests/{process_id}/plan", methods=["GET"])
@routes.api
def draft_plan(process_id: str) -> Any:
    """Whoever may see the process: its installment plan (the one agreed at submission, or, for a
    draft, the preview from its fields; a 422 names the rule they break)."""
    session = routes.caller()
    from chalicelib.processes.drafts import preview_plan

    process = processes().get_for(process_id, session)
    if process.get("installment_plan"):
        return json_response({"installments": process["installment_plan"]})
    plan = preview_plan(process)
    if plan is None:
        from chalicelib.kernel.errors import NotFound

        raise NotFound("Este serviço não tem plano de prestações.", field="service_id")
    return json_response({"installments": [item.to_dict() for item in plan]})


@routes.route("/api/requests/{process_id}", methods=["GET"])
@routes.api
def get_request(process_id: str) -> Any:
    """Its filer, its requerente's or representante's account, or staff of its organ: one process
    with its documents, who asks, the notification choice, its payment. A reading by staff is
    recorded for the process's citizens ("who saw my data")."""
    session = routes.caller()
    process = processes().get_for(process_id, session)
    view = views().view(process)
    data_access().process_read(session, process, "process", routes.ip())
    return json_response(view)


@routes.route("/api/requests/{process_id}/data-access", methods=["GET"])
@routes.api
def process_data_access(process_id: str) -> Any:
    """The process's requerente, representante or filer: who in the services read its data, its
    documents, messages or notifications (role and organ), when and what; newest first."""
    from chalicelib.kernel.errors import NotFound
    from chalicelib.kernel.roles import CITIZEN

    session = routes.caller()
    if session.kind != CITIZEN:
        raise NotFound("Processo desconhecido.", field="process_id")
    processes().get_for(process_id, session)
    return json_response({"reads": data_access().for_citizen(session.user_id, process_id)})


@routes.route("/api/requests/{process_id}/documents", methods=["POST"])
@routes.api
def request_upload(process_id: str) -> Any:
    """The citizen who owns the draft, or, while a pendência or the prior hearing is open, a citizen
    of the process: a presigned POST to upload one file straight to S3 (one file per slot;
    ``replaces`` makes it a new version of an earlier document)."""
    session = routes.caller()
    body = routes.body("UploadSlotRequest")
    from chalicelib.decision.uploads import upload_slot

    slot = upload_slot(
        process_id, session, body.slot, body.filename, body.content_type, routes.ip(), replaces=body.replaces
    )
    return json_response(slot, status=201)


@routes.route("/api/requests/{process_id}/documents/{document_id}", methods=["GET"])
@routes.api
def get_document(process_id: str, document_id: str) -> Any:
    """The requerente, their representante, staff of the organ, auditors: a document's inspection
    status and findings (the file itself: ``.../download``)."""
    from chalicelib.documents.store import VIEW_FIELDS

    session = routes.caller()
    process = processes().get_for(process_id, session)
    document = documents().get(process_id, document_id)
    data_access().process_read(session, process, "document_data", routes.ip(), filename=document.get("filename"))
    return json_response({k: document.get(k) for k in VIEW_FIELDS})


@routes.route("/api/requests/{process_id}/submit", methods=["POST"])
@routes.api
def submit_request(process_id: str) -> Any:
    """The citizen who filed the draft: submit it; it gets its number (and a Multibanco reference
    when the service has a fee) and its workflow starts. Every problem is named at once (422);
    submitting again returns the same process."""
    session = routes.caller()
    from chalicelib.processes.submission import Submissions

    return json_response(views().view(Submissions().submit(process_id, session, routes.ip())))
