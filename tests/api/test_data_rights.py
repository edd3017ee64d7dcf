"""Rectification, erasure, restriction and objection (issue 19, item 5) through chalice.test.Client
against moto: the citizen asks with their grounds, the data protection officer (``encarregado_dados``)
sees the queue with the one-month deadline, extends it once by two months with reasons, and answers;
the citizen is emailed each answer, which lists what the law keeps regardless."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from tests.support.accounts import add_staff
from tests.support.api import staff, submit_generic
from tests.support.files import small_pdf
from tests.support.outbox import latest

DPO_EMAIL = "rgpd.camara@example.pt"


@pytest.fixture
def ana(make_api: Any, demo: dict[str, Any]) -> Any:
    api = make_api()
    api.login("ana.silva", demo["password"])
    return api


@pytest.fixture
def dpo(make_api: Any, demo: dict[str, Any]) -> Any:
    add_staff(
        "rgpd.camara", demo["password"], ["encarregado_dados"], organ="CAMARA", email=DPO_EMAIL, name="Rita Proteção"
    )
    return staff(make_api, demo, "rgpd.camara")


def test_a_rectification_waits_for_the_dpo_within_a_month_and_accepted_changes_the_account(
    ana: Any, dpo: Any, make_api: Any, demo: dict[str, Any]
) -> None:
    from chalicelib.accounts.data_rights import add_months

    address = {"street": "Rua Nova, 7", "postal_code": "4600-011", "locality": "Amarante"}
    bad = ana.call("POST", "/api/account/rights-requests", {"kind": "retificacao", "grounds": "Mudei de casa."})
    assert bad.status_code == 422 and bad.data["error"]["field"] == "changes", bad.body
    filed = ana.call(
        "POST",
        "/api/account/rights-requests",
        {"kind": "retificacao", "grounds": "Mudei de casa.", "changes": {"address": address}},
    )
    assert filed.status_code == 201, filed.body
    request = filed.data
    assert request["status"] == "aberto"
    assert request["due_on"] == add_months(date.fromisoformat(request["filed_at"][:10]), 1).isoformat()

    # a clerk is not the DPO; the DPO sees the queue
    clerk = staff(make_api, demo, "atendimento")
    assert clerk.call("GET", "/api/staff/rights-requests").status_code == 403
    queue = dpo.call("GET", "/api/staff/rights-requests").data["requests"]
    assert [r["request_id"] for r in queue] == [request["request_id"]]

    path = f"/api/staff/rights-requests/{request['request_id']}"
    extended = dpo.call("POST", f"{path}/extension", {"justification": "Pedido complexo: confirmar a morada."})
    assert extended.status_code == 200, extended.body
    assert extended.data["due_on"] == add_months(date.fromisoformat(request["due_on"]), 2).isoformat()
    assert "confirmar a morada" in latest("ana.silva@example.pt", "prorrogado")["body"]
    again = dpo.call("POST", f"{path}/extension", {"justification": "Mais tempo."})
    assert again.status_code == 409, again.body

    answer = dpo.call("POST", f"{path}/decision", {"accepted": True, "answer": "A morada foi corrigida."})
    assert answer.status_code == 200, answer.body
    from chalicelib.accounts.users import Accounts

    assert Accounts().get(ana.call("GET", "/api/me").data["user"]["user_id"]).address == address
    mail = latest("ana.silva@example.pt", "deferido")["body"]
    assert "A morada foi corrigida." in mail and "a lei obriga o Município a conservar" in mail
    assert any("Processos" in k["label"] or "process" in k["kind"] for k in answer.data["kept_by_law"])
    mine = ana.call("GET", "/api/account/rights-requests").data["requests"]
    assert mine[0]["status"] == "deferido" and mine[0]["answer"] == "A morada foi corrigida."
    assert dpo.call("GET", "/api/staff/rights-requests").data["requests"] == []
    assert dpo.call("POST", f"{path}/decision", {"accepted": False, "answer": "Não."}).status_code == 409


def test_an_accepted_restriction_stops_staff_acting_on_the_citizens_processes(
    ana: Any, dpo: Any, make_api: Any, demo: dict[str, Any]
) -> None:
    process_id = submit_generic(ana, small_pdf())
    request = ana.call(
        "POST", "/api/account/rights-requests", {"kind": "limitacao", "grounds": "Contesto a exatidão dos dados."}
    ).data
    refused = dpo.call(
        "POST",
        f"/api/staff/rights-requests/{request['request_id']}/decision",
        {"accepted": True, "answer": "Limitado."},
    )
    assert refused.status_code == 200, refused.body
    clerk = staff(make_api, demo, "atendimento")
    assert clerk.call("GET", f"/api/staff/processes/{process_id}").status_code == 200  # kept, still seen
    claim = clerk.call("POST", f"/api/staff/processes/{process_id}/claim")
    assert claim.status_code == 403 and "limitação do tratamento" in claim.data["error"]["message"], claim.body


def test_an_objection_is_recorded_and_answered_and_a_refusal_says_why(ana: Any, dpo: Any) -> None:
    request = ana.call(
        "POST", "/api/account/rights-requests", {"kind": "oposicao", "grounds": "Não quero receber avisos por SMS."}
    ).data
    answer = dpo.call(
        "POST",
        f"/api/staff/rights-requests/{request['request_id']}/decision",
        {"accepted": False, "answer": "O tratamento decorre de obrigação legal (CPA)."},
    )
    assert answer.status_code == 200 and answer.data["status"] == "indeferido", answer.body
    assert "obrigação legal" in latest("ana.silva@example.pt", "indeferido")["body"]
    erasure = ana.call("POST", "/api/account/rights-requests", {"kind": "apagamento", "grounds": "Apaguem."}).data
    path = f"/api/staff/rights-requests/{erasure['request_id']}/decision"
    not_yet = dpo.call("POST", path, {"accepted": True, "answer": "Apagado."})
    assert not_yet.status_code == 409 and not_yet.data["error"]["field"] == "accepted", not_yet.body
    assert erasure["request_id"] in [
        r["request_id"] for r in dpo.call("GET", "/api/staff/rights-requests").data["requests"]
    ]
    unknown = ana.call("POST", "/api/account/rights-requests", {"kind": "esquecer", "grounds": "x"})
    assert unknown.status_code == 422 and unknown.data["error"]["field"] == "kind", unknown.body
