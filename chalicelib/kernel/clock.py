"""Time in one place, in UTC, as ISO 8601 strings that sort as they compare, and the municipality's
local time (the ``timezone`` setting) wherever a date or a time is shown or a day is counted.

``travel`` moves the application's clock by an offset (tests): deadlines computed from a clock moved
into the past are already due, so the workflow's waits, which take their timestamps from the process,
end at once and no test sleeps for a deadline. The local stack's demo clock (setting ``demo_today``)
moves it the same way, for the whole process: every date and deadline the application computes goes
through ``now()``, so all of them see the demo's today.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from chalicelib.kernel.settings import get_settings

_offset = timedelta(0)


def now() -> datetime:
    return datetime.now(UTC) + _offset + _demo_shift(get_settings().demo_today)


@lru_cache(maxsize=4)
def _demo_shift(day: date | None) -> timedelta:
    """From the real date to the demo's today, at the same time of day; fixed at first use, so that the
    demo clock ticks on from there."""
    if day is None:
        return timedelta(0)
    real = datetime.now(UTC).astimezone(zone())
    return datetime.combine(day, real.time().replace(tzinfo=None), tzinfo=zone()) - real


def on_engine_clock(moment: datetime) -> datetime:
    """``moment`` of the application's clock as the workflow engine's timers count it: they run on the
    real clock, so the demo clock's shift is taken off and a demo's notice due "at once" is sent at once.
    A test's ``travel`` stays on: a deadline it moved into the past is meant to be due at once."""
    return moment - _demo_shift(get_settings().demo_today)


def demo_today() -> date | None:
    """The demo clock's today while one is set (shown on every page of the local stack), else None."""
    return today() if get_settings().demo_today is not None else None


def wall() -> datetime:
    """The real time, which the workflow engine's timers run on even while ``travel`` moves ours."""
    return datetime.now(UTC)


def iso(moment: datetime | None = None) -> str:
    return (moment or now()).astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


@lru_cache(maxsize=4)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def zone() -> ZoneInfo:
    """The municipality's time zone (setting ``timezone``)."""
    return _zone(get_settings().timezone)


_ZONE_NAMES = {
    "Europe/Lisbon": "hora de Lisboa",
    "Atlantic/Azores": "hora dos Açores",
    "Atlantic/Madeira": "hora da Madeira",
    "America/Sao_Paulo": "horário de Brasília",
}


def zone_label() -> str:
    """The municipality's time, in words for a receipt: "hora de Lisboa", "horário de Brasília"."""
    name = get_settings().timezone
    return _ZONE_NAMES.get(name, f"hora local, {name}")


def local(moment: datetime) -> datetime:
    return moment.astimezone(zone())


def local_date(moment: datetime) -> date:
    return local(moment).date()


def today() -> date:
    """Today's date where the municipality is, as deadlines count days."""
    return local_date(now())


def parse(stamp: str) -> datetime:
    return datetime.fromisoformat(stamp.replace("Z", "+00:00"))


def seconds_until(stamp: str) -> int:
    """Whole seconds from now to ``stamp`` (ISO 8601), at least 1 (Step Functions' shortest wait)."""
    return max(1, int((parse(stamp) - now()).total_seconds()))


def local_time_text(stamp: str | None, seconds: bool = False) -> str:
    """``2026-11-22T01:51:33.399Z`` → ``22/11/2026 01:51`` in local time, as a citizen reads it."""
    if not stamp:
        return ""
    return local(parse(stamp)).strftime("%d/%m/%Y %H:%M:%S" if seconds else "%d/%m/%Y %H:%M")


def date_text(day: str | None) -> str:
    """``2026-11-22`` → ``22/11/2026``."""
    return "/".join(reversed(day.split("-"))) if day else ""


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
