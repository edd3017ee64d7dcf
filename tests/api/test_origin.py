"""Behind CloudFront: the API answers only requests that carry CloudFront's secret origin header,
and only then takes the client's address from the viewer-address header CloudFront's function sets,
for throttles, the audit trail and consents. Locally (no secret) the connection's address is used and
a viewer-address header is ignored, whoever sends it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

SECRET = "a-test-origin-secret-of-at-least-32-characters"
VIEWER = "203.0.113.7"


@pytest.fixture
def behind_cloudfront(client: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    from chalicelib.kernel.settings import get_settings

    monkeypatch.setenv("BALCAO_ORIGIN_SECRET", SECRET)
    get_settings.cache_clear()
    yield client
    get_settings.cache_clear()


def failed_login_addresses(client: Any, headers: dict[str, str]) -> list[str]:
    from chalicelib.platform.audit import AuditTrail

    body = json.dumps({"identifier": "ana.silva", "password": "not-the-password"})
    response = client.http.post("/api/session", body=body, headers={"content-type": "application/json", **headers})
    assert response.status_code == 401, response.body
    from chalicelib.accounts.users import Accounts

    user = Accounts().find("ana.silva")
    events = AuditTrail().for_subject(f"user#{user['user_id']}")
    return [e["source_ip"] for e in events if e["action"] == "session.login_failed"]


def test_without_the_origin_secret_the_api_refuses_every_request(behind_cloudfront: Any, demo: Any) -> None:
    for headers in ({}, {"X-Balcao-Origin": "wrong"}, {"X-Balcao-Origin": SECRET[:-1]}):
        response = behind_cloudfront.http.get("/api/services", headers=headers)
        assert response.status_code == 403
        error = json.loads(response.body)["error"]
        assert "endereço do balcão" in error["message"]
    assert behind_cloudfront.http.get("/api/services", headers={"X-Balcao-Origin": SECRET}).status_code == 200


def test_behind_cloudfront_the_viewer_address_is_the_clients(behind_cloudfront: Any, demo: Any) -> None:
    through = {"X-Balcao-Origin": SECRET, "X-Balcao-Viewer-Address": VIEWER}
    assert failed_login_addresses(behind_cloudfront, through)[-1] == VIEWER
    # a value that is not an address falls back to the connection's, never stored as sent
    odd = {"X-Balcao-Origin": SECRET, "X-Balcao-Viewer-Address": "<script>"}
    assert failed_login_addresses(behind_cloudfront, odd)[-1] != "<script>"


def test_locally_a_viewer_address_header_is_ignored(client: Any, demo: Any) -> None:
    forged = {"X-Balcao-Viewer-Address": VIEWER}
    assert VIEWER not in failed_login_addresses(client, forged)
