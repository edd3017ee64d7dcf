"""Notifications under moto: the channel chosen by consent, the log as proof, idempotency, retries,
letters for staff to post, and faults in SES and SNS (injected into the real boto3 clients with
botocore's event hooks, or into moto's backends: faults of AWS, not mocks of our code)."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest

from tests.support.accounts import add_staff
from tests.support.api import submit_generic, upload
from tests.support.files import small_pdf
from tests.support.outbox import outbox_to
from tests.support.waiting import wait_for
from tests.support.workflow import process_execution

DECISION = {
    "name": "Ana Silva",
    "number": "CAMARA 2026/000042",
    "subject": "Ocupação da via pública",
    "service": "Requerimento genérico",
    "decision": "deferido",
    "grounds": "Cumpre os requisitos.",
    "process_url": "http://127.0.0.1:8000/#/processos/p_1",
}


def inject_errors(client: Any, operation: str, code: str, status: int, times: int) -> dict[str, int]:
    """Make the client's next ``times`` calls of ``operation`` answer as AWS does when it fails
    (``before-call`` hook: botocore parses it into the ClientError a real failure raises)."""
    from botocore.awsrequest import AWSResponse

    calls = {"failed": 0, "passed": 0}

    def fail(**_: Any) -> Any:
        if calls["failed"] < times:
            calls["failed"] += 1
            return AWSResponse("https://fault.invalid", status, {}, None), {
                "Error": {"Code": code, "Message": f"injected {code}"},
                "ResponseMetadata": {"HTTPStatusCode": status},
            }
        calls["passed"] += 1
        return None

    client.meta.events.register(f"before-call.{client.meta.service_model.service_id.hyphenize()}.{operation}", fail)
    return calls


def _notifier(**clients: Any) -> tuple[Any, list[float]]:
    from chalicelib.notifications.delivery import Notifier

    sleeps: list[float] = []
    return Notifier(sleep=sleeps.append, **clients), sleeps


def _fresh_client(service: str) -> Any:
    import boto3
    from botocore.config import Config

    return boto3.client(
        service, region_name="eu-west-1", config=Config(retries={"mode": "standard", "max_attempts": 1})
    )


def test_an_email_is_sent_once_per_key_and_logged_as_proof(aws_stack: None) -> None:
    from chalicelib.platform.audit import AuditTrail

    notifier, _ = _notifier()
    first = notifier.send(
        "email", "ana@example.pt", "decision", DECISION, key="process#p_1#decision", process_id="p_1", account_id="u_1"
    )
    again = notifier.send(
        "email", "ana@example.pt", "decision", DECISION, key="process#p_1#decision", process_id="p_1", account_id="u_1"
    )
    sent = outbox_to("ana@example.pt")
    assert len(sent) == 1
    assert first["status"] == again["status"] == "sent"
    assert first["notification_id"] == again["notification_id"]
    assert first["provider_message_id"] == sent[0]["message_id"]
    assert "payload" not in first  # the values are dropped once delivered
    assert sent[0]["html"] and "<strong>deferido</strong>" in sent[0]["html"] and "deferido" in sent[0]["body"]
    assert sent[0]["language"] == "pt-PT"
    (entry,) = notifier.log.for_process("p_1")
    assert entry["channel"] == "email" and entry["template"] == "decision" and entry["recipient"] == "ana@example.pt"
    assert entry["sent_at"] and int(entry["attempts"]) == 1
    assert [e["notification_id"] for e in notifier.log.for_account("u_1")] == [entry["notification_id"]]
    assert [e["action"] for e in AuditTrail().for_subject("process#p_1")] == ["notification.sent"]


def test_ses_throttling_then_success_sends_once_after_backoff(aws_stack: None) -> None:
    ses = _fresh_client("ses")
    calls = inject_errors(ses, "SendRawEmail", "Throttling", 400, times=2)
    notifier, sleeps = _notifier(ses=ses)
    entry = notifier.send("email", "bruno@example.pt", "decision", DECISION, key="k-throttle")
    assert entry["status"] == "sent" and int(entry["attempts"]) == 3
    assert calls == {"failed": 2, "passed": 1}
    assert len(sleeps) == 2 and sleeps[1] > sleeps[0] > 0  # exponential backoff
    assert len(outbox_to("bruno@example.pt")) == 1


def test_an_sns_permanent_failure_is_recorded_never_retried_and_never_raised(aws_stack: None) -> None:
    from chalicelib.platform.audit import AuditTrail

    sns = _fresh_client("sns")
    calls = inject_errors(sns, "Publish", "InvalidParameter", 400, times=5)
    notifier, sleeps = _notifier(sns=sns)
    entry = notifier.send(
        "sms",
        "+351912345678",
        "login_code",
        {"name": "Ana", "code": "123456", "minutes": 10},
        key="k-sms",
        account_id="u_9",
    )
    assert entry["status"] == "permanent_failure"
    assert entry["error_code"] == "InvalidParameter"
    assert "payload" not in entry and "retry_at" not in entry
    assert calls["failed"] == 1 and sleeps == []  # no point in retrying what will fail the same way
    again = notifier.send(
        "sms", "+351912345678", "login_code", {"name": "Ana", "code": "123456", "minutes": 10}, key="k-sms"
    )
    assert again["status"] == "permanent_failure" and calls["failed"] == 1
    assert notifier.retry_due() == []
    assert outbox_to("+351912345678") == []
    failed = [e for e in AuditTrail().for_subject("user#u_9") if e["action"] == "notification.failed"]
    assert failed and failed[0]["details"]["error"] == "InvalidParameter"


def test_a_temporary_failure_is_retried_later_and_sent_once(aws_stack: None, monkeypatch: pytest.MonkeyPatch) -> None:
    from chalicelib.kernel.settings import get_settings
    from chalicelib.notifications.addressing import Attachment

    monkeypatch.setenv("BALCAO_NOTIFICATION_RETRY_SECONDS", "0")  # due at once
    get_settings.cache_clear()
    down = _fresh_client("ses")
    inject_errors(down, "SendRawEmail", "ServiceUnavailable", 503, times=100)
    notifier, sleeps = _notifier(ses=down)
    receipt = Attachment("comprovativo.pdf", "application/pdf", data=small_pdf())
    entry = notifier.send("email", "carla@example.pt", "decision", DECISION, key="k-later", attachments=(receipt,))
    assert entry["status"] == "temporary_failure" and entry["error_code"] == "ServiceUnavailable"
    assert int(entry["attempts"]) == 3 and len(sleeps) == 2 and entry["retry_at"]
    assert outbox_to("carla@example.pt") == []

    recovered, _ = _notifier()  # SES is back
    (retried,) = recovered.retry_due()
    assert retried["status"] == "sent" and int(retried["attempts"]) == 4
    assert recovered.retry_due() == []
    (sent,) = outbox_to("carla@example.pt")
    assert sent["attachments"] == ["comprovativo.pdf"]


def test_consent_chooses_the_channels_and_without_it_a_letter_is_queued(aws_stack: None) -> None:
    from pypdf import PdfReader

    from chalicelib.notifications.addressing import Recipient
    from chalicelib.platform import aws

    notifier, _ = _notifier()
    both = Recipient(
        "Ana Silva", email="ana@example.pt", phone="+351912345678", electronic=("email", "sms"), account_id="u_1"
    )
    entries = notifier.notify(both, "decision", DECISION, key="process#p_2#decision", process_id="p_2", organ="CAMARA")
    assert sorted(e["channel"] for e in entries) == ["email", "sms"] and {e["status"] for e in entries} == {"sent"}
    (sms,) = outbox_to("+351912345678")
    assert "CAMARA 2026/000042" in sms["body"] and len(sms["body"]) <= 160

    english = Recipient("Ann Smith", email="ann@example.com", language="en", electronic=("email",))
    notifier.notify(english, "decision", DECISION, key="process#p_3#decision", process_id="p_3")
    assert "approved" in outbox_to("ann@example.com")[0]["subject"]

    by_post = Recipient(
        "José Sousa",
        email="jose@example.pt",
        electronic=(),
        postal_address=["Rua Direita, 10", "4700-000 Braga"],
        account_id="u_2",
    )
    (letter,) = notifier.notify(
        by_post, "decision", DECISION, key="process#p_4#decision", process_id="p_4", organ="CAMARA"
    )
    assert letter["channel"] == "letter" and letter["status"] == "queued"
    assert outbox_to("jose@example.pt") == []
    assert [e["notification_id"] for e in notifier.log.postal_queue("CAMARA")] == [letter["notification_id"]]
    pdf = aws.client("s3").get_object(Bucket=aws.bucket_name("documents"), Key=letter["letter_key"])["Body"].read()
    text = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    for expected in ("José Sousa", "4700-000 Braga", "CAMARA 2026/000042", "deferido", letter["notification_id"]):
        assert expected in text
    # The same notification again queues no second letter.
    notifier.notify(by_post, "decision", DECISION, key="process#p_4#decision", process_id="p_4", organ="CAMARA")
    assert len(notifier.log.postal_queue("CAMARA")) == 1


def test_the_local_outbox_shows_the_html_in_a_sandboxed_frame(aws_stack: None) -> None:
    from local import outbox

    notifier, _ = _notifier()
    hostile = {**DECISION, "grounds": '"><script>alert(1)</script>'}
    notifier.send("email", "dora@example.pt", "decision", hostile, key="k-outbox")
    page = outbox.render_page()
    assert "<iframe sandbox=''" in page and "srcdoc=" in page
    assert "<script>" not in page
    assert "Decisão sobre o pedido CAMARA 2026/000042" in page


def test_ses_unavailable_during_a_workflow_step_loses_nothing_and_sends_nothing_twice(
    make_api: Any, demo: dict[str, Any], client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SES is down when the workflow sends the receipt: the workflow goes on to await the decision,
    the log shows the temporary failure, and once SES is back the retry function sends it once."""
    from moto.core.exceptions import _RESTError
    from moto.ses.models import SESBackend

    from chalicelib.kernel.settings import get_settings
    from local import lambdas

    class ServiceUnavailable(_RESTError):
        code = 503

        def __init__(self) -> None:
            super().__init__("ServiceUnavailable", "Service is unavailable. Please try again later.")

    def unavailable(self: Any, *args: Any, **kwargs: Any) -> Any:
        raise ServiceUnavailable()

    staff = make_api()
    staff.login("atendimento", demo["password"], staff=True)  # before the outage: the login code is emailed
    from local import outbox

    earlier = {m["message_id"] for m in outbox.messages()}  # the outbox outlives a test: other tests' emails
    monkeypatch.setenv("BALCAO_NOTIFICATION_BACKOFF_SECONDS", "0.01")
    monkeypatch.setenv("BALCAO_NOTIFICATION_RETRY_SECONDS", "0")
    get_settings.cache_clear()
    working = SESBackend.send_raw_email
    monkeypatch.setattr(SESBackend, "send_raw_email", unavailable)

    citizen = make_api()
    citizen.login("ana.silva", demo["password"])
    email = demo["citizen"]["email"]
    process_id = submit_generic(citizen, small_pdf())
    wait_for(lambda: citizen.call("GET", f"/api/requests/{process_id}").data["status"] == "em_apreciacao")
    assert process_execution(process_id)["status"] == "RUNNING"
    log_path = f"/api/staff/processes/{process_id}/notifications"
    (entry,) = staff.call("GET", log_path).data["notifications"]
    assert entry["template"] == "submission_receipt" and entry["status"] == "temporary_failure"
    assert entry["error_code"] == "ServiceUnavailable"
    assert [m for m in outbox_to(email) if m["message_id"] not in earlier] == []

    monkeypatch.setattr(SESBackend, "send_raw_email", working)  # SES is back
    event = client.events.generate_cw_event(
        source="aws.events",
        detail_type="Scheduled Event",
        detail={},
        resources=["arn:aws:events:eu-west-1:123456789012:rule/retry"],
    )
    assert client.lambda_.invoke("retry_notifications", event).payload == {"retried": 1, "sent": 1}
    assert client.lambda_.invoke("retry_notifications", event).payload == {"retried": 0, "sent": 0}
    # Step Functions retrying the task (e.g. after a Lambda timeout) sends nothing again.
    again = json.loads(
        lambdas.invoke("notify", json.dumps({"process_id": process_id, "template": "submission_receipt"}), {})
    )
    assert again["notifications"][0]["status"] == "sent"
    receipts = [m for m in outbox_to(email) if "recebido" in m["subject"] and m["message_id"] not in earlier]
    assert len(receipts) == 1
    (entry,) = staff.call("GET", log_path).data["notifications"]
    assert entry["status"] == "sent" and entry["provider_message_id"] == receipts[0]["message_id"]


