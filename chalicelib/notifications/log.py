"""The ``notifications`` table: one item per notification, its status the proof of delivery
(``queued`` → ``sending`` → ``sent`` | ``temporary_failure`` | ``permanent_failure``), read per
process, per account, per organ's postal queue and by when a retry is due."""

from __future__ import annotations

import hashlib
import time
from typing import Any

from chalicelib.kernel.clock import iso
from chalicelib.kernel.errors import Conflict
from chalicelib.kernel.inject import Injected
from chalicelib.kernel.retention import purge_at
from chalicelib.notifications.templates import LETTER
from chalicelib.platform import aws
from chalicelib.platform.errors import error_code

QUEUED, SENDING, SENT = "queued", "sending", "sent"
TEMPORARY_FAILURE, PERMANENT_FAILURE = "temporary_failure", "permanent_failure"
FINAL = (SENT, PERMANENT_FAILURE)
LEASE_SECONDS = 120  # longer than one invocation's attempts; a worker that dies frees it after this
RETRY_QUEUE = "due"  # the one partition of the by_retry index: undelivered messages by next attempt
LOG_FIELDS = (
    "notification_id",
    "channel",
    "recipient",
    "template",
    "language",
    "status",
    "created_at",
    "updated_at",
    "sent_at",
    "attempts",
    "provider_message_id",
    "error_code",
    "error_message",
    "process_id",
    "account_id",
    "retry_at",
    "letter_key",
    "posted_by",
)


def notification_id_for(key: str) -> str:
    return "n_" + hashlib.sha256(key.encode()).hexdigest()[:32]


class NotificationLog:
    """The ``notifications`` table: one item per notification, its status the proof of delivery."""

    def __init__(self, table: Any = None):
        self._table = table

    table = Injected(lambda self: aws.table("notifications"))

    def get(self, notification_id: str) -> dict[str, Any] | None:
        return self.table.get_item(Key={"notification_id": notification_id}, ConsistentRead=True).get("Item")

    def create(self, item: dict[str, Any]) -> tuple[dict[str, Any], bool]:
        """Write the notification once; (item, created). An existing one is returned untouched. It goes
        when the retention schedule says (``purge_at``, the table's TTL)."""
        item = {"purge_at": purge_at("notifications"), **item}
        try:
            self.table.put_item(Item=item, ConditionExpression="attribute_not_exists(notification_id)")
        except self.table.meta.client.exceptions.ConditionalCheckFailedException:
            return self.get(item["notification_id"]) or item, False
        return item, True

    def lease(self, notification_id: str) -> dict[str, Any] | None:
        """Take the right to send this notification now, or None if it is sent, given up, or being
        sent by another worker whose lease has not run out."""
        moment = int(time.time())
        try:
            result = self.table.update_item(
                Key={"notification_id": notification_id},
                UpdateExpression="SET #status = :sending, lease_until = :until, updated_at = :at",
                ConditionExpression="#status IN (:queued, :temporary) OR (#status = :sending AND lease_until < :now)",
                ExpressionAttributeNames={"#status": "status"},
                ExpressionAttributeValues={
                    ":sending": SENDING,
                    ":until": moment + LEASE_SECONDS,
                    ":at": iso(),
                    ":queued": QUEUED,
                    ":temporary": TEMPORARY_FAILURE,
                    ":now": moment,
                },
                ReturnValues="ALL_NEW",
            )
        except self.table.meta.client.exceptions.ConditionalCheckFailedException:
            return None
        return result["Attributes"]

    def finish(
        self,
        notification_id: str,
        status: str,
        attempts: int,
        *,
        message_id: str | None = None,
        error: BaseException | None = None,
        retry_at: str | None = None,
    ) -> dict[str, Any]:
        at = iso()
        names = {"#status": "status"}
        values: dict[str, Any] = {":status": status, ":at": at, ":attempts": attempts, ":sending": SENDING}
        sets = ["#status = :status", "updated_at = :at"]
        removes = ["lease_until"]
        if status == SENT:
            sets += ["provider_message_id = :mid", "sent_at = :at"]
            values[":mid"] = message_id
            removes += ["payload", "retry_queue", "retry_at", "error_code", "error_message"]
        else:
            sets += ["error_code = :code", "error_message = :message"]
            values[":code"] = error_code(error) if error else "desconhecido"
            values[":message"] = str(error)[:500] if error else ""
            if status == TEMPORARY_FAILURE and retry_at:
                sets += ["retry_queue = :queue", "retry_at = :retry_at"]
                values.update({":queue": RETRY_QUEUE, ":retry_at": retry_at})
            else:
                removes += ["payload", "retry_queue", "retry_at"]
        result = self.table.update_item(
            Key={"notification_id": notification_id},
            UpdateExpression=f"SET {', '.join(sets)} ADD attempts :attempts REMOVE {', '.join(removes)}",
            ConditionExpression="#status = :sending",
            ExpressionAttributeNames=names,
            ExpressionAttributeValues=values,
            ReturnValues="ALL_NEW",
        )
        return result["Attributes"]

    def mark_posted(self, notification_id: str, by: str) -> dict[str, Any]:
        try:
            result = self.table.update_item(
                Key={"notification_id": notification_id},
                UpdateExpression="SET #status = :sent, sent_at = :at, updated_at = :at, posted_by = :by REMOVE postal_queue, payload",
                ConditionExpression="#status = :queued AND channel = :letter",
                ExpressionAttributeNames={"#status": "status"},
                ExpressionAttributeValues={
                    ":sent": SENT,
                    ":at": iso(),
                    ":by": by,
                    ":queued": QUEUED,
                    ":letter": LETTER,
                },
                ReturnValues="ALL_NEW",
            )
        except self.table.meta.client.exceptions.ConditionalCheckFailedException:
            raise Conflict("Esta carta já foi dada como enviada.", field="status") from None
        return result["Attributes"]

    def _query(
        self, index: str, key: str, value: str, limit: int, newest_first: bool = True, **condition: Any
    ) -> list[dict[str, Any]]:
        from boto3.dynamodb.conditions import Key

        expression = Key(key).eq(value)
        for range_key, upper in condition.items():
            expression = expression & Key(range_key).lte(upper)
        response = self.table.query(
            IndexName=index, KeyConditionExpression=expression, Limit=limit, ScanIndexForward=not newest_first
        )
        return response["Items"]

    def for_process(self, process_id: str, limit: int = 100) -> list[dict[str, Any]]:
        return self._query("by_process", "process_id", process_id, limit)

    def for_account(self, account_id: str, limit: int = 100) -> list[dict[str, Any]]:
        return self._query("by_account", "account_id", account_id, limit)

    def postal_queue(self, organ: str, limit: int = 100) -> list[dict[str, Any]]:
        """Letters of an organ awaiting print, oldest first."""
        return self._query("by_postal_queue", "postal_queue", organ, limit, newest_first=False)

    def due_for_retry(self, moment: str, limit: int = 25) -> list[dict[str, Any]]:
        return self._query("by_retry", "retry_queue", RETRY_QUEUE, limit, newest_first=False, retry_at=moment)


def public_entry(item: dict[str, Any]) -> dict[str, Any]:
    """A log entry as staff and auditors see it: never the payload (it may hold a code)."""
    return {k: item.get(k) for k in LOG_FIELDS if item.get(k) is not None}
