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
    """Create the demo accounts; returns (who, login, password) lines to print. The demo staff have
    their authenticator app set up already (a random TOTP secret each, printed with their login, to
    add to an app or to compute the code with ``pyotp``)."""
    import pyotp

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
            extra={"totp_secret": (secret := pyotp.random_base32())},
        )
        logins.append((f"staff {role}" + (f" ({organ})" if organ else ""), username, f"{DEMO_PASSWORD}  TOTP {secret}"))
    return logins


def current_codes() -> dict[str, str]:
    """What each demo staff member's authenticator app shows now (the local stack's
    ``/_local/totp.json``, as the outbox shows the emails: never in AWS)."""
    import pyotp

    accounts = Accounts()
    codes = {}
    for username, *_ in DEMO_STAFF:
        item = accounts.find(username)
        if item and item.get("totp_secret"):
            codes[username] = pyotp.TOTP(item["totp_secret"]).now()
    return codes
