"""Large files through the local stack over HTTP, as the issue's "done when" says: a 100 MB DWG sent
with curl and a 20 MB scanned PDF sent as a browser's form post would, both straight to S3 with the
presigned POST and both accepted; then the receipt opens and lists their hashes."""

from __future__ import annotations

import hashlib
import io
import subprocess
from pathlib import Path

import pytest
import requests

from tests.support import files
from tests.support.browser import api_session, until
from tests.support.files import MIB
from tests.support.stack import Stack

pytestmark = pytest.mark.e2e


def test_a_100_mb_drawing_by_curl_and_a_20_mb_scan_are_accepted_and_on_the_receipt(
    stack: Stack, tmp_path: Path
) -> None:
    citizen = api_session(stack, "/api/session", "123456789")
    process_id = citizen.post(
        stack.base + "/api/requests",
        timeout=10,
        json={"service_id": "generico", "fields": {"subject": "Obras de ampliação", "text": "Plantas em anexo."}},
    ).json()["process_id"]
    documents = f"{stack.base}/api/requests/{process_id}/documents"

    drawing = files.dwg(tmp_path / "planta.dwg", 100 * MIB)
    slot = citizen.post(
        documents, timeout=10, json={"slot": "desenhos", "filename": "planta.dwg", "content_type": "image/vnd.dwg"}
    ).json()
    form = [arg for name, value in slot["upload"]["fields"].items() for arg in ("-F", f"{name}={value}")]
    sent = subprocess.run(
        ["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", *form, "-F", f"file=@{drawing}", slot["upload"]["url"]],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    assert sent.stdout in ("200", "201", "204"), sent.stdout

    scan = files.scanned_pdf(tmp_path / "digitalizacao.pdf", 20 * MIB)
    scan_slot = citizen.post(
        documents,
        timeout=10,
        json={"slot": "anexo", "filename": "digitalizacao.pdf", "content_type": "application/pdf"},
    ).json()
    with scan.open("rb") as handle:
        posted = requests.post(
            scan_slot["upload"]["url"],
            data=scan_slot["upload"]["fields"],
            timeout=300,
            files={"file": ("digitalizacao.pdf", handle, "application/pdf")},
        )
    assert posted.status_code in (200, 201, 204)

    for document_id, path in ((slot["document_id"], drawing), (scan_slot["document_id"], scan)):
        document = until(
            lambda d=document_id: (
                (r := citizen.get(f"{documents}/{d}", timeout=10).json())["status"] != "a_aguardar" and r
            ),
            timeout=120,
        )
        assert document["status"] == "aceite", document.get("reason")
        assert document["size"] == path.stat().st_size
        assert document["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()

    assert citizen.post(f"{stack.base}/api/requests/{process_id}/submit", timeout=10).status_code == 200
    receipt_url = f"{stack.base}/api/requests/{process_id}/receipt"
    receipt = until(lambda: (r := citizen.get(receipt_url, timeout=10)).status_code == 200 and r.json(), timeout=120)
    from pypdf import PdfReader

    text = " ".join(
        p.extract_text() for p in PdfReader(io.BytesIO(requests.get(receipt["url"], timeout=30).content)).pages
    )
    for path in (drawing, scan):
        assert hashlib.sha256(path.read_bytes()).hexdigest() in text
    assert (
        citizen.get(f"{stack.base}/api/requests/{process_id}/receipt/verification", timeout=120).json()["valid"] is True
    )
