"""The AWS calls of every route (tests/support/route_tour.py), counted with botocore's hooks: no
request path scans a DynamoDB table (the design's standing rule: a Scan reads the whole table, so a
request's cost would grow with every process the municipality ever had). The counts per route and
their goals are printed by ``./dev bench aws-calls``, not judged here."""

from __future__ import annotations

from typing import Any

from tests.support import aws_calls
from tests.support.route_tour import TOUR
from tests.support.tour_world import build_world, tour


def _app_routes() -> set[str]:
    import app as balcao

    return {f"{method} {path}" for path, methods in balcao.app.routes.items() for method in methods}


def test_the_tour_calls_every_route_of_the_app_once() -> None:
    routes = [stop.route for stop in TOUR]
    assert len(routes) == len(set(routes)), "a route toured twice"
    assert set(routes) == _app_routes()


def test_no_request_path_scans(client: Any, demo: dict[str, Any]) -> None:
    from chalicelib.platform import aws

    aws_calls.install()
    aws.reset_clients()  # the clients made before the hook would not count
    world = build_world(client, background=2)
    failed, scanned, counted = [], [], 0
    for called in tour(world, around=aws_calls.counting):
        if not 200 <= called.status < 300:
            failed.append(f"{called.stop.route}: {called.status} {called.body[:200]}")
        if aws_calls.scans(called.measured):
            scanned.append(f"{called.stop.route}: {dict(called.measured)}")
        counted += sum(called.measured.values())
    assert counted, "no AWS call counted: is the hook installed?"
    assert not scanned, "request paths that scan:\n" + "\n".join(scanned)
    assert not failed, "\n".join(failed)
