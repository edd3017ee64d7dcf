"""Step 5 of the platform issue over HTTP against the local stack, as the README shows it with curl:
the demo citizen files a generic request with a PDF, staff approve it, the citizen reads the email in
the outbox and sees "deferido"."""

from __future__ import annotations

import io
import socket
import time
from typing import Any

import pytest
import requests

from tests.support.browser import staff_session
from tests.support.stack import Stack, free_port, start_stack

pytestmark = pytest.mark.e2e
PASSWORD = "Balcao-demo-2026"


def _pdf() -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def _until(check: Any, timeout: float = 30) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError("condition not met in time")


def test_the_start_output_prints_the_demo_logins_and_pages(stack: Stack) -> None:
    text = "".join(stack.output)
    for expected in ("123456789", "decisor", "auditor", PASSWORD, "/_local/outbox"):
        assert expected in text


def test_the_web_form_and_the_api_share_one_origin(stack: Stack) -> None:
    page = requests.get(stack.base + "/", timeout=10)
    assert page.status_code == 200 and "text/html" in page.headers["Content-Type"]
    assert requests.get(stack.base + "/health", timeout=10).json() == {"status": "ok"}


# The README's flow in each country's deployment: (stack fixture, the citizen's identity number, email,
# the organ that numbers the process).
COUNTRIES = {
    "PT": ("stack", "123456789", "ana.silva@example.pt", "CAMARA"),
    "BR": ("stack_br", "52998224725", "ana.souza@example.com.br", "PMP"),
}


@pytest.mark.parametrize("country", COUNTRIES)
def test_a_generic_request_from_login_to_deferido(country: str, request: pytest.FixtureRequest) -> None:
    fixture, identity_number, email_address, organ = COUNTRIES[country]
    stack: Stack = request.getfixturevalue(fixture)
    citizen = requests.Session()
    login = citizen.post(
        stack.base + "/api/session", json={"identifier": identity_number, "password": PASSWORD}, timeout=10
    )
    assert login.status_code == 200 and "HttpOnly" in login.headers["Set-Cookie"]
    citizen.cookies.set(
        "balcao_session", login.cookies["balcao_session"]
    )  # requests keeps Secure cookies for https only
    citizen.headers["X-Balcao-CSRF"] = "1"  # as the README's curl lines and the web form send it

    draft = citizen.post(
        stack.base + "/api/requests",
        timeout=10,
        json={
            "service_id": "generico",
            "fields": {"subject": "Ocupação da via pública", "text": "Para uma mudança de casa."},
        },
    )
    assert draft.status_code == 201, draft.text
    process_id = draft.json()["process_id"]

    slot = citizen.post(
        f"{stack.base}/api/requests/{process_id}/documents",
        timeout=10,
        json={"slot": "anexo", "filename": "planta.pdf", "content_type": "application/pdf"},
    ).json()
    assert slot["upload"]["url"].startswith(f"http://127.0.0.1:{stack.aws_port}/")
    sent = requests.post(
        slot["upload"]["url"],
        data=slot["upload"]["fields"],
        timeout=30,
        files={"file": ("planta.pdf", _pdf(), "application/pdf")},
    )
    assert sent.status_code in (200, 201, 204)
    _until(
        lambda: (
            citizen.get(f"{stack.base}/api/requests/{process_id}/documents/{slot['document_id']}", timeout=10).json()[
                "status"
            ]
            == "aceite"
        )
    )

    submitted = citizen.post(f"{stack.base}/api/requests/{process_id}/submit", timeout=10)
    assert submitted.status_code == 200, submitted.text
    number = submitted.json()["number"]
    assert number.startswith(f"{organ} ") and len(number.split("/")[1]) == 6
    if country == "BR":  # on the demo clock, Thursday 24 Dec 2026: 10 working days skip 25 Dec and 1 Jan
        assert submitted.json()["decision_deadline"] == "2027-01-11"
    _until(
        lambda: citizen.get(f"{stack.base}/api/requests/{process_id}", timeout=10).json()["status"] == "em_apreciacao"
    )

    staff = staff_session(stack, "decisor")
    queue = staff.get(stack.base + "/api/staff/processes", timeout=10).json()["processes"]
    assert number in [p["number"] for p in queue]
    decided = staff.post(
        f"{stack.base}/api/staff/processes/{process_id}/decision",
        timeout=10,
        json={"decision": "deferido", "grounds": "Pedido conforme o regulamento."},
    )
    assert decided.status_code == 200, decided.text

    def decision_email() -> list[dict[str, Any]]:
        messages = requests.get(stack.base + "/_local/outbox.json", timeout=10).json()["messages"]
        return [m for m in messages if number in m["subject"] and "Decisão" in m["subject"]]

    email = _until(decision_email)[0]
    assert email["to"] == email_address and "deferido" in email["body"]
    outbox_page = requests.get(stack.base + "/_local/outbox", timeout=10).text
    assert number in outbox_page
    assert citizen.get(f"{stack.base}/api/requests/{process_id}", timeout=10).json()["status"] == "deferido"
    public = requests.get(f"{stack.base}/api/public/processes/{number.replace(' ', '/')}", timeout=10).json()
    assert public["status"] == "deferido" and "requerente_id" not in public