def test_staff_see_the_log_and_the_postal_queue_of_their_organ_only(make_api: Any, demo: dict[str, Any]) -> None:
    """A requerente who consented to no electronic channel gets the receipt as a letter, queued for the
    organ's staff to print; staff of the organ see and close it, others cannot."""
    import requests

    from chalicelib.platform import aws
    from tests.support.api import GENERIC

    add_staff("semae.clerk", demo["password"], ["clerk"])
    citizen = make_api()
    citizen.login("ana.silva", demo["password"])
    process_id = citizen.call("POST", "/api/requests", GENERIC).data["process_id"]
    aws.table("processes").update_item(  # the consent recorded with the request: by post only
        Key={"process_id": process_id},
        UpdateExpression="SET notifications = :consent",
        ExpressionAttributeValues={
            ":consent": {"electronic": [], "postal_address": ["Rua Direita, 10", "4700-000 Braga"]}
        },
    )
    slot = citizen.call(
        "POST",
        f"/api/requests/{process_id}/documents",
        {"slot": "anexo", "filename": "anexo.pdf", "content_type": "application/pdf"},
    ).data
    upload(slot, small_pdf())
    assert citizen.call("POST", f"/api/requests/{process_id}/submit").status_code == 200
    wait_for(lambda: citizen.call("GET", f"/api/requests/{process_id}").data["status"] == "em_apreciacao")

    clerk, other, auditor, admin, decider = make_api(), make_api(), make_api(), make_api(), make_api()
    clerk.login("atendimento", demo["password"], staff=True)
    other.login("semae.clerk", demo["password"], staff=True)
    auditor.login("auditor", demo["password"], staff=True)
    admin.login("administrador", demo["password"], staff=True)
    decider.login("decisor", demo["password"], staff=True)
    anonymous = make_api()

    log_path = f"/api/staff/processes/{process_id}/notifications"
    (entry,) = clerk.call("GET", log_path).data["notifications"]
    assert entry["channel"] == "letter" and entry["status"] == "queued" and entry["template"] == "submission_receipt"
    assert "payload" not in entry
    assert auditor.call("GET", log_path).status_code == 200
    assert other.call("GET", log_path).status_code == 404
    assert citizen.call("GET", log_path).status_code == 403
    assert anonymous.call("GET", log_path).status_code == 401

    account_path = f"/api/staff/accounts/{entry['account_id']}/notifications"
    assert [e["notification_id"] for e in admin.call("GET", account_path).data["notifications"]] == [
        entry["notification_id"]
    ]
    assert auditor.call("GET", account_path).status_code == 200
    assert decider.call("GET", account_path).status_code == 403
    assert citizen.call("GET", account_path).status_code == 403

    (letter,) = clerk.call("GET", "/api/staff/letters").data["letters"]
    assert letter["notification_id"] == entry["notification_id"]
    pdf = requests.get(letter["pdf_url"], timeout=30)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert other.call("GET", "/api/staff/letters").data["letters"] == []
    assert auditor.call("GET", "/api/staff/letters").status_code == 403
    posted_path = f"/api/staff/letters/{letter['notification_id']}/posted"
    assert other.call("POST", posted_path).status_code == 404
    assert auditor.call("POST", posted_path).status_code == 403
    assert citizen.call("POST", posted_path).status_code == 403
    posted = clerk.call("POST", posted_path)
    assert posted.status_code == 200 and posted.data["status"] == "sent" and posted.data["posted_by"].startswith("u_")
    assert clerk.call("POST", posted_path).status_code == 409
    assert clerk.call("GET", "/api/staff/letters").data["letters"] == []
    view = auditor.call("GET", f"/api/staff/processes/{process_id}").data
    assert [(n["channel"], n["status"]) for n in view["notifications"]] == [("letter", "sent")]
    timeline = [e["action"] for e in view["timeline"]]
    assert "notification.letter_queued" in timeline and "notification.letter_posted" in timeline
