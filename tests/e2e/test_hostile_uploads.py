"""Every hostile file of tests/support/files.py through the real upload flow of the local stack (slot,
presigned POST to the local S3, the S3 event's inspection in its limited child), uploaded all at once
with a good document among them: each hostile file is refused with its reason and deleted, nothing of
it is stored or downloadable, and the good document is accepted meanwhile."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.support.browser import api_session
from tests.support.files import HOSTILE, small_pdf
from tests.support.stack import Stack

pytestmark = pytest.mark.e2e
SLOT = {("pdf",): "anexo", ("pdf", "png", "jpeg"): "digitalizacao", ("dwfx",): "desenhos"}
SLOT[("dwfx", "dwg", "dxf")] = "desenhos"
CONTENT_TYPE = {"pdf": "application/pdf", "png": "image/png", "dwfx": "model/vnd.dwfx+xps"}
CONTENT_TYPE.update({"dwg": "image/vnd.dwg", "dxf": "image/vnd.dxf"})


def _send(citizen: requests.Session, stack: Stack, process_id: str, slot: str, filename: str, data: bytes) -> str:
    form = citizen.post(
        f"{stack.base}/api/requests/{process_id}/documents",
        timeout=10,
        json={"slot": slot, "filename": filename, "content_type": CONTENT_TYPE[filename.rsplit(".", 1)[-1]]},
    )
    assert form.status_code == 201, form.text
    upload = form.json()["upload"]
    sent = requests.post(upload["url"], data=upload["fields"], files={"file": (filename, data)}, timeout=120)
    assert sent.status_code in (200, 201, 204), sent.text
    return form.json()["document_id"]


def test_every_hostile_file_is_refused_with_its_reason_and_a_good_one_is_accepted_meanwhile(
    stack: Stack, hostile_files: dict[str, Path]
) -> None:
    citizen = api_session(stack, "/api/session", "123456789")
    process_id = citizen.post(
        stack.base + "/api/requests",
        timeout=10,
        json={"service_id": "generico", "fields": {"subject": "Ficheiros", "text": "Vários anexos."}},
    ).json()["process_id"]
    sent: dict[str, Any] = {}
    for hostile in HOSTILE:
        data = hostile_files[hostile.name].read_bytes()
        sent[hostile.name] = _send(citizen, stack, process_id, SLOT[hostile.formats], hostile.filename, data)
    good = _send(citizen, stack, process_id, "anexo", "requerimento.pdf", small_pdf(text="Requerimento"))

    def document(document_id: str) -> dict[str, Any]:
        return citizen.get(f"{stack.base}/api/requests/{process_id}/documents/{document_id}", timeout=10).json()

    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        found = {name: document(i) for name, i in {**sent, "good": good}.items()}
        if all(d["status"] != "a_aguardar" for d in found.values()):
            break
        time.sleep(0.5)
    assert found["good"]["status"] == "aceite", found["good"]
    for hostile in HOSTILE:
        refused = found[hostile.name]
        assert refused["status"] == "rejeitado", (hostile.name, refused)
        assert hostile.reason in refused["reason"], (hostile.name, refused["reason"])
        download = citizen.get(
            f"{stack.base}/api/requests/{process_id}/documents/{refused['document_id']}/download", timeout=10
        )
        assert download.status_code == 404
    # Nothing half-stored: the quarantine holds none of them, the documents bucket only the good one.
    import boto3

    s3 = boto3.client(
        "s3",
        endpoint_url=f"http://127.0.0.1:{stack.aws_port}",
        region_name="eu-west-1",
        aws_access_key_id="local",
        aws_secret_access_key="local",
    )

    def keys(bucket: str, prefix: str) -> list[str]:
        return [o["Key"] for o in s3.list_objects_v2(Bucket=bucket, Prefix=prefix).get("Contents", [])]

    deadline = time.monotonic() + 30
    while keys("balcao-local-uploads", f"quarantine/{process_id}/") and time.monotonic() < deadline:
        time.sleep(0.5)
    assert keys("balcao-local-uploads", f"quarantine/{process_id}/") == []
    assert [k.split("/")[1] for k in keys("balcao-local-documents", f"{process_id}/")] == [good]
