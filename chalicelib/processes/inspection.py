"""The workflow's first step after submission: every document of the process inspected (those whose
S3 event has not arrived yet are inspected now); a process whose documents do not hold becomes
``documentos_rejeitados``."""

from __future__ import annotations

from typing import Any

from chalicelib.catalogue.service import get_service
from chalicelib.documents.inspect_flow import DocumentInspection
from chalicelib.documents.store import Documents
from chalicelib.kernel.inject import Injected
from chalicelib.kernel.vocabulary import DocumentStatus, ProcessStatus
from chalicelib.platform.audit import AuditTrail
from chalicelib.processes.parties import applicable_slots
from chalicelib.processes.table import Processes


class DocumentsCheck:
    documents = Injected(lambda self: Documents(audit=self.audit))

    def __init__(
        self, processes: Processes | None = None, documents: Documents | None = None, audit: AuditTrail | None = None
    ):
        self.audit = audit or (processes.audit if processes else AuditTrail())
        self.processes = processes or Processes(audit=self.audit)
        self._documents = documents

    def inspect_documents(self, process_id: str) -> dict[str, Any]:
        """Every document of the process inspected (those whose S3 event has not arrived yet are
        inspected now). A slot is good when it holds an accepted file: a file rejected and then
        replaced, or a slot issued but never used, does not count against the request."""
        process = self.processes.get(process_id)
        service = get_service(process["service_id"])
        results = [DocumentInspection(self.documents).inspect(doc) for doc in self.documents.list(process_id)]
        accepted_slots = {doc["slot"] for doc in results if doc["status"] == DocumentStatus.ACCEPTED}
        rejected = [
            doc["document_id"]
            for doc in results
            if doc["status"] == DocumentStatus.REJECTED and doc["slot"] not in accepted_slots
        ]
        missing = [
            slot.slot
            for slot in applicable_slots(service, process)
            if slot.required and slot.slot not in accepted_slots
        ]
        if rejected or missing:
            self.processes.set_status(process_id, ProcessStatus.DOCUMENTS_REJECTED, ProcessStatus.SUBMITTED)
        return {
            "process_id": process_id,
            "documents_ok": not rejected and not missing,
            "rejected": rejected,
            "missing": missing,
        }
