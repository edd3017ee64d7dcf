"""Everything held about a person, in one zip (access and portability, GDPR arts. 15 and 20): built by
its own Lambda function (``build_data_export``, run by the ``data_export`` state machine), which only
reads what it gathers and writes only the zip, the export's record and the audit trail.

``dados.json`` holds the account, each process the person is requerente or representante of (its
fields, parties, notification choice with its consents, payment, pending tasks, timeline, documents'
records, messages), the general messages with each organ, the notifications sent, the consents, the
view access granted to the person, the audit events about the account, and who in the services read
their data. ``documentos/`` holds the files: each process's documents and the registration's proofs.

Reads go straight to the tables (not through the repositories, which also write): what the function
reaches is what its IAM role grants (tests/architecture/test_function_access.py).
"""

from __future__ import annotations

import json
import shutil
import tempfile
import zipfile
from decimal import Decimal
from typing import Any

from boto3.dynamodb.conditions import Key

from chalicelib.catalogue.service import load_catalogue
from chalicelib.kernel.clock import iso
from chalicelib.kernel.vocabulary import DocumentStatus, ExportStatus, export_key
from chalicelib.platform import aws
from chalicelib.platform.audit import SYSTEM, AuditTrail
from chalicelib.processes.data_access import READS_PREFIX, public_read
from chalicelib.views.timeline import citizen_timeline

PROOF_OWNER = "registo-"  # the documents table's owner of a registration's proofs (accounts/proof.py)
# What is no one's to read, not even the person's own: secrets and the workflow's handles.
SECRET_MARKS = ("hash", "secret", "token", "totp", "password", "execution_arn", "stored_key", "upload_key")
LIMIT = 500


def _clean(item: Any) -> Any:
    """DynamoDB's values as JSON's, with the secrets left out."""
    if isinstance(item, dict):
        return {k: _clean(v) for k, v in item.items() if not any(mark in k.lower() for mark in SECRET_MARKS)}
    if isinstance(item, list | set | tuple):
        return [_clean(v) for v in item]
    if isinstance(item, Decimal):
        return int(item) if item == item.to_integral_value() else float(item)
    return item


def _query(table: str, **kwargs: Any) -> list[dict[str, Any]]:
    return aws.table(table).query(Limit=LIMIT, **kwargs)["Items"]


