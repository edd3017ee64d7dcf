"""The parts of the route tour (``route_tour.TOUR``): the world it runs in, its stops, and what makes
a stop's path and body when it is called (a fresh link, code or fee, so that each call has
something real to spend)."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tests.support.api import Api
from tests.support.waiting import wait_for

SLOW = 90  # seconds: a workflow's steps on a loaded machine
PASSWORD = "Balcao-demo-2026"  # noqa: S105 - the demo accounts' password
NEW_PASSWORD = "ribeira de ovelha ao luar"  # noqa: S105
CALLBACK_SECRET = "test-callback-secret"  # noqa: S105 - tests/support/env.py's
REPRESENTANTE = {"name": "Rita Mandatária", "identity_number": "100000010", "quality": "gestor_negocios"}
PDF = {"filename": "anexo.pdf", "content_type": "application/pdf"}


@dataclass
class World:
    """Who calls (an ``Api`` each, with its session) and what the stops name."""

    client: Any
    callers: dict[str, Api] = field(default_factory=dict)
    ids: dict[str, str] = field(default_factory=dict)  # user ids, processes, documents, keys by name
    number: str = ""

    def caller(self, name: str) -> Api:
        return self.callers[name]


@dataclass(frozen=True)
class Stop:
    route: str  # "METHOD /path/{param}", as the app and /openapi.json name it
    caller: str | None  # a key of World.callers; None: anonymous (the payment provider signs)
    path: Callable[[World], str]
    body: Callable[[World], Any] | None = None
    fresh_browser: bool = False  # a login: sent without the caller's cookie, its session ended after


def tasks(process_id: str) -> list[dict[str, Any]]:
    from chalicelib.decision.tasks import PendingTasks

    return sorted(PendingTasks().for_process(process_id), key=lambda t: t["created_at"])


def settled(process_id: str) -> bool:
    """The decision stage at rest: awaiting staff with the workflow's token, or the citizen on an open task."""
    from chalicelib.platform import aws

    process = aws.table("processes").get_item(Key={"process_id": process_id})["Item"]
    if process["status"] == "em_apreciacao":
        return "decision_task_token" in process
    current = process.get("current_task_id")
    return bool(current) and any(t["task_id"] == current and t["status"] == "aberta" for t in tasks(process_id))


def staff_stage_path(suffix: str) -> Callable[[World], str]:
    def waited(w: World) -> str:
        wait_for(lambda: settled(w.ids["stage"]), timeout=SLOW)
        return f"/api/staff/processes/{w.ids['stage']}/{suffix}"

    return waited


def task_path(suffix: str) -> Callable[[World], str]:
    return lambda w: f"/api/requests/{w.ids['stage']}/tasks/{tasks(w.ids['stage'])[-1]['task_id']}/{suffix}"


def stage_document(slot: str | None = None, signed: bool = False) -> Callable[[World], dict[str, Any]]:
    def find(w: World) -> dict[str, Any]:
        from chalicelib.documents.store import Documents

        if signed:
            document_id = next(t["signed_document_id"] for t in tasks(w.ids["stage"]) if t.get("signed_document_id"))
            return Documents().get(w.ids["stage"], document_id)
        return next(d for d in Documents().list(w.ids["stage"]) if d["slot"] == slot)

    return find


_serial = itertools.count(1)


def pending_fee(w: World) -> dict[str, Any]:
    """A fee due on the submitted process, with a new Multibanco reference, as submission issues one."""
    from chalicelib.platform import aws
    from chalicelib.processes.fees import new_reference

    payment = new_reference(aws.table("counters"), 1000)
    aws.table("processes").update_item(
        Key={"process_id": w.ids["submitted"]},
        UpdateExpression="SET payment = :p, payment_reference = :r",
        ExpressionAttributeValues={":p": payment, ":r": payment["reference"]},
    )
    return payment


def fresh_link(kind: str, user: str, **extra: Any) -> Callable[[World], dict[str, Any]]:
    def body(w: World) -> dict[str, Any]:
        from chalicelib.accounts.credentials import OneTimeLinks
        from chalicelib.accounts.users import Accounts

        account = Accounts().get(w.ids[user])
        made = {k: (v(w, account) if callable(v) else v) for k, v in extra.items()}
        # a confirmation link names no epoch: the account has no credential yet to change
        epoch = None if kind == "email_confirmation" else account.credential_epoch
        token = OneTimeLinks().issue(kind, w.ids[user], 3600, epoch=epoch, **made)
        return {"token": token} if kind != "password_reset" else {"token": token, "new_password": NEW_PASSWORD}

    return body


def fresh_staff_code(w: World) -> dict[str, Any]:
    from chalicelib.accounts.staff_auth import LoginCodes
    from chalicelib.accounts.users import Accounts
    from chalicelib.platform import aws
    from tests.support.second_factor import app_code

    aws.table("account_tokens").delete_item(Key={"pk": f"RATE#staff-challenge:{w.ids['decider']}"})
    challenge = LoginCodes().issue(Accounts().get(w.ids["decider"]), None)
    return {"challenge_id": challenge["challenge_id"], "code": app_code(aws.table("users"), "decisor")}


def fresh_activation(w: World) -> dict[str, Any]:
    from tests.support.accounts import awaiting_activation

    return awaiting_activation(next(_serial), PASSWORD, NEW_PASSWORD)


def fresh_code(user: str, purpose: str, channel: str, **extra: Any) -> Callable[[World], dict[str, Any]]:
    def body(w: World) -> dict[str, Any]:
        from chalicelib.accounts.credentials import Codes

        return {"code": Codes().issue(w.ids[user], purpose, channel, **extra)}

    return body


def enrolment_code_body(w: World) -> dict[str, Any]:
    from chalicelib.accounts.users import Accounts
    from tests.support.second_factor import enrolment_code

    return {"code": enrolment_code(Accounts().get_item(w.ids["new_staff"])["totp_pending"])}


def registration(number: str, email: str, name: str) -> dict[str, Any]:
    return {
        "person_type": "individual",
        "identity_number": number,
        "name": name,
        "email": email,
        "phone": "+351 936 123 456",
        "password": "uma frase longa de registo",
        "accept_terms": True,
        "terms_version": "2026-01",
        "address": {"street": "Rua Teixeira de Pascoaes, 12", "postal_code": "4600-011", "locality": "Amarante"},
    }


def payment_notice(w: World) -> dict[str, Any]:
    payment = pending_fee(w)
    return {
        "entity": payment["entity"],
        "reference": payment["reference"],
        "amount_eur": "10.00",
        "transaction_id": f"TX-{next(_serial)}",
    }


def counter_payment(w: World) -> dict[str, Any]:
    pending_fee(w)
    return {"amount_eur": "10.00", "method": "numerario"}


def path(template: str) -> Callable[[World], str]:
    """A path with ``{name}`` filled from the world's ids."""
    return lambda w: template.format(**w.ids)


def fixed(value: Any) -> Callable[[World], Any]:
    return lambda w: value
