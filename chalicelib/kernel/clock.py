"""Time in one place, in UTC, as ISO 8601 strings that sort as they compare.

``travel`` moves the application's clock by an offset (tests, and a local demo of deadlines passing):
deadlines computed from a clock moved into the past are already due, so the workflow's waits, which
take their timestamps from the process, end at once and no test sleeps for a deadline.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta

_offset = timedelta(0)


def now() -> datetime:
    return datetime.now(UTC) + _offset


def wall() -> datetime:
    """The real time, which the workflow engine's timers run on even while ``travel`` moves ours."""
    return datetime.now(UTC)


def iso(moment: datetime | None = None) -> str:
    return (moment or now()).astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def today() -> date:
    """Today's date where the municipality is (Lisbon time), as deadlines count days."""
    from zoneinfo import ZoneInfo

    return now().astimezone(ZoneInfo("Europe/Lisbon")).date()


def parse(stamp: str) -> datetime:
    return datetime.fromisoformat(stamp.replace("Z", "+00:00"))


@contextmanager
def travel(to: datetime) -> Iterator[None]:
    """Run the block as if it were ``to`` (the clock keeps ticking from there)."""
    global _offset
    before = _offset
    _offset = to - datetime.now(UTC)
    try:
        yield
    finally:
        _offset = before
