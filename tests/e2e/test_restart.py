"""The local stack keeps its data across Ctrl-C: the second ``./dev up`` on the same data finds the
accounts, the processes, their files and the outbox again, the workflow of an open process goes on
where it was (staff decide it), and numbering continues. ``--fresh`` starts empty."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import requests

from tests.support.api import WATER
from tests.support.browser import api_session, staff_session
from tests.support.files import small_pdf
from tests.support.stack import Stack, free_port, start_stack

WATER_REQUEST = {"service_id": "agua-prestacoes", "fields": WATER}


def until(check: Any, timeout: float = 90) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if value := check():
            return value
        time.sleep(0.5)
    raise AssertionError("condition not met in time")


def submitted(stack: Stack, citizen: requests.Session) -> dict[str, Any]:
    process_id = citizen.post(stack.base + "/api/requests", json=WATER_REQUEST, timeout=10).json()["process_id"]
    answer = citizen.post(f"{stack.base}/api/requests/{process_id}/submit", timeout=10)
    assert answer.status_code == 200, answer.text
    url = f"{stack.base}/api/requests/{process_id}"
    until(lambda: citizen.get(url, timeout=10).json()["status"] == "em_apreciacao")
    return answer.json()


def test_a_restart_finds_everything_and_the_workflows_go_on(tmp_path: Path) -> None:
    data = tmp_path / "data"
    first = start_stack(free_port(), free_port(), data=data)
    try:
        citizen = api_session(first, "/api/session", "123456789")
        process = submitted(first, citizen)
        draft = citizen.post(first.base + "/api/requests", json={"service_id": "generico", "fields": {}}, timeout=10)
        draft_id = draft.json()["process_id"]
        slot = citizen.post(
            f"{first.base}/api/requests/{draft_id}/documents",
            json={"slot": "anexo", "filename": "planta.pdf", "content_type": "application/pdf"},
            timeout=10,
        ).json()
        files = {"file": ("planta.pdf", small_pdf(), "application/pdf")}
        assert requests.post(slot["upload"]["url"], data=slot["upload"]["fields"], files=files, timeout=30).ok
        document_url = f"{first.base}/api/requests/{draft_id}/documents/{slot['document_id']}"
        until(lambda: citizen.get(document_url, timeout=10).json()["status"] == "aceite")
        outbox_before = len(requests.get(first.base + "/_local/outbox.json", timeout=10).json()["messages"])
    finally:
        assert first.stop() == 0  # Ctrl-C

    second = start_stack(free_port(), free_port(), data=data)
    try:
        assert "workflows resumed" in "".join(second.output)
        citizen = api_session(second, "/api/session", "123456789")  # the same account, the same password
        again = citizen.get(f"{second.base}/api/requests/{process['process_id']}", timeout=10).json()
        assert again["number"] == process["number"] and again["status"] == "em_apreciacao"
        document = citizen.get(document_url.replace(first.base, second.base), timeout=10).json()
        assert document["status"] == "aceite"
        download = citizen.get(
            f"{second.base}/api/requests/{draft_id}/documents/{slot['document_id']}/download", timeout=10
        )
        assert requests.get(download.json()["url"], timeout=10).content.startswith(b"%PDF-")
        outbox = requests.get(second.base + "/_local/outbox.json", timeout=10).json()["messages"]
        assert len(outbox) >= outbox_before

        # The open process's workflow goes on: staff decide it, the citizen is notified.
        decisor = staff_session(second, "decisor")
        path = f"{second.base}/api/staff/processes/{process['process_id']}/decision"
        decided = until(
            lambda: (
                (r := decisor.post(path, json={"decision": "deferido", "grounds": "Conforme."}, timeout=30)).ok and r
            )
        )
        assert decided.json()["status"] == "deferido"
        # Numbering continues where it was.
        following = submitted(second, citizen)
        prefix, sequence = process["number"].rsplit("/", 1)
        assert following["number"] == f"{prefix}/{int(sequence) + 1:06d}"
    finally:
        assert second.stop() == 0

    fresh = start_stack(free_port(), free_port(), data=data, options=("--fresh",))
    try:
        citizen = api_session(fresh, "/api/session", "123456789")
        mine = citizen.get(fresh.base + "/api/requests", timeout=10).json()
        assert process["process_id"] not in str(mine)
    finally:
        fresh.stop()
