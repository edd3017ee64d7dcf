"""The seeds' services through the API under moto: the public catalogue, drafts saved as filled,
who asks and how to notify, the installment rules, idempotent submission, fees paid by Multibanco
and the workflow waiting for the payment."""

from __future__ import annotations

import json
from typing import Any

from tests.support.accounts import add_citizen
from tests.support.api import WATER, upload
from tests.support.files import small_pdf
from tests.support.outbox import outbox_to
from tests.support.waiting import wait_for as _wait_for

MACHINE = {
    "maquina_designacao": "Máquina de flippers",
    "maquina_fabricante": "Bally",
    "maquina_numero_serie": "FL-2231",
    "tema_jogo": "Corrida de automóveis",
    "classificacao_tema_numero": "SIJ 123/2026",
    "local_exploracao": "Rua 25 de Abril, 3, Lagoa",
    "local_codigo_postal": "8400-325",
    "importada_fora_ue": False,
}
BRUNO = {"name": "Bruno Costa", "email": "bruno@example.pt", "username": "bruno", "identity_number": "100000002"}
BRUNO_PASSWORD = "Outra-palavra-2026"


def wait_for(predicate: Any) -> Any:
    # a request with a fee runs more workflow steps than most: give a loaded machine time
    return _wait_for(predicate, timeout=90)


def _citizen(make_api: Any, demo: dict[str, Any]) -> Any:
    api = make_api()
    api.login("ana.silva", demo["password"])
    return api


def _bruno(make_api: Any) -> Any:
    from chalicelib.accounts.users import Accounts
    from chalicelib.platform.audit import Actor

    Accounts().create(kind="citizen", password=BRUNO_PASSWORD, actor=Actor("test"), **BRUNO)
    api = make_api()
    api.login("bruno", BRUNO_PASSWORD)
    return api


def _staff(make_api: Any, demo: dict[str, Any], login: str) -> Any:
    api = make_api()
    api.login(login, demo["password"], staff=True)
    return api


def _attach(api: Any, process_id: str, slot: str) -> None:
    response = api.call(
        "POST",
        f"/api/requests/{process_id}/documents",
        {"slot": slot, "filename": f"{slot}.pdf", "content_type": "application/pdf"},
    )
    assert response.status_code == 201, response.body
    assert upload(response.data, small_pdf()) in (200, 201, 204)


def test_the_catalogue_lists_searches_and_shows_a_service_without_login(client: Any) -> None:
    everything = client.http.get("/api/services").json_body["services"]
    assert {"agua-prestacoes", "maquina-diversao-registo", "vista-processo", "generico"} <= {
        s["id"] for s in everything
    }
    found = client.http.get("/api/services?q=m%C3%A1quina%20diversao").json_body["services"]
    assert len(found) == 4 and all(s["group"] == "Máquinas de diversão" for s in found)
    registo = next(s for s in found if s["id"] == "maquina-diversao-registo")
    assert registo["fees"]["amount_eur"] == 86.7
    page = client.http.get("/api/services/maquina-diversao-alteracao-proprietario").json_body
    assert page["fees"] == {
        "kind": "fixed",
        "amount_eur": 44.34,
        "note": page["fees"]["note"],
        "pay_before_decision": True,
    }
    assert {d["slot"] for d in page["documents"]} == {"documento_venda", "titulo_registo", "outros"}
    assert "Decreto-Lei n.º 310/2002" in page["legal_basis"] and page["decision_deadline"]["days"] == 30
    assert "qualidade_representante" in {d["slot"] for d in page["party_documents"]}
    assert client.http.get("/api/services/nao-existe").status_code == 404


