"""The authorization matrix: every route of the app against every kind of caller, with the answer each
must get. Table-driven and generic: a route the app has but the table lacks fails the test (add its
row), and so does a row for a route that no longer exists.

Columns: anonymous; citizen A (the requerente of the processes used); citizen B (another citizen); a
representative of A on the submitted process; staff of another organ (SEMAE decision-maker); and staff
of the process's organ (CAMARA) by role: clerk, decision-maker, head; and the auditor (read-only, every
organ).

Cells: ``OK`` means authorised: a 2xx, or a 409 when an earlier caller in the row already changed the
state (409 is only answered after the role and organ checks pass; each row must get at least one real
2xx). A number means refused with exactly that status: 401 without a session, 403 when the caller may
not do this, 404 when the caller may not even know the process exists.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tests.conftest import small_pdf, upload, wait_for
from tests.test_api import GENERIC

SLOW = 90  # seconds: a workflow's steps on a loaded machine (the tests wait only as long as they must)

OK = "ok"
ACTORS = ("anonymous", "citizen_a", "citizen_b", "representative", "staff_other_organ",
          "clerk", "decider", "head", "auditor")


@dataclass
class World:
    """What the rows refer to: A's submitted process (awaiting a decision, with the representative
    recorded on it) and its document, A's draft with its document uploaded, everyone's user ids, and
    an API key of the decision-maker's."""

    submitted: str
    number: str
    document: str
    draft: str
    draft_slot: str
    user_ids: dict[str, str]
    decider_key: str
    letter: str


Row = tuple[Callable[[World], str], Any, dict[str, Any]]


def _all(value: Any) -> dict[str, Any]:
    return dict.fromkeys(ACTORS, value)


def _cells(anonymous: Any, citizen_a: Any, citizen_b: Any, representative: Any, staff_other_organ: Any,
           clerk: Any, decider: Any, head: Any, auditor: Any) -> dict[str, Any]:
    return dict(zip(ACTORS, (anonymous, citizen_a, citizen_b, representative, staff_other_organ,
                             clerk, decider, head, auditor), strict=True))


PUBLIC = _all(OK)
ANY_SESSION = {**_all(OK), "anonymous": 401}
CITIZENS_ONLY = _cells(401, OK, OK, OK, 403, 403, 403, 403, 403)
PARTIES_AND_ORGAN = _cells(401, OK, 404, OK, 404, OK, OK, OK, OK)
OWNER_OF_DRAFT = _cells(401, OK, 404, 404, 404, 403, 403, 403, 403)
STAFF_OF_ORGAN_READ = _cells(401, 403, 403, 403, 404, OK, OK, OK, OK)
STAFF_ANY_ORGAN = _cells(401, 403, 403, 403, OK, OK, OK, OK, OK)

