"""Demo data for the local stack: one citizen and one staff user per role, with known logins."""

from __future__ import annotations

from chalicelib.accounts.users import Accounts
from chalicelib.kernel.roles import CITIZEN, STAFF
from chalicelib.platform.audit import Actor

DEMO_ORGAN = "CAMARA"
DEMO_PASSWORD = "Balcao-demo-2026"
DEMO_CITIZEN = {
    "username": "ana.silva",
    "identity_number": "123456789",
    "email": "ana.silva@example.pt",
    "name": "Ana Silva",
    "phone": "+351912345678",
}
DEMO_STAFF = [
    ("atendimento", "Rui Atendimento", "clerk", DEMO_ORGAN),
    ("decisor", "Marta Decisora", "decision_maker", DEMO_ORGAN),
    ("dirigente", "Paulo Dirigente", "organ_head", DEMO_ORGAN),
    ("administrador", "Sofia Administradora", "administrator", DEMO_ORGAN),
    ("auditor", "Carlos Auditor", "auditor", None),
]

_SEEDER = Actor("system:demo-data")


def seed(accounts: Accounts | None = None) -> list[tuple[str, str, str]]:
    """Create the demo accounts; returns (who, login, password) lines to print."""
    accounts = accounts or Accounts()
    accounts.create(kind=CITIZEN, password=DEMO_PASSWORD, actor=_SEEDER, **DEMO_CITIZEN)
    logins = [
        ("cidadã (NIF ou utilizador)", f"{DEMO_CITIZEN['identity_number']} / {DEMO_CITIZEN['username']}", DEMO_PASSWORD)
    ]
    for username, name, role, organ in DEMO_STAFF:
        accounts.create(
            kind=STAFF,
            name=name,
            email=f"{username}@municipio-demo.pt",
            username=username,
            password=DEMO_PASSWORD,
            organ=organ,
            roles=[role],
            actor=_SEEDER,
        )
        logins.append((f"staff {role}" + (f" ({organ})" if organ else ""), username, DEMO_PASSWORD))
    return logins
