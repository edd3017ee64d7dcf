"""Documents through the HTTP API and S3 under moto: upload slots, every hostile file rejected with its
reason, the slot's policy held even where S3 does not enforce it, one file per slot, versions, audited
downloads for exactly those who may, and the receipt with its verification."""

from __future__ import annotations

import base64
import io
import json
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.support import files
from tests.support.accounts import add_citizen, add_staff
from tests.support.api import GENERIC, upload
from tests.support.files import HOSTILE, MIB, small_pdf
from tests.support.waiting import wait_for

OTHER_PASSWORD = "Outra-palavra-2026"
SLOT_FOR_FORMATS = {
    ("pdf",): "anexo",
    ("pdf", "png", "jpeg"): "digitalizacao",
    ("dwfx",): "desenhos",
    ("dwfx", "dwg", "dxf"): "desenhos",
}
CONTENT_TYPE = {
    "pdf": "application/pdf",
    "png": "image/png",
    "dwfx": "model/vnd.dwfx+xps",
    "dwg": "image/vnd.dwg",
    "dxf": "image/vnd.dxf",
}


def _citizen(make_api: Any, demo: dict[str, Any]) -> Any:
    api = make_api()
    api.login(demo["citizen"]["identity_number"], demo["password"])
    return api


def _draft(api: Any) -> str:
    response = api.call("POST", "/api/requests", GENERIC)
    assert response.status_code == 201, response.body
    return response.data["process_id"]


def _slot(api: Any, process_id: str, slot: str, filename: str, **extra: Any) -> dict[str, Any]:
    content_type = CONTENT_TYPE[filename.rsplit(".", 1)[-1]]
    response = api.call(
        "POST",
        f"/api/requests/{process_id}/documents",
        {"slot": slot, "filename": filename, "content_type": content_type, **extra},
    )
    assert response.status_code == 201, response.body
    return response.data


def _inspected(api: Any, process_id: str, document_id: str) -> dict[str, Any]:
    path = f"/api/requests/{process_id}/documents/{document_id}"
    return wait_for(lambda: (d := api.call("GET", path).data)["status"] != "a_aguardar" and d, timeout=60)


def _uploaded(
    api: Any, process_id: str, data: bytes, slot: str = "anexo", filename: str = "anexo.pdf", **extra: Any
) -> dict[str, Any]:
    form = _slot(api, process_id, slot, filename, **extra)
    assert upload(form, data, filename) in (200, 201, 204)
    return _inspected(api, process_id, form["document_id"])


def _quarantine_keys() -> list[str]:
    from chalicelib.platform import aws

    listing = aws.client("s3").list_objects_v2(Bucket=aws.bucket_name("uploads"))
    return [o["Key"] for o in listing.get("Contents", [])]


def _other_citizen(make_api: Any) -> Any:

    add_citizen("Bruno Costa", "bruno", OTHER_PASSWORD, "100000002", "bruno@example.pt")
    api = make_api()
    api.login("bruno", OTHER_PASSWORD)
    return api


# -- upload slots ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("slot", "filename", "max_bytes"), [("anexo", "a.pdf", 50 * MIB), ("desenhos", "p.dwg", 200 * MIB)]
)
def test_the_slot_policy_holds_the_size_range_type_and_15_minutes(
    make_api: Any, demo: dict[str, Any], slot: str, filename: str, max_bytes: int
) -> None:
    api = _citizen(make_api, demo)
    process_id = _draft(api)
    form = _slot(api, process_id, slot, filename)
    assert form["max_bytes"] == max_bytes and form["expires_in"] == 900
    policy = json.loads(base64.b64decode(form["upload"]["fields"]["policy"]))
    assert ["content-length-range", 1, max_bytes] in policy["conditions"]
    assert {"Content-Type": CONTENT_TYPE[filename[-3:]]} in policy["conditions"]
    assert form["upload"]["fields"]["key"].startswith(f"quarantine/{process_id}/{form['document_id']}/")


@pytest.mark.parametrize("hostile", HOSTILE, ids=lambda h: h.name)
def test_each_hostile_file_uploaded_is_rejected_with_its_reason_and_deleted(
    make_api: Any, demo: dict[str, Any], hostile: Any, hostile_files: dict[str, Path]
) -> None:
    api = _citizen(make_api, demo)
    process_id = _draft(api)
    document = _uploaded(
        api, process_id, hostile_files[hostile.name].read_bytes(), SLOT_FOR_FORMATS[hostile.formats], hostile.filename
    )
    assert document["status"] == "rejeitado"
    assert hostile.reason in document["reason"]
    wait_for(lambda: _quarantine_keys() == [])  # the file is gone (deleted just after the verdict is recorded)
    download = api.call("GET", f"/api/requests/{process_id}/documents/{document['document_id']}/download")
    assert download.status_code == 404


