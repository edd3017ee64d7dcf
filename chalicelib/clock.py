"""Time in one place, in UTC, as ISO 8601 strings that sort as they compare."""

from __future__ import annotations

from datetime import UTC, date, datetime


def now() -> datetime:
    return datetime.now(UTC)


def iso(moment: datetime | None = None) -> str:
    return (moment or now()).astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def today() -> date:
    """Today's date where the municipality is (Lisbon time), as deadlines count days."""
    from zoneinfo import ZoneInfo

    return now().astimezone(ZoneInfo("Europe/Lisbon")).date()
