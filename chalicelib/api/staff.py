"""The approval API for staff: queues, one process, decisions."""

from __future__ import annotations

from typing import Any

from chalicelib.api.common import Routes, processes
from chalicelib.http import json_response

routes = Routes(__name__)

QUEUE_FIELDS = ("process_id", "number", "service_id", "status", "submitted_at", "decision_deadline")


@routes.route("/api/staff/processes", methods=["GET"])
@routes.api
def staff_queue() -> Any:
    """Staff: the processes of my organ, nearest legal deadline first."""
    from chalicelib.errors import Forbidden

    session = routes.staff()
    if not session.organ:
        raise Forbidden("A sua conta não está associada a um serviço.")
    items = processes().queue_for_organ(session.organ)
    return json_response({"processes": [{k: p.get(k) for k in QUEUE_FIELDS} for p in items]})


@routes.route("/api/staff/processes/{process_id}", methods=["GET"])
@routes.api
def staff_process(process_id: str) -> Any:
    """Staff of the process's organ (and auditors): the process, its documents and timeline."""
    session = routes.staff()
    domain = processes()
    return json_response(domain.view(domain.get_for(process_id, session), for_staff=True))


@routes.route("/api/staff/processes/{process_id}/decision", methods=["POST"])
@routes.api
def staff_decide(process_id: str) -> Any:
    """Decision-makers and heads of the process's organ: approve (deferido) or reject (indeferido)
    with grounds; the workflow resumes and notifies the citizen."""
    session = routes.staff()
    body = routes.body("Decision")
    domain = processes()
    process = domain.decide(process_id, session, body.decision, body.grounds, routes.ip())
    return json_response(domain.view(process, for_staff=True))
