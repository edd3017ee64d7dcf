"""Routes for the files themselves: downloads of documents and the receipt of a submission, and the
receipt's verification. Who may call each: the process's requerente or representante, staff of its
organ, auditors (``chalicelib.processes.access``); anyone else gets a 404, as for a process that does not exist."""

from __future__ import annotations

from typing import Any

from chalicelib.api.common import Routes, data_access, documents, processes
from chalicelib.api.http import json_response

routes = Routes(__name__)


def _receipts(domain: Any) -> Any:
    from chalicelib.processes.receipts import Receipts

    return Receipts(audit=domain.audit)


@routes.route("/api/requests/{process_id}/documents/{document_id}/download", methods=["GET"])
@routes.api
def download_document(process_id: str, document_id: str) -> Any:
    """Requerente, representante, staff of the organ, auditors: a short-lived presigned GET of an
    accepted document (any version). Each one is audited."""
    from chalicelib.kernel.settings import get_settings

    session = routes.caller()
    domain = processes()
    process = domain.get_for(process_id, session)
    store = documents()
    document = store.get(process_id, document_id)
    url = store.download_url(document)
    data_access().process_read(session, process, "document", routes.ip(), filename=document["filename"])
    domain.audit.record(
        routes.actor(session),
        "document.downloaded",
        f"process#{process_id}",
        document_id=document_id,
        sha256=document.get("sha256"),
    )
    return json_response(
        {
            "url": url,
            "filename": document["filename"],
            "sha256": document.get("sha256"),
            "expires_in": get_settings().download_url_expiry_seconds,
        }
    )


@routes.route("/api/requests/{process_id}/receipt", methods=["GET"])
@routes.api
def download_receipt(process_id: str) -> Any:
    """Requerente, representante, staff of the organ, auditors: the receipt of the submission (a
    short-lived presigned GET of its PDF) and what it lists. Audited."""
    from chalicelib.kernel.settings import get_settings

    session = routes.caller()
    domain = processes()
    process = domain.get_for(process_id, session)
    receipts = _receipts(domain)
    receipt = receipts.of(process)
    url = receipts.download_url(receipt)
    data_access().process_read(session, process, "receipt", routes.ip())
    domain.audit.record(routes.actor(session), "receipt.downloaded", f"process#{process_id}", sha256=receipt["sha256"])
    return json_response(
        {
            "url": url,
            "filename": receipt["filename"],
            "sha256": receipt["sha256"],
            "issued_at": receipt["issued_at"],
            "documents": receipt["documents"],
            "expires_in": get_settings().download_url_expiry_seconds,
        }
    )


@routes.route("/api/requests/{process_id}/receipt/verification", methods=["GET"])
@routes.api
def verify_receipt(process_id: str) -> Any:
    """Requerente, representante, staff of the organ, auditors: recompute the SHA-256 of every stored
    document the receipt lists, and of the receipt itself, against the receipt."""
    session = routes.caller()
    domain = processes()
    process = domain.get_for(process_id, session)
    return json_response(_receipts(domain).verify(process))
