"""Fuzzing: schemathesis draws requests for every operation of ``/openapi.json``, well-formed and
malformed, and sends them over HTTP to the app served as the local stack serves it: well-formed ones
as three callers (anonymous, a citizen with their session token as ``Authorization: Bearer``, a
decision-maker with an API key), malformed ones as the caller whose request reaches the parsing.
Whatever it sends, the answer is never a server error. Bounded: two examples an operation, caller
and kind, so that the run takes about half a minute on an idle machine."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest

from tests.support.api import staff
from tests.support.stack import free_port

EXAMPLES = 2  # per operation, caller and mode: a sample of each field's shapes, few enough to be quick
# What would end the caller's own credentials (then the rest of the run would only see 401s).
SPARED = {("DELETE", "/api/session"), ("DELETE", "/api/staff/api-keys/{key_id}")}


@pytest.fixture
def served(demo: dict[str, Any]) -> Iterator[str]:
    """The app behind the local stack's HTTP server, on a free port, over this test's moto."""
    import app as balcao
    from local.server import make_server

    port = free_port()
    server = make_server(balcao.app, "127.0.0.1", port)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{port}"
    server.shutdown()


def test_no_request_gets_a_server_error(served: str, make_api: Any, demo: dict[str, Any]) -> None:
    import requests
    import schemathesis

    citizen = make_api()
    citizen.login("ana.silva", demo["password"])
    key = staff(make_api, demo, "decisor").call(
        "POST", "/api/staff/api-keys", {"label": "fuzz", "scope": "act", "expires_in_days": 1}
    )
    callers = {
        "anonymous": {},
        "citizen": {"Authorization": f"Bearer {citizen.cookie.split('=', 1)[1]}"},
        "staff_key": {"Authorization": f"Bearer {key.data['api_key']}"},
    }
    schema = schemathesis.openapi.from_url(f"{served}/openapi.json")
    http = requests.Session()
    failures: list[str] = []
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 70  # the routes of the app are in the document

    for operation in operations:
        if (operation.method.upper(), operation.path) in SPARED:
            continue
        positive = operation.as_strategy(generation_mode=schemathesis.GenerationMode.POSITIVE)
        for caller, headers in callers.items():
            _probe(positive, served, http, caller, headers, failures)
        # malformed input, from the caller who gets past authentication to the parsing of it
        caller = "staff_key" if operation.path.startswith("/api/staff/") else "citizen"
        negative = operation.as_strategy(generation_mode=schemathesis.GenerationMode.NEGATIVE)
        _probe(negative, served, http, caller, callers[caller], failures)
    assert not failures, "\n".join(failures[:20])


def _probe(strategy: Any, served: str, http: Any, caller: str, headers: dict[str, str], failures: list[str]) -> None:
    from hypothesis import HealthCheck, Phase, given, settings
    from hypothesis.errors import Unsatisfiable

    @given(case=strategy)
    @settings(
        max_examples=EXAMPLES,
        phases=[Phase.generate],
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def probe(case: Any) -> None:
        response = case.call(base_url=served, session=http, headers=headers, timeout=30)
        if response.status_code >= 500:
            failures.append(
                f"{caller}: {case.method} {case.formatted_path} -> {response.status_code} "
                f"{response.text[:200]}\n  {case.as_curl_command()}"
            )

    try:
        probe()
    except Unsatisfiable:  # nothing malformed to draw for an operation without parameters or body
        pass
