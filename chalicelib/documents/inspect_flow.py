"""Inspection of an uploaded file, idempotent (S3 delivers events at least once): the stored object
checked again against its slot's policy (S3 enforces presigned POST policies; other S3s may not),
downloaded with a streaming SHA-256, inspected in an isolated child (``chalicelib.documents.isolation``),
then accepted (copied to the documents bucket, a replaced version marked superseded) or rejected
(deleted, the reason kept for the uploader), and the quarantine cleared of that very file."""

from __future__ import annotations

import hashlib
import tempfile
from datetime import timedelta
from typing import Any
from urllib.parse import unquote_plus

from chalicelib.documents.isolation import inspect_isolated
from chalicelib.documents.store import CHUNK, CONTENT_TYPES, Documents, megabytes, quarantine_prefix, stored_filename
from chalicelib.kernel.clock import iso
from chalicelib.kernel.errors import NotFound
from chalicelib.kernel.log import logger
from chalicelib.kernel.settings import get_settings
from chalicelib.kernel.vocabulary import DocumentStatus
from chalicelib.platform import aws
from chalicelib.platform.audit import SYSTEM
from chalicelib.platform.errors import is_not_found


class DocumentInspection:
    def __init__(self, documents: Documents | None = None):
        self.documents = documents or Documents()

    @property
    def table(self) -> Any:
        return self.documents.table

    @property
    def s3(self) -> Any:
        return self.documents.s3

    @property
    def audit(self) -> Any:
        return self.documents.audit

    def inspect_key(self, key: str) -> dict[str, Any] | None:
        """Inspect the object S3 just stored at ``key`` (an ObjectCreated event). Idempotent."""
        key = unquote_plus(key)
        parts = key[len(quarantine_prefix()) :].split("/") if key.startswith(quarantine_prefix()) else []
        uploads = aws.bucket_name("uploads")
        if len(parts) != 3:
            logger.warning("object outside any upload slot ignored", extra={"key": key})
            return None
        process_id, document_id, _ = parts
        try:
            document = self.documents.get(process_id, document_id)
        except NotFound:
            logger.warning("object for an unknown document removed", extra={"key": key})
            self.s3.delete_object(Bucket=uploads, Key=key)
            return None
        if (
            document["status"] != DocumentStatus.AWAITING
            and key == document["quarantine_key"]
            and self._head(key) is not None
        ):
            # A slot is for one file: a second file posted with the same form is discarded unread.
            self.audit.record(
                SYSTEM, "document.second_upload_discarded", f"process#{process_id}", document_id=document_id
            )
            self.s3.delete_object(Bucket=uploads, Key=key)
            return document
        return self.inspect(document)

    def _head(self, key: str) -> dict[str, Any] | None:
        """The object's head, or None when S3 says it is not there. Any other error (a 5xx, throttling,
        a lost connection) is raised: a file S3 could not look at for now is not a missing file."""
        try:
            return self.s3.head_object(Bucket=aws.bucket_name("uploads"), Key=key)
        except self.s3.exceptions.ClientError as error:
            if is_not_found(error):
                return None
            raise

    def inspect(self, document: dict[str, Any]) -> dict[str, Any]:
        """Inspect the document's file if it has arrived and was not inspected yet."""
        if document["status"] != DocumentStatus.AWAITING:
            return document  # already inspected: a repeated event changes nothing
        head = self._head(document["quarantine_key"])
        if head is None:
            # Nothing uploaded yet, or another inspection (the S3 event's, the workflow's) has just
            # recorded its verdict and moved the file out of quarantine: the stored record says which.
            return self.documents.get(document["process_id"], document["document_id"])
        refusal = self._policy_refusal(document, head)
        if refusal:
            return self._reject(document, refusal, sha256=None, etag=head["ETag"])

        try:
            with tempfile.TemporaryDirectory(prefix="inspect-") as workdir:
                path = f"{workdir}/{document['filename']}"
                sha256, size = self._download(document, head["ETag"], path)
                if size > int(document["max_bytes"]):
                    return self._reject(document, self._too_big(document), sha256=None, etag=head["ETag"])
                finding = inspect_isolated(path, list(document["formats"]), document["filename"])
            logger.info(
                "document inspected",
                extra={
                    "document_id": document["document_id"],
                    "accepted": finding.accepted,
                    "seconds": finding.seconds,
                    "peak_memory_bytes": finding.peak_memory_bytes,
                },
            )
            if not finding.accepted:
                return self._reject(document, finding.reason or "Ficheiro recusado.", sha256=sha256, etag=head["ETag"])
            return self._accept(document, head["ETag"], sha256, size, {"format": finding.format, **finding.details})
        except self.s3.exceptions.ClientError:
            # The S3 event and the workflow may inspect the same file at once: the one that finished
            # first moved it out of quarantine. Its verdict stands; anything else is retried.
            current = self.documents.get(document["process_id"], document["document_id"])
            if current["status"] != DocumentStatus.AWAITING:
                return current
            raise

    def _policy_refusal(self, document: dict[str, Any], head: dict[str, Any]) -> str | None:
        """What S3's POST policy would have refused, checked again on the stored object."""
        if head["ContentLength"] > int(document["max_bytes"]):
            return self._too_big(document)
        if head["ContentLength"] == 0:
            return "O ficheiro está vazio."
        expires_at = document.get("expires_at")
        grace = timedelta(seconds=get_settings().upload_grace_seconds)
        if expires_at and iso(head["LastModified"] - grace) > expires_at:
            return "O ficheiro chegou depois de o formulário de envio expirar (15 minutos). Peça um novo envio."
        if head.get("ContentType") != document["content_type"]:
            return (
                "O envio não respeitou o formulário (tipo de conteúdo diferente do pedido). "
                "Peça um novo envio e não altere o formulário."
            )
        return None

    @staticmethod
    def _too_big(document: dict[str, Any]) -> str:
        return f"O ficheiro excede o tamanho máximo de {megabytes(int(document['max_bytes']))} deste documento."

    def _download(self, document: dict[str, Any], etag: str, path: str) -> tuple[str, int]:
        """Stream the object to ``path`` (never whole in memory), hashing as it goes, and stop one
        chunk past the slot's maximum. ``IfMatch``: exactly the object whose head was read."""
        body = self.s3.get_object(Bucket=aws.bucket_name("uploads"), Key=document["quarantine_key"], IfMatch=etag)[
            "Body"
        ]
        digest, size, limit = hashlib.sha256(), 0, int(document["max_bytes"])
        with open(path, "wb") as out:
            for chunk in body.iter_chunks(CHUNK):
                digest.update(chunk)
                out.write(chunk)
                size += len(chunk)
                if size > limit:
                    break
        body.close()
        return digest.hexdigest(), size

    def _accept(
        self, document: dict[str, Any], etag: str, sha256: str, size: int, inspection: dict[str, Any]
    ) -> dict[str, Any]:
        # Stored under the extension and the content type of the format found, whatever was declared.
        kind = inspection["format"]
        filename = stored_filename(document["filename"], kind)
        stored_key = f"{document['process_id']}/{document['document_id']}/{filename}"
        uploads = aws.bucket_name("uploads")
        # Copied by S3 itself (no bytes through the Lambda), and only if it is still the object inspected.
        self.s3.copy_object(
            Bucket=aws.bucket_name("documents"),
            Key=stored_key,
            CopySource={"Bucket": uploads, "Key": document["quarantine_key"]},
            CopySourceIfMatch=etag,
            MetadataDirective="REPLACE",
            Metadata={"sha256": sha256},
            ContentType=CONTENT_TYPES[kind],
        )
        # The earlier version is marked replaced before the new one reads as accepted, so no reader
        # ever sees both as current.
        if document.get("replaces"):
            self._supersede(document["process_id"], document["replaces"], document["document_id"])
        # Record first, then delete: no moment where the file is in neither place nor recorded.
        updated = self._finish(
            document,
            DocumentStatus.ACCEPTED,
            sha256=sha256,
            size=size,
            stored_key=stored_key,
            inspection=inspection,
            filename=filename,
        )
        self._clear_quarantine(document, etag)
        self.audit.record(
            SYSTEM,
            "document.accepted",
            f"process#{document['process_id']}",
            document_id=document["document_id"],
            sha256=sha256,
        )
        return updated

    def _clear_quarantine(self, document: dict[str, Any], etag: str) -> None:
        """Delete the inspected file from quarantine, and only that file: a second file posted with
        the same form after the verdict was recorded stays for its own event, which discards it
        and audits that (an unconditional delete here would remove it unaudited)."""
        try:
            self.s3.delete_object(Bucket=aws.bucket_name("uploads"), Key=document["quarantine_key"], IfMatch=etag)
        except self.s3.exceptions.ClientError as error:
            # 412: another file is there now; 404: already gone; 409: a concurrent PUT or DELETE won.
            # Each leaves the quarantine to the event of whatever file is (or is no longer) there.
            if error.response.get("ResponseMetadata", {}).get("HTTPStatusCode") not in (404, 409, 412):
                raise

    def _supersede(self, process_id: str, old_id: str, new_id: str) -> None:
        try:
            self.table.update_item(
                Key={"process_id": process_id, "document_id": old_id},
                UpdateExpression="SET superseded_by = :new, superseded_at = :at",
                ConditionExpression="attribute_exists(document_id) AND attribute_not_exists(superseded_by)",
                ExpressionAttributeValues={":new": new_id, ":at": iso()},
            )
        except self.table.meta.client.exceptions.ConditionalCheckFailedException:
            return  # a repeated event: already recorded
        self.audit.record(SYSTEM, "document.replaced", f"process#{process_id}", document_id=old_id, by=new_id)

    def _reject(self, document: dict[str, Any], reason: str, sha256: str | None, etag: str) -> dict[str, Any]:
        updated = self._finish(document, DocumentStatus.REJECTED, reason=reason, sha256=sha256)
        self._clear_quarantine(document, etag)
        self.audit.record(
            SYSTEM,
            "document.rejected",
            f"process#{document['process_id']}",
            document_id=document["document_id"],
            reason=reason,
        )
        return updated

    def _finish(self, document: dict[str, Any], status: str, **values: Any) -> dict[str, Any]:
        values = {k: v for k, v in values.items() if v is not None}
        values["status"] = status
        values["inspected_at"] = iso()
        names = {f"#{k}": k for k in values}
        try:
            result = self.table.update_item(
                Key={"process_id": document["process_id"], "document_id": document["document_id"]},
                UpdateExpression="SET " + ", ".join(f"#{k} = :{k}" for k in values),
                ConditionExpression="#status = :awaiting",
                ExpressionAttributeNames=names,
                ExpressionAttributeValues={
                    **{f":{k}": v for k, v in values.items()},
                    ":awaiting": DocumentStatus.AWAITING,
                },
                ReturnValues="ALL_NEW",
            )
        except self.table.meta.client.exceptions.ConditionalCheckFailedException:
            return self.documents.get(document["process_id"], document["document_id"])  # a concurrent delivery won
        return result["Attributes"]

    # -- reading the stored files -------------------------------------------------------------------