def test_a_document_accepted_records_what_inspection_found(make_api: Any, demo: dict[str, Any], tmp_path: Path) -> None:
    import hashlib

    api = _citizen(make_api, demo)
    process_id = _draft(api)
    data = files.signed_pdfa(tmp_path / "assinado.pdf").read_bytes()
    document = _uploaded(api, process_id, data, filename="assinado.pdf")
    assert document["status"] == "aceite", document.get("reason")
    assert document["sha256"] == hashlib.sha256(data).hexdigest() and document["size"] == len(data)
    assert document["inspection"] == {
        "format": "pdf",
        "pages": 1,
        "pdf_version": "1.7",
        "pdfa": "2B",
        "signature_fields": 1,
        "signed": True,
    }
    wait_for(lambda: _quarantine_keys() == [])


def test_a_form_used_after_it_expired_gets_the_file_rejected(
    make_api: Any, demo: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    # S3 refuses a POST after the policy's expiration; moto does not, and the inspection holds the line.
    import time

    from chalicelib.kernel.settings import get_settings

    monkeypatch.setenv("BALCAO_UPLOAD_URL_EXPIRY_SECONDS", "1")
    monkeypatch.setenv("BALCAO_UPLOAD_GRACE_SECONDS", "0")
    get_settings.cache_clear()
    api = _citizen(make_api, demo)
    process_id = _draft(api)
    form = _slot(api, process_id, "anexo", "anexo.pdf")
    time.sleep(2.1)
    upload(form, small_pdf())
    document = _inspected(api, process_id, form["document_id"])
    assert document["status"] == "rejeitado" and "expirar" in document["reason"]


def test_a_form_whose_content_type_was_changed_gets_the_file_rejected(make_api: Any, demo: dict[str, Any]) -> None:
    api = _citizen(make_api, demo)
    process_id = _draft(api)
    form = _slot(api, process_id, "anexo", "anexo.pdf")
    form["upload"]["fields"]["Content-Type"] = "text/html"
    upload(form, small_pdf())
    document = _inspected(api, process_id, form["document_id"])
    assert document["status"] == "rejeitado" and "tipo de conteúdo" in document["reason"]


def test_a_second_file_sent_with_a_used_form_is_discarded_and_the_document_is_unchanged(
    make_api: Any, demo: dict[str, Any]
) -> None:
    from chalicelib.platform import aws

    api = _citizen(make_api, demo)
    process_id = _draft(api)
    form = _slot(api, process_id, "anexo", "anexo.pdf")
    first = small_pdf(pages=1)
    upload(form, first)
    accepted = _inspected(api, process_id, form["document_id"])
    assert accepted["status"] == "aceite"

    upload(form, small_pdf(pages=5))
    wait_for(lambda: _quarantine_keys() == [], timeout=30)
    again = api.call("GET", f"/api/requests/{process_id}/documents/{form['document_id']}").data
    assert again == accepted
    stored = aws.client("s3").get_object(
        Bucket=aws.bucket_name("documents"), Key=f"{process_id}/{form['document_id']}/anexo.pdf"
    )
    assert stored["Body"].read() == first
    timeline = [
        e["action"]
        for e in _staff(make_api, demo, "auditor").call("GET", f"/api/staff/processes/{process_id}").data["timeline"]
    ]
    assert "document.second_upload_discarded" in timeline


def test_drawings_and_scans_of_their_size_are_accepted(make_api: Any, demo: dict[str, Any], tmp_path: Path) -> None:
    api = _citizen(make_api, demo)
    process_id = _draft(api)
    drawing = _uploaded(
        api, process_id, files.dwg(tmp_path / "planta.dwg", 60 * MIB).read_bytes(), "desenhos", "planta.dwg"
    )
    assert drawing["status"] == "aceite", drawing.get("reason")
    assert drawing["size"] == 60 * MIB and drawing["inspection"]["version"] == "AC1032"
    scan = _uploaded(
        api, process_id, files.scanned_pdf(tmp_path / "scan.pdf", 20 * MIB).read_bytes(), filename="scan.pdf"
    )
    assert scan["status"] == "aceite", scan.get("reason")
    assert scan["inspection"]["pages"] == 20


# -- names ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("filename", "words"),
    [
        ("fatura\u202efdp.exe", "U+202E"),  # shows as "faturaexe.pdf"
        ("fatura\u200b.pdf", "U+200B"),
        ("linha\nnova.pdf", "U+000A"),
        ("fatura.pdf.exe", "termina em .exe; este documento aceita ficheiros .pdf"),
    ],
    ids=["right-to-left-override", "zero-width-space", "newline", "wrong-extension"],
)
def test_a_name_that_hides_what_the_file_is_is_refused_naming_why(
    make_api: Any, demo: dict[str, Any], filename: str, words: str
) -> None:
    api = _citizen(make_api, demo)
    process_id = _draft(api)
    response = api.call(
        "POST",
        f"/api/requests/{process_id}/documents",
        {"slot": "anexo", "filename": filename, "content_type": "application/pdf"},
    )
    assert response.status_code == 422, response.body
    assert response.data["error"]["field"] == "filename" and words in response.data["error"]["message"]


