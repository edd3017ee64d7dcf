"""Routes of the decision stage: what staff ask of the citizen (pendências, the prior hearing,
signatures) and how the citizen answers; "Minhas Pendências"."""

from __future__ import annotations

from typing import Any

from chalicelib.api.common import Routes
from chalicelib.api.http import json_response

routes = Routes(__name__)


def _stage() -> Any:
    from chalicelib.decision.stage import DecisionStage

    return DecisionStage()


def _answers() -> Any:
    from chalicelib.decision.answers import CitizenAnswers

    return CitizenAnswers()


def _public(task: dict[str, Any]) -> dict[str, Any]:
    from chalicelib.decision.tasks import PendingTasks

    return PendingTasks.public(task)


# -- staff ---------------------------------------------------------------------------------------
@routes.route("/api/staff/processes/{process_id}/pending-tasks", methods=["POST"])
@routes.api
@routes.idempotent
def ask_for_elements(process_id: str) -> Any:
    """Clerks, decision-makers and heads of the process's organ, while it awaits them: ask the
    citizen for documents or information (a pendência) with its own deadline in working days."""
    from chalicelib.kernel.vocabulary import TaskKind

    session = routes.staff()
    body = routes.body("PendingTaskRequest")
    task = _stage().ask(
        process_id, session, TaskKind.PENDENCIA, body.subject, body.description, body.working_days, routes.ip()
    )
    return json_response(_public(task), status=201)


@routes.route("/api/staff/processes/{process_id}/signature-requests", methods=["POST"])
@routes.api
@routes.idempotent
def ask_for_signature(process_id: str) -> Any:
    """Clerks, decision-makers and heads of the process's organ, while it awaits them: ask the
    citizen to sign an accepted PDF of the process (e.g. the payment plan)."""
    from chalicelib.kernel.vocabulary import TaskKind

    session = routes.staff()
    body = routes.body("SignatureRequest")
    task = _stage().ask(
        process_id,
        session,
        TaskKind.ASSINATURA,
        body.subject,
        body.description,
        body.working_days,
        routes.ip(),
        document_id=body.document_id,
    )
    return json_response(_public(task), status=201)


@routes.route("/api/staff/processes/{process_id}/payment-plan", methods=["POST"])
@routes.api
@routes.idempotent
def issue_payment_plan(process_id: str) -> Any:
    """Clerks, decision-makers and heads of the process's organ, before the decision: the
    installment plan as a PDF document of the process (made once), to ask the citizen to sign."""
    from chalicelib.documents.store import VIEW_FIELDS

    document = _stage().issue_payment_plan(process_id, routes.staff(), routes.ip())
    return json_response({k: document.get(k) for k in VIEW_FIELDS if k in document}, status=201)


@routes.route("/api/staff/processes/{process_id}/prior-hearing", methods=["POST"])
@routes.api
@routes.idempotent
def propose_rejection(process_id: str) -> Any:
    """Decision-makers and heads of the process's organ, while it awaits them: propose a rejection,
    which opens the prior hearing (10 working days for the citizen to answer)."""
    session = routes.staff()
    body = routes.body("HearingProposal")
    task = _stage().propose_rejection(process_id, session, body.grounds, routes.ip())
    return json_response(_public(task), status=201)


# -- citizen -------------------------------------------------------------------------------------
@routes.route("/api/pending-tasks", methods=["GET"])
@routes.api
def my_pending_tasks() -> Any:
    """Citizen: "Minhas Pendências", the open tasks of all my processes, nearest deadline first."""
    from chalicelib.decision.tasks import PendingTasks

    session = routes.caller()
    tasks = PendingTasks().open_for_requerente(session.user_id)
    return json_response({"pending_tasks": [_public(t) | {"number": t.get("number")} for t in tasks]})


@routes.route("/api/requests/{process_id}/tasks/{task_id}/documents", methods=["POST"])
@routes.api
def task_attachment(process_id: str, task_id: str) -> Any:
    """A citizen of the process (filer, requerente, representante), while the task is open: a
    presigned POST for one attachment of the answer, inspected before the answer may use it: in the
    task's own slot, in a service's ``slot``, or as a new version of a document (``replaces``)."""
    session = routes.caller()
    body = routes.body("TaskAttachment")
    slot = _answers().upload_slot(
        process_id,
        task_id,
        session,
        body.filename,
        body.content_type,
        routes.ip(),
        slot=body.slot,
        replaces=body.replaces,
    )
    return json_response(slot, status=201)


@routes.route("/api/requests/{process_id}/tasks/{task_id}/answer", methods=["POST"])
@routes.api
@routes.idempotent
def answer_task(process_id: str, task_id: str) -> Any:
    """The citizen whose process it is: answer a pendência or the prior hearing once, before its
    deadline, with text and/or attachments; the process goes back to staff."""
    session = routes.caller()
    body = routes.body("TaskAnswer")
    task = _answers().answer(process_id, task_id, session, body.text, body.document_ids, routes.ip())
    return json_response(_public(task))


# -- view access ("vista") -------------------------------------------------------------------------
def _view_access() -> Any:
    from chalicelib.views.released import ViewAccess

    return ViewAccess()


@routes.route("/api/staff/processes/{process_id}/view-access", methods=["POST"])
@routes.api
@routes.idempotent
def grant_view(process_id: str) -> Any:
    """Clerks, decision-makers and heads of the process's organ: grant a registered citizen
    (``identifier``: NIF, username or email) view of the process, optionally ``until`` a date."""
    body = routes.body("ViewGrant")
    grant = _view_access().grant(process_id, routes.staff(), body.identifier, body.until, routes.ip())
    return json_response(grant, status=201)


@routes.route("/api/staff/processes/{process_id}/view-access/{grantee_id}", methods=["DELETE"])
@routes.api
@routes.idempotent
def revoke_view(process_id: str, grantee_id: str) -> Any:
    """Clerks, decision-makers and heads of the process's organ: end a citizen's view of the process
    before its date (409 if it already ended or was revoked)."""
    grant = _view_access().revoke(process_id, grantee_id, routes.staff(), routes.ip())
    return json_response(grant)


@routes.route("/api/released-processes", methods=["GET"])
@routes.api
def released_processes() -> Any:
    """Citizen: "Processos liberados", the processes I was granted view of."""
    return json_response({"processes": _view_access().released(routes.caller())})


@routes.route("/api/released-processes/{process_id}", methods=["GET"])
@routes.api
def released_process(process_id: str) -> Any:
    """Citizen granted view of it (and still in force): the process, read-only; 404 for anyone else."""
    return json_response(_view_access().view(process_id, routes.caller()))
