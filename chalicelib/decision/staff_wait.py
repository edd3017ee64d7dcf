"""The workflow's side of the decision stage: ``AwaitStaffAction`` started (after submission, the
payment, or a citizen task that closed), so the process is back in the staff's hands, with the task
token that resumes it (``chalicelib.decision.stage`` takes it, once, for each staff action)."""

from __future__ import annotations

from chalicelib.kernel.vocabulary import WORKFLOW_RUNNING, ProcessStatus
from chalicelib.platform.audit import SYSTEM
from chalicelib.processes.table import Processes, status_in, status_update


def await_staff(process_id: str, task_token: str, processes: Processes | None = None) -> None:
    processes = processes or Processes()
    organ = processes.get(process_id)["service_organ"]
    condition, values = status_in(WORKFLOW_RUNNING)
    processes.audit.with_change(  # the change and its event together, or neither (a retried step redoes both)
        status_update(
            process_id,
            organ,
            ProcessStatus.AWAITING_DECISION,
            condition=condition,
            sets="decision_task_token = :token",
            removes="current_task_id",
            values={":token": task_token, **values},
        ),
        processes.table,
        processes.audit.put(SYSTEM, "process.awaiting_decision", f"process#{process_id}"),
    )
