"""A citizen's registration to first login over HTTP against the local stack, as the README's
accounts walk-through does it: registration → link in the outbox → proof upload → staff approval by
the API → activation password in the outbox → new password → codes by email and SMS → login."""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime
from typing import Any

import pytest
import requests

from tests.support.browser import staff_session
from tests.support.stack import Stack

pytestmark = pytest.mark.e2e


def _until(check: Any, timeout: float = 30) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.3)
    raise AssertionError("condition not met in time")


def _outbox(stack: Stack, to: str, part: str) -> dict[str, Any]:
    def find() -> list[dict[str, Any]]:
        messages = requests.get(stack.base + "/_local/outbox.json", timeout=10).json()["messages"]
        return [m for m in messages if m["to"] == to and (part in m["subject"] or part in m["body"])]

    return _until(find)[0]


def _session(response: requests.Response) -> requests.Session:
    session = requests.Session()
    session.cookies.set(
        "balcao_session", response.cookies["balcao_session"]
    )  # requests keeps Secure cookies for https only
    session.headers["X-Balcao-CSRF"] = "1"
    return session


def _proof(nif: str, name: str) -> bytes:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    for line in (
        "Junta de Freguesia de Amarante - Atestado de residencia",
        f"Nome: {name}",
        f"NIF: {nif}",
        f"Amarante, {datetime.now(UTC):%d/%m/%Y}",
    ):
        pdf.cell(0, 10, line, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def test_registration_to_first_login_on_the_local_stack(stack: Stack) -> None:
    base, email, phone, nif = stack.base, "marta.rocha@example.pt", "+351966777888", "298765438"
    body = {
        "person_type": "individual",
        "identity_number": nif,
        "name": "Marta Rocha",
        "email": email,
        "phone": "966 777 888",
        "address": {"street": "Largo de São Gonçalo, 1", "postal_code": "4600-017", "locality": "Amarante"},
        "password": "a minha frase de registo",
        "accept_terms": True,
        "terms_version": "2026-01",
    }
    assert requests.post(base + "/api/registrations", json=body, timeout=10).status_code == 202
    token = re.search(r"token=([\w-]+)", _outbox(stack, email, "Confirme o seu endereço")["body"]).group(1)
    assert (
        requests.post(base + "/api/registrations/confirmation", json={"token": token}, timeout=10).json()["status"]
        == "aguarda_validacao"
    )

    registrant = _session(
        requests.post(base + "/api/session", json={"identifier": nif, "password": body["password"]}, timeout=10)
    )
    # The phone is confirmed by an SMS code, so that later codes may go by SMS.
    assert registrant.post(base + "/api/account/phone", json={"phone": phone}, timeout=10).status_code == 202
    sms_code = re.search(r"\d{6}", _outbox(stack, phone, "")["body"]).group(0)
    assert (
        registrant.post(base + "/api/account/phone/confirmation", json={"code": sms_code}, timeout=10).status_code
        == 200
    )
    slot = registrant.post(
        base + "/api/registration/documents",
        json={"filename": "atestado.pdf", "content_type": "application/pdf"},
        timeout=10,
    ).json()
    sent = requests.post(
        slot["upload"]["url"],
        data=slot["upload"]["fields"],
        timeout=30,
        files={"file": ("atestado.pdf", _proof(nif, "Marta Rocha"), "application/pdf")},
    )
    assert sent.status_code in (200, 201, 204)

    # The registrant's own view is one read: polled while the inspection writes (the queue is a query).
    _until(lambda: (registrant.get(base + "/api/registration", timeout=10).json().get("proof") or {}).get("precheck"))
    clerk = staff_session(stack, "atendimento")  # password, then the code emailed to the clerk
    queue = clerk.get(base + "/api/staff/registrations", timeout=10).json()["registrations"]
    entry = [r for r in queue if r["email"] == email][0]
    assert all(entry["proof"]["precheck"][k] for k in ("identity_number_found", "name_found", "recent_date_found"))
    approved = clerk.post(f"{base}/api/staff/registrations/{entry['user_id']}/approve", timeout=10)
    assert approved.status_code == 200, approved.text

    message = _outbox(stack, email, "validado")["body"]
    username = re.search(r"Utilizador: (\S+)", message).group(1)
    activation = re.search(r"Senha de ativação: (\S+)", message).group(1)
    new_password = "sol de inverno no tâmega"
    activated = requests.post(
        base + "/api/account/activation",
        timeout=10,
        json={"identifier": username, "activation_password": activation, "new_password": new_password},
    )
    assert activated.status_code == 200, activated.text

    login = requests.post(base + "/api/session", json={"identifier": username, "password": new_password}, timeout=10)
    assert login.json()["scope"] == "code" and login.json()["channels"] == ["email", "sms"]
    first = _session(login)
    assert first.post(base + "/api/session/code", json={"channel": "email"}, timeout=10).status_code == 200
    assert re.search(r"\d{6}", _outbox(stack, email, "Código de confirmação")["subject"])
    assert first.post(base + "/api/session/code", json={"channel": "sms"}, timeout=10).status_code == 200
    code = _until(lambda: [c for c in re.findall(r"\d{6}", _outbox(stack, phone, "")["body"]) if c != sms_code])[0]
    verified = first.post(base + "/api/session/code/verification", json={"code": code}, timeout=10)
    assert verified.status_code == 200, verified.text

    citizen = _session(verified)
    assert citizen.get(base + "/api/me", timeout=10).json()["scope"] == "full"
    assert citizen.get(base + "/api/requests", timeout=10).status_code == 200
