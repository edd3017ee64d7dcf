"""What the browser tests share: the screenshot + axe-core + sideways-scroll check of a page, a blank
PDF, logging in through the form, waiting for a condition, and reading the local outbox."""

from __future__ import annotations

import io
import time
from pathlib import Path
from typing import Any

import requests

from tests.support.stack import ROOT, Stack

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
ARTIFACTS = ROOT / "test-artifacts" / "web"
PASSWORD = "Balcao-demo-2026"  # the demo logins' (README)
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def check_page(page: Any, name: str) -> None:
    """Look at it (a full-page screenshot for people), then what a machine can check: axe-core finds
    no WCAG 2.1 AA violation, and nothing scrolls sideways at the page's width."""
    from axe_playwright_python.sync_playwright import Axe

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_21_AA}})
    assert results.violations_count == 0, f"{name}: " + results.generate_report()
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{name}: {overflow}px of horizontal scrolling at {page.viewport_size['width']} px"


def pdf(path: Path, lines: tuple[str, ...] = ()) -> Path:
    """A small PDF (with text lines, when given, that the proof's pre-check can read)."""
    if lines:
        from fpdf import FPDF

        document = FPDF()
        document.add_page()
        document.set_font("helvetica", size=12)
        for line in lines:
            document.cell(0, 10, line, new_x="LMARGIN", new_y="NEXT")
        path.write_bytes(bytes(document.output()))
        return path
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    buffer = io.BytesIO()
    writer.write(buffer)
    path.write_bytes(buffer.getvalue())
    return path


def log_in(
    page: Any,
    base: str,
    identifier: str = "123456789",
    password: str = PASSWORD,
    then: str = "#processes-table, #no-processes",
) -> None:
    page.goto(base + "/#/entrar")
    page.fill("#identifier", identifier)
    page.fill("#password", password)
    page.click("#login-submit")
    page.wait_for_selector(then)


def until(check: Any, timeout: float = 30) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.4)


def outbox_message(stack: Stack, to: str, part: str) -> dict[str, Any]:
    """The newest message to ``to`` whose subject or body holds ``part`` (waiting for it)."""

    def find() -> list[dict[str, Any]]:
        messages = requests.get(stack.base + "/_local/outbox.json", timeout=10).json()["messages"]
        return [m for m in messages if m["to"] == to and (part in m["subject"] or part in m["body"])]

    return until(find)[-1]


def api_session(stack: Stack, path: str, identifier: str, password: str = PASSWORD) -> requests.Session:
    """A citizen's requests session logged in through the API (cookie set by hand: requests keeps Secure
    cookies for https only), with the CSRF header."""
    login = requests.post(stack.base + path, json={"identifier": identifier, "password": password}, timeout=10)
    assert login.status_code == 200, login.text
    session = requests.Session()
    session.cookies.set("balcao_session", login.cookies["balcao_session"])
    session.headers["X-Balcao-CSRF"] = "1"
    return session


def staff_session(stack: Stack, identifier: str, password: str = PASSWORD) -> requests.Session:
    """A requests session logged in as a demo staff member, as the README does it: password, then
    the code of the authenticator app (from the secret the demo data printed); with the CSRF header."""
    from tests.support.second_factor import app_code, stack_users_table

    # generous timeouts: a login hashes a password (argon2id), on a busy machine too
    challenge = requests.post(
        stack.base + "/api/staff/session", json={"identifier": identifier, "password": password}, timeout=60
    )
    assert challenge.status_code == 202 and challenge.json()["factor"] == "totp", challenge.text
    login = requests.post(
        stack.base + "/api/staff/session/code",
        timeout=60,
        json={
            "challenge_id": challenge.json()["challenge_id"],
            "code": app_code(stack_users_table(stack.aws_port), identifier),
        },
    )
    assert login.status_code == 200, login.text
    staff = requests.Session()
    staff.cookies.set("balcao_session", login.cookies["balcao_session"])  # requests keeps Secure cookies for https only
    staff.headers["X-Balcao-CSRF"] = "1"  # the API's CSRF protection on cookie-authenticated changes
    return staff


WATER_DEBT = {
    "predio_morada": "Rua de Santo António, 12",
    "predio_codigo_postal": "7200-370",
    "codigo_consumidor": "4501234",
    "valor_divida": "1000,01",
    "numero_documentos": "3",
    "numero_prestacoes": "24",
}
# The same request's fields as the API takes them (option a, 12 installments).
WATER_DEBT_REQUEST = {**WATER_DEBT, "opcao": "a", "numero_documentos": 3, "numero_prestacoes": 12}


def upload_file(page: Any, slot: str, path: Path) -> None:
    """Choose the file for the document slot, send it straight to S3 and wait for its inspection to accept it."""
    page.set_input_files(f"#file-{slot}", str(path))
    page.click(f"#upload-button-{slot}")
    page.wait_for_selector(f"#upload-{slot}[data-state=accepted]", timeout=60_000)


def file_water_debt_request(page: Any, base: str) -> str:
    """The logged-in citizen files seed 001's installment request (option a, 24 installments) in the
    form and opens its process page; returns the process id."""
    page.goto(base + "/#/pedidos/novo/agua-prestacoes")
    page.wait_for_selector("#request-form")
    for name in ("predio_morada", "predio_codigo_postal", "codigo_consumidor", "valor_divida", "numero_documentos"):
        page.fill(f"#field-{name}", WATER_DEBT[name])
    page.select_option("#field-opcao", "a")
    page.fill("#field-numero_prestacoes", WATER_DEBT["numero_prestacoes"])
    page.click("#save-fields")
    page.wait_for_selector("#installment-plan table")
    page.click("#submit-request")
    page.wait_for_selector("[data-testid=confirmation] #process-number")
    page.click("#view-process-link")
    page.wait_for_selector("#process-status")
    return page.url.rsplit("/", 1)[-1]
