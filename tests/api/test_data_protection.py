"""Data protection (issue 19) through chalice.test.Client against moto: "who saw my data" (every staff
reading of a citizen's process, documents, messages, notifications or registration, listed for the
citizen by role and organ on the process and the account)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.accounts import add_citizen, registered
from tests.support.api import staff, submit_generic
from tests.support.files import small_pdf
from tests.support.waiting import wait_for

SLOW = 90  # seconds: a workflow's steps on a loaded machine (the tests wait only as long as they must)


@pytest.fixture
def ana(make_api: Any, demo: dict[str, Any]) -> Any:
    api = make_api()
    api.login("ana.silva", demo["password"])
    return api


def _awaiting_decision(citizen: Any) -> str:
    process_id = submit_generic(citizen, small_pdf())
    wait_for(lambda: citizen.call("GET", f"/api/requests/{process_id}").data["status"] == "em_apreciacao", timeout=SLOW)
    return process_id


def _letter(process_id: str, account_id: str, organ: str) -> None:
    from chalicelib.notifications.delivery import Notifier
    from chalicelib.notifications.templates import LETTER, MESSAGES

    Notifier().send(
        LETTER,
        "Ana Silva\nRua do Comércio, 1\n4600-000 Amarante",
        "submission_receipt",
        MESSAGES["submission_receipt"].sample,
        key=f"letter#{process_id}",
        process_id=process_id,
        account_id=account_id,
        organ=organ,
    )


def test_every_staff_reading_is_listed_for_the_citizen_by_role_and_organ(
    ana: Any, make_api: Any, demo: dict[str, Any]
) -> None:
    process_id = _awaiting_decision(ana)
    other = _awaiting_decision(ana)
    # the citizen reading their own process is nobody else seeing it
    assert ana.call("GET", f"/api/requests/{process_id}/data-access").data == {"reads": []}

    clerk = staff(make_api, demo, "atendimento")
    view = clerk.call("GET", f"/api/staff/processes/{process_id}").data
    document = next(d for d in view["documents"] if d["slot"] == "anexo")
    download = clerk.call("GET", f"/api/requests/{process_id}/documents/{document['document_id']}/download")
    assert download.status_code == 200, download.body
    assert clerk.call("GET", f"/api/requests/{process_id}/messages").status_code == 200
    assert clerk.call("GET", f"/api/staff/processes/{process_id}/notifications").status_code == 200
    # a letter to post (as for a requerente without electronic consent): its name and address read
    _letter(process_id, ana.call("GET", "/api/me").data["user"]["user_id"], view["organ"])
    assert len(clerk.call("GET", "/api/staff/letters").data["letters"]) == 1
    auditor = staff(make_api, demo, "auditor")
    assert auditor.call("GET", f"/api/requests/{other}").status_code == 200

    reads = ana.call("GET", f"/api/requests/{process_id}/data-access").data["reads"]
    assert [r["what"] for r in reads] == ["letter", "notifications", "messages", "document", "process"]  # newest
    assert {r["role_label"] for r in reads} == {"Técnico(a)"}
    assert {r["organ"] for r in reads} == {view["organ"]}
    assert reads[3]["filename"] == "anexo.pdf"
    assert reads[4]["what_label"].startswith("Dados do processo")
    assert all(r["number"] == view["number"] for r in reads if r["what"] != "letter")  # a letter knows no number
    # who by name and from where stay in the audit trail, for the auditors
    clerk_id = clerk.call("GET", "/api/me").data["user"]["user_id"]
    assert clerk_id not in str(reads) and "source_ip" not in str(reads)

    everything = ana.call("GET", "/api/account/data-access").data["reads"]
    assert [r["what"] for r in everything] == [
        "process",
        "letter",
        "notifications",
        "messages",
        "document",
        "process",
    ]
    assert everything[0] == {**everything[0], "process_id": other, "role_label": "Auditor(a)"}

    # nobody else learns who read Ana's data
    add_citizen("Bruno Costa", "bruno", demo["password"], "100000002", "bruno@example.pt")
    bruno = make_api()
    bruno.login("bruno", demo["password"])
    assert bruno.call("GET", f"/api/requests/{process_id}/data-access").status_code == 404
    assert bruno.call("GET", "/api/account/data-access").data == {"reads": []}


def test_staff_reading_a_registration_is_recorded_for_the_registrant(make_api: Any, demo: dict[str, Any]) -> None:
    from chalicelib.processes.data_access import DataAccessLog

    user_id = registered("100000010", "teresa@example.pt", "Teresa Lopes", confirm=True)
    clerk = staff(make_api, demo, "atendimento")
    assert clerk.call("GET", "/api/staff/registrations").status_code == 200
    assert clerk.call("GET", f"/api/staff/registrations/{user_id}").status_code == 200

    # what Teresa's account page lists once her account is active
    reads = DataAccessLog().for_citizen(user_id)
    assert [r["what"] for r in reads] == ["registration", "registration_queue"]
    assert reads[0]["what_label"] == "Dados do registo e comprovativo de morada"
    assert "process_id" not in reads[0]


def test_a_grantee_sees_no_contact_or_consent_data_until_the_grant_ends_or_is_revoked(
    ana: Any, make_api: Any, demo: dict[str, Any]
) -> None:
    from datetime import date, timedelta

    process_id = _awaiting_decision(ana)
    own = ana.call("GET", f"/api/requests/{process_id}").data
    assert own["requerente"]["identity_number"] and own["requerente"]["email"]
    add_citizen("Bruno Costa", "bruno", demo["password"], "100000002", "bruno@example.pt")
    bruno = make_api()
    bruno.login("bruno", demo["password"])
    clerk = staff(make_api, demo, "atendimento")

    grant = clerk.call("POST", f"/api/staff/processes/{process_id}/view-access", {"identifier": "bruno"}).data
    assert grant["until"] == (date.today() + timedelta(days=90)).isoformat()  # every grant ends

    view = bruno.call("GET", f"/api/released-processes/{process_id}").data
    assert view["requerente"] == {"type": "singular", "name": own["requerente"]["name"]}
    for withheld in ("notification", "payment", "pending_tasks"):
        assert withheld not in view
    body = str(view)
    assert own["requerente"]["identity_number"] not in body and own["requerente"]["email"] not in body
    assert "consented" not in body and "Vista do processo" not in body
    assert view["view_until"] == grant["until"]

    steps = [e for e in ana.call("GET", f"/api/requests/{process_id}").data["timeline"] if "grantee_name" in e]
    assert steps == [
        {**steps[0], "label": "Vista do processo concedida", "grantee_name": "Bruno Costa", "until": grant["until"]}
    ]

    other_organ = staff(make_api, demo, "auditor")
    refused = other_organ.call("DELETE", f"/api/staff/processes/{process_id}/view-access/{grant['grantee_id']}")
    assert refused.status_code == 403
    revoked = clerk.call("DELETE", f"/api/staff/processes/{process_id}/view-access/{grant['grantee_id']}")
    assert revoked.status_code == 200, revoked.body
    assert bruno.call("GET", f"/api/released-processes/{process_id}").status_code == 404
    assert bruno.call("GET", "/api/released-processes").data == {"processes": []}
    again = clerk.call("DELETE", f"/api/staff/processes/{process_id}/view-access/{grant['grantee_id']}")
    assert again.status_code == 409 and again.data["error"]["field"] == "grantee_id"
    timeline = ana.call("GET", f"/api/requests/{process_id}").data["timeline"]
    assert [e["label"] for e in timeline if e["action"].startswith("process.view")] == [
        "Vista do processo concedida",
        "Vista do processo revogada",
    ]


def test_the_account_holder_downloads_everything_held_about_them_in_one_zip(
    ana: Any, make_api: Any, demo: dict[str, Any]
) -> None:
    import io
    import json
    import zipfile

    import requests

    process_id = _awaiting_decision(ana)
    number = ana.call("GET", f"/api/requests/{process_id}").data["number"]
    assert ana.call("POST", f"/api/requests/{process_id}/messages", {"text": "Quando decidem?"}).status_code == 201
    staff(make_api, demo, "atendimento").call("GET", f"/api/staff/processes/{process_id}")

    asked = ana.call("POST", "/api/account/exports")
    assert asked.status_code == 202, asked.body
    assert asked.data["status"] == "a_preparar"
    export_id = asked.data["export_id"]
    wait_for(lambda: ana.call("GET", "/api/account/exports").data["exports"][0]["status"] == "pronto", timeout=SLOW)

    link = ana.call("GET", f"/api/account/exports/{export_id}/download")
    assert link.status_code == 200, link.body
    archive = zipfile.ZipFile(io.BytesIO(requests.get(link.data["url"], timeout=30).content))
    data = json.loads(archive.read("dados.json"))
    assert data["account"]["username"] == "ana.silva" and "password_hash" not in data["account"]
    held = next(p for p in data["processes"] if p["number"] == number)
    assert held["fields"]["subject"] == "Licença de ruído"
    assert "Pedido submetido" in [e["label"] for e in held["timeline"]]
    assert [m["text"] for m in held["messages"]] == ["Quando decidem?"]
    assert any(n["template"] == "submission_receipt" for n in data["notifications"])
    assert "process.submitted" not in str(data["audit_events"])  # the account's events, not the process's
    assert [r["what"] for r in data["read_by_staff"] if r.get("number") == number] == ["process"]
    assert "token" not in json.dumps(held)
    pdf = next(
        name
        for name in archive.namelist()
        if name.endswith("anexo.pdf") and number.split()[-1].replace("/", "-") in name
    )
    assert archive.read(pdf) == small_pdf()

    # nobody else's to download; the request and the download are in the account's audit trail
    add_citizen("Bruno Costa", "bruno", demo["password"], "100000002", "bruno@example.pt")
    bruno = make_api()
    bruno.login("bruno", demo["password"])
    assert bruno.call("GET", f"/api/account/exports/{export_id}/download").status_code == 404
    from chalicelib.platform.audit import AuditTrail

    user_id = data["account"]["user_id"]
    actions = [e["action"] for e in AuditTrail().for_subject(f"user#{user_id}")]
    assert {"account.export_requested", "account.export_built", "account.export_downloaded"} <= set(actions)


def test_the_retention_schedule_is_published_and_the_stores_enforce_it(ana: Any, client: Any) -> None:
    import json
    import time

    from chalicelib.kernel.settings import get_settings
    from chalicelib.platform import aws
    from chalicelib.platform.audit import AuditTrail

    published = {r["kind"]: r for r in json.loads(client.http.get("/api/public/retention").body)["records"]}
    assert published["audit_events"]["days"] == 3650 and "RGPD" in published["audit_events"]["legal_basis"]
    assert published["processes"]["enforced"] is False  # kept by the archive's rules, not by a clock

    # a record written now carries the day it goes (the table's TTL attribute), and the table removes it then
    user_id = ana.call("GET", "/api/me").data["user"]["user_id"]
    event = AuditTrail().for_subject(f"user#{user_id}")[-1]
    assert abs(int(event["purge_at"]) - (time.time() + 3650 * 86400)) < 3600
    ttl = aws.client("dynamodb").describe_time_to_live(TableName=get_settings().resource_name("audit"))
    assert ttl["TimeToLiveDescription"] == {"TimeToLiveStatus": "ENABLED", "AttributeName": "purge_at"}
    rules = aws.client("s3").get_bucket_lifecycle_configuration(Bucket=aws.bucket_name("exports"))["Rules"]
    assert [(r["ID"], r["Expiration"]["Days"]) for r in rules] == [("retention-exports", 7)]


def test_an_export_that_cannot_be_built_says_so_and_another_may_be_asked(ana: Any) -> None:
    from chalicelib.documents.store import Documents
    from chalicelib.platform import aws

    process_id = _awaiting_decision(ana)
    # a file the export must carry is gone from the bucket: every attempt of the builder fails
    (document,) = [d for d in Documents().list(process_id) if d["slot"] == "anexo"]
    aws.client("s3").delete_object(Bucket=aws.bucket_name("documents"), Key=document["stored_key"])

    export_id = ana.call("POST", "/api/account/exports").data["export_id"]
    wait_for(lambda: ana.call("GET", "/api/account/exports").data["exports"][0]["status"] == "falhou", timeout=SLOW)
    refused = ana.call("GET", f"/api/account/exports/{export_id}/download")
    assert refused.status_code == 409 and refused.data["error"]["field"] == "export_id"
    assert ana.call("POST", "/api/account/exports").status_code == 202  # a failed one does not block the next
    wait_for(
        lambda: all(e["status"] == "falhou" for e in ana.call("GET", "/api/account/exports").data["exports"]),
        timeout=SLOW,
    )
