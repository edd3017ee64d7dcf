"""The processes table: reading a process, and the one writer of its ``status``.

A request starts as a draft (``rascunho``) and becomes a process when submitted
(``chalicelib.processes.submission``); statuses are ``chalicelib.kernel.vocabulary.ProcessStatus``.
Every write of ``status`` also writes ``organ_status`` (``CAMARA#em_apreciacao``): the key of the
``by_organ_status_deadline`` index that serves the staff queue filtered by status. So no code writes
``status`` by hand: ``status_update`` builds the one UpdateItem (or a transaction's Update) that
moves a process, with both attributes, whatever else the write records.
"""

from __future__ import annotations

from typing import Any

from chalicelib.kernel.clock import now
from chalicelib.kernel.errors import NotFound
from chalicelib.kernel.inject import Injected
from chalicelib.kernel.vocabulary import ProcessStatus, organ_status
from chalicelib.platform import aws
from chalicelib.platform.audit import SYSTEM, Actor, AuditTrail
from chalicelib.platform.dynamo import condition_failed, get_with_session
from chalicelib.processes.access import require_staff_act, require_visible


def process_id_for(number: str) -> str:
    """``CAMARA 2026/000001`` → a URL-safe reference, ``CAMARA-2026-000001``."""
    return number.replace(" ", "-").replace("/", "-")


def status_update(
    process_id: str,
    organ: str,
    status: str,
    *,
    condition: str | None = None,
    sets: str = "",
    removes: str = "",
    adds: str = "",
    names: dict[str, str] | None = None,
    values: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The arguments of one UpdateItem (``table.update_item(**...)``, or a transaction's ``Update``
    with its ``TableName``) that moves a process to ``status``: ``status`` and ``organ_status``
    together, plus the caller's ``sets`` (``a = :a, b = :b``), ``removes`` (``x, y``) and ``adds``
    (``#set :v``: a key into one of ``process_children``'s lists); the
    placeholders ``#status``, ``:status`` and ``:organ_status`` are taken."""
    expression = "SET #status = :status, organ_status = :organ_status" + (f", {sets}" if sets else "")
    if removes:
        expression += f" REMOVE {removes}"
    if adds:
        expression += f" ADD {adds}"
    update: dict[str, Any] = {
        "Key": {"process_id": process_id},
        "UpdateExpression": expression,
        "ExpressionAttributeNames": {"#status": "status", **(names or {})},
        "ExpressionAttributeValues": {
            ":status": status,
            ":organ_status": organ_status(organ, status),
            **(values or {}),
        },
    }
    if condition:
        update["ConditionExpression"] = condition
    return update


def status_in(statuses: tuple[str, ...], prefix: str = ":s") -> tuple[str, dict[str, str]]:
    """A condition ``#status IN (...)`` and its values."""
    values = {f"{prefix}{i}": status for i, status in enumerate(statuses)}
    return "#status IN (" + ", ".join(values) + ")", values


def _existing(item: dict[str, Any] | None) -> dict[str, Any]:
    # DynamoDB deletes expired items within days, not at once: an expired draft is already gone
    if item is None or (item["status"] == ProcessStatus.DRAFT and is_expired(item)):
        raise NotFound("Processo desconhecido.", field="process_id")
    return item


class Processes:
    """The repository of process items (drafts included)."""

    table = Injected(lambda self: aws.table("processes"))

    def __init__(self, table: Any = None, audit: AuditTrail | None = None):
        self._table = table
        self.audit = audit or AuditTrail()

    def get(self, process_id: str, session: Any = None) -> dict[str, Any]:
        """The process (404 if there is none); taken from what was read with ``session`` in its round
        trip (``Sessions.resolve(also=...)``) when it was, else read now."""
        return _existing(get_with_session(session, self.table, {"process_id": process_id}))

    def get_for(self, process_id: str, session: Any) -> dict[str, Any]:
        """The process, if this caller may see it (``chalicelib.processes.access``)."""
        return require_visible(self.get(process_id, session), session)

    def for_staff(
        self, process_id: str, session: Any, roles: tuple[str, ...], action: str, roles_message: str | None = None
    ) -> dict[str, Any]:
        """The process, if this staff member may act on it (``chalicelib.processes.access``)."""
        return require_staff_act(self.get(process_id), session, roles, action, roles_message)

    def set_status(self, process_id: str, status: str, expected: str, actor: Actor = SYSTEM) -> bool:
        """Move the process from ``expected`` to ``status``, audited as ``process.<status>`` in the same
        transaction; False when it was not in ``expected`` (someone else moved it first)."""
        organ = self.get(process_id)["service_organ"]
        try:
            self.audit.with_change(
                status_update(
                    process_id, organ, status, condition="#status = :expected", values={":expected": expected}
                ),
                self.table,
                self.audit.put(actor, f"process.{status}", f"process#{process_id}"),
            )
        except condition_failed(self.table):
            return False
        return True


def is_expired(item: dict[str, Any]) -> bool:
    """A draft past its TTL (``expires_at``, epoch seconds), which DynamoDB has yet to delete."""
    return bool(int(item.get("expires_at", 0) or 0)) and int(item["expires_at"]) < now().timestamp()