def test_a_file_is_stored_and_downloaded_as_the_format_it_is(
    make_api: Any, demo: dict[str, Any], tmp_path: Path
) -> None:
    # Declared a PDF with no extension, found to be a PNG: stored as foto.png, served as image/png.
    api = _citizen(make_api, demo)
    process_id = _draft(api)
    form = api.call(
        "POST",
        f"/api/requests/{process_id}/documents",
        {"slot": "digitalizacao", "filename": "foto", "content_type": "application/pdf"},
    ).data
    assert upload(form, files.png(tmp_path / "foto").read_bytes(), "foto") in (200, 201, 204)
    document = _inspected(api, process_id, form["document_id"])
    assert document["status"] == "aceite", document.get("reason")
    assert document["filename"] == "foto.png"
    url = api.call("GET", f"/api/requests/{process_id}/documents/{document['document_id']}/download").data["url"]
    served = requests.get(url, timeout=30)
    assert served.headers["Content-Type"] == "image/png"
    assert served.headers["Content-Disposition"] == 'attachment; filename="foto.png"'


# -- versions -------------------------------------------------------------------------------------------
def test_a_replaced_document_keeps_its_earlier_version_for_staff(make_api: Any, demo: dict[str, Any]) -> None:
    api = _citizen(make_api, demo)
    process_id = _draft(api)
    first = _uploaded(api, process_id, small_pdf(pages=1))
    second = _uploaded(api, process_id, small_pdf(pages=2), replaces=first["document_id"])
    assert second["status"] == "aceite" and second["version"] == 2 and second["replaces"] == first["document_id"]

    mine = api.call("GET", f"/api/requests/{process_id}").data["documents"]
    assert [d["document_id"] for d in mine] == [second["document_id"]]
    staff = _staff(make_api, demo, "atendimento")
    versions = {d["document_id"]: d for d in staff.call("GET", f"/api/staff/processes/{process_id}").data["documents"]}
    assert versions[first["document_id"]]["superseded_by"] == second["document_id"]
    assert versions[first["document_id"]]["version"] == 1
    assert staff.call("GET", f"/api/requests/{process_id}/documents/{first['document_id']}/download").status_code == 200

    again = api.call(
        "POST",
        f"/api/requests/{process_id}/documents",
        {"slot": "anexo", "filename": "b.pdf", "content_type": "application/pdf", "replaces": first["document_id"]},
    )
    assert again.status_code == 409 and again.data["error"]["field"] == "replaces"
    other_slot = api.call(
        "POST",
        f"/api/requests/{process_id}/documents",
        {
            "slot": "digitalizacao",
            "filename": "b.pdf",
            "content_type": "application/pdf",
            "replaces": second["document_id"],
        },
    )
    assert other_slot.status_code == 422 and other_slot.data["error"]["field"] == "replaces"


# -- downloads -------------------------------------------------------------------------------------------
def _staff(make_api: Any, demo: dict[str, Any], username: str) -> Any:
    api = make_api()
    api.login(username, demo["password"], staff=True)
    return api


def test_downloads_go_to_owner_representative_staff_of_the_organ_and_auditors_each_audited(
    make_api: Any, demo: dict[str, Any]
) -> None:
    from chalicelib.platform import aws

    ana = _citizen(make_api, demo)
    process_id = _draft(ana)
    data = small_pdf(pages=3)
    document = _uploaded(ana, process_id, data)
    path = f"/api/requests/{process_id}/documents/{document['document_id']}/download"

    bruno = _other_citizen(make_api)
    add_staff("semae", OTHER_PASSWORD, ["clerk"], email="semae@municipio-demo.pt")
    other_organ = make_api()
    other_organ.login("semae", OTHER_PASSWORD, staff=True)
    for outsider in (bruno, other_organ):
        refused = outsider.call("GET", path)
        assert refused.status_code == 404 and refused.data["error"]["field"] == "process_id"

    # The representation itself is recorded by another flow; here the process names Bruno as representante.
    aws.table("processes").update_item(
        Key={"process_id": process_id},
        UpdateExpression="SET representante_id = :r",
        ExpressionAttributeValues={":r": _user_id(bruno)},
    )
    allowed = [ana, bruno, _staff(make_api, demo, "atendimento"), _staff(make_api, demo, "auditor")]
    for caller in allowed:
        response = caller.call("GET", path)
        assert response.status_code == 200, response.body
        fetched = requests.get(response.data["url"], timeout=30)
        assert fetched.content == data
        assert response.data["expires_in"] == 300

    timeline = _staff(make_api, demo, "auditor").call("GET", f"/api/staff/processes/{process_id}").data["timeline"]
    downloads = [e for e in timeline if e["action"] == "document.downloaded"]
    assert len(downloads) == len(allowed)
    assert {e["actor"] for e in downloads} == {_user_id(caller) for caller in allowed}


