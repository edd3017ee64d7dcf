"""No process left stuck: faults injected for real into the AWS calls of the process workflow's tasks
(tests/support/faults.py, a botocore hook), against the real state machine and the app's handlers.

A temporary fault (a 500, throttling) is retried by name and the process goes on as if nothing had
happened; any other fault moves the process to ``requer_atencao`` with the step and the error,
audited and in the staff queue, and staff retry the step from where it failed."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support import faults
from tests.support.api import staff, submit_generic
from tests.support.files import small_pdf
from tests.support.outbox import outbox_to
from tests.support.waiting import wait_for
from tests.support.workflow import process_execution

PROCESSES = "-processes"  # in a request's text: a call on the processes table


def status_of(api: Any, process_id: str) -> str:
    return api.call("GET", f"/api/staff/processes/{process_id}").data["status"]


def submitted_while_failing(citizen: Any, staff_api: Any, function: str, code: str) -> str:
    """A generic request submitted while ``function``'s reads of the process fail with ``code`` (not a
    temporary error: no retry heals it); its id, once the process needs attention."""
    with faults.inject("dynamodb", "GetItem", function=function, code=code, status=400, times=None, when=on_processes):
        process_id = submit_generic(citizen, small_pdf())
        wait_for(lambda: status_of(staff_api, process_id) == "requer_atencao", timeout=90)
    return process_id


def on_processes(request: str) -> bool:
    return PROCESSES in request


def receipts(email: str, number: str) -> list[dict[str, Any]]:
    return [m for m in outbox_to(email) if "recebido" in m["subject"] and number in m["subject"]]


@pytest.mark.parametrize(
    ("function", "operation"),
    [
        ("inspect_process_documents", "GetItem"),  # the process read before its documents are checked
        ("notify", "GetItem"),  # the receipt's process
        ("register_decision_task", "TransactWriteItems"),  # the task token kept for staff, and its event
    ],
)
def test_a_temporary_fault_in_a_step_is_retried_and_the_process_goes_on(
    make_api: Any, demo: dict[str, Any], function: str, operation: str
) -> None:
    citizen = make_api()
    citizen.login("ana.silva", demo["password"])
    decisor = staff(make_api, demo, "decisor")
    with faults.inject(
        "dynamodb",
        operation,
        function=function,
        code="ProvisionedThroughputExceededException",
        status=400,
        when=on_processes,
    ) as fault:
        process_id = submit_generic(citizen, small_pdf())
        wait_for(lambda: status_of(decisor, process_id) == "em_apreciacao", timeout=90)
    assert len(fault.hits) == 1  # the fault happened, and the step's retry went through
    view = decisor.call("GET", f"/api/staff/processes/{process_id}").data
    assert view["step_failures"] == [] and view["attention"] is None
    number = view["number"]
    assert len(wait_for(lambda: receipts(demo["citizen"]["email"], number))) == 1  # one receipt, not two


def test_a_step_that_keeps_failing_needs_attention_and_staff_retry_it(make_api: Any, demo: dict[str, Any]) -> None:
    citizen = make_api()
    citizen.login("ana.silva", demo["password"])
    decisor = staff(make_api, demo, "decisor")
    clerk = staff(make_api, demo, "atendimento")
    process_id = submitted_while_failing(citizen, decisor, "inspect_process_documents", "ValidationException")

    # Visible: the step and the error, to staff (the queue, the process), the citizen and the audit trail.
    view = decisor.call("GET", f"/api/staff/processes/{process_id}").data
    assert view["attention"]["step"] == "InspectDocuments"
    assert "ValidationException" in view["attention"]["message"] and view["attention"]["status_before"] == "submetido"
    assert "workflow.step_failed" in [e["action"] for e in view["timeline"]]
    queue = decisor.call("GET", "/api/staff/processes?status=requer_atencao").data["processes"]
    assert process_id in [p["process_id"] for p in queue]
    assert citizen.call("GET", f"/api/requests/{process_id}").data["status"] == "requer_atencao"
    assert process_execution(process_id)["status"] == "RUNNING"  # waiting for staff, not ended

    # Only staff of the organ who work processes retry it; the auditor and the citizen may not.
    auditor = staff(make_api, demo, "auditor")
    assert auditor.call("POST", f"/api/staff/processes/{process_id}/retry").status_code == 403
    assert citizen.call("POST", f"/api/staff/processes/{process_id}/retry").status_code == 403

    # The cause is gone: a clerk retries the step, which runs again from where it failed.
    retried = clerk.call("POST", f"/api/staff/processes/{process_id}/retry")
    assert retried.status_code == 200, retried.body
    assert retried.data["status"] == "submetido" and retried.data["attention"] is None
    wait_for(lambda: status_of(decisor, process_id) == "em_apreciacao", timeout=90)
    again = clerk.call("POST", f"/api/staff/processes/{process_id}/retry")
    assert again.status_code == 409 and again.data["error"]["current"]["status"] == "em_apreciacao"
    events = decisor.call("GET", f"/api/staff/processes/{process_id}").data["timeline"]
    retry_events = [e for e in events if e["action"] == "workflow.step_retried"]
    assert len(retry_events) == 1 and retry_events[0]["details"]["step"] == "InspectDocuments"
    number = view["number"]
    wait_for(lambda: receipts(demo["citizen"]["email"], number))

    # And the process is as any other: staff decide it.
    decided = decisor.call(
        "POST", f"/api/staff/processes/{process_id}/decision", {"decision": "deferido", "grounds": "Conforme."}
    )
    assert decided.status_code == 200, decided.body


def test_a_notice_that_fails_is_retried_by_staff_and_sent_once(make_api: Any, demo: dict[str, Any]) -> None:
    """The receipt is never silently lost: its step waits for staff, and the retry sends it once."""
    citizen = make_api()
    citizen.login("ana.silva", demo["password"])
    decisor = staff(make_api, demo, "decisor")
    process_id = submitted_while_failing(citizen, decisor, "notify", "AccessDeniedException")
    view = decisor.call("GET", f"/api/staff/processes/{process_id}").data
    assert view["attention"]["step"] == "SendReceipt" and view["attention"]["status_before"] == "submetido"
    assert not receipts(demo["citizen"]["email"], view["number"])

    assert decisor.call("POST", f"/api/staff/processes/{process_id}/retry").status_code == 200
    wait_for(lambda: status_of(decisor, process_id) == "em_apreciacao", timeout=90)
    assert len(wait_for(lambda: receipts(demo["citizen"]["email"], view["number"]))) == 1


def test_a_storage_error_while_a_file_is_inspected_is_not_read_as_a_missing_file(
    make_api: Any, demo: dict[str, Any]
) -> None:
    """S3 answers a HEAD with a 500 once: the inspection fails (and is retried, as Lambda retries an
    S3 event), instead of taking the file for one not uploaded and leaving it unchecked for good."""
    from local import lambdas
    from tests.support.api import generic_draft_with_slot, upload

    citizen = make_api()
    citizen.login("ana.silva", demo["password"])
    process_id, slot = generic_draft_with_slot(citizen)
    with faults.inject("s3", "HeadObject", function="inspect_upload") as fault:
        assert upload(slot, small_pdf()) == 204
        lambdas.drain()
    assert len(fault.hits) == 1
    document = citizen.call("GET", f"/api/requests/{process_id}/documents/{slot['document_id']}").data
    assert document["status"] == "aceite"
