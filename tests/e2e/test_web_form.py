"""The web form in a real browser (Debian's headless Chromium driven by Playwright) against the local
stack: the demo citizen files a generic request with a PDF and sees the staff decision, on a phone-sized
screen, with axe-core finding no WCAG 2.1 AA violation on the pages it passes through. Screenshots are
kept in test-artifacts/ for people to look at."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.support.browser import PASSWORD, check_page, log_in, pdf, staff_session, until
from tests.support.stack import Stack

pytestmark = [pytest.mark.e2e, pytest.mark.browser]


def _file_a_generic_request(
    page: Any, base: str, subject_and_text: tuple[str, str], document: Path, look: Any = lambda name: None
) -> str:
    """As the logged-in citizen: a generic request with ``document``, submitted; its number."""
    page.goto(base + "/#/pedidos/novo/generico")
    page.wait_for_selector("#request-form")
    page.fill("#field-subject", subject_and_text[0])
    page.fill("#field-text", subject_and_text[1])
    page.click("#save-fields")
    page.set_input_files("#file-anexo", str(document))
    page.click("#upload-button-anexo")
    page.wait_for_selector("#upload-anexo[data-state=accepted]", timeout=30_000)
    look("03-request-with-document")
    page.click("#submit-request")
    number = page.wait_for_selector("#process-number").inner_text().strip()
    look("04-submitted")
    return number


def test_a_citizen_files_a_request_in_the_browser_and_sees_the_decision(
    stack: Stack, phone: Any, tmp_path: Path
) -> None:
    page = phone
    page.goto(stack.base + "/#/")
    page.wait_for_selector("#service-list li")
    check_page(page, "01-catalogue")

    page.goto(stack.base + "/#/entrar")
    page.click("#login-submit")  # empty form: the errors are named beside the fields and summarised
    page.wait_for_selector("#identifier-error")
    assert page.get_attribute("#identifier", "aria-invalid") == "true"
    check_page(page, "02-login-errors")
    page.fill("#identifier", "123456789")
    page.fill("#password", PASSWORD)
    page.click("#login-submit")
    page.wait_for_selector("#processes-table, #no-processes")

    number = _file_a_generic_request(
        page,
        stack.base,
        ("Ocupação temporária da via pública", "Peço autorização para ocupar 10 m² do passeio durante as obras."),
        pdf(tmp_path / "planta.pdf"),
        look=lambda name: check_page(page, name),
    )
    assert number.startswith("CAMARA ")
    page.click("#view-process-link")
    page.wait_for_selector("#process-status")
    process_id = page.url.rsplit("/", 1)[-1]

    staff = staff_session(stack, "decisor")

    def decide() -> bool:
        response = staff.post(
            f"{stack.base}/api/staff/processes/{process_id}/decision",
            timeout=10,
            json={"decision": "deferido", "grounds": "Cumpre o regulamento municipal."},
        )
        return response.status_code == 200

    until(decide)

    def shows_decision() -> bool:
        page.click("#refresh-process")
        page.wait_for_selector("#process-status")
        return page.get_attribute("#process-status", "data-status") == "deferido"

    until(shows_decision)
    assert page.inner_text("#process-status").strip() == "Deferido"
    assert "Cumpre o regulamento municipal." in page.inner_text("#process-decision-grounds")
    check_page(page, "05-process-deferido")

    # the receipt: a real PDF, downloaded from the process page, naming the process and the document's hash
    from pypdf import PdfReader

    with page.expect_download() as download:
        page.click("#download-receipt")
    text = "".join(p.extract_text() for p in PdfReader(download.value.path()).pages)
    assert number in text and "planta.pdf" in text


def test_a_water_debt_installment_request_in_the_browser_with_its_plan(stack: Stack, phone: Any) -> None:
    page = phone
    log_in(page, stack.base)

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
    check_page(page, "06-installment-plan")
    page.click("#submit-request")
    number = page.wait_for_selector("#process-number").inner_text().strip()
    assert number.startswith("CAMARA ")


def test_a_citizen_of_the_brazilian_deployment_files_a_request_on_its_demo_clock(
    stack_br: Stack, phone: Any, tmp_path: Path
) -> None:
    """The same request in the Brazilian deployment (Piracicaba, CPF, organ PMP), its demo clock on
    Christmas Eve shown in the footer and dating the submission."""
    page = phone
    page.goto(stack_br.base + "/#/entrar")
    page.wait_for_selector("#demo-clock:not([hidden])")
    assert "24/12/2026" in page.inner_text("#demo-clock")
    assert "Piracicaba" in page.inner_text(".site-footer")
    page.fill("#identifier", "529.982.247-25")
    page.fill("#password", PASSWORD)
    page.click("#login-submit")
    page.wait_for_selector("#processes-table, #no-processes")
    number = _file_a_generic_request(
        page,
        stack_br.base,
        ("Autorização para evento", "Festa junina na rua, no sábado."),
        pdf(tmp_path / "croqui.pdf"),
    )
    assert number.startswith("PMP 2026/")
    page.click("#view-process-link")
    page.wait_for_selector("#process-status")
    assert "24/12/2026" in page.inner_text("main")
    check_page(page, "br-01-process-on-the-demo-clock")
