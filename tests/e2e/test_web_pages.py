"""Every page of the web form, logged in and not, in headless Chromium at 360 px: axe-core finds no
WCAG 2.1 AA violation and nothing scrolls sideways. Also at desktop width for the main pages, in
English after the language switch, and with the server's field errors shown beside the fields."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import pytest
import requests

from tests.support.browser import PASSWORD, WATER_DEBT_REQUEST, api_session, check_page, log_in, staff_session, until
from tests.support.stack import Stack

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

# (name, route, what shows once the page is ready, optional: a button to press, then what to wait for)
PUBLIC = [
    ("catalogue", "/", "#service-list li"),
    ("catalogue-search", "/?q=prestações", "#service-list li"),
    ("catalogue-search-empty", "/?q=zzzzzz", "#search-summary:not(:empty)"),
    ("service-water-debt", "/servicos/agua-prestacoes", "#service-facts"),
    ("service-amusement-machine", "/servicos/maquina-diversao-registo", "#service-facts"),
    ("login", "/entrar", "#login-form"),
    ("login-errors", "/entrar", "#login-form", "#login-submit", "#identifier-error"),
    ("register", "/registo", "#register-form"),
    ("register-errors", "/registo", "#register-form", "#register-submit", "#error-summary:not([hidden])"),
    ("confirm-email", "/confirmar-email?token=abcdefghijklmnopqrst", "#confirm-email-form"),
    (
        "confirm-email-invalid",
        "/confirmar-email?token=abcdefghijklmnopqrst",
        "#confirm-email-form",
        "#confirm-email-submit",
        "#error-summary:not([hidden])",
    ),
    ("confirm-email-change", "/confirmar-email?alteracao=1&token=abcdefghijklmnopqrst", "#confirm-email-form"),
    ("activation", "/ativar-conta", "#activation-form"),
    ("recovery", "/recuperar-senha", "#recovery-form"),
    ("password-reset", "/nova-palavra-passe?token=abcdefghijklmnopqrst", "#reset-form"),
    ("lookup", "/consulta", "#lookup-number"),
    ("lookup-result", "/consulta?numero={number}", "#lookup-result section"),
    ("privacy", "/privacidade", "#retention-table tr[data-kind=exports]"),
    ("not-found", "/nao-existe", "h1"),
]
CITIZEN = [
    ("my-processes", "/processos", "#processes-table"),
    ("new-request-water-debt", "/pedidos/novo/agua-prestacoes", "#request-form"),
    ("new-request-generic", "/pedidos/novo/generico", "#request-form"),
    ("draft-with-plan", "/rascunhos/{draft}", "#installment-plan table"),
    ("process-decided", "/processos/{process}", "#process-decision"),
    ("process-pending-task", "/processos/{asked}", "#process-tasks [data-status=aberta] form"),
    (
        "process-pending-task-errors",
        "/processos/{asked}",
        "#process-tasks [data-status=aberta] form",
        "#process-tasks [data-status=aberta] button[id^=answer-submit-]",
        "#error-summary:not([hidden])",
    ),
    ("process-message-errors", "/processos/{asked}", "#message-form", "#message-submit", "#message-text-error"),
    ("pending-tasks", "/pendencias", "#pending-tasks-list li"),
    ("released-processes", "/processos-liberados", "#no-released, #released-table"),
    ("messages", "/mensagens", "#general-message-form"),
    (
        "messages-errors",
        "/mensagens",
        "#general-message-form",
        "#general-message-submit",
        "#general-message-text-error",
    ),
    ("account", "/conta", "#account-facts"),
    ("account-errors", "/conta", "#password-change-form", "#change-password-submit", "#current_password-error"),
]


@pytest.fixture(scope="module")
def processes(stack: Stack) -> dict[str, str]:
    """The demo citizen's draft, a decided process of the water-debt service and one with an open
    pendência, made through the API."""
    citizen = api_session(stack, "/api/session", "123456789")
    draft = citizen.post(
        stack.base + "/api/requests", json={"service_id": "agua-prestacoes", "fields": WATER_DEBT_REQUEST}, timeout=10
    ).json()
    filed = citizen.post(
        stack.base + "/api/requests", json={"service_id": "agua-prestacoes", "fields": WATER_DEBT_REQUEST}, timeout=10
    ).json()
    submitted = citizen.post(f"{stack.base}/api/requests/{filed['process_id']}/submit", timeout=10)
    assert submitted.status_code == 200, submitted.text
    staff = staff_session(stack, "decisor")
    until(
        lambda: (
            staff.post(
                f"{stack.base}/api/staff/processes/{filed['process_id']}/decision",
                timeout=10,
                json={"decision": "deferido", "grounds": "Cumpre o Regulamento."},
            ).status_code
            == 200
        )
    )
    asked = citizen.post(
        stack.base + "/api/requests", json={"service_id": "agua-prestacoes", "fields": WATER_DEBT_REQUEST}, timeout=10
    ).json()
    assert citizen.post(f"{stack.base}/api/requests/{asked['process_id']}/submit", timeout=10).status_code == 200
    until(
        lambda: (
            staff.post(
                f"{stack.base}/api/staff/processes/{asked['process_id']}/pending-tasks",
                timeout=10,
                json={"subject": "Última fatura da água", "working_days": 5},
            ).status_code
            == 201
        )
    )
    return {
        "draft": draft["process_id"],
        "process": filed["process_id"],
        "number": quote(submitted.json()["number"]),
        "asked": asked["process_id"],
    }


@pytest.fixture(scope="module")
def citizen_page(browser: Any, stack: Stack) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 360, "height": 780}, locale="pt-PT")
    page = context.new_page()
    log_in(page, stack.base)
    yield page
    context.close()


@pytest.fixture(scope="module")
def anonymous_page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 360, "height": 780}, locale="pt-PT")
    yield context.new_page()
    context.close()


def _visit(
    page: Any,
    stack: Stack,
    processes: dict[str, str],
    route: str,
    ready: str,
    press: str | None = None,
    then: str | None = None,
) -> None:
    page.goto(stack.base + "/#" + route.format(**processes))
    page.wait_for_selector(ready)
    if press:
        page.click(press)
        page.wait_for_selector(then)


def _cases(rows: list[tuple[str, ...]]) -> list[Any]:
    return [pytest.param(*(*row, None, None)[:5], id=row[0]) for row in rows]


@pytest.mark.parametrize(("name", "route", "ready", "press", "then"), _cases(PUBLIC))
def test_public_page_is_accessible_at_360px(
    anonymous_page: Any,
    stack: Stack,
    processes: dict[str, str],
    name: str,
    route: str,
    ready: str,
    press: str | None,
    then: str | None,
) -> None:
    _visit(anonymous_page, stack, processes, route, ready, press, then)
    check_page(anonymous_page, f"page-{name}")


@pytest.mark.parametrize(("name", "route", "ready", "press", "then"), _cases(CITIZEN))
def test_citizen_page_is_accessible_at_360px(
    citizen_page: Any,
    stack: Stack,
    processes: dict[str, str],
    name: str,
    route: str,
    ready: str,
    press: str | None,
    then: str | None,
) -> None:
    _visit(citizen_page, stack, processes, route, ready, press, then)
    check_page(citizen_page, f"page-{name}")


@pytest.mark.parametrize(
    "name",
    [
        "catalogue",
        "service-water-debt",
        "new-request-water-debt",
        "process-decided",
        "process-pending-task",
        "pending-tasks",
    ],
)
def test_main_pages_at_desktop_width(browser: Any, stack: Stack, processes: dict[str, str], name: str) -> None:
    route, ready = {r[0]: r[1:3] for r in PUBLIC + CITIZEN}[name]
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="pt-PT")
    page = context.new_page()
    try:
        if name in {r[0] for r in CITIZEN}:
            log_in(page, stack.base)
        _visit(page, stack, processes, route, ready)
        check_page(page, f"desktop-{name}")
    finally:
        context.close()


def test_english_is_one_click_away_and_remembered(browser: Any, stack: Stack) -> None:
    context = browser.new_context(viewport={"width": 360, "height": 780}, locale="pt-PT")
    page = context.new_page()
    try:
        page.goto(stack.base + "/#/")
        page.wait_for_selector("#service-list li")
        assert page.get_attribute("html", "lang") == "pt-PT"
        page.click("#language-switch")
        page.wait_for_function("document.documentElement.lang === 'en'")
        page.wait_for_selector("text=Municipal services online")
        assert page.inner_text("#nav-services") == "Services"
        page.reload()
        page.wait_for_selector("#service-list li")
        assert page.get_attribute("html", "lang") == "en"
        assert page.inner_text("h1") == "Municipal services online"
        check_page(page, "page-catalogue-en")
        page.goto(stack.base + "/#/registo")
        page.wait_for_selector("#register-form")
        check_page(page, "page-register-en")
        page.click("#language-switch")
        page.wait_for_function("document.documentElement.lang === 'pt-PT'")
        assert page.inner_text("h1") == "Criar conta"
    finally:
        context.close()


def test_the_pages_after_submission_are_in_english_too(browser: Any, stack: Stack, processes: dict[str, str]) -> None:
    context = browser.new_context(viewport={"width": 360, "height": 780}, locale="pt-PT")
    page = context.new_page()
    try:
        log_in(page, stack.base)
        page.click("#language-switch")
        page.wait_for_function("document.documentElement.lang === 'en'")
        page.goto(f"{stack.base}/#/processos/{processes['asked']}")
        page.wait_for_selector("#process-tasks [data-status=aberta] form")
        assert page.inner_text("#process-status") == "Awaiting your answer"
        assert page.inner_text("#process-tasks-title") == "Pending tasks"
        assert page.inner_text("#timeline-title") == "History of the process"
        assert "Request submitted" in page.inner_text("#timeline-list")
        assert "days left" in page.inner_text("#process-tasks [data-status=aberta] [id$=-deadline]")
        check_page(page, "page-process-pending-task-en")
        page.click("#nav-pending-tasks")
        page.wait_for_selector("#pending-tasks-list li")
        assert page.inner_text("h1") == "My pending tasks"
        check_page(page, "page-pending-tasks-en")
        page.click("#nav-messages")
        page.wait_for_selector("#general-message-form")
        assert page.inner_text("#general-message-submit") == "Send message"
    finally:
        context.close()


def test_the_servers_field_errors_show_beside_the_fields_and_keep_what_was_typed(phone: Any, stack: Stack) -> None:
    page = phone
    page.goto(stack.base + "/#/registo")
    page.wait_for_selector("#register-form")
    page.fill("#name", "Rui Costa")
    page.fill("#identity_number", "123456780")  # a wrong check digit: only the server says so
    page.fill("#email", "rui.costa@example.pt")
    page.fill("#phone", "912 345 678")
    page.fill("#street", "Rua Direita, 5")
    page.fill("#postal_code", "4600-011")
    page.fill("#locality", "Amarante")
    page.fill("#password", "uma frase longa de registo")
    page.check("#accept_terms")
    page.click("#register-submit")
    page.wait_for_selector("#identity_number-error")
    assert page.get_attribute("#identity_number", "aria-invalid") == "true"
    assert "NIF" in page.inner_text("#error-summary")
    page.click("#error-summary a")
    assert page.evaluate("document.activeElement.id") == "identity_number"
    assert page.input_value("#name") == "Rui Costa" and page.input_value("#password") == "uma frase longa de registo"
    assert requests.get(stack.base + "/health", timeout=5).status_code == 200


def test_a_request_forms_server_errors_show_beside_its_fields(citizen_page: Any, stack: Stack) -> None:
    page = citizen_page
    page.goto(stack.base + "/#/pedidos/novo/agua-prestacoes")
    page.wait_for_selector("#request-form")
    page.fill("#field-predio_morada", "Rua de Santo António, 12")
    page.fill("#field-numero_prestacoes", "muitas")  # only the server knows the field's type
    page.click("#save-fields")
    page.wait_for_selector("#field-numero_prestacoes-error")
    assert page.get_attribute("#field-numero_prestacoes", "aria-invalid") == "true"
    assert page.input_value("#field-predio_morada") == "Rua de Santo António, 12"
    check_page(page, "page-new-request-water-debt-errors")


def test_the_account_page_lists_its_sessions_and_ends_the_others(phone: Any, stack: Stack) -> None:
    elsewhere = api_session(stack, "/api/session", "509123457")  # the company's account, open in another browser
    page = phone
    log_in(page, stack.base, identifier="509123457")
    page.goto(stack.base + "/#/conta")
    page.wait_for_selector("#sessions-table")
    assert page.locator("#sessions-table tbody tr").count() >= 2
    assert "esta sessão" in page.inner_text('#sessions-table tr[data-current="true"]')
    page.fill("#sessions_password", PASSWORD)
    page.click("#end-sessions-submit")
    page.wait_for_selector("#sessions-status .notice")
    assert "terminada" in page.inner_text("#sessions-status")
    assert page.locator("#sessions-table tbody tr").count() == 1
    assert elsewhere.get(stack.base + "/api/me", timeout=10).status_code == 401
    page.reload()
    page.wait_for_selector("#sessions-table")  # this browser's own session goes on
    check_page(page, "page-account-sessions-ended")


def test_the_citizen_sees_who_in_the_services_read_their_data_and_who_was_granted_view(
    citizen_page: Any, stack: Stack, processes: dict[str, str]
) -> None:
    page = citizen_page
    clerk = staff_session(stack, "atendimento")
    granted = clerk.post(
        f"{stack.base}/api/staff/processes/{processes['process']}/view-access",
        json={"identifier": "509123457", "until": "2099-01-31"},
        timeout=10,
    )
    assert granted.status_code == 201, granted.text
    page.goto(f"{stack.base}/#/processos/{processes['process']}")
    page.wait_for_selector("#process-data-access-table")
    # the grant of view access, to whom and until when, is in the requerente's timeline
    step = page.inner_text("#timeline-list [data-action='process.view_granted']")
    assert "Vista do processo concedida" in step and "31/01/2099" in step
    # the decision-maker read the process when deciding it (the decision answers with everything about it)
    row = page.inner_text("#process-data-access-table tbody tr:last-child")
    assert "Decisor(a)" in row and "Dados do processo" in row
    check_page(page, "page-process-data-access")
    page.goto(stack.base + "/#/conta")
    page.wait_for_selector("#data-access-table")
    assert (
        page.locator(f"#data-access-table tbody tr:has-text('{processes['number'].replace('%20', ' ')}')").count() >= 1
    )
    check_page(page, "page-account-data-access")


def test_the_account_page_prepares_a_download_of_everything_held_about_the_citizen(
    citizen_page: Any, stack: Stack
) -> None:
    page = citizen_page
    page.goto(stack.base + "/#/conta")
    page.wait_for_selector("#export-none, #export-table")
    page.click("#export-submit")
    page.wait_for_selector("#export-table tr[data-status=pronto] button", timeout=60_000)
    assert "pronta" in page.inner_text("#export-status")
    check_page(page, "page-account-data-export")


def test_the_account_page_asks_the_data_protection_officer_for_a_rectification(citizen_page: Any, stack: Stack) -> None:
    page = citizen_page
    page.goto(stack.base + "/#/conta")
    page.wait_for_selector("#rights-none, #rights-table")
    page.click("#rights-submit")  # nothing chosen: the form says what is missing beside the fields
    page.wait_for_selector("#rights-kind[aria-invalid=true]")
    page.select_option("#rights-kind", "retificacao")
    page.fill("#rights-grounds", "Mudei de casa em novembro.")
    page.fill("#rights-street", "Rua Nova, 7")
    page.fill("#rights-postal", "4600-011")
    page.fill("#rights-locality", "Amarante")
    page.click("#rights-submit")
    page.wait_for_selector("#rights-table tbody tr")
    assert "encarregado de proteção de dados" in page.inner_text("#rights-status")
    row = page.inner_text("#rights-table tbody tr:first-child")
    assert "Retificação" in row and "A aguardar resposta" in row
    check_page(page, "page-account-rights-request")
