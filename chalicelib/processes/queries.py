"""Lists of processes, each one Query on an index (never a Scan): a citizen's own (as requerente and
as representante) and an organ's queue, nearest legal deadline first, a page at a time."""

from __future__ import annotations

import base64
import json
from typing import Any

from boto3.dynamodb.conditions import Attr, Key

from chalicelib.catalogue.service import get_service
from chalicelib.kernel.clock import now
from chalicelib.kernel.errors import ValidationFailed
from chalicelib.kernel.inject import Injected
from chalicelib.kernel.vocabulary import ProcessStatus, organ_status
from chalicelib.platform import aws

STATUSES = tuple(ProcessStatus)


class ProcessQueries:
    table = Injected(lambda self: aws.table("processes"))

    def __init__(self, table: Any = None):
        self._table = table

    def list_for_citizen(self, user_id: str, limit: int = 50) -> list[dict[str, Any]]:
        """The caller's drafts and processes: as requerente and as representante, newest first."""
        found: dict[str, dict[str, Any]] = {}
        for index, key in (("by_requerente", "requerente_id"), ("by_representante", "representante_id")):
            response = self.table.query(
                IndexName=index, KeyConditionExpression=Key(key).eq(user_id), ScanIndexForward=False, Limit=limit
            )
            for item in response["Items"]:
                found[item["process_id"]] = item
        live = [
            item
            for item in found.values()
            if item["status"] != ProcessStatus.DRAFT or int(item.get("expires_at", 0) or 0) >= now().timestamp()
        ]
        return sorted(live, key=lambda item: item["created_at"], reverse=True)[:limit]

    def queue(
        self,
        organ: str,
        status: str | None = None,
        service_id: str | None = None,
        limit: int = 25,
        cursor: str | None = None,
    ) -> tuple[list[dict[str, Any]], str | None]:
        """One page of an organ's submitted processes, nearest legal deadline first, and the cursor of
        the next page (None on the last). One Query on an index, never a Scan: by status on
        ``by_organ_status_deadline`` (then by service as a filter on it), by service alone on
        ``by_service_deadline``, else ``by_organ_deadline``. A filtered page may hold fewer than
        ``limit`` processes while a cursor still follows."""
        if status is not None and status not in STATUSES:
            raise ValidationFailed(f"Estado desconhecido; use um de: {', '.join(STATUSES)}.", field="status")
        if service_id is not None and get_service(service_id).organ != organ:
            raise ValidationFailed("Esse serviço não pertence a este órgão.", field="service_id")
        if not 1 <= limit <= 100:
            raise ValidationFailed("Entre 1 e 100 processos por página.", field="limit")
        query: dict[str, Any] = {"Limit": limit}
        if status is not None:
            index, key, value = "by_organ_status_deadline", "organ_status", organ_status(organ, status)
            if service_id is not None:
                query["FilterExpression"] = Attr("service_id").eq(service_id)
        elif service_id is not None:
            index, key, value = "by_service_deadline", "service_id", service_id
        else:
            index, key, value = "by_organ_deadline", "organ", organ
        query.update(IndexName=index, KeyConditionExpression=Key(key).eq(value))
        if cursor:
            query["ExclusiveStartKey"] = _decode_cursor(cursor, index, key, value)
        response = self.table.query(**query)
        last = response.get("LastEvaluatedKey")
        return response["Items"], _encode_cursor(index, last) if last else None


def _encode_cursor(index: str, last_key: dict[str, Any]) -> str:
    """An opaque page cursor: the index and DynamoDB's LastEvaluatedKey, base64url-encoded."""
    raw = json.dumps({"i": index, "k": last_key}, ensure_ascii=False).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_cursor(cursor: str, index: str, key: str, value: str) -> dict[str, Any]:
    """The ExclusiveStartKey inside a cursor, if it was made by the same query (same index and
    partition); a 422 naming ``cursor`` otherwise, never a 500 on a forged one."""
    invalid = ValidationFailed(
        "Cursor inválido: use o next_cursor da página anterior, com os mesmos filtros.", field="cursor"
    )
    try:
        data = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (ValueError, UnicodeDecodeError):
        raise invalid from None
    start = data.get("k") if isinstance(data, dict) else None
    if (
        (data.get("i") if isinstance(data, dict) else None) != index
        or not isinstance(start, dict)
        or start.get(key) != value
        or not all(isinstance(v, str) and v for v in start.values())
        or not set(start) <= {"process_id", "organ", "organ_status", "service_id", "decision_deadline"}
    ):
        raise invalid
    return start