def test_every_field_error_is_returned_at_once(make_api: Any, demo: dict[str, Any]) -> None:
    api = _citizen(make_api, demo)
    response = api.call(
        "POST",
        "/api/requests",
        {
            "service_id": "agua-prestacoes",
            "fields": {"valor_divida": "muito", "numero_prestacoes": "x"},
            "requerente": {"type": "coletiva", "name": "", "identity_number": "123456780"},
            "notification": {
                "postal": "outra",
                "postal_address": {"street": "Rua A", "postal_code": "7200", "locality": "Évora"},
            },
        },
    )
    assert response.status_code == 422
    fields = {e["field"] for e in response.data["errors"]}
    assert {"requerente.name", "requerente.identity_number", "notification.postal_address.postal_code"} <= fields
    assert response.data["error"]["field"] == response.data["errors"][0]["field"]
    # the service's own fields are checked too, all of them, once the body's shape is right
    response = api.call(
        "POST",
        "/api/requests",
        {"service_id": "agua-prestacoes", "fields": {"valor_divida": "muito", "numero_prestacoes": "x", "cor": 1}},
    )
    assert {e["field"] for e in response.data["errors"]} == {
        "fields.valor_divida",
        "fields.numero_prestacoes",
        "fields.cor",
    }
    assert api.call("GET", "/api/requests").data["processes"] == []


def test_the_plan_preview_sums_to_the_debt_and_names_the_broken_rule(client: Any) -> None:
    def preview(fields: dict[str, Any]) -> Any:
        return client.http.post(
            "/api/services/agua-prestacoes/plan",
            headers={"content-type": "application/json"},
            body=json.dumps({"fields": fields}),
        )

    plan = preview({"valor_divida": "1000,01", "numero_prestacoes": 24, "opcao": "a"}).json_body
    assert len(plan["installments"]) == 24 and plan["total_cents"] == 100001
    assert sum(i["amount_cents"] for i in plan["installments"]) == 100001
    assert all(i["due_date"].endswith("-08") for i in plan["installments"])
    assert plan["installments"][0]["due_date"] > plan["decision_deadline"]
    too_small = preview({"valor_divida": "300", "numero_prestacoes": 20, "opcao": "a"})
    assert too_small.status_code == 422 and "pelo menos 20,00 €" in too_small.json_body["error"]["message"]
    assert "no máximo 15" in too_small.json_body["error"]["message"]
    too_many = preview({"valor_divida": "3000", "numero_prestacoes": 30, "opcao": "a"})
    assert too_many.status_code == 422 and "24 prestações" in too_many.json_body["error"]["message"]
    assert preview({"valor_divida": "3000", "numero_prestacoes": 30, "opcao": "b"}).status_code == 200
    assert preview({"valor_divida": "3000", "numero_prestacoes": 40, "opcao": "b"}).status_code == 422
    assert (
        client.http.post(
            "/api/services/generico/plan", headers={"content-type": "application/json"}, body=json.dumps({"fields": {}})
        ).status_code
        == 422
    )


def test_water_debt_option_a_from_draft_to_submission_with_its_plan(make_api: Any, demo: dict[str, Any]) -> None:
    api = _citizen(make_api, demo)
    draft = api.call("POST", "/api/requests", {"service_id": "agua-prestacoes", "fields": {"valor_divida": "1000,01"}})
    assert draft.status_code == 201, draft.body
    process_id = draft.data["process_id"]
    assert draft.data["requerente"]["name"] == "Ana Silva"  # the logged-in citizen, by default
    assert draft.data["draft_expires_at"] > draft.data["created_at"]

    # saved as filled, from "another device": the same account, another session
    other_device = _citizen(make_api, demo)
    saved = other_device.call("PATCH", f"/api/requests/{process_id}", {"fields": {**WATER, "numero_prestacoes": 25}})
    assert saved.status_code == 200, saved.body
    assert saved.data["fields"]["valor_divida"] == "1000.01"
    refused = api.call("POST", f"/api/requests/{process_id}/submit")
    assert refused.status_code == 422 and refused.data["error"]["field"] == "fields.numero_prestacoes"
    assert "24 prestações" in refused.data["error"]["message"]

    assert api.call("PATCH", f"/api/requests/{process_id}", {"fields": {"numero_prestacoes": 24}}).status_code == 200
    assert len(api.call("GET", f"/api/requests/{process_id}/plan").data["installments"]) == 24
    submitted = api.call("POST", f"/api/requests/{process_id}/submit")
    assert submitted.status_code == 200, submitted.body
    view = api.call("GET", f"/api/requests/{process_id}").data
    assert view["number"] and view["payment"] is None and view["draft_expires_at"] is None
    assert sum(i["amount_cents"] for i in view["installment_plan"]) == 100001
    assert view["notification"]["default"] == "servicos_online"
    assert api.call("PATCH", f"/api/requests/{process_id}", {"fields": {"numero_prestacoes": 2}}).status_code == 409


