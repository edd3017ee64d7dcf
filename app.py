"""Balcão's API and Lambda functions. Thin: each view reads the request, calls one domain function in
``chalicelib`` and shapes the response; each Lambda function translates an event into a domain call."""

from __future__ import annotations

from typing import Any

from chalice import Chalice

from chalicelib.http import (
    expired_session_cookie,
    handles_errors,
    json_response,
    parse_body,
    session_cookie,
    session_token,
    source_ip,
)

app = Chalice(app_name="balcao")
app.api.cors = False  # the web form is served from the API's own origin
api = handles_errors(app)


# -- lazy getters: nothing touches AWS, pydantic or argon2 before a request needs it --------------
def _accounts() -> Any:
    from chalicelib.accounts import Accounts

    return Accounts()


def _sessions() -> Any:
    from chalicelib.accounts import Sessions

    return Sessions()


def _processes() -> Any:
    from chalicelib.processes import Processes

    return Processes()


def _caller() -> Any:
    """The session of whoever calls: a 401 without a valid one."""
    return _sessions().resolve(session_token(app.current_request.headers))


def _body(model_name: str) -> Any:
    from chalicelib import api_models

    return parse_body(app.current_request.raw_body, getattr(api_models, model_name))


def _ip() -> str | None:
    return source_ip(app.current_request)


# -- public -------------------------------------------------------------------------------------
@app.route("/health", methods=["GET"])
@api
def health() -> Any:
    """Anyone. The API answers (no AWS call, so it can be probed often)."""
    return json_response({"status": "ok"})


@app.route("/api/services", methods=["GET"])
@api
def list_services() -> Any:
    """Anyone: the services catalogue."""
    from chalicelib.catalogue import load_catalogue

    return json_response(
        {"services": [{"id": s.id, "title": s.title, "organ": s.organ, "summary": s.summary} for s in load_catalogue().values()]}
    )


@app.route("/api/services/{service_id}", methods=["GET"])
@api
def get_service(service_id: str) -> Any:
    """Anyone: one service's page (what to bring, cost, deadline, law)."""
    from chalicelib.catalogue import get_service as service_by_id

    return json_response(service_by_id(service_id).model_dump())


@app.route("/api/public/processes/{organ}/{year}/{sequence}", methods=["GET"])
@api
def public_lookup(organ: str, year: str, sequence: str) -> Any:
    """Anyone: the basic data of a process by its number (e.g. CAMARA 2026/000001), nothing personal."""
    from chalicelib.public import lookup

    return json_response(lookup(f"{organ} {year}/{sequence}"))


# -- citizens -----------------------------------------------------------------------------------
@app.route("/api/session", methods=["POST"])
@api
def citizen_login() -> Any:
    """Anyone: a citizen or company logs in with identity number, username or email + password."""
    body = _body("Login")
    user = _accounts().authenticate(body.identifier, body.password, kind="citizen")
    token, lifetime = _sessions().start(user, _ip())
    return json_response({"user": user.public()}, headers={"Set-Cookie": session_cookie(token, lifetime)})


@app.route("/api/session", methods=["DELETE"])
@api
def logout() -> Any:
    """Anyone: ends the caller's session, if any."""
    _sessions().end(session_token(app.current_request.headers), _ip())
    return json_response({"ended": True}, headers={"Set-Cookie": expired_session_cookie()})


@app.route("/api/me", methods=["GET"])
@api
def me() -> Any:
    """Any logged-in user: who am I."""
    session = _caller()
    user = _accounts().get(session.user_id)
    return json_response({"user": user.public() if user else None, "session_expires_at": session.expires_at})


@app.route("/api/requests", methods=["POST"])
@api
def create_request() -> Any:
    """Citizen: start a request (a draft) for a service."""
    session = _caller()
    body = _body("NewRequest")
    process = _processes().create_draft(session, body.service_id, body.fields, _ip())
    return json_response(_processes().view(process), status=201)


@app.route("/api/requests", methods=["GET"])
@api
def my_requests() -> Any:
    """Citizen: my processes, newest first, with status and deadline."""
    session = _caller()
    processes = _processes()
    items = processes.list_for_requerente(session.user_id)
    return json_response({"processes": [
        {k: p.get(k) for k in ("process_id", "number", "service_id", "status", "created_at", "submitted_at", "decision_deadline")}
        for p in items
    ]})


@app.route("/api/requests/{process_id}", methods=["GET"])
@api
def get_request(process_id: str) -> Any:
    """The citizen who owns it, or staff of its organ: one process with its documents."""
    session = _caller()
    processes = _processes()
    return json_response(processes.view(processes.get_for(process_id, session)))