def _user_id(api: Any) -> str:
    return api.call("GET", "/api/me").data["user"]["user_id"]


# -- the receipt -------------------------------------------------------------------------------------------
def _submitted(api: Any, data: bytes) -> tuple[str, dict[str, Any]]:
    process_id = _draft(api)
    document = _uploaded(api, process_id, data)
    response = api.call("POST", f"/api/requests/{process_id}/submit")
    assert response.status_code == 200, response.body
    wait_for(lambda: api.call("GET", f"/api/requests/{process_id}").data["status"] == "em_apreciacao", timeout=60)
    return process_id, document


def _pdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_the_receipt_lists_the_submission_and_each_hash_and_is_emailed_with_the_pdf(
    make_api: Any, demo: dict[str, Any]
) -> None:
    from local import outbox

    api = _citizen(make_api, demo)
    process_id, document = _submitted(api, small_pdf(pages=2))
    number = api.call("GET", f"/api/requests/{process_id}").data["number"]

    receipt = api.call("GET", f"/api/requests/{process_id}/receipt")
    assert receipt.status_code == 200, receipt.body
    assert [d["sha256"] for d in receipt.data["documents"]] == [document["sha256"]]
    pdf = requests.get(receipt.data["url"], timeout=30).content
    text = _pdf_text(pdf)
    for expected in (
        number,
        "Ana Silva",
        "123456789",
        "Requerimento genérico",
        "Licença de ruído",
        "Peço licença para um arraial.",
        document["sha256"],
        "anexo.pdf",
    ):
        assert expected in text, expected

    emails = [m for m in outbox.messages() if demo["citizen"]["email"] in m["to"] and number in m["subject"]]
    assert emails and emails[0]["attachments"] == [receipt.data["filename"]]


def test_the_verification_recomputes_the_stored_hashes_against_the_receipt(make_api: Any, demo: dict[str, Any]) -> None:
    from chalicelib.platform import aws

    api = _citizen(make_api, demo)
    process_id, document = _submitted(api, small_pdf(pages=1))
    wait_for(lambda: api.call("GET", f"/api/requests/{process_id}/receipt").status_code == 200)
    verification = api.call("GET", f"/api/requests/{process_id}/receipt/verification").data
    assert verification["valid"] is True
    assert verification["documents"][0]["stored_sha256"] == document["sha256"]

    # Someone with access to the bucket alters the stored file: the verification says so.
    aws.client("s3").put_object(
        Bucket=aws.bucket_name("documents"),
        Key=f"{process_id}/{document['document_id']}/anexo.pdf",
        Body=small_pdf(pages=4),
    )
    tampered = _staff(make_api, demo, "auditor").call("GET", f"/api/requests/{process_id}/receipt/verification").data
    assert tampered["valid"] is False
    assert tampered["documents"][0]["matches"] is False and tampered["receipt_pdf_matches"] is True


def test_the_receipt_is_refused_to_others_and_absent_before_submission(make_api: Any, demo: dict[str, Any]) -> None:
    api = _citizen(make_api, demo)
    process_id = _draft(api)
    before = api.call("GET", f"/api/requests/{process_id}/receipt")
    assert before.status_code == 404 and before.data["error"]["field"] == "receipt"
    bruno = _other_citizen(make_api)
    for path in (f"/api/requests/{process_id}/receipt", f"/api/requests/{process_id}/receipt/verification"):
        assert bruno.call("GET", path).status_code == 404


def test_a_file_is_inspected_only_once_s3_has_recorded_its_content_type(
    make_api: Any, demo: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """moto's S3 announces a POSTed object before it sets the form's content type (real S3 does not):
    an inspection in that window saw the default type and refused a good PDF. Widened here to 0.5 s,
    the window must not be seen: the file is accepted."""
    import time

    from moto.s3.models import FakeKey

    set_metadata = FakeKey.set_metadata

    def slow_set_metadata(self: Any, *args: Any, **kwargs: Any) -> None:
        time.sleep(0.5)
        set_metadata(self, *args, **kwargs)

    monkeypatch.setattr(FakeKey, "set_metadata", slow_set_metadata)
    api = _citizen(make_api, demo)
    document = _uploaded(api, _draft(api), small_pdf())
    assert document["status"] == "aceite", document.get("reason")