class ExportBuilder:
    def __init__(self, audit: AuditTrail | None = None, s3: Any = None):
        self.audit = audit or AuditTrail()
        self.s3 = s3 or aws.client("s3")

    def build(self, user_id: str, export_id: str) -> dict[str, Any]:
        data, files = self.gather(user_id)
        key = export_key(user_id, export_id)
        with tempfile.TemporaryFile() as spool:
            with zipfile.ZipFile(spool, "w", compression=zipfile.ZIP_DEFLATED) as archive:
                archive.writestr("dados.json", json.dumps(_clean(data), ensure_ascii=False, indent=2))
                for name, stored_key in files:
                    body = self.s3.get_object(Bucket=aws.bucket_name("documents"), Key=stored_key)["Body"]
                    with archive.open(name, "w") as out:
                        shutil.copyfileobj(body, out)
            size = spool.tell()
            spool.seek(0)
            self.s3.put_object(Bucket=aws.bucket_name("exports"), Key=key, Body=spool, ContentType="application/zip")
        aws.table("exports").update_item(
            Key={"user_id": user_id, "export_id": export_id},
            UpdateExpression="SET #status = :ready, ready_at = :at, size_bytes = :size, files = :files",
            ExpressionAttributeNames={"#status": "status"},
            ExpressionAttributeValues={":ready": ExportStatus.READY, ":at": iso(), ":size": size, ":files": len(files)},
        )
        self.audit.record(SYSTEM, "account.export_built", f"user#{user_id}", export_id=export_id, files=len(files))
        return {"user_id": user_id, "export_id": export_id, "status": ExportStatus.READY}

    def failed(self, user_id: str, export_id: str) -> dict[str, Any]:
        aws.table("exports").update_item(
            Key={"user_id": user_id, "export_id": export_id},
            UpdateExpression="SET #status = :failed",
            ExpressionAttributeNames={"#status": "status"},
            ExpressionAttributeValues={":failed": ExportStatus.FAILED},
        )
        self.audit.record(SYSTEM, "account.export_failed", f"user#{user_id}", export_id=export_id)
        return {"user_id": user_id, "export_id": export_id, "status": ExportStatus.FAILED}

    def gather(self, user_id: str) -> tuple[dict[str, Any], list[tuple[str, str]]]:
        """What is held about the person, and the files to add (name in the zip, key in S3)."""
        account = aws.table("users").get_item(Key={"pk": f"USER#{user_id}"}).get("Item") or {}
        files: list[tuple[str, str]] = []
        by_id: dict[str, dict[str, Any]] = {}
        for index, key in (("by_requerente", "requerente_id"), ("by_representante", "representante_id")):
            for process in _query("processes", IndexName=index, KeyConditionExpression=Key(key).eq(user_id)):
                by_id[process["process_id"]] = process
        processes = []
        for process in sorted(by_id.values(), key=lambda p: p["created_at"]):
            process_id = process["process_id"]
            folder = (process.get("number") or process_id).replace("/", "-").replace(" ", "_")
            documents = _query("documents", KeyConditionExpression=Key("process_id").eq(process_id))
            files += _files(documents, f"documentos/{folder}")
            events = AuditTrail(table=self.audit.table).for_subject(f"process#{process_id}")
            processes.append(
                {
                    **process,
                    "timeline": citizen_timeline(events),
                    "documents": documents,
                    "pending_tasks": _query("tasks", KeyConditionExpression=Key("process_id").eq(process_id)),
                    "messages": _query("messages", KeyConditionExpression=Key("thread").eq(f"process#{process_id}")),
                }
            )
        proofs = _query("documents", KeyConditionExpression=Key("process_id").eq(f"{PROOF_OWNER}{user_id}"))
        files += _files(proofs, "documentos/registo")
        organs = sorted({service.organ for service in load_catalogue().values() if service.organ})
        general = {
            organ: thread
            for organ in organs
            if (thread := _query("messages", KeyConditionExpression=Key("thread").eq(f"general#{organ}#{user_id}")))
        }
        data = {
            "exported_at": iso(),
            "account": account,
            "registration_proofs": proofs,
            "processes": processes,
            "general_messages": general,
            "notifications": _query(
                "notifications", IndexName="by_account", KeyConditionExpression=Key("account_id").eq(user_id)
            ),
            "consents": _consents(account, processes),
            "view_access_granted_to_me": _query("view_grants", KeyConditionExpression=Key("grantee_id").eq(user_id)),
            "audit_events": [
                _own_event(e, user_id)
                for e in _query("audit", KeyConditionExpression=Key("subject").eq(f"user#{user_id}"))
            ],
            "read_by_staff": [
                public_read(e)
                for e in _query("audit", KeyConditionExpression=Key("subject").eq(f"{READS_PREFIX}{user_id}"))
            ],
        }
        return data, files


def _files(documents: list[dict[str, Any]], folder: str) -> list[tuple[str, str]]:
    return [
        (f"{folder}/{d['document_id']}-{d['filename']}", d["stored_key"])
        for d in documents
        if d.get("status") == DocumentStatus.ACCEPTED and d.get("stored_key")
    ]


def _consents(account: dict[str, Any], processes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The terms accepted at registration, and each electronic channel consented to per process."""
    consents = [{"what": k, "value": v} for k, v in account.items() if k.startswith("terms")]
    for process in processes:
        for channel in (process.get("notification") or {}).get("electronic") or []:
            consents.append({"process_id": process["process_id"], "number": process.get("number"), **channel})
    return consents


def _own_event(event: dict[str, Any], user_id: str) -> dict[str, Any]:
    """An audit event about the account; a staff member's address is theirs, not the citizen's."""
    if event.get("actor") == user_id:
        return event
    return {k: v for k, v in event.items() if k != "source_ip"}
