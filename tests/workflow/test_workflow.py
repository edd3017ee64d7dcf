"""statemachines/process.asl.json executed by moto's Step Functions interpreter, its Lambda tasks
running the app's own handlers: from submission to the notified decision."""

from __future__ import annotations

import json
from typing import Any

from tests.support.accounts import add_staff
from tests.support.api import GENERIC, generic_draft_with_slot, submit_generic, upload
from tests.support.files import small_pdf
from tests.support.outbox import outbox_to
from tests.support.waiting import wait_for
from tests.support.workflow import process_execution


def test_request_is_decided_by_staff_and_the_citizen_is_notified(
    make_api: Any, demo: dict[str, Any], past_clock: Any
) -> None:
    """On a past Friday: the decision is notified on the next working day, already due."""
    citizen = make_api()
    citizen.login("ana.silva", demo["password"])
    email = demo["citizen"]["email"]
    before = len(outbox_to(email))
    process_id = submit_generic(citizen, small_pdf())

    # The workflow inspects the document, sends the receipt and waits for staff.
    wait_for(lambda: citizen.call("GET", f"/api/requests/{process_id}").data["status"] == "em_apreciacao")
    receipt = wait_for(
        lambda: [m for m in outbox_to(email)[: len(outbox_to(email)) - before] if "recebido" in m["subject"]]
    )
    number = citizen.call("GET", f"/api/requests/{process_id}").data["number"]
    assert number in receipt[0]["subject"]
    assert process_execution(process_id)["status"] == "RUNNING"

    staff = make_api()
    staff.login("decisor", demo["password"], staff=True)
    queue = staff.call("GET", "/api/staff/processes").data["processes"]
    assert process_id in [p["process_id"] for p in queue]
    decision = staff.call(
        "POST",
        f"/api/staff/processes/{process_id}/decision",
        {"decision": "deferido", "grounds": "Cumpre todos os requisitos."},
    )
    assert decision.status_code == 200, decision.body

    wait_for(lambda: process_execution(process_id)["status"] != "RUNNING")
    execution = process_execution(process_id)
    assert execution["status"] == "SUCCEEDED"
    assert json.loads(execution["output"])["action"]["decision"] == "deferido"
    decided = wait_for(lambda: [m for m in outbox_to(email) if "Decisão" in m["subject"] and number in m["subject"]])
    assert "deferido" in decided[0]["body"] and "Cumpre todos os requisitos." in decided[0]["body"]
    view = citizen.call("GET", f"/api/requests/{process_id}").data
    assert view["status"] == "deferido"
    assert view["decision_grounds"] == "Cumpre todos os requisitos."

    # The same decision again, or a different one, changes nothing.
    again = staff.call(
        "POST", f"/api/staff/processes/{process_id}/decision", {"decision": "indeferido", "grounds": "x"}
    )
    assert again.status_code == 409
    assert citizen.call("GET", f"/api/requests/{process_id}").data["status"] == "deferido"


def test_only_deciders_of_the_organ_decide_and_grounds_are_required(make_api: Any, demo: dict[str, Any]) -> None:

    add_staff("semae.decisor", demo["password"], ["decision_maker"])
    citizen = make_api()
    citizen.login("ana.silva", demo["password"])
    process_id = submit_generic(citizen, small_pdf())
    wait_for(lambda: citizen.call("GET", f"/api/requests/{process_id}").data["status"] == "em_apreciacao")
    decision = {"decision": "deferido", "grounds": "Ok."}

    clerk = make_api()
    clerk.login("atendimento", demo["password"], staff=True)
    assert clerk.call("POST", f"/api/staff/processes/{process_id}/decision", decision).status_code == 403
    other_organ = make_api()
    other_organ.login("semae.decisor", demo["password"], staff=True)
    assert other_organ.call("POST", f"/api/staff/processes/{process_id}/decision", decision).status_code == 403
    assert other_organ.call("GET", f"/api/staff/processes/{process_id}").status_code == 404

    decider = make_api()
    decider.login("dirigente", demo["password"], staff=True)
    no_grounds = decider.call(
        "POST", f"/api/staff/processes/{process_id}/decision", {"decision": "deferido", "grounds": " "}
    )
    assert no_grounds.status_code == 422 and no_grounds.data["error"]["field"] == "grounds"
    bad_value = decider.call(
        "POST", f"/api/staff/processes/{process_id}/decision", {"decision": "talvez", "grounds": "x"}
    )
    assert bad_value.status_code == 422 and bad_value.data["error"]["field"] == "decision"
    assert citizen.call("GET", f"/api/requests/{process_id}").data["status"] == "em_apreciacao"
    assert process_execution(process_id)["status"] == "RUNNING"


