"""The workflow waits for the fee to be paid (``a_aguardar_pagamento``): its task token is kept on the
process, for the payment (``chalicelib.payments.recording``) to resume it; a fee paid already resumes
it at once."""

from __future__ import annotations

from chalicelib.kernel.vocabulary import PaymentStatus, ProcessStatus
from chalicelib.platform.audit import SYSTEM
from chalicelib.platform.dynamo import condition_failed
from chalicelib.platform.task_tokens import resume
from chalicelib.processes.table import Processes, status_update


def await_payment(process_id: str, task_token: str, processes: Processes | None = None) -> bool:
    """Returns whether it was already paid."""
    processes = processes or Processes()
    organ = processes.get(process_id)["service_organ"]
    try:
        processes.audit.with_change(
            status_update(
                process_id,
                organ,
                ProcessStatus.AWAITING_PAYMENT,
                condition="payment.#pstatus = :pending",
                sets="payment_task_token = :token",
                names={"#pstatus": "status"},
                values={":token": task_token, ":pending": PaymentStatus.PENDING},
            ),
            processes.table,
            processes.audit.put(SYSTEM, "process.awaiting_payment", f"process#{process_id}"),
        )
    except condition_failed(processes.table):
        if not resume(task_token, {"paid": True}):
            processes.audit.record(SYSTEM, "process.payment_resume_failed", f"process#{process_id}")
        return True
    return False