# "METHOD /route" → (the concrete path for this world, the JSON body, the expected answer per caller)
MATRIX: dict[str, Row] = {
    "GET /health": (lambda w: "/health", None, PUBLIC),
    "GET /openapi.json": (lambda w: "/openapi.json", None, PUBLIC),
    "GET /api/services": (lambda w: "/api/services", None, PUBLIC),
    "GET /api/services/{service_id}": (lambda w: "/api/services/generico", None, PUBLIC),
    "GET /api/public/processes/{organ}/{year}/{sequence}": (
        lambda w: "/api/public/processes/" + w.number.replace(" ", "/"), None, PUBLIC),
    "POST /api/session": (lambda w: "/api/session", {"identifier": "ana.silva", "password": "Balcao-demo-2026"}, PUBLIC),
    "POST /api/staff/session": (lambda w: "/api/staff/session", {"identifier": "decisor", "password": "Balcao-demo-2026"}, PUBLIC),
    "POST /api/staff/session/code": (lambda w: "/api/staff/session/code", "fresh_login_code", PUBLIC),
    "POST /api/staff/api-keys": (lambda w: "/api/staff/api-keys", {"label": "matriz"}, STAFF_ANY_ORGAN),
    "GET /api/staff/api-keys": (lambda w: "/api/staff/api-keys", None, STAFF_ANY_ORGAN),
    "DELETE /api/staff/api-keys/{key_id}": (
        lambda w: f"/api/staff/api-keys/{w.decider_key}", None, _cells(401, 403, 403, 403, 404, 404, OK, 404, 404)),
    "GET /api/me": (lambda w: "/api/me", None, ANY_SESSION),
    "POST /api/requests": (lambda w: "/api/requests", GENERIC, CITIZENS_ONLY),
    "GET /api/requests": (lambda w: "/api/requests", None, ANY_SESSION),
    "GET /api/requests/{process_id}": (lambda w: f"/api/requests/{w.submitted}", None, PARTIES_AND_ORGAN),
    "POST /api/requests/{process_id}/documents": (
        lambda w: f"/api/requests/{w.draft}/documents",
        {"slot": "anexo", "filename": "outro.pdf", "content_type": "application/pdf"}, OWNER_OF_DRAFT),
    "GET /api/requests/{process_id}/documents/{document_id}": (
        lambda w: f"/api/requests/{w.submitted}/documents/{w.document}", None, PARTIES_AND_ORGAN),
    "POST /api/requests/{process_id}/submit": (lambda w: f"/api/requests/{w.draft}/submit", None, OWNER_OF_DRAFT),
    "GET /api/staff/processes": (
        lambda w: "/api/staff/processes?organ=CAMARA", None, _cells(401, 403, 403, 403, 403, OK, OK, OK, OK)),
    "GET /api/staff/processes/{process_id}": (
        lambda w: f"/api/staff/processes/{w.submitted}", None, STAFF_OF_ORGAN_READ),
    "POST /api/staff/processes/{process_id}/claim": (
        lambda w: f"/api/staff/processes/{w.submitted}/claim", None, _cells(401, 403, 403, 403, 403, OK, OK, OK, 403)),
    "POST /api/staff/processes/{process_id}/assignment": (
        lambda w: f"/api/staff/processes/{w.submitted}/assignment", "assign_to_decider",
        _cells(401, 403, 403, 403, 403, 403, 403, OK, 403)),
    "POST /api/staff/processes/{process_id}/decision": (
        lambda w: f"/api/staff/processes/{w.submitted}/decision", {"decision": "deferido", "grounds": "Conforme."},
        _cells(401, 403, 403, 403, 403, 403, OK, OK, 403)),
    "GET /api/staff/processes/{process_id}/notifications": (
        lambda w: f"/api/staff/processes/{w.submitted}/notifications", None, STAFF_OF_ORGAN_READ),
    "GET /api/staff/accounts/{user_id}/notifications": (
        lambda w: f"/api/staff/accounts/{w.user_ids['citizen_a']}/notifications", None,
        _cells(401, 403, 403, 403, 403, 403, 403, 403, OK)),
    "GET /api/staff/letters": (lambda w: "/api/staff/letters", None, _cells(401, 403, 403, 403, OK, OK, OK, OK, 403)),
    "POST /api/staff/letters/{notification_id}/posted": (
        lambda w: f"/api/staff/letters/{w.letter}/posted", None, _cells(401, 403, 403, 403, 404, OK, OK, OK, 403)),
    # Last: it ends the caller's session.
    "DELETE /api/session": (lambda w: "/api/session", None, PUBLIC),
}


def _app_routes() -> set[str]:
    import app as balcao

    return {f"{method} {path}" for path, methods in balcao.app.routes.items() for method in methods}


def test_every_route_of_the_app_has_a_row_and_every_row_a_route() -> None:
    routes = _app_routes()
    missing = sorted(routes - MATRIX.keys())
    stale = sorted(MATRIX.keys() - routes)
    assert not missing, f"routes without a row in MATRIX (say who may call them): {missing}"
    assert not stale, f"rows for routes the app no longer has: {stale}"
    for key, (_path, _body, cells) in MATRIX.items():
        assert set(cells) == set(ACTORS), f"{key}: one cell per caller"


def _login(client: Any, identifier: str, staff: bool) -> tuple[str, str]:
    """The caller's session cookie and user id."""
    from tests.conftest import Api

    api = Api(client)
    api.login(identifier, "Balcao-demo-2026", staff=staff)
    assert api.cookie
    return api.cookie, api.call("GET", "/api/me").data["user"]["user_id"]


