"""Accounts as the audit trail records them."""

from __future__ import annotations


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
