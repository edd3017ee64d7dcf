"""Time in one place, in UTC, as ISO 8601 strings that sort as they compare."""

from __future__ import annotations

from datetime import datetime, timezone


def now() -> datetime:
    return datetime.now(timezone.utc)


def iso(moment: datetime | None = None) -> str:
    return (moment or now()).astimezone(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")