def test_water_debt_option_b_needs_the_economic_insufficiency_documents(make_api: Any, demo: dict[str, Any]) -> None:
    api = _citizen(make_api, demo)
    fields = {**WATER, "opcao": "b", "numero_prestacoes": 36, "valor_divida": "360"}
    process_id = api.call("POST", "/api/requests", {"service_id": "agua-prestacoes", "fields": fields}).data[
        "process_id"
    ]
    refused = api.call("POST", f"/api/requests/{process_id}/submit")
    assert refused.status_code == 422
    assert {e["field"] for e in refused.data["errors"]} == {
        "fields.fundamentacao",
        "documents.irs",
        "documents.atestado_insuficiencia",
    }
    api.call("PATCH", f"/api/requests/{process_id}", {"fields": {"fundamentacao": "Desemprego desde março."}})
    _attach(api, process_id, "irs")
    _attach(api, process_id, "atestado_insuficiencia")
    submitted = api.call("POST", f"/api/requests/{process_id}/submit")
    assert submitted.status_code == 200, submitted.body
    assert [i["amount_cents"] for i in submitted.data["installment_plan"]] == [1000] * 36  # below €20: option b
    wait_for(lambda: api.call("GET", f"/api/requests/{process_id}").data["status"] == "em_apreciacao")


def test_a_representative_files_for_a_requerente_and_both_see_the_process(make_api: Any, demo: dict[str, Any]) -> None:
    bruno = _bruno(make_api)
    ana = _citizen(make_api, demo)
    representation = {
        "requerente": {
            "type": "singular",
            "name": "Bruno Costa",
            "identity_number": "100000002",
            "address": {"street": "Rua do Sol, 1", "postal_code": "7200-370", "locality": "Reguengos de Monsaraz"},
        },
        "representante": {
            "type": "singular",
            "name": "Ana Silva",
            "identity_number": "123456789",
            "quality": "mandatario",
        },
        "notification": {"postal": "requerente", "electronic": [{"channel": "email", "contact": "bruno.c@example.pt"}]},
    }
    process_id = ana.call(
        "POST", "/api/requests", {"service_id": "agua-prestacoes", "fields": WATER, **representation}
    ).data["process_id"]
    assert bruno.call("GET", f"/api/requests/{process_id}").status_code == 404  # a draft is its filer's only
    refused = ana.call("POST", f"/api/requests/{process_id}/submit")
    assert {e["field"] for e in refused.data["errors"]} == {
        "notification.electronic.0.consent",
        "documents.qualidade_representante",
    }

    ana.call(
        "PATCH",
        f"/api/requests/{process_id}",
        {
            "notification": {
                "postal": "requerente",
                "electronic": [{"channel": "email", "contact": "bruno.c@example.pt", "consent": True}],
            }
        },
    )
    _attach(ana, process_id, "qualidade_representante")
    submitted = ana.call("POST", f"/api/requests/{process_id}/submit")
    assert submitted.status_code == 200, submitted.body
    consent = submitted.data["notification"]["electronic"][0]
    assert consent["consent"] is True and consent["consented_at"]

    for who in (ana, bruno):
        assert process_id in [p["process_id"] for p in who.call("GET", "/api/requests").data["processes"]]
        assert who.call("GET", f"/api/requests/{process_id}").data["representante"]["quality"] == "mandatario"

    add_citizen("Carla", "carla", BRUNO_PASSWORD, "100000010", "carla@example.pt")
    carla = make_api()
    carla.login("carla", BRUNO_PASSWORD)
    assert carla.call("GET", f"/api/requests/{process_id}").status_code == 404
    # the consented address gets the receipt too
    wait_for(lambda: [m for m in outbox_to("bruno.c@example.pt") if "recebido" in m["subject"]])


