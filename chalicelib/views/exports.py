"""The account holder's download of everything held about them (access and portability): asked for from
the account page, built in the background (the ``data_export`` state machine runs
``views/export_build.py``), offered by a presigned link valid a few minutes. The request and every
download are audited. An export is kept as chalicelib/retention.json says (the record's TTL, and the
exports bucket's lifecycle rule), then gone; asking again makes a new one.
"""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

from boto3.dynamodb.conditions import Key

from chalicelib.kernel.clock import iso
from chalicelib.kernel.errors import Conflict, NotFound
from chalicelib.kernel.inject import Injected
from chalicelib.kernel.retention import purge_at
from chalicelib.kernel.settings import get_settings
from chalicelib.kernel.vocabulary import ExportStatus, export_key
from chalicelib.platform import aws
from chalicelib.platform.audit import Actor, AuditTrail

LISTED = ("export_id", "status", "requested_at", "requested_epoch", "ready_at", "size_bytes", "files", "expires_at")
# An export still being prepared after this long has failed without saying so: another may be asked.
STALE_SECONDS = 3600


class DataExports:
    table = Injected(lambda self: aws.table("exports"))
    stepfunctions = Injected(lambda self: aws.client("stepfunctions"))
    s3 = Injected(lambda self: aws.client("s3"))

    def __init__(self, table: Any = None, stepfunctions: Any = None, s3: Any = None, audit: AuditTrail | None = None):
        self._table, self._stepfunctions, self._s3 = table, stepfunctions, s3
        self.audit = audit or AuditTrail()

    def of(self, user_id: str) -> list[dict[str, Any]]:
        items = self.table.query(KeyConditionExpression=Key("user_id").eq(user_id), ScanIndexForward=False, Limit=20)
        return [{k: e.get(k) for k in LISTED if e.get(k) is not None} for e in items["Items"]]

    def request(self, user_id: str, source_ip: str | None) -> dict[str, Any]:
        """A new export (409 while one is being prepared)."""
        now = int(time.time())
        for export in self.of(user_id):
            if export["status"] == ExportStatus.PREPARING and now - export["requested_epoch"] < STALE_SECONDS:
                raise Conflict("Já está a ser preparada uma exportação dos seus dados: aguarde.", field="export")
        export_id = f"{time.strftime('%Y%m%dT%H%M%S', time.gmtime(now))}-{uuid.uuid4().hex[:8]}"
        export = {
            "user_id": user_id,
            "export_id": export_id,
            "status": ExportStatus.PREPARING,
            "requested_at": iso(),
            "requested_epoch": now,
            "expires_at": purge_at("exports", now),
        }
        self.table.put_item(Item=export)
        self.audit.record(Actor(user_id, source_ip), "account.export_requested", f"user#{user_id}", export_id=export_id)
        self.stepfunctions.start_execution(
            stateMachineArn=get_settings().state_machine_arn("data_export"),
            name=export_id,
            input=json.dumps({"user_id": user_id, "export_id": export_id}),
        )
        return {k: export[k] for k in LISTED if k in export}

    def download(self, user_id: str, export_id: str, source_ip: str | None) -> dict[str, Any]:
        export = self.table.get_item(Key={"user_id": user_id, "export_id": export_id}).get("Item")
        if export is None or export.get("expires_at", 0) < time.time():
            raise NotFound("Exportação desconhecida ou já apagada.", field="export_id")
        if export["status"] != ExportStatus.READY:
            raise Conflict("A exportação ainda não está pronta.", field="export_id")
        expires_in = get_settings().download_url_expiry_seconds
        filename = f"dados-pessoais-{export_id}.zip"
        url = self.s3.generate_presigned_url(
            "get_object",
            Params={
                "Bucket": aws.bucket_name("exports"),
                "Key": export_key(user_id, export_id),
                "ResponseContentDisposition": f'attachment; filename="{filename}"',
                "ResponseContentType": "application/zip",
            },
            ExpiresIn=expires_in,
        )
        self.audit.record(
            Actor(user_id, source_ip), "account.export_downloaded", f"user#{user_id}", export_id=export_id
        )
        return {"url": url, "filename": filename, "expires_in": expires_in}
