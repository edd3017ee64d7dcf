"""Demo data for the local stack, per country (``BALCAO_COUNTRY``): one citizen and one company with
known logins, and one staff user per role in the municipality's organ.

- PT: a citizen with a NIF, a company with a NIPC, the organ CAMARA (Câmara Municipal).
- BR: a citizen with a CPF, a company with a CNPJ, the organ PMP (Prefeitura Municipal de Piracicaba,
  the municipality of the Brazilian seed): the catalogue's CAMARA is named PMP there (``organ_codes``).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from chalicelib.accounts.users import Accounts
from chalicelib.kernel.roles import CITIZEN, STAFF
from chalicelib.kernel.settings import get_settings
from chalicelib.platform.audit import Actor

DEMO_PASSWORD = "Balcao-demo-2026"


@dataclass(frozen=True)
class CountryDemo:
    organ: str
    citizen: dict[str, str]
    company: dict[str, str]
    staff_domain: str
    # what the local stack sets for this country, unless the environment already says
    environment: dict[str, str]


DEMOS = {
    "PT": CountryDemo(
        organ="CAMARA",
        citizen={
            "username": "ana.silva",
            "identity_number": "123456789",
            "email": "ana.silva@example.pt",
            "name": "Ana Silva",
            "phone": "+351912345678",
        },
        company={
            "username": "padaria.central",
            "identity_number": "509123457",
            "email": "geral@padaria-central.example.pt",
            "name": "Padaria Central, Lda.",
        },
        staff_domain="municipio-demo.pt",
        environment={},
    ),
    "BR": CountryDemo(
        organ="PMP",
        citizen={
            "username": "ana.souza",
            "identity_number": "52998224725",
            "email": "ana.souza@example.com.br",
            "name": "Ana Souza",
            "phone": "+5519991234567",
        },
        company={
            "username": "padaria.piracicabana",
            "identity_number": "45678912000155",
            "email": "contato@padaria-piracicabana.example.com.br",
            "name": "Padaria Piracicabana Ltda.",
        },
        staff_domain="piracicaba-demo.sp.gov.br",
        environment={
            "BALCAO_MUNICIPALITY": "Prefeitura do Município de Piracicaba",
            "BALCAO_ORGAN_CODES": '{"CAMARA": "PMP"}',
            "BALCAO_HOLIDAYS_SUBDIVISION": "SP",
            "BALCAO_SENDER_EMAIL": "balcao@piracicaba-demo.sp.gov.br",
            "BALCAO_REGISTRATIONS_STAFF_EMAIL": "cadastros@piracicaba-demo.sp.gov.br",
        },
    ),
}
STAFF_ROLES = [
    ("atendimento", "Rui Atendimento", "clerk"),
    ("decisor", "Marta Decisora", "decision_maker"),
    ("dirigente", "Paulo Dirigente", "organ_head"),
    ("administrador", "Sofia Administradora", "administrator"),
    ("auditor", "Carlos Auditor", "auditor"),
]

_SEEDER = Actor("system:demo-data")


def demo() -> CountryDemo:
    return DEMOS[get_settings().country]


# The PT demo's names, which tests and the README use.
DEMO_ORGAN = DEMOS["PT"].organ
DEMO_CITIZEN = DEMOS["PT"].citizen


def seed(accounts: Accounts | None = None) -> list[tuple[str, str, str]]:
    """Create the demo accounts of the deployment's country; returns (who, login, password) lines to
    print. The demo staff have their authenticator app set up already (a random TOTP secret each,
    printed with their login, to add to an app or to compute the code with ``pyotp``)."""
    import pyotp

    accounts = accounts or Accounts()
    country = demo()
    accounts.create(kind=CITIZEN, password=DEMO_PASSWORD, actor=_SEEDER, person_type="individual", **country.citizen)
    accounts.create(kind=CITIZEN, password=DEMO_PASSWORD, actor=_SEEDER, person_type="company", **country.company)
    for username, name, role in STAFF_ROLES:
        organ = None if role == "auditor" else country.organ
        accounts.create(
            kind=STAFF,
            name=name,
            email=f"{username}@{country.staff_domain}",
            username=username,
            password=DEMO_PASSWORD,
            organ=organ,
            roles=[role],
            actor=_SEEDER,
            extra={"totp_secret": pyotp.random_base32()},
        )
    return logins(accounts)


def logins(accounts: Accounts | None = None) -> list[tuple[str, str, str]]:
    """The demo logins to print, as stored (a stack started again on its kept data has the same)."""
    accounts = accounts or Accounts()
    country = demo()
    identity = "NIF" if get_settings().country == "PT" else "CPF"
    company_identity = "NIPC" if get_settings().country == "PT" else "CNPJ"
    lines = [
        (f"cidadã ({identity} ou utilizador)", _login(country.citizen), DEMO_PASSWORD),
        (f"empresa ({company_identity} ou utilizador)", _login(country.company), DEMO_PASSWORD),
    ]
    for username, _, role in STAFF_ROLES:
        item = accounts.find(username) or {}
        organ = item.get("organ") if role != "auditor" else None
        secret = item.get("totp_secret", "?")
        lines.append((f"staff {role}" + (f" ({organ})" if organ else ""), username, f"{DEMO_PASSWORD}  TOTP {secret}"))
    return lines


def fresh_step(margin_seconds: float) -> int:
    """The current TOTP step, once at least ``margin_seconds`` of it remain: only the current step's
    code is accepted, so a code about to change is waited out, as a person looking at the app would."""
    from chalicelib.accounts.second_factor import STEP_SECONDS

    left = STEP_SECONDS - time.time() % STEP_SECONDS
    if left < margin_seconds:
        time.sleep(left + 0.05)
    return int(time.time()) // STEP_SECONDS


def current_codes() -> dict[str, str]:
    """What each demo staff member's authenticator app shows now (the local stack's
    ``/_local/totp.json``, as the outbox shows the emails: never in AWS), each good for at least
    5 more seconds, time enough for the README's curl to send it."""
    import pyotp

    from chalicelib.accounts.second_factor import STEP_SECONDS

    accounts = Accounts()
    at = fresh_step(5) * STEP_SECONDS
    codes = {}
    for username, *_ in STAFF_ROLES:
        item = accounts.find(username)
        if item and item.get("totp_secret"):
            codes[username] = pyotp.TOTP(item["totp_secret"], interval=STEP_SECONDS).at(at)
    return codes


def _login(account: dict[str, Any]) -> str:
    return f"{account['identity_number']} / {account['username']}"
