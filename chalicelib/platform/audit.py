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
        at = iso()
        event = {
            "subject": subject,
            "event_id": f"{at}#{uuid.uuid4().hex[:12]}",
            "at": at,
            "actor": actor.id,
            "source_ip": actor.source_ip or "-",
            "action": action,
            "details": {k: v for k, v in details.items() if v is not None},
        }
        self.table.put_item(Item=event)
        return event

    def for_subject(self, subject: str, limit: int = 200) -> list[dict[str, Any]]:
        from boto3.dynamodb.conditions import Key

        response = self.table.query(KeyConditionExpression=Key("subject").eq(subject), Limit=limit)
        return response["Items"]
