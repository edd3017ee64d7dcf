"""Registration to first login through the HTTP API under moto, the account_activation state machine
executed by moto's interpreter with the app's own Lambda handlers: what a registrant and staff see."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.support.accounts import statuses
from tests.support.api import staff, upload
from tests.support.outbox import latest, link_token, outbox_to
from tests.support.waiting import wait_for

NIF = "232013969"  # valid check digit, a person's
NEW_PASSWORD = "cavalo correto bateria agrafo"


def registration(**overrides: Any) -> dict[str, Any]:
    body = {
        "person_type": "individual",
        "identity_number": NIF,
        "name": "João Gonçalves Pereira",
        "email": "joao.pereira@example.pt",
        "phone": "+351 936 123 456",
        "address": {"street": "Rua Teixeira de Pascoaes, 12", "postal_code": "4600-011", "locality": "Amarante"},
        "password": "uma frase longa de registo",
        "accept_terms": True,
        "terms_version": "2026-01",
    }
    body.update(overrides)
    return body


def proof_pdf(lines: list[str]) -> bytes:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    for line in lines:
        pdf.cell(0, 10, line, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def register_and_confirm(api: Any, **overrides: Any) -> str:
    body = registration(**overrides)
    assert api.call("POST", "/api/registrations", body).status_code == 202
    token = link_token(latest(body["email"], "Confirme o seu endereço"))
    confirmed = api.call("POST", "/api/registrations/confirmation", {"token": token})
    assert confirmed.status_code == 200, confirmed.body
    from chalicelib.accounts.users import Accounts

    return Accounts().find(body["email"])["user_id"]


def execution_of(user_id: str) -> dict[str, Any]:
    from chalicelib.accounts.users import Accounts
    from chalicelib.platform import aws

    arn = Accounts().get_item(user_id)["validation_execution_arn"]
    return aws.client("stepfunctions").describe_execution(executionArn=arn)


def test_registration_to_first_login_by_the_api(make_api: Any, demo: dict[str, Any]) -> None:
    citizen = make_api()
    body = registration()
    answer = citizen.call("POST", "/api/registrations", body)
    assert answer.status_code == 202
    confirm = latest(body["email"], "Confirme o seu endereço")
    assert "24 horas" in confirm["body"]

    # Until the email is confirmed the password opens nothing.
    early = citizen.call("POST", "/api/session", {"identifier": NIF, "password": body["password"]})
    assert early.status_code == 401 and "Confirme" in early.data["error"]["message"]

    confirmed = citizen.call("POST", "/api/registrations/confirmation", {"token": link_token(confirm)})
    assert confirmed.status_code == 200 and confirmed.data["status"] == "aguarda_validacao"

    # 3. The registrant logs in to a session that only follows the registration, and uploads the proof.
    login = citizen.login(NIF, body["password"])
    assert login.data["scope"] == "registration"
    assert citizen.call("GET", "/api/requests").status_code == 403
    slot = citizen.call(
        "POST", "/api/registration/documents", {"filename": "fatura-agua.pdf", "content_type": "application/pdf"}
    )
    assert slot.status_code == 201, slot.body
    issued = datetime.now(UTC).date() - timedelta(days=20)
    pdf = proof_pdf(
        [
            "Fatura de agua",
            "Cliente: Joao Goncalves Pereira",
            f"NIF: {NIF[:3]} {NIF[3:6]} {NIF[6:]}",
            "Rua Teixeira de Pascoaes, 12, 4600-011 Amarante",
            f"Data de emissao: {issued:%d/%m/%Y}",
        ]
    )
    assert upload(slot.data, pdf, "fatura-agua.pdf") in (200, 201, 204)
    # Inspection and pre-check run on the S3 event, on another thread: let them finish (moto's tables
    # are not safe to query while another thread writes them).
    from local import lambdas

    lambdas.drain()
    wait_for(lambda: (citizen.call("GET", "/api/registration").data.get("proof") or {}).get("precheck"))
    clerk = staff(make_api, demo, "atendimento")
    user_id = [
        r for r in clerk.call("GET", "/api/staff/registrations").data["registrations"] if r["email"] == body["email"]
    ][0]["user_id"]
    entry = clerk.call("GET", f"/api/staff/registrations/{user_id}").data
    assert entry["proof"]["precheck"]["identity_number_found"] is True
    assert entry["proof"]["precheck"]["name_found"] is True
    assert entry["proof"]["precheck"]["recent_date_found"] is True
    assert entry["documents"][0]["download_url"]
    assert entry["address"]["postal_code"] == "4600-011" and entry["terms_version"] == "2026-01"
    assert citizen.call("GET", "/api/registration").data["proof"]["status"] == "aceite"

    # 4. A clerk approves; the workflow emails a username and an activation password.
    approved = clerk.call("POST", f"/api/staff/registrations/{user_id}/approve")
    assert approved.status_code == 200, approved.body
    assert approved.data["username"] == "joao.pereira"
    email = latest(body["email"], "validado")
    username = re.search(r"Utilizador: (\S+)", email["body"]).group(1)
    activation = re.search(r"Senha de ativação: (\S+)", email["body"]).group(1)
    assert username == "joao.pereira"
    wait_for(lambda: execution_of(user_id)["status"] == "SUCCEEDED")
    assert json.loads(execution_of(user_id)["output"])["validation"]["decision"] == "aprovado"
    assert activation not in execution_of(user_id)["output"]  # the password never enters the history
    assert clerk.call("POST", f"/api/staff/registrations/{user_id}/approve").status_code == 409

    # 5. The activation password is no login password, and sets a new password once.
    for identifier, password in ((username, activation), (NIF, body["password"])):
        refused = make_api().call("POST", "/api/session", {"identifier": identifier, "password": password})
        assert refused.status_code == 401
    common = make_api().call(
        "POST",
        "/api/account/activation",
        {"identifier": username, "activation_password": activation, "new_password": "password123"},
    )
    assert common.status_code == 422 and common.data["error"]["field"] == "new_password"
    done = make_api().call(
        "POST",
        "/api/account/activation",
        {"identifier": username, "activation_password": activation, "new_password": NEW_PASSWORD},
    )
    assert done.status_code == 200, done.body
    again = make_api().call(
        "POST",
        "/api/account/activation",
        {"identifier": username, "activation_password": activation, "new_password": NEW_PASSWORD + "!"},
    )
    assert again.status_code == 422 and again.data["error"]["field"] == "activation_password"

    # 6. First login: a code by email (SMS only to a confirmed phone), then a full session with a new token.
    first = make_api()
    answer = first.login(username, NEW_PASSWORD)
    assert answer.data["scope"] == "code" and answer.data["channels"] == ["email"]
    pending_cookie = first.cookie
    assert first.call("GET", "/api/requests").status_code == 403
    sms = first.call("POST", "/api/session/code", {"channel": "sms"})
    assert sms.status_code == 422 and sms.data["error"]["field"] == "channel"
    assert first.call("POST", "/api/session/code", {"channel": "email"}).status_code == 200
    code = re.search(r"\b(\d{6})\b", latest(body["email"], "Código de confirmação")["subject"]).group(1)
    verified = first.call("POST", "/api/session/code/verification", {"code": code})
    assert verified.status_code == 200, verified.body
    assert first.cookie != pending_cookie
    assert first.call("GET", "/api/requests").status_code == 200
    assert first.call("GET", "/api/me").data["user"]["status"] == "ativo"

    # The next login goes straight to a full session.
    assert make_api().login(NIF, NEW_PASSWORD).data["scope"] == "full"
    # 11. Every transition is in the audit trail.
    assert statuses(user_id) == ["aguarda_confirmacao_email", "aguarda_validacao", "ativo"]


def test_registration_never_tells_whether_the_nif_or_email_has_an_account(make_api: Any, demo: dict[str, Any]) -> None:
    from chalicelib.accounts.users import Accounts

    fresh = make_api().call("POST", "/api/registrations", registration())
    # The demo citizen's NIF with another address; then another NIF with the demo citizen's address.
    same_nif = make_api().call(
        "POST",
        "/api/registrations",
        registration(email="outra.pessoa@example.pt", identity_number=demo["citizen"]["identity_number"]),
    )
    same_email = make_api().call(
        "POST", "/api/registrations", registration(identity_number="287654320", email=demo["citizen"]["email"])
    )
    assert fresh.status_code == same_nif.status_code == same_email.status_code == 202
    assert fresh.data == same_nif.data == same_email.data
    # The owner is told instead; nothing was created for the second registrant, the account is as it was.
    notices = wait_for(
        lambda: [m for m in outbox_to(demo["citizen"]["email"]) if "Tentativa de registo" in m["subject"]]
    )
    assert len(notices) == 2
    assert outbox_to("outra.pessoa@example.pt") == []
    assert Accounts().find("outra.pessoa@example.pt") is None and Accounts().find("287654320") is None
    owner = Accounts().find(demo["citizen"]["identity_number"])
    assert owner["email"] == demo["citizen"]["email"] and owner["status"] == "ativo"
    make_api().login(demo["citizen"]["identity_number"], demo["password"])


BAD_REGISTRATIONS = [
    ({"identity_number": "232013968"}, "identity_number"),  # wrong check digit
    ({"identity_number": "503504564"}, "identity_number"),  # a company's NIPC for a person
    ({"person_type": "company", "identity_number": NIF}, "identity_number"),  # a person's NIF for a company
    ({"email": "joao.pereira@"}, "email"),
    ({"email": "joao pereira@example.pt"}, "email"),
    ({"phone": "21 234 5678"}, "phone"),  # a landline cannot receive codes
    ({"address": {"street": "Rua A, 1", "postal_code": "4600", "locality": "Amarante"}}, "address.postal_code"),
    ({"address": {"street": "Rua A, 1", "postal_code": "46000-11", "locality": "Amarante"}}, "address.postal_code"),
    ({"accept_terms": False}, "accept_terms"),
    ({"terms_version": "2019-01"}, "terms_version"),
    ({"password": "qwertyuiop"}, "password"),  # too common
    ({"password": "curta"}, "password"),
    ({"password": "x" * 129}, "password"),
    ({"person_type": "cooperativa"}, "person_type"),
    ({"nickname": "jp"}, "nickname"),
]


def test_bad_registrations_are_refused_naming_the_field_and_store_nothing(make_api: Any, demo: dict[str, Any]) -> None:
    from chalicelib.accounts.users import Accounts

    api = make_api()
    for overrides, field in BAD_REGISTRATIONS:
        response = api.call("POST", "/api/registrations", registration(**overrides))
        assert response.status_code == 422, (overrides, response.body)
        assert response.data["error"]["field"] == field, (overrides, response.data)
        assert response.data["error"]["message"]
    assert Accounts().find(NIF) is None and Accounts().find("joao.pereira@example.pt") is None
    assert outbox_to("joao.pereira@example.pt") == []


def test_a_company_registers_with_its_nipc(make_api: Any, demo: dict[str, Any]) -> None:
    api = make_api()
    body = registration(
        person_type="company",
        identity_number="503 504 564",
        name="Diversões do Tâmega, Lda.",
        email="geral@diversoes.example.pt",
        proof_kind="funcoes",
        reason="Pedidos de licenças de máquinas",
    )
    assert api.call("POST", "/api/registrations", body).status_code == 202
    from chalicelib.accounts.users import Accounts

    item = Accounts().find("503504564")
    assert item["person_type"] == "company" and item["status"] == "aguarda_confirmacao_email"
    assert item["proof_kind"] == "funcoes" and item["terms_version"] == "2026-01" and item["terms_accepted_at"]


def test_brazilian_deployment_takes_cpf_or_cnpj_and_cep(
    make_api: Any, demo: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    from chalicelib.accounts.users import Accounts
    from chalicelib.kernel.settings import get_settings

    monkeypatch.setenv("BALCAO_COUNTRY", "BR")
    get_settings.cache_clear()
    api = make_api()
    br = {
        "phone": "+55 19 99123-4567",
        "address": {
            "street": "Rua Capitão Antônio Corrêa Barbosa, 2233",
            "postal_code": "13400-900",
            "locality": "Piracicaba",
        },
    }
    assert (
        api.call("POST", "/api/registrations", registration(identity_number="390.533.447-05", **br)).status_code == 202
    )
    assert Accounts().find("39053344705")["status"] == "aguarda_confirmacao_email"
    company = registration(
        person_type="company", identity_number="11.222.333/0001-81", email="empresa@example.com.br", **br
    )
    assert api.call("POST", "/api/registrations", company).status_code == 202
    bad_cpf = api.call(
        "POST", "/api/registrations", registration(identity_number="390.533.447-06", email="x@example.com.br", **br)
    )
    assert bad_cpf.status_code == 422 and bad_cpf.data["error"]["field"] == "identity_number"
    bad_cep = api.call(
        "POST",
        "/api/registrations",
        registration(
            identity_number="529.982.247-25",
            email="y@example.com.br",
            phone=br["phone"],
            address={"street": "Rua X, 1", "postal_code": "4600-011", "locality": "Piracicaba"},
        ),
    )
    assert bad_cep.status_code == 422 and bad_cep.data["error"]["field"] == "address.postal_code"


def test_confirmation_link_is_single_use_expires_and_is_resent_with_a_limit(
    make_api: Any, demo: dict[str, Any]
) -> None:
    from chalicelib.accounts.credentials import _sha256
    from chalicelib.accounts.users import Accounts
    from chalicelib.platform import aws

    api = make_api()
    body = registration()
    api.call("POST", "/api/registrations", body)
    token = link_token(latest(body["email"], "Confirme o seu endereço"))

    # Expired (24 h): refused naming the field, the account still awaits confirmation.
    tokens = aws.table("account_tokens")
    tokens.update_item(
        Key={"pk": f"LINK#{_sha256(token)}"},
        UpdateExpression="SET expires_at = :past",
        ExpressionAttributeValues={":past": 1},
    )
    expired = api.call("POST", "/api/registrations/confirmation", {"token": token})
    assert (
        expired.status_code == 422
        and expired.data["error"]["field"] == "token"
        and "expirou" in expired.data["error"]["message"]
    )
    assert Accounts().find(NIF)["status"] == "aguarda_confirmacao_email"
    unknown = api.call("POST", "/api/registrations/confirmation", {"token": "x" * 43})
    assert unknown.status_code == 422 and unknown.data["error"]["field"] == "token"

    # Resent: a new link, at most 3 an hour per address, the same answer for an unknown address.
    assert api.call("POST", "/api/registrations/confirmation/resend", {"email": body["email"]}).status_code == 202
    messages = wait_for(
        lambda: (
            [m for m in outbox_to(body["email"]) if "Confirme" in m["subject"]][:2][1:]
            and [m for m in outbox_to(body["email"]) if "Confirme" in m["subject"]]
        )
    )
    fresh = link_token(messages[0])
    assert fresh != token
    unknown_address = api.call("POST", "/api/registrations/confirmation/resend", {"email": "ninguem@example.pt"})
    assert unknown_address.status_code == 202
    for _ in range(2):
        assert api.call("POST", "/api/registrations/confirmation/resend", {"email": body["email"]}).status_code == 202
    limited = api.call("POST", "/api/registrations/confirmation/resend", {"email": body["email"]})
    assert limited.status_code == 429 and limited.data["error"]["field"] == "email"

    confirmed = api.call("POST", "/api/registrations/confirmation", {"token": fresh})
    assert confirmed.status_code == 200
    reused = api.call("POST", "/api/registrations/confirmation", {"token": fresh})
    assert (
        reused.status_code == 422
        and reused.data["error"]["field"] == "token"
        and "já foi usada" in reused.data["error"]["message"]
    )
    assert Accounts().find(NIF)["status"] == "aguarda_validacao"


def test_staff_are_reminded_after_two_working_days_then_still_decide(make_api: Any, demo: dict[str, Any]) -> None:
    from chalicelib.accounts.registration import Registrations
    from chalicelib.kernel.settings import get_settings

    api = make_api()
    body = registration()
    api.call("POST", "/api/registrations", body)
    token = link_token(latest(body["email"], "Confirme o seu endereço"))
    # The reminder time comes in the execution's input: here one already due.
    Registrations().confirm_email(token, None, remind_at=datetime.now(UTC) - timedelta(minutes=1))
    reminder = latest(get_settings().registrations_staff_email, "aguardar validação")
    assert "João Gonçalves Pereira" in reminder["body"] and NIF in reminder["body"]
    clerk = staff(make_api, demo, "atendimento")
    queued = wait_for(
        lambda: [r for r in clerk.call("GET", "/api/staff/registrations").data["registrations"] if r.get("reminded_at")]
    )
    user_id = queued[0]["user_id"]
    # After the reminder the workflow waits again, on a new task token: the approval still lands.
    from chalicelib.platform.audit import AuditTrail

    def waits_again() -> bool:
        events = AuditTrail().for_subject(f"user#{user_id}")
        return [e["action"] for e in events].count("registration.awaiting_validation") == 2

    wait_for(waits_again)
    assert execution_of(user_id)["status"] == "RUNNING"
    approved = clerk.call("POST", f"/api/staff/registrations/{user_id}/approve")
    assert approved.status_code == 200, approved.body
    assert approved.data["status"] == "ativo"
    wait_for(lambda: execution_of(user_id)["status"] == "SUCCEEDED")
    latest(body["email"], "validado")


def test_reminder_time_is_two_working_days_later() -> None:
    from chalicelib.accounts.validation_wait import reminder_time
    from chalicelib.kernel.clock import seconds_until

    # Friday 27 Nov 2026 10:00 Lisbon → Monday 30, (Tuesday 1 Dec is a holiday), Wednesday 2 Dec 10:00.
    friday = datetime(2026, 11, 27, 10, 0, tzinfo=UTC)
    assert reminder_time(friday) == datetime(2026, 12, 2, 10, 0, tzinfo=UTC)
    assert seconds_until("2000-01-01T00:00:00.000Z") == 1


def test_who_validates_registrations_and_a_rejection_with_its_reason(make_api: Any, demo: dict[str, Any]) -> None:
    from chalicelib.accounts.users import Accounts

    registrant = make_api()
    user_id = register_and_confirm(registrant)
    wait_for(lambda: "validation_task_token" in Accounts().get_item(user_id))

    anonymous = make_api()
    assert anonymous.call("GET", "/api/staff/registrations").status_code == 401
    citizen = make_api()
    citizen.login(demo["citizen"]["identity_number"], demo["password"])
    assert citizen.call("GET", "/api/staff/registrations").status_code == 403
    assert citizen.call("POST", f"/api/staff/registrations/{user_id}/approve").status_code == 403
    auditor = staff(make_api, demo, "auditor")  # auditors read the audit trail, not the registrations
    assert auditor.call("GET", "/api/staff/registrations").status_code == 403
    assert auditor.call("GET", f"/api/staff/registrations/{user_id}").status_code == 403
    assert auditor.call("POST", f"/api/staff/registrations/{user_id}/approve").status_code == 403
    assert auditor.call("POST", f"/api/staff/registrations/{user_id}/reject", {"reason": "x"}).status_code == 403
    assert Accounts().get_item(user_id)["status"] == "aguarda_validacao"

    head = staff(make_api, demo, "dirigente")
    no_reason = head.call("POST", f"/api/staff/registrations/{user_id}/reject", {"reason": "  "})
    assert no_reason.status_code == 422 and no_reason.data["error"]["field"] == "reason"
    unknown = head.call("POST", "/api/staff/registrations/u_nao_existe/reject", {"reason": "x"})
    assert unknown.status_code == 404
    reason = "O comprovativo tem mais de 6 meses."
    rejected = head.call("POST", f"/api/staff/registrations/{user_id}/reject", {"reason": reason})
    assert rejected.status_code == 200 and rejected.data["status"] == "rejeitado"
    email = latest("joao.pereira@example.pt", "não foi validado")
    assert reason in email["body"]
    wait_for(lambda: execution_of(user_id)["status"] == "SUCCEEDED")
    assert head.call("POST", f"/api/staff/registrations/{user_id}/approve").status_code == 409
    assert user_id not in [r["user_id"] for r in head.call("GET", "/api/staff/registrations").data["registrations"]]
    # The registrant sees the reason, and may register again with the same data.
    registrant.login(NIF, registration()["password"])
    assert registrant.call("GET", "/api/registration").data["rejection_reason"] == reason
    assert make_api().call("POST", "/api/registrations", registration()).status_code == 202
    assert Accounts().find(NIF)["status"] == "aguarda_confirmacao_email" and Accounts().find(NIF)["user_id"] != user_id
    assert statuses(user_id) == ["aguarda_confirmacao_email", "aguarda_validacao", "rejeitado"]


def test_a_proof_that_does_not_match_is_reported_to_staff_who_still_decide(make_api: Any, demo: dict[str, Any]) -> None:
    registrant = make_api()
    user_id = register_and_confirm(registrant)
    registrant.login(NIF, registration()["password"])
    not_pdf = registrant.call(
        "POST", "/api/registration/documents", {"filename": "foto.png", "content_type": "image/png"}
    )
    assert not_pdf.status_code == 422 and not_pdf.data["error"]["field"] == "content_type"
    slot = registrant.call(
        "POST", "/api/registration/documents", {"filename": "fatura.pdf", "content_type": "application/pdf"}
    ).data
    upload(slot, proof_pdf(["Fatura de eletricidade", "Cliente: Maria Sousa", "NIF: 123456789", "Data: 03/01/2020"]))
    from local import lambdas

    lambdas.drain()
    wait_for(lambda: (registrant.call("GET", "/api/registration").data.get("proof") or {}).get("precheck"))
    clerk = staff(make_api, demo, "atendimento")
    check = clerk.call("GET", f"/api/staff/registrations/{user_id}").data["proof"]["precheck"]
    assert (
        check["identity_number_found"] is False and check["name_found"] is False and check["recent_date_found"] is False
    )
    # A file that is not a PDF is rejected by inspection, and the registration says why.
    slot = registrant.call(
        "POST", "/api/registration/documents", {"filename": "x.pdf", "content_type": "application/pdf"}
    ).data
    upload(slot, b"GIF89a not a pdf at all")
    lambdas.drain()
    proof = wait_for(
        lambda: (p := registrant.call("GET", "/api/registration").data["proof"]) and p["status"] == "rejeitado" and p
    )
    assert proof["reason"]
    assert clerk.call("POST", f"/api/staff/registrations/{user_id}/approve").status_code == 200
