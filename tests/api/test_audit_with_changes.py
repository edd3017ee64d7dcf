"""Never a change without its audit event: a decision and its event are one transaction. With the
audit write failing (a fault injected into it for real), nothing is decided, the staff member is told
to try again (503), and the retry decides once, with one event."""

from __future__ import annotations

from typing import Any

from tests.support import faults
from tests.support.api import WATER, staff
from tests.support.waiting import wait_for


def test_a_decision_whose_audit_event_cannot_be_written_is_not_taken(make_api: Any, demo: dict[str, Any]) -> None:
    citizen = make_api()
    citizen.login("ana.silva", demo["password"])
    process_id = citizen.call("POST", "/api/requests", {"service_id": "agua-prestacoes", "fields": WATER}).data[
        "process_id"
    ]
    assert citizen.call("POST", f"/api/requests/{process_id}/submit").status_code == 200
    path = f"/api/requests/{process_id}"
    wait_for(lambda: citizen.call("GET", path).data["status"] == "em_apreciacao", timeout=90)

    decisor = staff(make_api, demo, "decisor")
    decision = {"decision": "deferido", "grounds": "Plano conforme."}
    audit_write = ("PutItem", "TransactWriteItems")  # the event alone, or with the change
    with faults.inject("dynamodb", audit_write, when=lambda r: "-audit" in r and "process.deferido" in r) as fault:
        failed = decisor.call("POST", f"/api/staff/processes/{process_id}/decision", decision)
    assert fault.hits
    assert failed.status_code == 503 and "Tente de novo" in failed.data["error"]["message"]
    view = decisor.call("GET", f"/api/staff/processes/{process_id}").data
    assert view["status"] == "em_apreciacao" and view["decision"] is None
    assert "process.deferido" not in [e["action"] for e in view["timeline"]]

    retried = decisor.call("POST", f"/api/staff/processes/{process_id}/decision", decision)
    assert retried.status_code == 200, retried.body
    events = decisor.call("GET", f"/api/staff/processes/{process_id}").data["timeline"]
    assert [e["action"] for e in events].count("process.deferido") == 1


def test_an_escalation_whose_alert_fails_is_sent_by_the_next_run(make_api: Any, demo: dict[str, Any]) -> None:
    """SNS fails once while the deadline watch alerts the head: the process is not marked as escalated
    without an alert; the next run alerts, once."""
    from datetime import datetime

    from chalicelib.kernel import clock
    from chalicelib.processes.deadline_watch import DeadlineWatch
    from local import iam

    citizen = make_api()
    citizen.login("ana.silva", demo["password"])
    with clock.travel(datetime.fromisoformat("2025-11-03T10:00:00+00:00")):
        process_id = citizen.call("POST", "/api/requests", {"service_id": "agua-prestacoes", "fields": WATER}).data[
            "process_id"
        ]
        assert citizen.call("POST", f"/api/requests/{process_id}/submit").status_code == 200
        wait_for(lambda: citizen.call("GET", f"/api/requests/{process_id}").data["status"] == "em_apreciacao")
    auditor = staff(make_api, demo, "auditor")
    with clock.travel(datetime.fromisoformat("2025-12-18T08:00:00+00:00")), iam.acting_as("watch_deadlines"):
        with faults.inject("sns", "Publish", function="watch_deadlines") as fault:
            assert DeadlineWatch().run()["escalated"] == []
        assert fault.hits
        assert DeadlineWatch().run()["escalated"] == [process_id]
        assert DeadlineWatch().run()["escalated"] == []
    actions = [e["action"] for e in auditor.call("GET", f"/api/staff/processes/{process_id}").data["timeline"]]
    assert actions.count("process.deadline_escalated") == 1