def test_who_asks_and_how_to_notify_are_checked_at_submission(make_api: Any, demo: dict[str, Any]) -> None:
    api = _citizen(make_api, demo)
    body = {
        "service_id": "vista-processo",
        "fields": {"numero_processo": "PMP 2023/500100", "qualidade": "interessado", "motivo": "Consultar o projeto."},
        "requerente": {"type": "coletiva", "name": "Associação Recreativa", "identity_number": "500000000"},
        "notification": {"postal": "outra"},
    }
    process_id = api.call("POST", "/api/requests", body).data["process_id"]
    refused = api.call("POST", f"/api/requests/{process_id}/submit")
    assert {e["field"] for e in refused.data["errors"]} == {
        "requerente.collective_kind",
        "requerente.identity_number",
        "notification.postal_address",
    }
    api.call(
        "PATCH",
        f"/api/requests/{process_id}",
        {
            "requerente": {**body["requerente"], "collective_kind": "associacao"},
            "representante": {"name": "Ana Silva", "identity_number": "123456789", "quality": "gestor_negocios"},
            "notification": {
                "postal": "outra",
                "postal_address": {"street": "Rua B, 2", "postal_code": "8400-325", "locality": "Lagoa"},
            },
        },
    )
    refused = api.call("POST", f"/api/requests/{process_id}/submit")
    assert [e["field"] for e in refused.data["errors"]] == ["documents.legitimidade_associacao"]
    _attach(api, process_id, "legitimidade_associacao")
    assert api.call("POST", f"/api/requests/{process_id}/submit").status_code == 200
    wait_for(lambda: api.call("GET", f"/api/requests/{process_id}").data["status"] == "em_apreciacao")


def test_a_double_click_or_a_retry_yields_one_process(make_api: Any, demo: dict[str, Any]) -> None:
    api = _citizen(make_api, demo)
    body = {"service_id": "generico", "fields": {"subject": "Ruído", "text": "Arraial."}}
    first = api.call("POST", "/api/requests", body, headers={"Idempotency-Key": "k-1"})
    again = api.call("POST", "/api/requests", body, headers={"Idempotency-Key": "k-1"})
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.data["process_id"] == again.data["process_id"]
    assert len(api.call("GET", "/api/requests").data["processes"]) == 1
    _attach(api, first.data["process_id"], "anexo")
    numbers = {api.call("POST", f"/api/requests/{first.data['process_id']}/submit").data["number"] for _ in range(3)}
    assert len(numbers) == 1
    wait_for(lambda: api.call("GET", f"/api/requests/{first.data['process_id']}").data["status"] == "em_apreciacao")


def test_drafts_expire_after_30_days_with_a_reminder_before(make_api: Any, demo: dict[str, Any]) -> None:
    from datetime import date, timedelta

    from chalicelib.processes.table import Processes
    from chalicelib.workflow import draft_reminders as workflow

    api = _citizen(make_api, demo)
    process_id = api.call("POST", "/api/requests", {"service_id": "generico", "fields": {"subject": "x"}}).data[
        "process_id"
    ]
    item = Processes().get(process_id)
    import time

    assert abs(int(item["expires_at"]) - (time.time() + 30 * 86400)) < 120
    due = date.fromisoformat(item["reminder_due"])
    assert workflow.remind_expiring_drafts(day=due - timedelta(days=1))["reminded"] == []
    assert workflow.remind_expiring_drafts(day=due)["reminded"] == [process_id]
    assert workflow.remind_expiring_drafts(day=due)["reminded"] == []  # once
    reminder = [m for m in outbox_to(demo["citizen"]["email"]) if "rascunho" in m["subject"]]
    assert len(reminder) == 1 and process_id in reminder[0]["body"]
    # once expired it is gone for the citizen, even before DynamoDB deletes it
    Processes().table.update_item(
        Key={"process_id": process_id},
        UpdateExpression="SET expires_at = :past",
        ExpressionAttributeValues={":past": int(time.time()) - 1},
    )
    assert api.call("GET", f"/api/requests/{process_id}").status_code == 404
    assert api.call("GET", "/api/requests").data["processes"] == []


