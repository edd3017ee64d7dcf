"""The world ``route_tour.TOUR`` runs in, and the tour itself: each stop's call made as its caller
(the payment provider signs its body; a login is sent as from a fresh browser, and the session it
starts is ended after, so that no caller loses their own), with what the caller-supplied ``around``
wraps each call in (``aws_calls.counting``, say)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from typing import Any

from tests.support.accounts import add_staff, registered
from tests.support.api import GENERIC, WATER, Api, upload
from tests.support.attention import process_needing_attention, registration_needing_attention
from tests.support.files import small_pdf
from tests.support.route_tour import TOUR
from tests.support.tour_parts import (
    CALLBACK_SECRET,
    PASSWORD,
    PDF,
    REPRESENTANTE,
    SLOW,
    Stop,
    World,
    settled,
)
from tests.support.waiting import wait_for


def _accounts(w: World) -> None:
    """The accounts the demo data lacks: another citizen, the representante, a citizen at their first
    login, spare accounts to lock, reset and re-address, two CAMARA colleagues (one never logged in)."""
    from chalicelib.accounts.users import Accounts
    from chalicelib.platform.audit import Actor

    accounts = Accounts()
    create = {"password": PASSWORD, "actor": Actor("test"), "kind": "citizen"}
    accounts.create(
        name="Bruno Costa", email="bruno@example.pt", username="bruno", identity_number="100000002", **create
    )
    accounts.create(
        name="Rita Mandatária",
        email="rita@example.pt",
        username="rita.mandataria",
        identity_number="100000010",
        **create,
    )
    w.ids["first_login"] = accounts.create(
        name="Inês Primeira",
        email="ines@example.pt",
        username="ines.primeira",
        extra={"first_login_pending": True},
        **create,
    ).user_id
    for purpose in ("lock", "reset", "email"):
        made = accounts.create(
            name=f"Conta {purpose}", email=f"{purpose}@example.pt", username=f"conta.{purpose}", **create
        )
        w.ids[f"spare_{purpose}"] = made.user_id
    w.ids["new_staff"] = add_staff("nova.colega", PASSWORD, ["clerk"], organ="CAMARA", email="nova@municipio-demo.pt")
    w.ids["colleague"] = add_staff("colega", PASSWORD, ["clerk"], organ="CAMARA", email="colega@municipio-demo.pt")
    w.ids["dpo"] = add_staff(
        "rgpd", PASSWORD, ["encarregado_dados"], organ="CAMARA", email="rgpd@municipio-demo.pt", name="Rita Proteção"
    )
    w.ids["registrant"] = registered("200000004", "rui.registado@example.pt", "Rui Registado", True)
    w.ids["to_reject"] = registered("200000012", "rejeitar@example.pt", "Rui Rejeitado", True)
    w.ids["to_confirm"] = registered("200000020", "confirmar@example.pt", "Rosa Confirmada", False)


def _log_in(w: World) -> None:
    from local import outbox
    from tests.support.outbox import staff_login_code

    for name, identifier, staff, password in (
        ("citizen", "ana.silva", False, PASSWORD),
        ("other_citizen", "bruno", False, PASSWORD),
        ("registrant", "rui.registado@example.pt", False, "uma frase longa de registo"),
        ("first_login", "ines.primeira", False, PASSWORD),
        ("clerk", "atendimento", True, PASSWORD),
        ("decider", "decisor", True, PASSWORD),
        ("head", "dirigente", True, PASSWORD),
        ("admin", "administrador", True, PASSWORD),
        ("dpo", "rgpd", True, PASSWORD),
    ):
        api = w.callers[name] = Api(w.client)
        api.login(identifier, password, staff=staff)
        w.ids.setdefault(name, api.call("GET", "/api/me").data["user"]["user_id"])
    api = w.callers["new_staff"] = Api(w.client)
    seen = {m["message_id"] for m in outbox.messages()}
    challenge = api.call("POST", "/api/staff/session", {"identifier": "nova.colega", "password": PASSWORD}).data
    code = staff_login_code(challenge, seen)
    opened = api.call("POST", "/api/staff/session/code", {"challenge_id": challenge["challenge_id"], "code": code})
    assert opened.data["scope"] == "enrolment", opened.body
    w.callers["provider"] = Api(w.client)


def _submitted(citizen: Api, request: dict[str, Any], document: bool) -> dict[str, Any]:
    process_id = citizen.call("POST", "/api/requests", request).data["process_id"]
    if document:
        slot = citizen.call("POST", f"/api/requests/{process_id}/documents", {"slot": "anexo", **PDF}).data
        assert upload(slot, small_pdf()) in (200, 201, 204)
    answer = citizen.call("POST", f"/api/requests/{process_id}/submit")
    assert answer.status_code == 200, answer.body
    return {"process_id": process_id, **answer.data}


def _processes(w: World, background: int) -> None:
    """The citizen's drafts (a generic one with its document, a water-debt one), a generic request
    naming Rita as representante awaiting its decision, a water-debt request in the decision stage,
    a letter to post, an API key; and ``background`` more water-debt requests submitted, so that
    the citizen's list and the staff's queue are not empty of others."""
    from chalicelib.notifications.delivery import Notifier
    from chalicelib.notifications.templates import LETTER, MESSAGES

    citizen = w.caller("citizen")
    for _ in range(background):
        _submitted(citizen, {"service_id": "agua-prestacoes", "fields": WATER}, document=False)
    w.ids["draft"] = citizen.call("POST", "/api/requests", GENERIC).data["process_id"]
    slot = citizen.call("POST", f"/api/requests/{w.ids['draft']}/documents", {"slot": "anexo", **PDF}).data
    assert upload(slot, small_pdf()) in (200, 201, 204)
    # as the web form does, the draft is submitted once its document is inspected: a submission that
    # comes first looks at the file in S3 itself, and its count would depend on the race
    document = f"/api/requests/{w.ids['draft']}/documents/{slot['document_id']}"
    wait_for(lambda: citizen.call("GET", document).data["status"] != "a_aguardar", timeout=SLOW)
    w.ids["water_draft"] = citizen.call(
        "POST", "/api/requests", {"service_id": "agua-prestacoes", "fields": WATER}
    ).data["process_id"]
    submitted = _submitted(citizen, {**GENERIC, "representante": REPRESENTANTE}, document=True)
    w.ids["submitted"], w.number = submitted["process_id"], submitted["number"]
    w.ids["document"] = citizen.call("GET", f"/api/requests/{w.ids['submitted']}").data["documents"][0]["document_id"]
    stage = _submitted(
        citizen, {"service_id": "agua-prestacoes", "fields": WATER, "representante": REPRESENTANTE}, document=False
    )
    w.ids["stage"] = stage["process_id"]
    wait_for(
        lambda: citizen.call("GET", f"/api/requests/{w.ids['submitted']}").data["status"] == "em_apreciacao",
        timeout=SLOW,
    )
    wait_for(lambda: settled(w.ids["stage"]), timeout=SLOW)
    key = {"label": "a revogar", "scope": "act", "expires_in_days": 30}
    w.ids["decider_key"] = w.caller("decider").call("POST", "/api/staff/api-keys", key).data["key_id"]
    letter = Notifier().send(
        LETTER,
        "Ana Silva\nRua do Comércio, 1\n4600-000 Amarante",
        "submission_receipt",
        MESSAGES["submission_receipt"].sample,
        key=f"tour#{w.ids['submitted']}",
        process_id=w.ids["submitted"],
        organ="CAMARA",
    )
    w.ids["letter"] = letter["notification_id"]
    # a process and a registration whose workflow step failed for good: the retry routes' objects
    w.ids["attention"] = process_needing_attention(citizen, REPRESENTANTE)
    w.ids["failed_registration"] = registration_needing_attention()


def build_world(client: Any, background: int = 5) -> World:
    """Accounts, sessions and processes for the tour (needs the demo data seeded)."""
    world = World(client)
    _accounts(world)
    _log_in(world)
    _processes(world, background)
    return world


@dataclass
class Called:
    stop: Stop
    status: int
    body: str
    measured: Any  # what ``around`` yielded


def _headers(stop: Stop, raw: str | None) -> dict[str, str]:
    if stop.caller != "provider":
        return {}
    from chalicelib.payments.recording import sign

    return {"x-balcao-signature": sign(CALLBACK_SECRET, (raw or "").encode())}


def tour(
    world: World, around: Callable[[], AbstractContextManager[Any]] = nullcontext, stops: list[Stop] = TOUR
) -> Iterator[Called]:
    """Call each stop in order; yield what it answered and what ``around`` measured of the call."""
    for stop in stops:
        path, body = stop.path(world), (stop.body(world) if stop.body else None)
        raw = json.dumps(body) if body is not None else None
        api = (
            Api(world.client) if stop.fresh_browser or stop.caller in (None, "provider") else world.caller(stop.caller)
        )
        method = stop.route.split(" ", 1)[0]
        with around() as measured:
            response = api.call(method, path, raw=raw, headers=_headers(stop, raw))
        if stop.fresh_browser and api.cookie:
            api.call("DELETE", "/api/session")
        yield Called(stop, response.status_code, response.body, measured)
