"""The application's audit trail: who did what to which account or process, when, from where.

Every state change of an account or process writes one event. Events are append-only; an auditor reads
them per subject (``process#<id>``, ``user#<id>``) or per actor.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from chalicelib.kernel.clock import iso
from chalicelib.kernel.inject import Injected
from chalicelib.kernel.retention import purge_at
from chalicelib.platform import aws


@dataclass(frozen=True)
class Actor:
    """Who acts: a user id (citizen or staff), or ``system:<function>`` for the workflow."""

    id: str
    source_ip: str | None = None


SYSTEM = Actor("system:workflow")


class AuditTrail:
    def __init__(self, table: Any = None):
        self._table = table

    table = Injected(lambda self: aws.table("audit"))

    def record(self, actor: Actor, action: str, subject: str, **details: Any) -> dict[str, Any]:
        event = self.event(actor, action, subject, **details)
        self.table.put_item(Item=event)
        return event

    def record_all(self, events: list[dict[str, Any]]) -> None:
        """Events made with ``event``, written in one call: a PutItem for one, else a BatchWriteItem (one
        per 25, and again for what DynamoDB leaves unprocessed), so a reading recorded for each citizen
        it is about costs one call, not one per citizen. Each event's id is new: none overwrites another."""
        if len(events) == 1:
            self.table.put_item(Item=events[0])
            return
        with self.table.batch_writer() as batch:
            for event in events:
                batch.put_item(Item=event)

    @staticmethod
    def event(actor: Actor, action: str, subject: str, **details: Any) -> dict[str, Any]:
        """The event, not yet written (``record`` writes it; ``put`` makes it a transaction's item)."""
        at = iso()
        return {
            "subject": subject,
            "event_id": f"{at}#{uuid.uuid4().hex[:12]}",
            "at": at,
            "actor": actor.id,
            "source_ip": actor.source_ip or "-",
            "action": action,
            "details": {k: v for k, v in details.items() if v is not None},
            "purge_at": purge_at("audit_events"),  # chalicelib/retention.json
        }

    def put(self, actor: Actor, action: str, subject: str, **details: Any) -> dict[str, Any]:
        """The event as an item of a TransactWriteItems: written with the change it records, or
        neither is (never a change without its event, nor an event of a change that did not happen)."""
        event = self.event(actor, action, subject, **details)
        return {
            "Put": {
                "TableName": self.table.name,
                "Item": event,
                "ConditionExpression": "attribute_not_exists(event_id)",
            }
        }

    def with_change(self, update: dict[str, Any], table: Any, event: dict[str, Any]) -> None:
        """One UpdateItem (``update``: its arguments, on ``table``) and its audit event (``put``), in
        one transaction. A condition of the update that fails raises ``ConditionalCheckFailedException``
        as the UpdateItem alone would."""
        client = table.meta.client
        try:
            client.transact_write_items(TransactItems=[{"Update": {"TableName": table.name, **update}}, event])
        except client.exceptions.TransactionCanceledException as error:
            reasons = error.response.get("CancellationReasons") or []
            if reasons and reasons[0].get("Code") == "ConditionalCheckFailed":
                raise client.exceptions.ConditionalCheckFailedException(
                    {"Error": {"Code": "ConditionalCheckFailedException", "Message": "The conditional request failed"}},
                    "TransactWriteItems",
                ) from error
            raise

    def for_subject(self, subject: str, limit: int = 200) -> list[dict[str, Any]]:
        from boto3.dynamodb.conditions import Key

        response = self.table.query(KeyConditionExpression=Key("subject").eq(subject), Limit=limit)
        return response["Items"]
