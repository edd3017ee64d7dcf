"""Routes for anyone, no login: health, the services catalogue, the public process lookup."""

from __future__ import annotations

from typing import Any

from chalicelib.api.common import Routes
from chalicelib.http import json_response

routes = Routes(__name__)


@routes.route("/health", methods=["GET"])
@routes.api
def health() -> Any:
    """Anyone. The API answers (no AWS call, so it can be probed often)."""
    return json_response({"status": "ok"})


@routes.route("/api/services", methods=["GET"])
@routes.api
def list_services() -> Any:
    """Anyone: the services catalogue."""
    from chalicelib.catalogue import load_catalogue

    services = [{"id": s.id, "title": s.title, "organ": s.organ, "summary": s.summary} for s in load_catalogue().values()]
    return json_response({"services": services})


@routes.route("/api/services/{service_id}", methods=["GET"])
@routes.api
def get_service(service_id: str) -> Any:
    """Anyone: one service's page (what to bring, cost, deadline, law)."""
    from chalicelib.catalogue import get_service as service_by_id

    return json_response(service_by_id(service_id).model_dump())


@routes.route("/api/public/processes/{organ}/{year}/{sequence}", methods=["GET"])
@routes.api
def public_lookup(organ: str, year: str, sequence: str) -> Any:
    """Anyone: the basic data of a process by its number (e.g. CAMARA 2026/000001), nothing personal.
    Rate-limited per IP address (429 beyond ``public_lookups_per_minute``)."""
    from chalicelib.public import lookup
    from chalicelib.rate_limits import RateLimit
    from chalicelib.settings import get_settings

    RateLimit("public_lookup", get_settings().public_lookups_per_minute).hit(routes.ip())
    return json_response(lookup(f"{organ} {year}/{sequence}"))
