"""The approval API for staff: queues, one process, claim and assignment, decisions.

Staff of an organ see and act on their organ's processes only; auditors read every organ's and act on
none. Each action checks the process's state (409), the caller's role and organ (403), accepts an
``Idempotency-Key`` header and writes the audit trail.
"""

from __future__ import annotations

from typing import Any

from chalicelib.api.common import Routes, accounts, data_access, processes, views
from chalicelib.api.http import json_response

routes = Routes(__name__)

QUEUE_FIELDS = ("process_id", "number", "service_id", "status", "submitted_at", "decision_deadline", "assignee_id")


def _queue_organ(session: Any) -> str:
    """Whose queue: my organ's; an auditor names one with ``?organ=``."""
    from chalicelib.kernel.errors import Forbidden, ValidationFailed
    from chalicelib.processes.access import is_auditor

    asked = routes.query("organ")
    if is_auditor(session):
        if not asked:
            raise ValidationFailed("Indique o órgão (?organ=CAMARA).", field="organ")
        return asked.strip().upper()
    if not session.organ:
        raise Forbidden("A sua conta não está associada a um serviço.")
    if asked and asked.strip().upper() != session.organ:
        raise Forbidden("Só pode consultar os processos do seu serviço.")
    return session.organ


def _limit() -> int:
    from chalicelib.kernel.errors import ValidationFailed
    from chalicelib.kernel.money import whole_number_text

    raw = routes.query("limit")
    if raw is None:
        return 25
    if not whole_number_text(raw):
        raise ValidationFailed("Deve ser um número inteiro entre 1 e 100.", field="limit")
    return int(raw)


@routes.route("/api/staff/processes", methods=["GET"])
@routes.api
def staff_queue() -> Any:
    """Staff: the processes of my organ, nearest legal deadline first, a page at a time (auditors:
    any organ's, with ``?organ=``). Filters: ``status``, ``service_id``; ``limit`` (1-100, default 25);
    ``cursor``: the previous page's ``next_cursor``."""
    from chalicelib.processes.queries import ProcessQueries
    from chalicelib.views.process_view import working_days_left

    session = routes.staff()
    items, next_cursor = ProcessQueries().queue(
        _queue_organ(session),
        status=routes.query("status"),
        service_id=routes.query("service_id"),
        limit=_limit(),
        cursor=routes.query("cursor"),
    )
    page = [{**{k: p.get(k) for k in QUEUE_FIELDS}, "working_days_left": working_days_left(p)} for p in items]
    return json_response({"processes": page, "next_cursor": next_cursor})


@routes.route("/api/staff/processes/{process_id}", methods=["GET"])
@routes.api
def staff_process(process_id: str) -> Any:
    """Staff of the process's organ (and auditors): everything about one process in one call: data,
    requerente and representante, documents with inspection results, timeline, pending tasks,
    messages, notifications, deadline and working days left."""
    session = routes.staff()
    return _read(session, processes().get_for(process_id, session))


def _read(session: Any, process: dict[str, Any]) -> Any:
    """Everything about the process, as staff read it: the reading is recorded for its citizens
    ("who saw my data")."""
    view = views().staff_view(process)
    data_access().process_read(session, process, "process", routes.ip())
    return json_response(view)


@routes.route("/api/staff/processes/{process_id}/claim", methods=["POST"])
@routes.api
@routes.idempotent
def staff_claim(process_id: str) -> Any:
    """Clerks, decision-makers and heads of the process's organ: take an open process for myself
    (409 if a colleague holds it or it is closed)."""
    session = routes.staff()
    from chalicelib.processes.assignment import Assignments

    Assignments().claim(process_id, session, routes.ip())
    return _read(session, processes().get(process_id))


@routes.route("/api/staff/processes/{process_id}/assignment", methods=["POST"])
@routes.api
@routes.idempotent
def staff_assign(process_id: str) -> Any:
    """Heads and administrators of the process's organ: hand an open process to a colleague of the
    organ who works processes (409 if it is closed or was reassigned meanwhile)."""
    session = routes.staff()
    body = routes.body("Assignment")
    from chalicelib.processes.assignment import Assignments

    Assignments().assign(process_id, session, accounts().get(body.assignee_id), routes.ip())
    return _read(session, processes().get(process_id))


@routes.route("/api/staff/processes/{process_id}/decision", methods=["POST"])
@routes.api
@routes.idempotent
def staff_decide(process_id: str) -> Any:
    """Decision-makers and heads of the process's organ: approve (deferido) or reject (indeferido)
    with grounds; the workflow resumes and notifies the citizen."""
    session = routes.staff()
    body = routes.body("Decision")
    from chalicelib.decision.stage import DecisionStage

    process = DecisionStage().decide(process_id, session, body.decision, body.grounds, routes.ip())
    return _read(session, process)


@routes.route("/api/staff/processes/{process_id}/retry", methods=["POST"])
@routes.api
@routes.idempotent
def staff_retry_step(process_id: str) -> Any:
    """Clerks, decision-makers, heads and administrators of the process's organ: a step of the
    process's workflow failed after its retries (status ``requer_atencao``, the step and the error in
    ``attention``): run it again from where it failed; the process gets back the status it had (409
    if no step waits to be retried)."""
    session = routes.staff()
    from chalicelib.processes.recovery import StepRetry

    return _read(session, StepRetry().retry(process_id, session, routes.ip()))


@routes.route("/api/staff/registrations/{user_id}/retry", methods=["POST"])
@routes.api
@routes.idempotent
def staff_retry_registration_step(user_id: str) -> Any:
    """Clerks, decision-makers, heads and administrators of any organ: a step of the registration's
    workflow failed after its retries (``workflow_attention`` in the registrations queue): run it
    again from where it failed (409 if no step waits to be retried)."""
    session = routes.staff()
    from chalicelib.accounts.workflow_recovery import RegistrationStepRetry

    return json_response(RegistrationStepRetry().retry(user_id, session, routes.ip()))
