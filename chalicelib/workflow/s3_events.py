"""S3 ObjectCreated under the quarantine prefix: each new file inspected; a registration's proof is then
pre-checked for staff."""

from __future__ import annotations

from typing import Any

from chalicelib.accounts.proof import PROOF_OWNER_PREFIX, ProofCheck
from chalicelib.documents.inspect_flow import DocumentInspection
from chalicelib.documents.store import Documents


def inspect_upload(event: dict[str, Any], documents: Documents | None = None) -> dict[str, Any]:
    documents = documents or Documents()
    results = []
    for record in event.get("Records", []):
        document = DocumentInspection(documents).inspect_key(record["s3"]["object"]["key"])
        if document is not None:
            results.append({"document_id": document["document_id"], "status": document["status"]})
            if document["process_id"].startswith(PROOF_OWNER_PREFIX):
                ProofCheck(documents=documents).proof_inspected(document)
    return {"inspected": results}
