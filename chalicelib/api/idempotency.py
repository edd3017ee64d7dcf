"""Idempotency keys for the staff actions: a script that retries a call after a timeout (or a double
click) gets the first call's answer again instead of acting twice.

A record per (caller, route, key), stored under the SHA-256 of the three, holds a hash of the request
body and, once the action succeeded, its response. The first call writes the record conditionally (so
two concurrent calls cannot both act), acts, then stores the response; a replay returns it; the same
key with another body is a 422. A call that fails (any 4xx) forgets its record, so the caller can fix
the request and retry with the same key. Records expire (DynamoDB TTL) after a day.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass
from typing import Any

from chalicelib.kernel.errors import Conflict, ValidationFailed
from chalicelib.kernel.inject import Injected
from chalicelib.platform import aws

HEADER = "Idempotency-Key"
RECORD_TTL_SECONDS = 24 * 3600
# A call still "in progress" after this long died mid-way (Lambda timeout): the key may be reused.
IN_PROGRESS_SECONDS = 60
MAX_KEY_LENGTH = 255


@dataclass(frozen=True)
class StoredResponse:
    status: int
    body: str
    headers: dict[str, str]


def body_hash(raw_body: bytes | str | None) -> str:
    """The request body's fingerprint; JSON is compared by meaning (key order and spacing ignored)."""
    raw = raw_body.encode() if isinstance(raw_body, str) else (raw_body or b"")
    try:
        raw = json.dumps(json.loads(raw), sort_keys=True, separators=(",", ":")).encode()
    except (ValueError, UnicodeDecodeError):
        pass
    return hashlib.sha256(raw).hexdigest()


class Idempotency:
    def __init__(self, table: Any = None):
        self._table = table

    table = Injected(lambda self: aws.table("idempotency"))

    @staticmethod
    def record_key(key: str, caller: str, route: str) -> str:
        if not key or len(key) > MAX_KEY_LENGTH or not key.isprintable():
            raise ValidationFailed(f"O {HEADER} deve ter entre 1 e {MAX_KEY_LENGTH} caracteres visíveis.", field=HEADER)
        return hashlib.sha256(f"{caller}\n{route}\n{key}".encode()).hexdigest()

    def begin(self, record_key: str, request_hash: str) -> StoredResponse | None:
        """Claim the key for this call (None: go ahead and act), or the stored response of the call
        that already used it. 422 if it was used with another body; 409 while that call still runs."""
        now = int(time.time())
        client = self.table.meta.client
        try:
            self.table.put_item(
                Item={
                    "record_key": record_key,
                    "request_hash": request_hash,
                    "state": "in_progress",
                    "in_progress_until": now + IN_PROGRESS_SECONDS,
                    "expires_at": now + RECORD_TTL_SECONDS,
                },
                ConditionExpression="attribute_not_exists(record_key) OR expires_at < :now "
                "OR (#state = :in_progress AND in_progress_until < :now)",
                ExpressionAttributeNames={"#state": "state"},
                ExpressionAttributeValues={":now": now, ":in_progress": "in_progress"},
            )
            return None
        except client.exceptions.ConditionalCheckFailedException:
            pass
        record = self.table.get_item(Key={"record_key": record_key}, ConsistentRead=True).get("Item") or {}
        if record.get("request_hash") != request_hash:
            raise ValidationFailed(f"Este {HEADER} já foi usado com outro pedido; use uma chave nova.", field=HEADER)
        if record.get("state") != "done":
            raise Conflict(f"Um pedido com este {HEADER} ainda está em curso; repita dentro de momentos.", field=HEADER)
        return StoredResponse(int(record["status"]), record["body"], dict(record.get("headers", {})))

    def complete(self, record_key: str, response: StoredResponse) -> None:
        self.table.update_item(
            Key={"record_key": record_key},
            UpdateExpression="SET #state = :done, #status = :status, body = :body, headers = :headers",
            ExpressionAttributeNames={"#state": "state", "#status": "status"},
            ExpressionAttributeValues={
                ":done": "done",
                ":status": response.status,
                ":body": response.body,
                ":headers": response.headers,
            },
        )

    def abandon(self, record_key: str) -> None:
        self.table.delete_item(Key={"record_key": record_key})
