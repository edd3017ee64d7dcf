"""The web form in a real browser (Debian's headless Chromium driven by Playwright) against the local
stack: the demo citizen files a generic request with a PDF and sees the staff decision, on a phone-sized
screen, with axe-core finding no WCAG 2.1 AA violation on the pages it passes through. Screenshots are
kept in test-artifacts/ for people to look at."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.e2e.conftest import ROOT, Stack

pytestmark = [pytest.mark.e2e, pytest.mark.browser]
CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = ROOT / "test-artifacts" / "web"
PASSWORD = "Balcao-demo-2026"


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        pytest.fail("Debian's chromium is missing: ./dev test installs it (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--no-first-run", "--disable-quic"],
        )
        yield instance
        instance.close()


@pytest.fixture
def phone(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 360, "height": 780}, locale="pt-PT")
    page = context.new_page()
    yield page
    context.close()


def _check_page(page: Any, name: str) -> None:
    """Look at it (a screenshot for people), then what a machine can check: axe-core, no sideways scroll."""
    from axe_playwright_python.sync_playwright import Axe

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}})
    assert results.violations_count == 0, results.generate_report()
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{name}: {overflow}px of horizontal scrolling at 360 px"


def _pdf(path: Path) -> Path:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    buffer = io.BytesIO()
    writer.write(buffer)
    path.write_bytes(buffer.getvalue())
    return path


def test_a_citizen_files_a_request_in_the_browser_and_sees_the_decision(stack: Stack, phone: Any, tmp_path: Path) -> None:
    page = phone
    page.goto(stack.base + "/#/")
    page.wait_for_selector("#service-list li")
    _check_page(page, "01-catalogue")

    page.goto(stack.base + "/#/entrar")
    page.click("#login-submit")  # empty form: the errors are named beside the fields and summarised
    page.wait_for_selector("#identifier-error")
    assert page.get_attribute("#identifier", "aria-invalid") == "true"
    _check_page(page, "02-login-errors")
    page.fill("#identifier", "123456789")
    page.fill("#password", PASSWORD)
    page.click("#login-submit")
    page.wait_for_selector("#processes-table, #no-processes")

    page.goto(stack.base + "/#/pedidos/novo/generico")
    page.wait_for_selector("#request-form")
    page.fill("#field-subject", "Ocupação temporária da via pública")
    page.fill("#field-text", "Peço autorização para ocupar 10 m² do passeio durante as obras.")
    page.click("#save-fields")
    page.set_input_files("#file-anexo", str(_pdf(tmp_path / "planta.pdf")))
    page.click("#upload-button-anexo")
    page.wait_for_selector("#upload-anexo[data-state=accepted]", timeout=30_000)
    _check_page(page, "03-request-with-document")
    page.click("#submit-request")
    number = page.wait_for_selector("#process-number").inner_text().strip()
    assert number.startswith("CAMARA ")
    _check_page(page, "04-submitted")
    page.click("#view-process-link")
    page.wait_for_selector("#process-status")
    process_id = page.url.rsplit("/", 1)[-1]

    staff = requests.Session()
    login = staff.post(stack.base + "/api/staff/session", json={"identifier": "decisor", "password": PASSWORD}, timeout=10)
    staff.cookies.set("balcao_session", login.cookies["balcao_session"])
    staff.headers["X-Balcao-CSRF"] = "1"  # the API's CSRF protection on cookie-authenticated changes

    def decide() -> bool:
        response = staff.post(f"{stack.base}/api/staff/processes/{process_id}/decision", timeout=10,
                              json={"decision": "deferido", "grounds": "Cumpre o regulamento municipal."})
        return response.status_code == 200

    _until(decide)
    def shows_decision() -> bool:
        page.click("#refresh-process")
        page.wait_for_selector("#process-status")
        return page.get_attribute("#process-status", "data-status") == "deferido"

    _until(shows_decision)
    assert page.inner_text("#process-status").strip() == "Deferido"
    assert "Cumpre o regulamento municipal." in page.inner_text("#process-decision-grounds")
    _check_page(page, "05-process-deferido")


def _until(check: Any, timeout: float = 30) -> None:
    import time

    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.5)


def test_a_water_debt_installment_request_in_the_browser_with_its_plan(stack: Stack, phone: Any) -> None:
    page = phone
    page.goto(stack.base + "/#/entrar")
    page.fill("#identifier", "123456789")
    page.fill("#password", PASSWORD)
    page.click("#login-submit")
    page.wait_for_selector("#processes-table, #no-processes")

    page.goto(stack.base + "/#/pedidos/novo/agua-prestacoes")
    page.wait_for_selector("#request-form")
    assert page.is_hidden("#field-fundamentacao")  # only for option b)
    page.fill("#field-predio_morada", "Rua de Santo António, 12")
    page.fill("#field-predio_codigo_postal", "7200-370")
    page.fill("#field-codigo_consumidor", "4501234")
    page.fill("#field-valor_divida", "1000,01")
    page.fill("#field-numero_documentos", "3")
    page.select_option("#field-opcao", "b")
    assert page.is_visible("#field-fundamentacao")
    page.select_option("#field-opcao", "a")
    page.fill("#field-numero_prestacoes", "24")
    page.click("#save-fields")
    page.wait_for_selector("#installment-plan table")
    assert page.locator("#installment-plan tbody tr").count() == 24
    _check_page(page, "06-installment-plan")
    page.click("#submit-request")
    number = page.wait_for_selector("#process-number").inner_text().strip()
    assert number.startswith("CAMARA ")
