"""After submission, in the browser (headless Chromium at 360 px) against the local stack: a water-debt
installment request (seed 001) through a pendência answered with a document, the prior hearing
answered with arguments and a document, the payment plan signed by the citizen (after a wrong
password) and by the municipality, and the approval, with every step in the process's timeline; and
a pendência answered with the keyboard only. Staff act through the API, as the README's walk-through
does."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.support.api import WATER_STAGE_TIMELINE
from tests.support.browser import (
    PASSWORD,
    WATER_DEBT_REQUEST,
    api_session,
    check_page,
    file_water_debt_request,
    log_in,
    pdf,
    staff_session,
    until,
    upload_file,
)
from tests.support.stack import Stack

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

DATE = re.compile(r"\d{2}/\d{2}/\d{4}")


@pytest.fixture(scope="module")
def clerk(stack: Stack) -> requests.Session:
    return staff_session(stack, "atendimento")


@pytest.fixture(scope="module")
def decisor(stack: Stack) -> requests.Session:
    return staff_session(stack, "decisor")


def _act(staff: requests.Session, url: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
    """A staff action, once the workflow waits for staff again (a 409 until then)."""

    def attempt() -> dict[str, Any] | None:
        response = staff.post(url, json=body, timeout=30) if body is not None else staff.post(url, timeout=30)
        assert response.status_code in (200, 201, 409), response.text
        return response.json() if response.status_code in (200, 201) else None

    return until(attempt, timeout=60)


def _refresh_until(page: Any, selector: str) -> None:
    """Press «Atualizar» until the page shows ``selector`` (staff acted meanwhile)."""

    def shown() -> bool:
        page.click("#refresh-process")
        page.wait_for_selector("#refresh-process:not([aria-disabled])")  # drawn again: nothing more will replace it
        return page.locator(selector).count() > 0

    until(shown, timeout=60)


def test_an_installment_request_through_a_pendencia_the_hearing_and_the_signature_to_approval(
    stack: Stack, phone: Any, clerk: requests.Session, decisor: requests.Session, tmp_path: Path
) -> None:
    page = phone
    log_in(page, stack.base)
    process_id = file_water_debt_request(page, stack.base)
    staff_url = f"{stack.base}/api/staff/processes/{process_id}"

    # 1. A pendência: the clerk asks for the last water bill; the citizen finds it in "Minhas pendências"
    task = _act(
        clerk,
        f"{staff_url}/pending-tasks",
        {
            "subject": "Última fatura da água",
            "description": "Junte a última fatura da água do prédio.",
            "working_days": 5,
        },
    )
    tid = task["task_id"]
    page.goto(stack.base + "/#/pendencias")
    page.wait_for_selector(f"#pending-tasks-list li[data-task-id='{tid}']")
    item = page.inner_text(f"li[data-task-id='{tid}']")
    assert "Última fatura da água" in item and "Pendência" in item
    deadline = page.inner_text(f"#pending-deadline-{tid}")
    day, month, year = task["deadline"][8:10], task["deadline"][5:7], task["deadline"][:4]
    assert (
        f"{day}/{month}/{year}" in deadline and "faltam 5 dias úteis" in deadline
    )  # as the law counts, not calendar days
    check_page(page, "decision-01-pending-tasks")
    page.click(f"#pending-link-{tid}")
    page.wait_for_selector(f"#task-{tid}[data-status=aberta] form")
    assert page.get_attribute("#process-status", "data-status") == "pendente"
    assert "Junte a última fatura da água do prédio." in page.inner_text(f"#task-{tid}-description")
    assert "faltam 5 dias úteis" in page.inner_text(f"#task-{tid}-deadline")
    assert "Última fatura da água" in page.inner_text("#open-tasks-notice")
    page.click(f"#answer-submit-{tid}")  # nothing written, nothing attached: said beside the text
    page.wait_for_selector(f"#answer-text-{tid}-error")
    check_page(page, "decision-02-pendencia-errors")
    page.fill(f"#answer-text-{tid}", "Segue a última fatura.")
    upload_file(page, f"tarefa_{tid}", pdf(tmp_path / "fatura.pdf"))
    page.click("#refresh-process")  # «Atualizar» redraws the page: what was typed and sent to S3 stays
    page.wait_for_selector("#refresh-process:not([aria-disabled])")
    assert page.input_value(f"#answer-text-{tid}") == "Segue a última fatura."
    assert page.get_attribute(f"#upload-tarefa_{tid}", "data-state") == "accepted"
    check_page(page, "decision-03-pendencia-with-document")
    page.click(f"#answer-submit-{tid}")
    page.wait_for_selector(f"#task-{tid}[data-status=respondida]")
    assert page.inner_text(f"#task-{tid}-status") == "Respondida"
    assert "Segue a última fatura." in page.inner_text(f"#task-{tid}-answer")
    assert "fatura.pdf" in page.inner_text(f"#task-{tid}-answer-documents")
    assert page.locator(f"#answer-form-{tid}").count() == 0  # answered once: no form any more

    # 2. The prior hearing: a proposed rejection; the citizen answers with arguments and a document
    hearing = _act(decisor, f"{staff_url}/prior-hearing", {"grounds": "Há prestações de um acordo anterior em atraso."})
    hid = hearing["task_id"]
    _refresh_until(page, f"#task-{hid}[data-status=aberta]")
    assert page.get_attribute("#process-status", "data-status") == "em_audiencia"
    assert page.inner_text(f"#hearing-grounds-{hid}") == "Há prestações de um acordo anterior em atraso."
    assert "faltam 10 dias úteis" in page.inner_text(f"#task-{hid}-deadline")
    check_page(page, "decision-04-prior-hearing")
    page.fill(f"#answer-text-{hid}", "As prestações do acordo anterior foram pagas em março; junto o recibo.")
    upload_file(page, f"tarefa_{hid}", pdf(tmp_path / "recibo.pdf"))
    page.click(f"#answer-submit-{hid}")
    page.wait_for_selector(f"#task-{hid}[data-status=respondida]")
    assert "foram pagas em março" in page.inner_text(f"#task-{hid}-answer")
    assert "recibo.pdf" in page.inner_text(f"#task-{hid}-answer-documents")

    # 3. The payment plan as a PDF to sign: a wrong password is refused beside the field; then signed
    plan = _act(clerk, f"{staff_url}/payment-plan")
    signature = _act(
        clerk, f"{staff_url}/signature-requests", {"subject": "Plano de pagamento", "document_id": plan["document_id"]}
    )
    sid = signature["task_id"]
    _refresh_until(page, f"#task-{sid}[data-status=aberta]")
    assert page.get_attribute("#process-status", "data-status") == "a_aguardar_assinatura"
    assert plan["filename"] in page.inner_text(f"#sign-document-{sid}")
    from pypdf import PdfReader

    with page.expect_download() as download:
        page.click(f"#download-sign-{sid}")
    number = page.inner_text("#process-number").strip()
    assert number in "".join(p.extract_text() for p in PdfReader(download.value.path()).pages)
    page.fill(f"#sign-password-{sid}", "nao-e-esta-a-palavra")
    page.check(f"#sign-accept-{sid}")
    page.click(f"#sign-submit-{sid}")
    page.wait_for_selector(f"#sign-password-{sid}-error")
    assert "Palavra-passe incorreta" in page.inner_text(f"#sign-password-{sid}-error")
    assert page.get_attribute(f"#sign-password-{sid}", "aria-invalid") == "true"
    check_page(page, "decision-05-signature-wrong-password")
    page.fill(f"#sign-password-{sid}", PASSWORD)
    page.click(f"#sign-submit-{sid}")
    page.wait_for_selector(f"#task-{sid}[data-status=respondida]")
    assert "Assinou este documento" in page.inner_text(f"#task-{sid}-answer")
    assert page.is_visible(f"#download-signed-{sid}")

    # 4. The municipality signs too, then approves; the citizen sees the decision and every step
    signed = next(t for t in decisor.get(staff_url, timeout=30).json()["pending_tasks"] if t["task_id"] == sid)
    response = decisor.post(
        f"{staff_url}/documents/{signed['signed_document_id']}/signature",
        timeout=30,
        json={"password": PASSWORD, "accept_statement": True},
    )
    assert response.status_code == 201, response.text
    _act(
        decisor,
        f"{staff_url}/decision",
        {"decision": "deferido", "grounds": "Plano de pagamento assinado por ambas as partes."},
    )
    _refresh_until(page, "#process-status[data-status=deferido]")
    assert page.inner_text("#process-status") == "Deferido"
    assert "assinado por ambas as partes" in page.inner_text("#process-decision-grounds")
    events = page.locator("#timeline-list li")
    steps = [events.nth(i).inner_text() for i in range(events.count())]
    assert all(DATE.search(step) for step in steps)
    labels = [step.split("\n", 1)[-1] for step in steps]
    positions = [next(i for i, label in enumerate(labels) if label.startswith(step)) for step in WATER_STAGE_TIMELINE]
    assert positions == sorted(positions), labels
    assert not [label for label in labels if re.match(r"^[a-z_]+\.[a-z_.]+", label)]  # words, not action codes
    # The request's data as the citizen wrote it: the debt in euros, the option by its name
    debt = page.inner_text("#process-fields [data-field-name=valor_divida]").replace("\u00a0", " ")
    assert "1000,01 €" in debt.replace("1 000", "1000"), debt
    assert page.inner_text("#process-fields [data-field-name=opcao]").startswith("Opção a)")
    check_page(page, "decision-06-approved-with-timeline")


@pytest.fixture
def keyboard_page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 360, "height": 780}, locale="pt-PT")
    page = context.new_page()
    yield page
    context.close()


def _tab_to(page: Any, element_id: str, limit: int = 120) -> None:
    """Press Tab until the element has the focus, as a keyboard user does."""
    for _ in range(limit):
        if page.evaluate("document.activeElement && document.activeElement.id") == element_id:
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"#{element_id} is not reachable with Tab")


def _open_file_chooser(page: Any, element_id: str, tries: int = 3) -> Any:
    """Space on the focused file field opens the file chooser, as it does for a keyboard user. On a
    loaded machine headless Chromium now and then drops that first key press (no chooser, the focus
    still on the field: seen in 2 of 6 full runs); a person would press Space again, so the test does
    too, with the focus checked each time."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    for _ in range(tries):
        _tab_to(page, element_id)
        try:
            with page.expect_file_chooser(timeout=10_000) as chooser:
                page.keyboard.press("Space")
            return chooser.value
        except PlaywrightTimeout:
            continue
    raise AssertionError(f"Space on #{element_id} opens no file chooser")


