"""Documents of a process: upload slots (presigned POST straight to S3, under the quarantine prefix),
inspection of what lands there, versions, and short-lived downloads.

A document's status: ``a_aguardar`` (slot issued, no bytes yet) → ``aceite`` (inspected, copied to the
documents bucket) or ``rejeitado`` (deleted, reason kept for the uploader). Inspection is idempotent:
S3 delivers events at least once.

An upload slot is for one file. S3 enforces the slot's policy (size range, content type, 15 minutes)
in AWS; inspection checks the same three again from the stored object, so the outcome is the same
where a policy is not enforced (moto's S3 does not). Once a slot's file has been inspected, any other
file posted with the same form is deleted unread and the document stays as it was: to send another
file, ask for a new slot (``replaces`` makes it a new version of the document; staff keep seeing the
earlier versions).
"""

from __future__ import annotations

import hashlib
import re
import tempfile
import uuid
from datetime import timedelta
from typing import Any
from urllib.parse import unquote_plus

from chalicelib.catalogue.service import DocumentSlot
from chalicelib.documents.inspection import inspect_isolated
from chalicelib.kernel.clock import iso, now, wall
from chalicelib.kernel.errors import Conflict, NotFound, ValidationFailed
from chalicelib.kernel.inject import Injected
from chalicelib.kernel.log import logger
from chalicelib.kernel.settings import get_settings
from chalicelib.kernel.vocabulary import DocumentStatus
from chalicelib.platform import aws
from chalicelib.platform.audit import SYSTEM, Actor, AuditTrail
from chalicelib.platform.resources import load_resources

CONTENT_TYPES = {
    "pdf": "application/pdf",
    "png": "image/png",
    "jpeg": "image/jpeg",
    "dwg": "image/vnd.dwg",
    "dxf": "image/vnd.dxf",
    "dwfx": "model/vnd.dwfx+xps",
}
CHUNK = 1024 * 1024
# What a citizen (or staff) sees of a document; staff also see its versions.
VIEW_FIELDS = ("document_id", "slot", "filename", "status", "reason", "sha256", "size", "inspected_at", "inspection",
               "version", "replaces", "superseded_by", "task_id")

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def safe_filename(name: str) -> str:
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = _UNSAFE.sub("_", base).strip("._") or "documento"
    return cleaned[-120:]


def quarantine_prefix() -> str:
    return load_resources()["buckets"]["uploads"]["quarantine_prefix"]


def megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):g} MB"


