"""Routes of the system's electronic signature: signing (citizen, staff) and public verification."""

from __future__ import annotations

from typing import Any

from chalicelib.api.common import Routes, processes
from chalicelib.api.http import json_response

routes = Routes(__name__)

DOCUMENT_FIELDS = ("document_id", "slot", "filename", "status", "sha256", "size", "signed_from")


@routes.route("/api/requests/{process_id}/tasks/{task_id}/signature", methods=["POST"])
@routes.api
@routes.idempotent
def citizen_sign(process_id: str, task_id: str) -> Any:
    """The citizen whose process it is, while the signature request is open: sign its document with
    the password again and the responsibility statement accepted; the process goes back to staff."""
    from chalicelib.decision.answers import CitizenAnswers
    from chalicelib.decision.tasks import PendingTasks

    session = routes.caller()
    body = routes.body("SignatureConsent")
    task = CitizenAnswers().sign(process_id, task_id, session, body.password, body.accept_statement, routes.ip())
    return json_response(PendingTasks.public(task))


@routes.route("/api/staff/processes/{process_id}/documents/{document_id}/signature", methods=["POST"])
@routes.api
@routes.idempotent
def staff_sign(process_id: str, document_id: str) -> Any:
    """Decision-makers and heads of the process's organ: sign a PDF of the process for the
    municipality (e.g. the payment plan the citizen signed: both parties sign)."""
    from chalicelib.accounts.users import Accounts
    from chalicelib.decision.signatures import Signatures
    from chalicelib.kernel.errors import Forbidden
    from chalicelib.kernel.roles import DECIDING_ROLES, holds_any
    from chalicelib.processes.access import of_organ

    session = routes.staff()
    body = routes.body("SignatureConsent")
    domain = processes()
    process = domain.get_for(process_id, session)
    if not of_organ(session, process.get("service_organ")) or not holds_any(session.roles, DECIDING_ROLES):
        raise Forbidden("Só quem decide no serviço assina pelo Município.")
    signed = Signatures(audit=domain.audit).sign(
        process,
        document_id,
        Accounts().get(session.user_id),
        body.password,
        body.accept_statement,
        routes.actor(session),
    )
    return json_response({k: signed.get(k) for k in DOCUMENT_FIELDS}, status=201)


@routes.route("/api/public/signatures/{sha256}", methods=["GET"])
@routes.api
def verify_signature(sha256: str) -> Any:
    """Anyone: is the PDF with this SHA-256 (``sha256sum file.pdf``) one signed here? Who signed, when,
    and the hash of the document they signed; 404 for any other PDF (or a signed one altered)."""
    from chalicelib.decision.signatures import Signatures

    return json_response(Signatures().verify(sha256))
