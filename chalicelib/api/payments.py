"""Routes for fees: staff record a payment; the payment provider confirms one (signed callback)."""

from __future__ import annotations

from typing import Any

from chalicelib.api.common import Routes, processes
from chalicelib.api.http import json_response

routes = Routes(__name__)


def payments() -> Any:
    from chalicelib.payments.recording import Payments

    return Payments()


@routes.route("/api/staff/processes/{process_id}/payment", methods=["POST"])
@routes.api
@routes.idempotent
def staff_record_payment(process_id: str) -> Any:
    """Clerks, heads and administrators of the process's organ: record the payment of its fee (the
    amount due, and how it was paid). Once only: a second record is a 409. The citizen gets a receipt
    by email and a workflow waiting for the payment resumes."""
    session = routes.staff()
    body = routes.body("StaffPayment")
    payments().record_by_staff(process_id, session, body.amount_eur, body.method, body.note, routes.ip())
    from chalicelib.views.process_view import ProcessViews

    return json_response(ProcessViews().view(processes().get(process_id), for_staff=True))


@routes.route("/api/payments/multibanco/callback", methods=["POST"])
@routes.api
def provider_callback() -> Any:
    """The payment provider only, proved by the ``X-Balcao-Signature`` header (hex HMAC-SHA256 of the
    raw body with the shared secret): a Multibanco reference was paid. A repeated notice gets the
    same answer."""
    from chalicelib.api import models as api_models
    from chalicelib.api.http import parse_body
    from chalicelib.payments.recording import SIGNATURE_HEADER, check_signature

    raw = routes.current_request.raw_body or b""
    check_signature(raw, routes.headers().get(SIGNATURE_HEADER))  # first: nothing unsigned is parsed
    notice = parse_body(raw, api_models.PaymentNotice)
    process = payments().confirm_by_provider(notice.model_dump())
    return json_response(
        {"process_id": process["process_id"], "number": process.get("number"), "status": process["payment"]["status"]}
    )