def _world(client: Any, cookies: dict[str, str | None], user_ids: dict[str, str]) -> World:
    from chalicelib import aws
    from tests.conftest import Api

    citizen = Api(client)
    citizen.cookie = cookies["citizen_a"]
    draft = citizen.call("POST", "/api/requests", GENERIC).data["process_id"]
    slot = citizen.call("POST", f"/api/requests/{draft}/documents",
                        {"slot": "anexo", "filename": "anexo.pdf", "content_type": "application/pdf"}).data
    assert upload(slot, small_pdf()) in (200, 201, 204)

    submitted = citizen.call("POST", "/api/requests", GENERIC).data["process_id"]
    doc = citizen.call("POST", f"/api/requests/{submitted}/documents",
                       {"slot": "anexo", "filename": "anexo.pdf", "content_type": "application/pdf"}).data
    assert upload(doc, small_pdf()) in (200, 201, 204)
    number = citizen.call("POST", f"/api/requests/{submitted}/submit").data["number"]
    wait_for(lambda: citizen.call("GET", f"/api/requests/{submitted}").data["status"] == "em_apreciacao", timeout=SLOW)
    # Until requests record a representante themselves (the requests issue), the representation is
    # written here, as the requests domain will store it.
    aws.table("processes").update_item(Key={"process_id": submitted}, UpdateExpression="SET representante_id = :r",
                                       ExpressionAttributeValues={":r": user_ids["representative"]})
    decider = Api(client)
    decider.cookie = cookies["decider"]
    key = decider.call("POST", "/api/staff/api-keys", {"label": "a revogar"}).data["key_id"]
    return World(submitted, number, doc["document_id"], draft, slot["document_id"], user_ids, key, _letter(submitted))


def _letter(process_id: str) -> str:
    """A letter of the process queued for CAMARA to post (as for a requerente without electronic
    consent)."""
    from chalicelib.notification_templates import LETTER, MESSAGES
    from chalicelib.notifications import Notifier

    item = Notifier().send(LETTER, "Ana Silva\nRua do Comércio, 1\n4600-000 Amarante", "submission_receipt",
                           MESSAGES["submission_receipt"].sample, key=f"matrix#{process_id}", process_id=process_id,
                           organ="CAMARA")
    return item["notification_id"]


def _body(body: Any, world: World) -> Any:
    """The row's body; a few are made per call (a fresh login challenge and its code)."""
    if body == "assign_to_decider":
        return {"assignee_id": world.user_ids["decider"]}
    if body == "fresh_login_code":
        from chalicelib.accounts import Accounts
        from chalicelib.staff_auth import LoginCodes

        challenge_id, code = LoginCodes().issue(Accounts().get(world.user_ids["decider"]), None)
        return {"challenge_id": challenge_id, "code": code}
    return body


def test_every_route_answers_every_caller_as_the_matrix_says(make_api: Any, client: Any, demo: dict[str, Any]) -> None:
    from chalicelib.accounts import Accounts
    from chalicelib.audit import Actor

    accounts = Accounts()
    accounts.create(kind="citizen", name="Bruno Costa", email="bruno@example.pt", username="bruno",
                    password=demo["password"], identity_number="100000002", actor=Actor("test"))
    accounts.create(kind="citizen", name="Rita Mandatária", email="rita@example.pt", username="rita.mandataria",
                    password=demo["password"], identity_number="100000010", actor=Actor("test"))
    accounts.create(kind="staff", name="Outro Serviço", email="semae@example.pt", username="semae.decisor",
                    password=demo["password"], organ="SEMAE", roles=["decision_maker"], actor=Actor("test"))
    logins = {"citizen_a": ("ana.silva", False), "citizen_b": ("bruno", False),
              "representative": ("rita.mandataria", False), "staff_other_organ": ("semae.decisor", True),
              "clerk": ("atendimento", True), "decider": ("decisor", True), "head": ("dirigente", True),
              "auditor": ("auditor", True)}
    cookies: dict[str, str | None] = {"anonymous": None}
    user_ids: dict[str, str] = {}
    for actor, (identifier, staff) in logins.items():
        cookies[actor], user_ids[actor] = _login(client, identifier, staff)
    world = _world(client, cookies, user_ids)

    wrong: list[str] = []
    for key, (path_for, body, cells) in MATRIX.items():
        method = key.split(" ", 1)[0]
        got_2xx = False
        for actor in ACTORS:
            headers = {"content-type": "application/json"}
            if cookies[actor]:
                headers["cookie"] = cookies[actor]
            response = getattr(client.http, method.lower())(
                path_for(world), headers=headers, body=json.dumps(_body(body, world)) if body is not None else None)
            status = response.status_code
            expected = cells[actor]
            if expected == OK:
                passed = 200 <= status < 300 or status == 409
                got_2xx = got_2xx or 200 <= status < 300
            else:
                passed = status == expected
                if passed and status >= 400:
                    passed = bool(json.loads(response.body)["error"]["message"])
            if not passed:
                wrong.append(f"{key} as {actor}: expected {expected}, got {status} {response.body[:200]!r}")
        if not got_2xx:
            wrong.append(f"{key}: no caller got a 2xx, so the row proves no allowed call")
    assert not wrong, "\n".join(wrong)