def test_logging_in_and_answering_a_pendencia_with_the_keyboard_only(
    stack: Stack, keyboard_page: Any, clerk: requests.Session, tmp_path: Path
) -> None:
    citizen = api_session(stack, "/api/session", "123456789")
    draft = citizen.post(
        stack.base + "/api/requests", json={"service_id": "agua-prestacoes", "fields": WATER_DEBT_REQUEST}, timeout=30
    ).json()
    assert citizen.post(f"{stack.base}/api/requests/{draft['process_id']}/submit", timeout=30).status_code == 200
    tid = _act(
        clerk,
        f"{stack.base}/api/staff/processes/{draft['process_id']}/pending-tasks",
        {"subject": "Código de consumidor", "description": "Confirme o código de consumidor.", "working_days": 3},
    )["task_id"]

    page = keyboard_page
    page.goto(stack.base + "/#/entrar")
    page.wait_for_selector("#login-form")
    _tab_to(page, "identifier")
    page.keyboard.type("123456789")
    _tab_to(page, "password")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_selector("#processes-table")
    _tab_to(page, "nav-pending-tasks")
    page.keyboard.press("Enter")
    page.wait_for_selector(f"#pending-link-{tid}")
    _tab_to(page, f"pending-link-{tid}")
    page.keyboard.press("Enter")
    page.wait_for_selector(f"#answer-form-{tid}")
    _tab_to(page, f"answer-text-{tid}")
    page.keyboard.type("O código de consumidor é 4501234, como na fatura junta.")
    _open_file_chooser(page, f"file-tarefa_{tid}").set_files(str(pdf(tmp_path / "fatura.pdf")))
    _tab_to(page, f"upload-button-tarefa_{tid}")
    page.keyboard.press("Enter")
    page.wait_for_selector(f"#upload-tarefa_{tid}[data-state=accepted]", timeout=60_000)
    _tab_to(page, f"answer-submit-{tid}")
    page.keyboard.press("Enter")
    page.wait_for_selector(f"#task-{tid}[data-status=respondida]")
    # the focus follows the answer, so a screen reader user hears what changed
    assert page.evaluate("document.activeElement.id") == f"task-{tid}"
    assert "fatura.pdf" in page.inner_text(f"#task-{tid}-answer-documents")
    check_page(page, "decision-07-keyboard-answered")
