"""The local stack's demo clock, and the time zone each country's deployment takes by default."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pytest
from pydantic import ValidationError


@pytest.fixture
def settings(monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    from chalicelib.kernel import clock
    from chalicelib.kernel.settings import get_settings

    for key in ("BALCAO_COUNTRY", "BALCAO_TIMEZONE", "BALCAO_DEMO_TODAY", "BALCAO_STAGE"):
        monkeypatch.delenv(key, raising=False)
    get_settings.cache_clear()
    clock._demo_shift.cache_clear()
    yield monkeypatch
    get_settings.cache_clear()
    clock._demo_shift.cache_clear()


def test_each_country_has_its_time_zone_unless_one_is_set(settings: pytest.MonkeyPatch) -> None:
    from chalicelib.kernel.settings import Settings

    assert Settings().timezone == "Europe/Lisbon"
    settings.setenv("BALCAO_COUNTRY", "BR")
    assert Settings().timezone == "America/Sao_Paulo"
    settings.setenv("BALCAO_TIMEZONE", "America/Manaus")
    assert Settings().timezone == "America/Manaus"
    settings.setenv("BALCAO_TIMEZONE", "America/Piracicaba")
    with pytest.raises(ValidationError, match="unknown time zone"):
        Settings()


def test_the_demo_clock_sets_today_for_every_date_the_application_computes(settings: pytest.MonkeyPatch) -> None:
    from chalicelib.kernel import clock
    from chalicelib.kernel.working_days import add_working_days, working_days_left

    settings.setenv("BALCAO_DEMO_TODAY", "2026-12-24")
    assert clock.today() == date(2026, 12, 24) and clock.demo_today() == date(2026, 12, 24)
    assert working_days_left(add_working_days(clock.today(), 1)) == 1
    # The workflow engine's timers run on the real clock: a notice due now on the demo's is due now there.
    assert abs(clock.on_engine_clock(clock.now()) - datetime.now(UTC)) < timedelta(seconds=5)


def test_the_demo_clock_is_for_the_local_stack_only(settings: pytest.MonkeyPatch) -> None:
    from chalicelib.kernel.settings import Settings

    settings.setenv("BALCAO_DEMO_TODAY", "2026-12-24")
    settings.setenv("BALCAO_STAGE", "prod")
    with pytest.raises(ValidationError, match="local stack only"):
        Settings()