def _machine_registration(make_api: Any, demo: dict[str, Any]) -> tuple[Any, str, dict[str, Any]]:
    api = _citizen(make_api, demo)
    process_id = api.call("POST", "/api/requests", {"service_id": "maquina-diversao-registo", "fields": MACHINE}).data[
        "process_id"
    ]
    refused = api.call("POST", f"/api/requests/{process_id}/submit")
    assert {e["field"] for e in refused.data["errors"]} == {
        "documents.declaracao_rendimentos",
        "documents.sujeito_passivo_iva",
        "documents.classificacao_tema",
        "documents.fatura",
    }
    for slot in ("declaracao_rendimentos", "sujeito_passivo_iva", "classificacao_tema", "fatura"):
        _attach(api, process_id, slot)
    submitted = api.call("POST", f"/api/requests/{process_id}/submit")
    assert submitted.status_code == 200, submitted.body
    return api, process_id, submitted.data


def test_a_fee_gets_a_multibanco_reference_and_staff_record_the_payment(make_api: Any, demo: dict[str, Any]) -> None:
    from chalicelib.processes.multibanco import is_valid

    api, process_id, view = _machine_registration(make_api, demo)
    payment = view["payment"]
    assert payment["status"] == "pendente" and payment["amount_cents"] == 8670 and payment["amount_text"] == "86,70 €"
    assert is_valid(payment["entity"], payment["reference"], 8670)
    email = demo["citizen"]["email"]
    sent = wait_for(lambda: [m for m in outbox_to(email) if "Referência de pagamento" in m["subject"]])
    assert payment["reference_text"] in sent[0]["body"] and "86,70 €" in sent[0]["body"]

    # the workflow waits for the payment: no decision yet
    wait_for(lambda: api.call("GET", f"/api/requests/{process_id}").data["status"] == "a_aguardar_pagamento")
    decisor = _staff(make_api, demo, "decisor")
    early = decisor.call(
        "POST", f"/api/staff/processes/{process_id}/decision", {"decision": "deferido", "grounds": "ok"}
    )
    assert early.status_code == 409
    assert (
        api.call(
            "POST", f"/api/staff/processes/{process_id}/payment", {"amount_eur": "86.70", "method": "numerario"}
        ).status_code
        == 403
    )
    assert (
        decisor.call(
            "POST", f"/api/staff/processes/{process_id}/payment", {"amount_eur": "86.70", "method": "numerario"}
        ).status_code
        == 403
    )

    clerk = _staff(make_api, demo, "atendimento")
    wrong = clerk.call(
        "POST", f"/api/staff/processes/{process_id}/payment", {"amount_eur": "80", "method": "numerario"}
    )
    assert wrong.status_code == 422 and wrong.data["error"]["field"] == "amount_eur"
    paid = clerk.call(
        "POST", f"/api/staff/processes/{process_id}/payment", {"amount_eur": "86,70", "method": "numerario"}
    )
    assert paid.status_code == 200, paid.body
    assert paid.data["payment"]["status"] == "pago"
    assert (
        clerk.call(
            "POST", f"/api/staff/processes/{process_id}/payment", {"amount_eur": "86.70", "method": "numerario"}
        ).status_code
        == 409
    )
    wait_for(lambda: [m for m in outbox_to(email) if "Pagamento recebido" in m["subject"]])

    # paid: the workflow goes on to the decision
    wait_for(lambda: api.call("GET", f"/api/requests/{process_id}").data["status"] == "em_apreciacao")
    decided = decisor.call(
        "POST", f"/api/staff/processes/{process_id}/decision", {"decision": "deferido", "grounds": "Conforme."}
    )
    assert decided.status_code == 200, decided.body