class Documents:
    def __init__(self, table: Any = None, s3: Any = None, audit: AuditTrail | None = None):
        self._table = table
        self._s3 = s3
        self.audit = audit or AuditTrail()

    table = Injected(lambda self: aws.table("documents"))

    s3 = Injected(lambda self: aws.client("s3"))

    def list(self, process_id: str, current_only: bool = False) -> list[dict[str, Any]]:
        """The process's documents; ``current_only`` leaves out versions replaced by a newer one."""
        from boto3.dynamodb.conditions import Key

        items = self.table.query(KeyConditionExpression=Key("process_id").eq(process_id))["Items"]
        return [d for d in items if not d.get("superseded_by")] if current_only else items

    def get(self, process_id: str, document_id: str) -> dict[str, Any]:
        item = self.table.get_item(Key={"process_id": process_id, "document_id": document_id}).get("Item")
        if item is None:
            raise NotFound("Documento desconhecido.", field="document_id")
        return item

    # -- upload slots ---------------------------------------------------------------------------
    def upload_slot(
        self, process_id: str, slot: DocumentSlot, filename: str, content_type: str, actor: Actor,
        replaces: str | None = None, task_id: str | None = None,
    ) -> dict[str, Any]:
        """Issue a presigned POST for one file of ``slot``: quarantine key, size range, content type
        and expiry written into the policy S3 enforces. ``replaces``: the document this file is a new
        version of (same slot; the earlier version stays, for staff). ``task_id``: the pending task
        (pendência, prior hearing) whose answer the file belongs to, once the request is submitted."""
        allowed_types = {CONTENT_TYPES[f] for f in slot.formats}
        if content_type not in allowed_types:
            raise ValidationFailed(
                "Formato não aceite neste documento: " + ", ".join(f.upper() for f in slot.formats) + ".",
                field="content_type",
            )
        version = 1
        if replaces is not None:
            try:
                previous: dict[str, Any] | None = self.get(process_id, replaces)
            except NotFound:
                previous = None
            if previous is None or previous["slot"] != slot.slot:
                raise ValidationFailed("Só pode substituir um documento do mesmo tipo.", field="replaces")
            if previous.get("superseded_by"):
                raise Conflict("Esse documento já foi substituído por uma versão mais recente.", field="replaces")
            version = int(previous.get("version", 1)) + 1
        settings = get_settings()
        issued = now()
        # S3 checks the policy, and inspection the stored object's LastModified, on the real clock
        # (chalicelib.kernel.clock.travel moves only the application's)
        expires_at = wall() + timedelta(seconds=settings.upload_url_expiry_seconds)
        document_id = f"d_{uuid.uuid4().hex}"
        name = safe_filename(filename)
        key = f"{quarantine_prefix()}{process_id}/{document_id}/{name}"
        max_bytes = slot.max_bytes
        post = self.s3.generate_presigned_post(
            Bucket=aws.bucket_name("uploads"),
            Key=key,
            Fields={"Content-Type": content_type},
            Conditions=[{"Content-Type": content_type}, ["content-length-range", 1, max_bytes]],
            ExpiresIn=settings.upload_url_expiry_seconds,
        )
        item = {
            "process_id": process_id,
            "document_id": document_id,
            "slot": slot.slot,
            "filename": name,
            "content_type": content_type,
            "formats": list(slot.formats),
            "max_bytes": max_bytes,
            "quarantine_key": key,
            "status": DocumentStatus.AWAITING,
            "created_at": iso(issued),
            "expires_at": iso(expires_at),
            "uploaded_by": actor.id,
            "version": version,
        }
        if replaces is not None:
            item["replaces"] = replaces
        if task_id is not None:
            item["task_id"] = task_id
        self.table.put_item(Item=item, ConditionExpression="attribute_not_exists(document_id)")
        self.audit.record(actor, "document.slot_issued", f"process#{process_id}", document_id=document_id,
                          slot=slot.slot, replaces=replaces, task_id=task_id)
        return {
            "document_id": document_id,
            "upload": {"url": post["url"], "fields": post["fields"]},
            "max_bytes": max_bytes,
            "expires_in": settings.upload_url_expiry_seconds,
            "expires_at": item["expires_at"],
            "version": version,
        }

    # -- inspection -------------------------------------------------------------------------------
    def inspect_key(self, key: str) -> dict[str, Any] | None:
        """Inspect the object S3 just stored at ``key`` (an ObjectCreated event). Idempotent."""
        key = unquote_plus(key)
        parts = key[len(quarantine_prefix()):].split("/") if key.startswith(quarantine_prefix()) else []
        uploads = aws.bucket_name("uploads")
        if len(parts) != 3:
            logger.warning("object outside any upload slot ignored", extra={"key": key})
            return None
        process_id, document_id, _ = parts
        try:
            document = self.get(process_id, document_id)
        except NotFound:
            logger.warning("object for an unknown document removed", extra={"key": key})
            self.s3.delete_object(Bucket=uploads, Key=key)
            return None
        if document["status"] != DocumentStatus.AWAITING and key == document["quarantine_key"] and self._head(key) is not None:
            # A slot is for one file: a second file posted with the same form is discarded unread.
            self.audit.record(SYSTEM, "document.second_upload_discarded", f"process#{process_id}", document_id=document_id)
            self.s3.delete_object(Bucket=uploads, Key=key)
            return document
        return self.inspect(document)

    def _head(self, key: str) -> dict[str, Any] | None:
        try:
            return self.s3.head_object(Bucket=aws.bucket_name("uploads"), Key=key)
        except self.s3.exceptions.ClientError:
            return None

    def inspect(self, document: dict[str, Any]) -> dict[str, Any]:
        """Inspect the document's file if it has arrived and was not inspected yet."""
        if document["status"] != DocumentStatus.AWAITING:
            return document  # already inspected: a repeated event changes nothing
        head = self._head(document["quarantine_key"])
        if head is None:
            # Nothing uploaded yet, or another inspection (the S3 event's, the workflow's) has just
            # recorded its verdict and moved the file out of quarantine: the stored record says which.
            return self.get(document["process_id"], document["document_id"])
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
            logger.info("document inspected", extra={"document_id": document["document_id"], "accepted": finding.accepted,
                                                      "seconds": finding.seconds, "peak_memory_bytes": finding.peak_memory_bytes})
            if not finding.accepted:
                return self._reject(document, finding.reason or "Ficheiro recusado.", sha256=sha256, etag=head["ETag"])
            return self._accept(document, head["ETag"], sha256, size, {"format": finding.format, **finding.details})
        except self.s3.exceptions.ClientError:
            # The S3 event and the workflow may inspect the same file at once: the one that finished
            # first moved it out of quarantine. Its verdict stands; anything else is retried.
            current = self.get(document["process_id"], document["document_id"])
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
            return ("O envio não respeitou o formulário (tipo de conteúdo diferente do pedido). "
                    "Peça um novo envio e não altere o formulário.")
        return None

    @staticmethod
    def _too_big(document: dict[str, Any]) -> str:
        return f"O ficheiro excede o tamanho máximo de {megabytes(int(document['max_bytes']))} deste documento."

    def _download(self, document: dict[str, Any], etag: str, path: str) -> tuple[str, int]:
        """Stream the object to ``path`` (never whole in memory), hashing as it goes, and stop one
        chunk past the slot's maximum. ``IfMatch``: exactly the object whose head was read."""
        body = self.s3.get_object(Bucket=aws.bucket_name("uploads"), Key=document["quarantine_key"], IfMatch=etag)["Body"]
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

    def _accept(self, document: dict[str, Any], etag: str, sha256: str, size: int, inspection: dict[str, Any]) -> dict[str, Any]:
        stored_key = f"{document['process_id']}/{document['document_id']}/{document['filename']}"
        uploads = aws.bucket_name("uploads")
        # Copied by S3 itself (no bytes through the Lambda), and only if it is still the object inspected.
        self.s3.copy_object(
            Bucket=aws.bucket_name("documents"),
            Key=stored_key,
            CopySource={"Bucket": uploads, "Key": document["quarantine_key"]},
            CopySourceIfMatch=etag,
            MetadataDirective="REPLACE",
            Metadata={"sha256": sha256},
            ContentType=document["content_type"],
        )
        # The earlier version is marked replaced before the new one reads as accepted, so no reader
        # ever sees both as current.
        if document.get("replaces"):
            self._supersede(document["process_id"], document["replaces"], document["document_id"])
        # Record first, then delete: no moment where the file is in neither place nor recorded.
        updated = self._finish(document, DocumentStatus.ACCEPTED, sha256=sha256, size=size, stored_key=stored_key, inspection=inspection)
        self._clear_quarantine(document, etag)
        self.audit.record(SYSTEM, "document.accepted", f"process#{document['process_id']}",
                          document_id=document["document_id"], sha256=sha256)
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
        self.audit.record(SYSTEM, "document.rejected", f"process#{document['process_id']}",
                          document_id=document["document_id"], reason=reason)
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
                ExpressionAttributeValues={**{f":{k}": v for k, v in values.items()}, ":awaiting": DocumentStatus.AWAITING},
                ReturnValues="ALL_NEW",
            )
        except self.table.meta.client.exceptions.ConditionalCheckFailedException:
            return self.get(document["process_id"], document["document_id"])  # a concurrent delivery won
        return result["Attributes"]

    # -- reading the stored files -------------------------------------------------------------------
    def download_url(self, document: dict[str, Any]) -> str:
        """A short-lived presigned GET of an accepted document (the caller checks access and audits)."""
        if document["status"] != DocumentStatus.ACCEPTED:
            raise NotFound("O documento não está disponível.", field="document_id")
        return self.s3.generate_presigned_url(
            "get_object",
            Params={
                "Bucket": aws.bucket_name("documents"),
                "Key": document["stored_key"],
                "ResponseContentDisposition": f'attachment; filename="{document["filename"]}"',
            },
            ExpiresIn=get_settings().download_url_expiry_seconds,
        )

    def stored_sha256(self, document: dict[str, Any]) -> str | None:
        """The SHA-256 of the stored file as it is now, recomputed from its bytes (streamed)."""
        try:
            body = self.s3.get_object(Bucket=aws.bucket_name("documents"), Key=document["stored_key"])["Body"]
        except self.s3.exceptions.NoSuchKey:
            return None
        digest = hashlib.sha256()
        for chunk in body.iter_chunks(CHUNK):
            digest.update(chunk)
        return digest.hexdigest()
