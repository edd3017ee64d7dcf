"""Where a citizen's upload goes: into their draft, or, once the request is submitted, into the answer
to the task the services wait on (a pendência or the prior hearing: ``chalicelib.decision.tasks``)."""

from __future__ import annotations

from typing import Any

from chalicelib.decision.answers import CitizenAnswers
from chalicelib.kernel.roles import STAFF
from chalicelib.kernel.vocabulary import ProcessStatus
from chalicelib.processes.drafts import Drafts
from chalicelib.processes.table import Processes


def upload_slot(
    process_id: str,
    session: Any,
    slot: str,
    filename: str,
    content_type: str,
    source_ip: str | None,
    replaces: str | None = None,
    processes: Processes | None = None,
) -> dict[str, Any]:
    processes = processes or Processes()
    process = processes.get_for(process_id, session)
    if process["status"] != ProcessStatus.DRAFT and process.get("current_task_id") and session.kind != STAFF:
        return CitizenAnswers(processes=processes).upload_slot(
            process_id,
            process["current_task_id"],
            session,
            filename,
            content_type,
            source_ip,
            slot=slot,
            replaces=replaces,
        )
    return Drafts(processes=processes).upload_slot(
        process_id, session, slot, filename, content_type, source_ip, replaces=replaces
    )
