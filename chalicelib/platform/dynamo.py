"""DynamoDB idioms written once: the atomic counter, telling a conditional write that lost from any
other failure, and reading items of several tables in one round trip."""

from __future__ import annotations

import itertools
import time
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


def batch_get(wanted: list[tuple[Any, dict[str, Any], bool]]) -> list[dict[str, Any] | None]:
    """Items of one or several tables in one round trip (BatchGetItem): for each ``(table, key,
    consistent)`` the item, or None where there is none, in the order asked. A table is read
    strongly consistent if any of its keys asks so. Keys DynamoDB leaves unprocessed (throttling)
    are asked again, which is the only case of more than one call."""
    # a table resource's client (de)serializes the items itself, as the table's own methods do
    request: dict[str, dict[str, Any]] = {}
    for table, key, consistent in wanted:
        entry = request.setdefault(table.name, {"Keys": [], "ConsistentRead": False})
        if key not in entry["Keys"]:
            entry["Keys"].append(key)
        entry["ConsistentRead"] = entry["ConsistentRead"] or consistent
    found: dict[str, list[dict[str, Any]]] = {name: [] for name in request}
    client = wanted[0][0].meta.client
    for attempt in itertools.count():
        if attempt:
            time.sleep(min(1.0, 0.05 * 2**attempt))  # AWS's advice for unprocessed keys: back off, then again
        response = client.batch_get_item(RequestItems=request)
        for name, items in response.get("Responses", {}).items():
            found[name] += items
        request = response.get("UnprocessedKeys") or {}
        if not request:
            break

    def item_for(table: Any, key: dict[str, Any]) -> dict[str, Any] | None:
        return next((i for i in found[table.name] if all(i.get(k) == v for k, v in key.items())), None)

    return [item_for(table, key) for table, key, _ in wanted]


def key_text(key: dict[str, Any]) -> str:
    """A key as one string (``a=1|b=x``): what a map of prefetched items is keyed by."""
    return "|".join(f"{name}={key[name]}" for name in sorted(key))


def prefetched_item(session: Any, table: Any, key: dict[str, Any]) -> tuple[bool, dict[str, Any] | None]:
    """(whether it was read, the item or None) for ``key`` of ``table``, among the items read with the
    caller's session in one round trip (``Sessions.resolve(also=...)``, ``Session.prefetched``)."""
    known = getattr(session, "prefetched", None)
    if not known:
        return (False, None)
    by_key = known.get(table.name, {})
    text = key_text(key)
    return (text in by_key, by_key.get(text))
