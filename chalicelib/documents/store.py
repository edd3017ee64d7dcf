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
import unicodedata
import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from chalicelib.catalogue.service import DocumentSlot
from chalicelib.kernel.clock import iso, now, wall
from chalicelib.kernel.errors import Conflict, NotFound, ValidationFailed
from chalicelib.kernel.inject import Injected
from chalicelib.kernel.settings import get_settings
from chalicelib.kernel.vocabulary import DocumentStatus
from chalicelib.platform import aws
from chalicelib.platform.audit import Actor, AuditTrail
from chalicelib.platform.resources import load_resources

CONTENT_TYPES = {
    "pdf": "application/pdf",
    "png": "image/png",
    "jpeg": "image/jpeg",
    "dwg": "image/vnd.dwg",
    "dxf": "image/vnd.dxf",
    "dwfx": "model/vnd.dwfx+xps",
}
# The extension a stored file gets for the format inspection found (a name without it gets it added).
EXTENSION_OF = {"pdf": "pdf", "png": "png", "jpeg": "jpg", "dwg": "dwg", "dxf": "dxf", "dwfx": "dwfx"}
_EXTENSIONS_OF = {"pdf": ("pdf",), "png": ("png",), "jpeg": ("jpg", "jpeg"), "dwg": ("dwg",), "dxf": ("dxf",)}
_EXTENSIONS_OF["dwfx"] = ("dwfx",)
CHUNK = 1024 * 1024
# What a citizen (or staff) sees of a document; staff also see its versions.
VIEW_FIELDS = (
    "document_id",
    "slot",
    "filename",
    "status",
    "reason",
    "sha256",
    "size",
    "inspected_at",
    "inspection",
    "version",
    "replaces",
    "superseded_by",
    "task_id",
)

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
_EXTENSION = re.compile(r"\.([A-Za-z0-9]{1,5})$")
# Characters that change how a name reads without being seen: controls, and format characters such as
# U+202E (right-to-left override: "fatura\u202efdp.exe" shows as "faturaexe.pdf").
_INVISIBLE_CATEGORIES = {"Cc", "Cf", "Co", "Cs", "Zl", "Zp"}


def safe_filename(name: str) -> str:
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = _UNSAFE.sub("_", base).strip("._") or "documento"
    return cleaned[-120:]


def extension(name: str) -> str | None:
    """A name's extension (``.pdf`` → ``pdf``), or None when it has none."""
    match = _EXTENSION.search(name)
    return match.group(1).lower() if match and not match.group(1).isdigit() else None


def checked_filename(name: str, formats: list[str] | tuple[str, ...]) -> str:
    """The name to store a file under, or a ValidationFailed naming what is wrong with it: invisible
    characters are refused (never silently replaced: the uploader must see the name that is kept), and
    an extension must be one of the formats' the slot takes."""
    invisible = [c for c in name if unicodedata.category(c) in _INVISIBLE_CATEGORIES]
    if invisible:
        shown = ", ".join(f"U+{ord(c):04X}" for c in dict.fromkeys(invisible))
        raise ValidationFailed(
            f"O nome do ficheiro tem carateres invisíveis de controlo ou de formatação ({shown}), que podem "
            "disfarçar a sua extensão. Mude o nome do ficheiro e volte a enviá-lo.",
            field="filename",
        )
    safe = safe_filename(name)
    allowed = [e for f in formats for e in _EXTENSIONS_OF.get(f, (f,))]
    found = extension(safe)
    if found is not None and found not in allowed:
        raise ValidationFailed(
            f"O nome do ficheiro termina em .{found}; este documento aceita ficheiros "
            + ", ".join(f".{e}" for e in allowed)
            + ".",
            field="filename",
        )
    return safe


def stored_filename(name: str, kind: str) -> str:
    """``name`` with the extension of the format inspection found (added when it has none)."""
    if extension(name) in _EXTENSIONS_OF.get(kind, (kind,)):
        return name
    return f"{name}.{EXTENSION_OF.get(kind, kind)}"


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
        self,
        process_id: str,
        slot: DocumentSlot,
        filename: str,
        content_type: str,
        actor: Actor,
        replaces: str | None = None,
        task_id: str | None = None,
        listed_with: Callable[[str], dict[str, Any]] | None = None,
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
        name = checked_filename(filename, slot.formats)
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
        issued_event = self.audit.put(
            actor,
            "document.slot_issued",
            f"process#{process_id}",
            document_id=document_id,
            slot=slot.slot,
            replaces=replaces,
            task_id=task_id,
        )
        writes = [
            {
                "Put": {
                    "TableName": self.table.name,
                    "Item": item,
                    "ConditionExpression": "attribute_not_exists(document_id)",
                }
            },
            issued_event,
        ]
        if listed_with is not None:  # the owner's list of its documents (process_children.document_link)
            writes.append(listed_with(document_id))
        self.table.meta.client.transact_write_items(TransactItems=writes)
        return {
            "document_id": document_id,
            "upload": {"url": post["url"], "fields": post["fields"]},
            "max_bytes": max_bytes,
            "expires_in": settings.upload_url_expiry_seconds,
            "expires_at": item["expires_at"],
            "version": version,
        }

    # -- inspection -------------------------------------------------------------------------------
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
                # the type inspection found, not the one the uploader declared
                "ResponseContentType": CONTENT_TYPES.get((document.get("inspection") or {}).get("format"), "")
                or document["content_type"],
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
