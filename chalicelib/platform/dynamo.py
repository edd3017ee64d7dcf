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


BATCH_KEYS = 100  # what one BatchGetItem may ask for


def batch_get(wanted: list[tuple[Any, dict[str, Any], bool]]) -> list[dict[str, Any] | None]:
    """Items of one or several tables in one round trip (BatchGetItem): for each ``(table, key,
    consistent)`` the item, or None where there is none, in the order asked. A table is read
    strongly consistent if any of its keys asks so. Keys DynamoDB leaves unprocessed (throttling)
    are asked again, and more than BATCH_KEYS keys take one call per BATCH_KEYS: the only cases of
    more than one call."""
    # a table resource's client (de)serializes the items itself, as the table's own methods do
    consistent_tables = {table.name for table, _, consistent in wanted if consistent}
    unique = list({(table.name, key_text(key)): (table.name, key) for table, key, _ in wanted}.values())
    found: dict[str, list[dict[str, Any]]] = {name: [] for name, _ in unique}
    client = wanted[0][0].meta.client if wanted else None
    for start in range(0, len(unique), BATCH_KEYS):
        request: dict[str, dict[str, Any]] = {}
        for name, key in unique[start : start + BATCH_KEYS]:
            entry = request.setdefault(name, {"Keys": [], "ConsistentRead": name in consistent_tables})
            entry["Keys"].append(key)
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


def get_with_session(session: Any, table: Any, key: dict[str, Any], consistent: bool = False) -> dict[str, Any] | None:
    """The item at ``key`` of ``table``: as read with the caller's session in its round trip
    (``prefetched_item``) when it was, else read now (one GetItem)."""
    read, item = prefetched_item(session, table, key)
    return item if read else table.get_item(Key=key, ConsistentRead=consistent).get("Item")


def prefetched_item(session: Any, table: Any, key: dict[str, Any]) -> tuple[bool, dict[str, Any] | None]:
    """(whether it was read, the item or None) for ``key`` of ``table``, among the items read with the
    caller's session in one round trip (``Sessions.resolve(also=...)``, ``Session.prefetched``)."""
    known = getattr(session, "prefetched", None)
    if not known:
        return (False, None)
    by_key = known.get(table.name, {})
    text = key_text(key)
    return (text in by_key, by_key.get(text))