def test_the_brazilian_deployment_counts_its_own_holidays_on_its_demo_clock(stack_br: Stack) -> None:
    from tests.e2e.conftest import BR_TODAY

    deployment = requests.get(stack_br.base + "/api/deployment", timeout=10).json()
    assert deployment["timezone"] == "America/Sao_Paulo" and deployment["demo_today"] == BR_TODAY
    assert "52998224725" in "".join(stack_br.output) and "(PMP)" in "".join(stack_br.output)
    # A company logs in with its CNPJ; a CPF of one repeated digit is no CPF.
    company = requests.post(
        stack_br.base + "/api/session", json={"identifier": "45.678.912/0001-55", "password": PASSWORD}, timeout=10
    )
    assert company.status_code == 200, company.text
    registration = requests.post(
        stack_br.base + "/api/registrations",
        timeout=10,
        json={
            "person_type": "individual",
            "identity_number": "111.111.111-11",
            "name": "Teste",
            "email": "t@example.com.br",
            "phone": "(19) 99123-4567",
            "password": "uma frase longa de registo",
            "accept_terms": True,
            "terms_version": "2026-01",
            "address": {"street": "Rua do Porto, 1", "postal_code": "13400-000", "locality": "Piracicaba"},
        },
    )
    assert registration.status_code == 422, registration.text
    assert registration.json()["error"]["field"] == "identity_number", registration.text
    assert "todos os dígitos iguais" in registration.json()["error"]["message"]


def test_bad_input_over_http_gets_a_4xx_naming_the_field(stack: Stack) -> None:
    response = requests.post(
        stack.base + "/api/session", data="{not json", timeout=10, headers={"content-type": "application/json"}
    )
    assert response.status_code == 422
    assert response.json()["error"]["message"]
    unknown = requests.post(
        stack.base + "/api/session", json={"identifier": "x", "password": "y", "extra": 1}, timeout=10
    )
    assert unknown.status_code == 422 and unknown.json()["error"]["field"] == "extra"


def test_the_stack_refuses_a_taken_port_and_stops_cleanly_on_ctrl_c() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        import subprocess

        from tests.support.stack import README_RUN_COMMAND, ROOT

        refused = subprocess.run(
            [*README_RUN_COMMAND, "--port", str(port), "--aws-port", str(free_port())],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert refused.returncode == 2
        assert f"port {port}" in refused.stderr and "already in use" in refused.stderr

    stack = start_stack(free_port(), free_port())
    assert stack.stop() == 0
    for port in (stack.port, stack.aws_port):  # both ports are free again
        with socket.socket() as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind(("127.0.0.1", port))


def test_an_unknown_method_is_a_405_naming_the_allowed_ones(stack: Stack) -> None:
    for method in ("TRACE", "CONNECT", "BREW"):
        answer = requests.request(method, stack.base + "/api/services", timeout=10)
        assert answer.status_code == 405, method
        assert "GET" in answer.headers["Allow"] and "TRACE" not in answer.headers["Allow"]


def test_a_demo_staff_member_logs_in_with_the_code_the_local_page_shows(stack: Stack) -> None:
    challenge = requests.post(
        stack.base + "/api/staff/session", json={"identifier": "dirigente", "password": PASSWORD}, timeout=60
    )
    assert challenge.status_code == 202 and challenge.json()["factor"] == "totp"
    code = requests.get(stack.base + "/_local/totp.json", timeout=10).json()["dirigente"]
    login = requests.post(
        stack.base + "/api/staff/session/code",
        json={"challenge_id": challenge.json()["challenge_id"], "code": code},
        timeout=60,
    )
    assert login.status_code == 200 and login.json()["scope"] == "full"
    assert "TOTP" in "".join(stack.output)  # the demo secrets are printed at start, to add to an app
