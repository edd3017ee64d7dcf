"""Routes for anyone, no login: health, the services catalogue, the public process lookup, the
retention schedule."""

from __future__ import annotations

from typing import Any

from chalicelib.api.common import Routes
from chalicelib.api.http import json_response

routes = Routes(__name__)


@routes.route("/health", methods=["GET"])
@routes.api
def health() -> Any:
    """Anyone: the API answers (no AWS call, so it can be probed often)."""
    return json_response({"status": "ok"})


@routes.route("/api/public/retention", methods=["GET"])
@routes.api
def retention_schedule() -> Any:
    """Anyone: how long the municipality keeps each kind of record, from when, on what legal basis, and
    whether a clock removes it (chalicelib/retention.json; the privacy page shows it)."""
    from chalicelib.kernel.retention import public_schedule

    return json_response({"records": public_schedule()})


@routes.route("/api/deployment", methods=["GET"])
@routes.api
def deployment() -> Any:
    """Anyone: where this deployment is (country, municipality, time zone, the municipality's today),
    which the web form writes dates by; ``demo_today`` is set while the local stack runs a demo clock."""
    from chalicelib.kernel.clock import demo_today, today
    from chalicelib.kernel.settings import get_settings

    settings = get_settings()
    demo = demo_today()
    return json_response(
        {
            "country": settings.country,
            "municipality": settings.municipality,
            "timezone": settings.timezone,
            "today": today().isoformat(),
            "demo_today": demo.isoformat() if demo else None,
        }
    )


@routes.route("/api/services", methods=["GET"])
@routes.api
def list_services() -> Any:
    """Anyone: the services catalogue; ``?q=words`` keeps the services matching every word (accents
    and case ignored), best matches first."""
    from chalicelib.catalogue.service import search

    query = (routes.query("q") or "")[:200]
    return json_response({"query": query, "services": [service.summary_card() for service in search(query)]})


@routes.route("/api/services/{service_id}", methods=["GET"])
@routes.api
def get_service(service_id: str) -> Any:
    """Anyone: one service's page (what to bring, cost, deadline, law, contacts, the informative
    sections), with the proofs of who asks that any request may need (``party_documents``)."""
    from chalicelib.catalogue.service import get_service as service_by_id

    return json_response(service_by_id(service_id).public_page())


@routes.route("/api/services/{service_id}/plan", methods=["POST"])
@routes.api
def preview_plan(service_id: str) -> Any:
    """Anyone: the installment plan a request with these fields would get (amounts to the cent,
    summing exactly to the debt, each due date), or a 422 naming the rule it breaks."""
    from chalicelib.catalogue.deadlines import decision_deadline
    from chalicelib.catalogue.installments import plan_for_fields
    from chalicelib.catalogue.service import get_service as service_by_id
    from chalicelib.kernel.clock import today

    service = service_by_id(service_id)
    body = routes.body("PlanPreview")
    deadline = decision_deadline(service, today())
    installments = plan_for_fields(service, body.fields, deadline)
    total = sum(item.amount_cents for item in installments)
    return json_response(
        {
            "service_id": service.id,
            "decision_deadline": deadline.isoformat(),
            "total_cents": total,
            "installments": [item.to_dict() for item in installments],
        }
    )


@routes.route("/api/public/processes/{organ}/{year}/{sequence}", methods=["GET"])
@routes.api
def public_lookup(organ: str, year: str, sequence: str) -> Any:
    """Anyone: the basic data of a process by its number (e.g. CAMARA 2026/000001), nothing personal.
    Rate-limited per IP address (429 beyond ``public_lookups_per_minute``)."""
    from chalicelib.kernel.settings import get_settings
    from chalicelib.platform.rate_limits import RateLimit
    from chalicelib.processes.lookup import lookup

    RateLimit("public_lookup", get_settings().public_lookups_per_minute).hit(routes.ip())
    return json_response(lookup(f"{organ} {year}/{sequence}"))


@routes.route("/openapi.json", methods=["GET"])
@routes.api
def openapi_document() -> Any:
    """Anyone: this API's OpenAPI 3.1 document, citizen and staff routes alike."""
    from chalice import Response

    from chalicelib.api.http import JSON_HEADERS
    from chalicelib.api.openapi import document

    return Response(
        body=document(routes.current_app),
        status_code=200,
        headers={**JSON_HEADERS, "Cache-Control": "public, max-age=300"},
    )
