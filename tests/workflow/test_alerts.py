"""Alerts that reach people: a pendência that expires unanswered is told to the citizen and to the
organ's heads; a breached decision deadline to the citizen, the heads, and (the staff-alerts topic)
the organ's own address, as Terraform subscribes it."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from tests.support.api import WATER
from tests.support.outbox import outbox_to
from tests.support.waiting import wait_for

HEAD = "dirigente@municipio-demo.pt"  # the demo organ head's address (local/demo.py)


def awaiting_staff(citizen: Any) -> str:
    process_id = citizen.call("POST", "/api/requests", {"service_id": "agua-prestacoes", "fields": WATER}).data[
        "process_id"
    ]
    assert citizen.call("POST", f"/api/requests/{process_id}/submit").status_code == 200
    wait_for(lambda: citizen.call("GET", f"/api/requests/{process_id}").data["status"] == "em_apreciacao", timeout=90)
    return process_id


def test_an_unanswered_pendencia_is_told_to_the_citizen_and_the_organs_heads(
    make_api: Any, demo: dict[str, Any], past_clock: Any
) -> None:
    citizen = make_api()
    citizen.login("ana.silva", demo["password"])
    clerk = make_api()
    clerk.login("atendimento", demo["password"], staff=True)
    process_id = awaiting_staff(citizen)
    number = citizen.call("GET", f"/api/requests/{process_id}").data["number"]
    asked = clerk.call(
        "POST", f"/api/staff/processes/{process_id}/pending-tasks", {"subject": "Última fatura", "working_days": 1}
    )
    assert asked.status_code == 201, asked.body
    # its deadline is long past for the engine's timer: it expires at once, unanswered
    told = wait_for(
        lambda: [m for m in outbox_to(demo["citizen"]["email"]) if "terminou o prazo para responder" in m["subject"]],
        timeout=90,
    )
    assert number in told[0]["subject"] and "Última fatura" in told[0]["body"]
    heads = wait_for(lambda: [m for m in outbox_to(HEAD) if "Pendência sem resposta" in m["subject"]])
    assert len(heads) == 1 and number in heads[0]["subject"] and "Última fatura" in heads[0]["body"]
    wait_for(lambda: citizen.call("GET", f"/api/requests/{process_id}").data["status"] == "em_apreciacao")


def test_a_breached_deadline_is_told_to_the_citizen_the_heads_and_the_organs_address(
    make_api: Any, demo: dict[str, Any]
) -> None:
    from chalicelib.kernel import clock
    from local import lambdas
    from local.provision import organ_alert_address

    citizen = make_api()
    citizen.login("ana.silva", demo["password"])
    with clock.travel(datetime.fromisoformat("2025-11-03T10:00:00+00:00")):
        process_id = awaiting_staff(citizen)
    number = citizen.call("GET", f"/api/requests/{process_id}").data["number"]

    def run_schedule() -> dict[str, Any]:  # as EventBridge runs it, with the function's own IAM role
        return json.loads(lambdas.invoke("watch_deadlines", json.dumps(lambdas.scheduled_event("watch_deadlines")), {}))

    with clock.travel(datetime.fromisoformat("2025-12-18T08:00:00+00:00")):
        assert run_schedule() == {"reminded": [], "escalated": [process_id]}
        assert run_schedule()["escalated"] == []  # once
    citizen_told = [m for m in outbox_to(demo["citizen"]["email"]) if "terminou o prazo de decisão" in m["subject"]]
    assert len(citizen_told) == 1 and number in citizen_told[0]["subject"]
    heads = [m for m in outbox_to(HEAD) if "Prazo ultrapassado" in m["subject"]]
    assert len(heads) == 1 and number in heads[0]["subject"]
    organ = [m for m in outbox_to(organ_alert_address("CAMARA")) if "Prazo de decisão ultrapassado" in m["subject"]]
    assert len(organ) == 1 and number in organ[0]["body"]
