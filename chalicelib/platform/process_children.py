"""What hangs off a process, listed by key on the process item itself: its documents, tasks and
messages live in three tables, so a view that queried each paid three Queries; with their keys on
the process, the view reads them all, and the parties' accounts, in one BatchGetItem. (Notifications
are not listed: they are written by functions that may not write processes, and by notifiers that
know nothing of processes; staff's view queries them by the ``by_process`` index.)

Every writer of such an item links it here, in the transaction that writes it (``link``, or
``add_clause`` inside an update of the process that transaction already makes: DynamoDB allows one
operation per item in a transaction). A process whose lists are complete says so (``LISTED``): every
process created since the lists. An older one is read the old way, one Query per table."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from chalicelib.platform import aws

# table -> the process item's string set of the keys of its items under this process
LISTS = {
    "documents": "document_ids",
    "tasks": "task_ids",
    "messages": "message_ids",
}
LISTED = "children_listed"


def add_clause(table: str, placeholder: str) -> tuple[str, dict[str, str]]:
    """``ADD #<set> <placeholder>`` and its attribute name, for an update of the process that also
    adds the new item's key (the caller supplies ``placeholder`` as ``{the key}``, a set)."""
    name = f"#{LISTS[table]}"
    return f"{name} {placeholder}", {name: LISTS[table]}


def link(process_id: str, table: str, child_id: str) -> dict[str, Any]:
    """A TransactWriteItems item that adds ``child_id`` to the process's list for ``table``; it fails
    (and with it the transaction) if the process does not exist, so no stub process is ever made."""
    clause, names = add_clause(table, ":child")
    return {
        "Update": {
            "TableName": aws.table("processes").name,
            "Key": {"process_id": process_id},
            "UpdateExpression": f"ADD {clause}",
            "ConditionExpression": "attribute_exists(process_id)",
            "ExpressionAttributeNames": names,
            "ExpressionAttributeValues": {":child": {child_id}},
        }
    }


def document_link(process_id: str) -> Callable[[str], dict[str, Any]]:
    """What ``Documents.upload_slot`` adds to its transaction for a document of this process."""
    return lambda document_id: link(process_id, "documents", document_id)


def is_listed(process: dict[str, Any]) -> bool:
    return bool(process.get(LISTED))


def keys(process: dict[str, Any], table: str) -> list[dict[str, Any]]:
    """The keys, in ``table``, of the process's items there (sorted as a Query by key returns them)."""
    process_id = process["process_id"]
    ids = sorted(process.get(LISTS[table]) or ())
    if table == "documents":
        return [{"process_id": process_id, "document_id": i} for i in ids]
    if table == "tasks":
        return [{"process_id": process_id, "task_id": i} for i in ids]
    return [{"thread": f"process#{process_id}", "message_id": i} for i in ids]