@app.route("/api/requests/{process_id}/documents", methods=["POST"])
@api
def request_upload(process_id: str) -> Any:
    """The citizen who owns the draft: a presigned POST to upload one file straight to S3."""
    session = _caller()
    body = _body("UploadSlotRequest")
    slot = _processes().upload_slot(process_id, session, body.slot, body.filename, body.content_type, _ip())
    return json_response(slot, status=201)


@app.route("/api/requests/{process_id}/documents/{document_id}", methods=["GET"])
@api
def get_document(process_id: str, document_id: str) -> Any:
    """The owner or staff of the organ: a document's inspection status and, once accepted, a
    short-lived download link."""
    session = _caller()
    processes = _processes()
    processes.get_for(process_id, session)
    document = processes.documents.get(process_id, document_id)
    body = {k: document.get(k) for k in ("document_id", "slot", "filename", "status", "reason", "sha256", "size")}
    if document["status"] == "aceite":
        body["download_url"] = processes.documents.download_url(document)
        processes.audit.record(_actor(session), "document.downloaded", f"process#{process_id}", document_id=document_id)
    return json_response(body)


@app.route("/api/requests/{process_id}/submit", methods=["POST"])
@api
def submit_request(process_id: str) -> Any:
    """The citizen who owns the draft: submit it; it gets its number and its workflow starts."""
    session = _caller()
    processes = _processes()
    process = processes.submit(process_id, session, _ip())
    return json_response(processes.view(process))


def _actor(session: Any) -> Any:
    from chalicelib.audit import Actor

    return Actor(session.user_id, _ip())


# -- staff (approval API) -----------------------------------------------------------------------
@app.route("/api/staff/session", methods=["POST"])
@api
def staff_login() -> Any:
    """Anyone: staff log in with username or email + password."""
    body = _body("Login")
    user = _accounts().authenticate(body.identifier, body.password, kind="staff")
    token, lifetime = _sessions().start(user, _ip())
    return json_response({"user": user.public()}, headers={"Set-Cookie": session_cookie(token, lifetime)})


def _staff() -> Any:
    from chalicelib.errors import Forbidden

    session = _caller()
    if session.kind != "staff":
        raise Forbidden("Área reservada aos serviços municipais.")
    return session


@app.route("/api/staff/processes", methods=["GET"])
@api
def staff_queue() -> Any:
    """Staff: the processes of my organ, nearest legal deadline first."""
    session = _staff()
    from chalicelib.errors import Forbidden

    if not session.organ:
        raise Forbidden("A sua conta não está associada a um serviço.")
    items = _processes().queue_for_organ(session.organ)
    return json_response({"processes": [
        {k: p.get(k) for k in ("process_id", "number", "service_id", "status", "submitted_at", "decision_deadline")}
        for p in items
    ]})


@app.route("/api/staff/processes/{process_id}", methods=["GET"])
@api
def staff_process(process_id: str) -> Any:
    """Staff of the process's organ (and auditors): the process, its documents and timeline."""
    session = _staff()
    processes = _processes()
    return json_response(processes.view(processes.get_for(process_id, session), for_staff=True))


@app.route("/api/staff/processes/{process_id}/decision", methods=["POST"])
@api
def staff_decide(process_id: str) -> Any:
    """Decision-makers and heads of the process's organ: approve (deferido) or reject (indeferido)
    with grounds; the workflow resumes and notifies the citizen."""
    session = _staff()
    body = _body("Decision")
    processes = _processes()
    process = processes.decide(process_id, session, body.decision, body.grounds, _ip())
    return json_response(processes.view(process, for_staff=True))


# -- Lambda functions: S3 events and the state machines' tasks -----------------------------------
@app.lambda_function(name="inspect_upload")
def inspect_upload(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """S3 ObjectCreated under the quarantine prefix: inspect each new file."""
    from chalicelib.documents import Documents

    documents = Documents()
    results = []
    for record in event.get("Records", []):
        document = documents.inspect_key(record["s3"]["object"]["key"])
        if document is not None:
            results.append({"document_id": document["document_id"], "status": document["status"]})
    return {"inspected": results}


@app.lambda_function(name="inspect_process_documents")
def inspect_process_documents(event: dict[str, Any], context: Any) -> dict[str, Any]:
    from chalicelib import workflow

    return workflow.inspect_process_documents(event)


@app.lambda_function(name="register_decision_task")
def register_decision_task(event: dict[str, Any], context: Any) -> dict[str, Any]:
    from chalicelib import workflow

    return workflow.register_decision_task(event)


@app.lambda_function(name="notify")
def notify(event: dict[str, Any], context: Any) -> dict[str, Any]:
    from chalicelib import workflow

    return workflow.notify(event)
