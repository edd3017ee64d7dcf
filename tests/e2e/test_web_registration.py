"""A new citizen's whole way in the browser (headless Chromium, 360 px), against the local stack:
register with the terms → the email link (read from the local outbox) → log in and upload the proof
of address → staff approve (through the API) → activation password from the outbox → a new password
→ the first login with the emailed code → the water-debt installment request (option b, with its
documents and a postal address for the notifications) → the plan in the preview → submit → the
process. axe-core and the 360 px check run on every page on the way; screenshots are kept."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from tests.support.browser import check_page, outbox_message, pdf, staff_session, until, upload_file
from tests.support.stack import Stack

pytestmark = [pytest.mark.e2e, pytest.mark.browser]


def staff_approve_registration(stack: Stack, email: str) -> None:
    """Staff validate the registration with this email. The one place these tests use the staff API
    for registrations (its authentication is about to gain an emailed code)."""
    clerk = staff_session(stack, "atendimento")
    queue = clerk.get(stack.base + "/api/staff/registrations", timeout=10).json()["registrations"]
    entry = next(r for r in queue if r["email"] == email)
    approved = clerk.post(f"{stack.base}/api/staff/registrations/{entry['user_id']}/approve", timeout=10)
    assert approved.status_code == 200, approved.text


def test_a_new_citizen_registers_is_validated_and_files_an_installment_request(
    stack: Stack, phone: Any, tmp_path: Path
) -> None:
    page, base = phone, stack.base
    name, nif, email = "Inês Carvalho", "232013969", "ines.carvalho@example.pt"
    first_password, password = "uma frase longa de registo", "sol de inverno no tâmega"

    # 1. Register
    page.goto(base + "/#/")
    page.wait_for_selector("#service-list li")
    page.click("#register-link")
    page.wait_for_selector("#register-form")
    page.fill("#name", name)
    page.fill("#identity_number", nif)
    page.fill("#email", email)
    page.fill("#phone", "936 123 456")
    page.fill("#street", "Rua Teixeira de Pascoaes, 12")
    page.fill("#postal_code", "4600-011")
    page.fill("#locality", "Amarante")
    page.fill("#password", first_password)
    page.check("#accept_terms")
    check_page(page, "flow-01-register")
    page.click("#register-submit")
    page.wait_for_selector("#registration-received")
    check_page(page, "flow-02-registered")

    # 2. The link in the email confirms the address
    link = re.search(
        r"https?://\S+token=[\w-]+", outbox_message(stack, email, "Confirme o seu endereço")["body"]
    ).group(0)
    page.goto(base + "/#" + link.split("#", 1)[1])
    page.wait_for_selector("#confirm-email-form")
    check_page(page, "flow-03-confirm-email")
    page.click("#confirm-email-submit")
    page.wait_for_selector("#email-confirmed")

    # 3. Log in: the session only follows the registration, whose page takes the proof of address
    page.click("#continue-login")
    page.wait_for_selector("#login-form")
    page.fill("#identifier", nif)
    page.fill("#password", first_password)
    page.click("#login-submit")
    page.wait_for_selector("#registration-status[data-status=aguarda_validacao]")
    proof = pdf(
        tmp_path / "atestado.pdf",
        (
            "Junta de Freguesia de Amarante - Atestado de residencia",
            f"Nome: {name}",
            f"NIF: {nif}",
            f"Amarante, {datetime.now(UTC):%d/%m/%Y}",
        ),
    )
    page.set_input_files("#file-comprovativo_morada", str(proof))
    page.click("#upload-button-comprovativo_morada")
    page.wait_for_selector("#upload-comprovativo_morada[data-state=accepted]", timeout=60_000)
    check_page(page, "flow-04-registration-status-proof")
    page.click("#logout-button")
    page.wait_for_selector("#login-link")

    # 4. Staff approve; the username and the activation password come by email
    staff_approve_registration(stack, email)
    message = outbox_message(stack, email, "Senha de ativação")["body"]
    username = re.search(r"Utilizador: (\S+)", message).group(1)
    activation = re.search(r"Senha de ativação: (\S+)", message).group(1)

    # 5. Activation: a new password
    page.goto(base + "/#/ativar-conta")
    page.wait_for_selector("#activation-form")
    page.fill("#identifier", username)
    page.fill("#activation_password", activation)
    page.fill("#new_password", password)
    page.fill("#new_password_repeat", password)
    check_page(page, "flow-05-activation")
    page.click("#activate-submit")
    page.wait_for_selector("#login-form")

    # 6. First login: a code by email
    page.fill("#identifier", username)
    page.fill("#password", password)
    page.click("#login-submit")
    page.wait_for_selector("#code-channel-form")
    check_page(page, "flow-06-login-code")
    page.click("#send-code")
    page.wait_for_selector("#code-sent .notice")
    code = re.search(r"\d{6}", outbox_message(stack, email, "Código de confirmação")["subject"]).group(0)
    page.fill("#code", code)
    page.click("#verify-code")
    page.wait_for_selector("#processes-table, #no-processes")
    assert page.inner_text("#session-user").endswith(name)

    # 7. The water-debt installment request, option b (36 installments): its documents, post to another address
    page.goto(base + "/#/servicos/agua-prestacoes")
    page.click("#start-request")
    page.wait_for_selector("#request-form")
    page.fill("#field-predio_morada", "Rua de Santo António, 12")
    page.fill("#field-predio_codigo_postal", "7200-370")
    page.fill("#field-codigo_consumidor", "4501234")
    page.fill("#field-valor_divida", "540,00")
    page.fill("#field-numero_documentos", "2")
    page.select_option("#field-opcao", "b")
    page.fill("#field-numero_prestacoes", "36")
    page.fill("#field-fundamentacao", "Desemprego desde janeiro; agregado de três pessoas com um só rendimento.")
    page.select_option("#notification-postal", "outra")
    page.fill("#notification-street", "Rua do Correio, 3")
    page.fill("#notification-postal_code", "46000")  # wrong: caught before sending, beside the field
    page.fill("#notification-locality", "Amarante")
    page.click("#save-fields")
    page.wait_for_selector("#notification-postal_code-error")
    assert page.input_value("#field-fundamentacao").startswith("Desemprego")
    page.fill("#notification-postal_code", "4600-017")
    page.click("#save-fields")
    page.wait_for_selector("#upload-irs")
    process_id = until(lambda: re.search(r"#/rascunhos/(p_\w+)", page.url)).group(1)
    for slot, filename in (("irs", "irs.pdf"), ("atestado_insuficiencia", "atestado-junta.pdf")):
        upload_file(page, slot, pdf(tmp_path / filename))

    # save and resume: the draft reopened shows everything typed and the files sent
    page.goto(base + f"/#/rascunhos/{process_id}")
    page.wait_for_selector("#upload-atestado_insuficiencia[data-state=accepted]")
    assert page.input_value("#notification-postal_code") == "4600-017"
    assert page.input_value("#field-numero_prestacoes") == "36"

    # the preview: the plan, who asks, the notification choice
    page.wait_for_selector("#installment-plan table")
    assert page.locator("#installment-plan tbody tr").count() == 36
    assert "15,00" in page.inner_text("#installment-plan")  # €540.00 in 36 installments
    assert "Rua do Correio, 3" in page.inner_text("#preview-notification")
    assert page.get_attribute("#submit-request", "data-ready") == "true"
    check_page(page, "flow-07-preview-with-plan")
    page.click("#submit-request")
    number = page.wait_for_selector("#process-number").inner_text().strip()
    assert number.startswith("CAMARA ")
    check_page(page, "flow-08-submitted")

    # 8. The process
    page.click("#view-process-link")
    page.wait_for_selector("#process-status")
    assert page.locator("#process-plan li").count() == 36
    assert page.locator("#process-documents tr[data-document-id]").count() == 2
    check_page(page, "flow-09-process")
