"""The retention schedule (``chalicelib/retention.json``): how long each kind of record is kept and why.
The code stamps the TTL attribute of what it writes from here (``purge_at``); Terraform and the local
stack make the S3 lifecycle rules from the same file (``lifecycle_rules``)."""

from __future__ import annotations

import json
import time
from functools import lru_cache
from pathlib import Path
from typing import Any

RETENTION_FILE = Path(__file__).resolve().parent.parent / "retention.json"
DAY = 86400


@lru_cache(maxsize=1)
def schedule() -> dict[str, dict[str, Any]]:
    return json.loads(RETENTION_FILE.read_text(encoding="utf-8"))["records"]


def days(kind: str) -> int:
    return int(schedule()[kind]["days"])


def purge_at(kind: str, start: float | None = None) -> int:
    """When a record of ``kind`` written now (or at ``start``, epoch seconds) is due to go: its TTL value."""
    return int((time.time() if start is None else start) + days(kind) * DAY)


def lifecycle_rules(bucket: str) -> list[dict[str, Any]]:
    """The S3 lifecycle rules of ``bucket`` (in the API's shape), one per kind kept there."""
    return [
        {
            "ID": f"retention-{kind}",
            "Status": "Enabled",
            "Filter": {"Prefix": spec.get("prefix", "")},
            "Expiration": {"Days": int(spec["days"])},
        }
        for kind, spec in sorted(schedule().items())
        if spec.get("bucket") == bucket
    ]


def public_schedule() -> list[dict[str, Any]]:
    """The schedule as the privacy page shows it."""
    return [
        {
            "kind": kind,
            "label": spec["label"],
            "days": spec.get("days"),
            "from": spec["from"],
            "legal_basis": spec["legal_basis"],
            "enforced": spec.get("enforced", True),
        }
        for kind, spec in schedule().items()
    ]