def test_the_payment_provider_confirms_a_payment_with_a_signed_notice(make_api: Any, demo: dict[str, Any]) -> None:
    from chalicelib.payments.recording import sign

    api, process_id, view = _machine_registration(make_api, demo)
    wait_for(lambda: api.call("GET", f"/api/requests/{process_id}").data["status"] == "a_aguardar_pagamento")
    notice = {
        "entity": view["payment"]["entity"],
        "reference": view["payment"]["reference"],
        "amount_eur": "86.70",
        "transaction_id": "TX-1",
        "paid_at": "2026-11-22T10:00:00Z",
    }
    raw = json.dumps(notice)

    def post(body: str, signature: str | None) -> Any:
        headers = {"content-type": "application/json", **({"X-Balcao-Signature": signature} if signature else {})}
        response = api.client.http.post("/api/payments/multibanco/callback", headers=headers, body=body)
        response.data = json.loads(response.body)
        return response

    assert post(raw, None).status_code == 401
    assert post(raw, sign("another-secret", raw.encode())).status_code == 401
    tampered = json.dumps({**notice, "amount_eur": "8.67"})
    assert post(tampered, sign("test-callback-secret", raw.encode())).status_code == 401
    wrong_amount = json.dumps({**notice, "amount_eur": "44.34"})
    assert post(wrong_amount, sign("test-callback-secret", wrong_amount.encode())).status_code == 422
    # Validated whole before anything is written: a paid_at that is not a time records nothing.
    for bad_time in ("ontem à tarde", "2026-11-22T10:00:00", "2026-13-40T10:00:00Z"):
        bad = json.dumps({**notice, "paid_at": bad_time})
        refused = post(bad, sign("test-callback-secret", bad.encode()))
        assert refused.status_code == 422 and refused.data["error"]["field"] == "paid_at", refused.body
    assert api.call("GET", f"/api/requests/{process_id}").data["payment"]["status"] == "pendente"
    assert api.call("GET", f"/api/requests/{process_id}").data["status"] == "a_aguardar_pagamento"

    ok = post(raw, sign("test-callback-secret", raw.encode()))
    assert ok.status_code == 200 and ok.data["status"] == "pago"
    assert api.call("GET", f"/api/requests/{process_id}").data["payment"]["paid_at"] == "2026-11-22T10:00:00.000Z"
    repeat = post(raw, sign("test-callback-secret", raw.encode()))
    assert repeat.status_code == 200  # the provider retrying is answered the same
    wait_for(lambda: api.call("GET", f"/api/requests/{process_id}").data["status"] == "em_apreciacao")
    # (the outbox keeps earlier tests' messages, whose numbers restart: the link names this process)
    receipts = [
        m
        for m in outbox_to(demo["citizen"]["email"])
        if "Pagamento recebido" in m["subject"] and process_id in m["body"]
    ]
    assert len(receipts) == 1


def test_a_fee_to_be_defined_gets_no_reference_and_does_not_wait(make_api: Any, demo: dict[str, Any]) -> None:
    api = _citizen(make_api, demo)
    fields = {
        "numero_registo": "LAG-12/2020",
        "maquina_designacao": "Flippers",
        "maquina_fabricante": "Bally",
        "maquina_numero_serie": "FL-1",
        "tema_anterior": "Corridas",
        "tema_novo": "Futebol",
        "classificacao_tema_numero": "SIJ 9/2026",
    }
    process_id = api.call("POST", "/api/requests", {"service_id": "maquina-diversao-tema-jogo", "fields": fields}).data[
        "process_id"
    ]
    _attach(api, process_id, "titulo_registo")
    submitted = api.call("POST", f"/api/requests/{process_id}/submit")
    assert submitted.status_code == 200, submitted.body
    assert submitted.data["payment"] is None
    wait_for(lambda: api.call("GET", f"/api/requests/{process_id}").data["status"] == "em_apreciacao")
