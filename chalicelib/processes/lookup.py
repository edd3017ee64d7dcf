"""The public lookup of a process by its number: basic data only, nothing about who asked."""

from __future__ import annotations

from typing import Any

from chalicelib.catalogue.service import get_service
from chalicelib.kernel.errors import NotFound
from chalicelib.platform import aws


def lookup(number: str, table: Any = None) -> dict[str, Any]:
    from boto3.dynamodb.conditions import Key

    table = table or aws.table("processes")
    items = table.query(IndexName="by_number", KeyConditionExpression=Key("number").eq(number), Limit=1)["Items"]
    if not items:
        raise NotFound("Não existe processo com esse número.", field="number")
    process = items[0]
    return {
        "number": process["number"],
        "service": get_service(process["service_id"]).title,
        "organ": process.get("organ"),
        "status": process["status"],
        "submitted_at": process.get("submitted_at"),
        "decision_deadline": process.get("decision_deadline"),
    }
