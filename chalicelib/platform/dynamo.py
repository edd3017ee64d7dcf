"""DynamoDB idioms written once: the atomic counter, and telling a conditional write that lost from
any other failure."""

from __future__ import annotations

from typing import Any


def next_value(counters: Any, counter: str) -> int:
    """One more on ``counter`` in the counters table, atomically (ADD): each caller gets its own value."""
    result = counters.update_item(
        Key={"counter": counter},
        UpdateExpression="ADD #value :one",
        ExpressionAttributeNames={"#value": "value"},
        ExpressionAttributeValues={":one": 1},
        ReturnValues="UPDATED_NEW",
    )
    return int(result["Attributes"]["value"])


def condition_failed(table: Any) -> type[Exception]:
    """The exception a conditional write on ``table`` raises when its condition does not hold."""
    return table.meta.client.exceptions.ConditionalCheckFailedException