def test_a_rejected_document_stops_the_workflow(make_api: Any, demo: dict[str, Any]) -> None:
    """A truncated PDF is rejected with a reason; a workflow that finds it ends in DocumentsNotAccepted
    (the server refuses to submit such a draft, so the execution is started here directly)."""
    from chalicelib.kernel.settings import get_settings
    from chalicelib.platform import aws
    from local import lambdas

    citizen = make_api()
    citizen.login("ana.silva", demo["password"])
    process_id, slot = generic_draft_with_slot(citizen)
    upload(slot, b"%PDF-1.7\n this header is all there is")  # a truncated PDF
    lambdas.drain()
    document = citizen.call("GET", f"/api/requests/{process_id}/documents/{slot['document_id']}").data
    assert document["status"] == "rejeitado"
    assert "incompleto" in document["reason"]  # no %%EOF: cut short

    stepfunctions = aws.client("stepfunctions")
    arn = stepfunctions.start_execution(
        stateMachineArn=get_settings().state_machine_arn("process"), input=json.dumps({"process_id": process_id})
    )["executionArn"]
    wait_for(lambda: stepfunctions.describe_execution(executionArn=arn)["status"] != "RUNNING")
    execution = stepfunctions.describe_execution(executionArn=arn)
    assert execution["status"] == "FAILED"
    assert execution["error"] == "DocumentsNotAccepted"


def test_the_audit_trail_tells_who_did_what(make_api: Any, demo: dict[str, Any]) -> None:
    citizen = make_api()
    citizen.login("ana.silva", demo["password"])
    process_id = submit_generic(citizen, small_pdf())
    wait_for(lambda: citizen.call("GET", f"/api/requests/{process_id}").data["status"] == "em_apreciacao")
    auditor = make_api()
    auditor.login("auditor", demo["password"], staff=True)
    path = f"/api/staff/processes/{process_id}"
    wait_for(lambda: "process.awaiting_decision" in [e["action"] for e in auditor.call("GET", path).data["timeline"]])
    timeline = auditor.call("GET", path).data["timeline"]
    actions = [event["action"] for event in timeline]
    for expected in (
        "process.draft_created",
        "document.slot_issued",
        "document.accepted",
        "process.submitted",
        "process.awaiting_decision",
        "notification.sent",
    ):
        assert expected in actions
    submitted = next(e for e in timeline if e["action"] == "process.submitted")
    assert submitted["actor"].startswith("u_") and submitted["at"]


def test_a_rejected_file_replaced_by_a_good_one_does_not_block_the_request(make_api: Any, demo: dict[str, Any]) -> None:
    from local import lambdas

    citizen = make_api()
    citizen.login("ana.silva", demo["password"])
    process_id = citizen.call("POST", "/api/requests", GENERIC).data["process_id"]
    for data in (b"not a pdf at all", small_pdf()):
        slot = citizen.call(
            "POST",
            f"/api/requests/{process_id}/documents",
            {"slot": "anexo", "filename": "anexo.pdf", "content_type": "application/pdf"},
        ).data
        upload(slot, data)
        lambdas.drain()
    # A slot asked for and never used is not held against the request either.
    citizen.call(
        "POST",
        f"/api/requests/{process_id}/documents",
        {"slot": "anexo", "filename": "outro.pdf", "content_type": "application/pdf"},
    )
    assert citizen.call("POST", f"/api/requests/{process_id}/submit").status_code == 200
    wait_for(lambda: citizen.call("GET", f"/api/requests/{process_id}").data["status"] != "submetido")
    assert citizen.call("GET", f"/api/requests/{process_id}").data["status"] == "em_apreciacao"
