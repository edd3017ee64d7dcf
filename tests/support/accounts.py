"""Accounts for the tests: their statuses as the audit trail records them, staff and citizens made
straight into the users table, and registrations made as the API makes them."""

from __future__ import annotations

from typing import Any


def statuses(user_id: str) -> list[str]:
    from chalicelib.platform.audit import AuditTrail

    events = sorted(AuditTrail().for_subject(f"user#{user_id}"), key=lambda e: e["event_id"])
    return [e["details"]["status"] for e in events if e["action"] in ("account.created", "account.status_changed")]


def add_staff(
    username: str,
    password: str,
    roles: list[str],
    organ: str = "SEMAE",
    email: str = "semae@example.pt",
    name: str = "Outro Serviço",
) -> str:
    """A staff member (of another organ than the demo's CAMARA, unless told), straight into the users
    table: their user id."""
    from chalicelib.accounts.users import Accounts
    from chalicelib.platform.audit import Actor

    return (
        Accounts()
        .create(
            kind="staff",
            name=name,
            email=email,
            username=username,
            password=password,
            organ=organ,
            roles=roles,
            actor=Actor("test"),
        )
        .user_id
    )


def add_citizen(name: str, username: str, password: str, identity_number: str, email: str) -> None:
    """A second citizen, with no part in the demo citizen's processes."""
    from chalicelib.accounts.users import Accounts
    from chalicelib.platform.audit import Actor

    Accounts().create(
        kind="citizen",
        name=name,
        email=email,
        username=username,
        password=password,
        identity_number=identity_number,
        actor=Actor("test"),
    )


REGISTRATION_PASSWORD = "uma frase longa de registo"  # noqa: S105 - what the registrations below choose


def registration(number: str, email: str, name: str) -> Any:
    """A registration's body (``chalicelib.api.models.Registration``): an individual in Amarante."""
    from chalicelib.api.models import Registration

    return Registration(
        person_type="individual",
        identity_number=number,
        name=name,
        email=email,
        phone="+351 936 123 456",
        password=REGISTRATION_PASSWORD,
        accept_terms=True,
        terms_version="2026-01",
        address={"street": "Rua Teixeira de Pascoaes, 12", "postal_code": "4600-011", "locality": "Amarante"},
    )


def registered(number: str, email: str, name: str, confirm: bool, timeout: float = 90) -> str:
    """A registration made as the API makes it, its user id; confirmed when ``confirm`` (then awaiting
    staff, the validation workflow waiting for them)."""
    from chalicelib.accounts.credentials import OneTimeLinks
    from chalicelib.accounts.registration import Registrations
    from chalicelib.accounts.users import Accounts
    from tests.support.waiting import wait_for

    registrations = Registrations()
    registrations.register(registration(number, email, name), None)
    user_id = Accounts().find(email)["user_id"]
    if confirm:
        registrations.confirm_email(OneTimeLinks().issue("email_confirmation", user_id, 3600), None)
        wait_for(lambda: "validation_task_token" in Accounts().get_item(user_id), timeout=timeout)
    return user_id


def awaiting_activation(n: int, password: str, new_password: str) -> dict[str, Any]:
    """A citizen account ``ativar<n>`` approved and awaiting activation (an activation password valid
    an hour); the body that activates it with ``new_password``."""
    import time

    from chalicelib.accounts.passwords import hash_password
    from chalicelib.accounts.users import Accounts
    from chalicelib.platform.audit import Actor

    activation = f"Ativacao-{n}-xyz"
    Accounts().create(
        kind="citizen",
        name=f"Ativar {n}",
        email=f"ativar{n}@example.pt",
        username=f"ativar{n}",
        password=password,
        actor=Actor("test"),
        extra={
            "activation_pending": True,
            "activation_hash": hash_password(activation),
            "activation_expires_at": int(time.time()) + 3600,
        },
    )
    return {"identifier": f"ativar{n}", "activation_password": activation, "new_password": new_password}
