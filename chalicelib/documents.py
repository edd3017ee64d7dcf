"""Documents of a process: upload slots (presigned POST straight to S3, under the quarantine prefix),
inspection of what lands there, and the record of each file.

A document's status: ``a_aguardar`` (slot issued, no bytes yet) → ``aceite`` (inspected, moved to the
documents bucket) or ``rejeitado`` (deleted, reason kept for the uploader). Inspection is idempotent:
S3 delivers events at least once.
"""

from __future__ import annotations

import re
import uuid
from typing import Any
from urllib.parse import unquote_plus

from chalicelib import aws
from chalicelib.audit import SYSTEM, Actor, AuditTrail
from chalicelib.catalogue import DocumentSlot
from chalicelib.clock import iso
from chalicelib.errors import NotFound, ValidationFailed
from chalicelib.inspection import inspect_bytes
from chalicelib.log import logger
from chalicelib.resources import load_resources
from chalicelib.settings import get_settings

AWAITING = "a_aguardar"
ACCEPTED = "aceite"
REJECTED = "rejeitado"

CONTENT_TYPES = {
    "pdf": "application/pdf",
    "png": "image/png",
    "jpeg": "image/jpeg",
    "dwg": "image/vnd.dwg",
    "dxf": "image/vnd.dxf",
    "dwfx": "model/vnd.dwfx+xps",
}

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def safe_filename(name: str) -> str:
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = _UNSAFE.sub("_", base).strip("._") or "documento"
    return cleaned[-120:]


def quarantine_prefix() -> str:
    return load_resources()["buckets"]["uploads"]["quarantine_prefix"]


class Documents:
    def __init__(self, table: Any = None, s3: Any = None, audit: AuditTrail | None = None):
        self._table = table
        self._s3 = s3
        self.audit = audit or AuditTrail()

    @property
    def table(self) -> Any:
        return self._table or aws.table("documents")

    @property
    def s3(self) -> Any:
        return self._s3 or aws.client("s3")

    def list(self, process_id: str) -> list[dict[str, Any]]:
        from boto3.dynamodb.conditions import Key

        return self.table.query(KeyConditionExpression=Key("process_id").eq(process_id))["Items"]

    def get(self, process_id: str, document_id: str) -> dict[str, Any]:
        item = self.table.get_item(Key={"process_id": process_id, "document_id": document_id}).get("Item")
        if item is None:
            raise NotFound("Documento desconhecido.", field="document_id")
        return item

    def upload_slot(
        self, process_id: str, slot: DocumentSlot, filename: str, content_type: str, actor: Actor
    ) -> dict[str, Any]:
        """Issue a presigned POST for one file of ``slot``: quarantine key, size range, content type
        and expiry written into the policy S3 enforces."""
        allowed_types = {CONTENT_TYPES[f] for f in slot.formats}
        if content_type not in allowed_types:
            raise ValidationFailed(
                "Formato não aceite neste documento: " + ", ".join(f.upper() for f in slot.formats) + ".",
                field="content_type",
            )
        settings = get_settings()
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
        self.table.put_item(
            Item={
                "process_id": process_id,
                "document_id": document_id,
                "slot": slot.slot,
                "filename": name,
                "content_type": content_type,
                "formats": list(slot.formats),
                "max_bytes": max_bytes,
                "quarantine_key": key,
                "status": AWAITING,
                "created_at": iso(),
                "uploaded_by": actor.id,
            }
        )
        self.audit.record(actor, "document.slot_issued", f"process#{process_id}", document_id=document_id, slot=slot.slot)
        return {
            "document_id": document_id,
            "upload": {"url": post["url"], "fields": post["fields"]},
            "max_bytes": max_bytes,
            "expires_in": settings.upload_url_expiry_seconds,
        }

    def inspect_key(self, key: str) -> dict[str, Any] | None:
        """Inspect the object S3 just stored at ``key`` (an ObjectCreated event). Idempotent."""
        key = unquote_plus(key)
        parts = key[len(quarantine_prefix()):].split("/") if key.startswith(quarantine_prefix()) else []
        if len(parts) != 3:
            logger.warning("object outside any upload slot ignored", extra={"key": key})
            return None
        process_id, document_id, _ = parts
        try:
            document = self.get(process_id, document_id)
        except NotFound:
            logger.warning("object for an unknown document removed", extra={"key": key})
            self.s3.delete_object(Bucket=aws.bucket_name("uploads"), Key=key)
            return None
        return self.inspect(document)

    def inspect(self, document: dict[str, Any]) -> dict[str, Any]:
        if document["status"] != AWAITING:
            return document  # already inspected: a repeated event changes nothing
        uploads = aws.bucket_name("uploads")
        key = document["quarantine_key"]
        try:
            head = self.s3.head_object(Bucket=uploads, Key=key)
        except self.s3.exceptions.ClientError:
            return document  # nothing uploaded yet
        if head["ContentLength"] > int(document["max_bytes"]):
            finding_reason = f"O ficheiro excede o tamanho máximo de {int(document['max_bytes']) // (1024 * 1024)} MB."
            return self._reject(document, finding_reason, sha256=None)
        data = self.s3.get_object(Bucket=uploads, Key=key)["Body"].read()
        finding = inspect_bytes(data, list(document["formats"]))
        if not finding.accepted:
            return self._reject(document, finding.reason or "Ficheiro recusado.", sha256=finding.sha256)
        stored_key = f"{document['process_id']}/{document['document_id']}/{document['filename']}"
        self.s3.put_object(
            Bucket=aws.bucket_name("documents"),
            Key=stored_key,
            Body=data,
            ContentType=document["content_type"],
            Metadata={"sha256": finding.sha256},
        )
        # Record first, then delete: no moment where the file is in neither place nor recorded.
        updated = self._finish(document, ACCEPTED, sha256=finding.sha256, size=finding.size,
                               stored_key=stored_key, inspection=finding.details)
        self.s3.delete_object(Bucket=uploads, Key=key)
        self.audit.record(SYSTEM, "document.accepted", f"process#{document['process_id']}",
                          document_id=document["document_id"], sha256=finding.sha256)
        return updated

    def _reject(self, document: dict[str, Any], reason: str, sha256: str | None) -> dict[str, Any]:
        updated = self._finish(document, REJECTED, reason=reason, sha256=sha256)
        self.s3.delete_object(Bucket=aws.bucket_name("uploads"), Key=document["quarantine_key"])
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
                ExpressionAttributeValues={**{f":{k}": v for k, v in values.items()}, ":awaiting": AWAITING},
                ReturnValues="ALL_NEW",
            )
        except self.table.meta.client.exceptions.ConditionalCheckFailedException:
            return self.get(document["process_id"], document["document_id"])  # a concurrent delivery won
        return result["Attributes"]

    def download_url(self, document: dict[str, Any]) -> str:
        if document["status"] != ACCEPTED:
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
