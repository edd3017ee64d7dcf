"""Working-day deadlines without AWS: weekends, national and municipal holidays, days left."""

from __future__ import annotations

from datetime import date

import pytest


@pytest.fixture(autouse=True)
def _portugal(env: None) -> None:
    pass


def test_working_days_skip_weekends_and_national_holidays() -> None:
    from chalicelib.kernel.working_days import add_working_days, is_working_day

    # Friday 27 Nov 2026 + 3 working days: Mon 30, (Tue 1 Dec: Restauração da Independência), Wed 2, Thu 3.
    assert not is_working_day(date(2026, 12, 1))
    assert add_working_days(date(2026, 11, 27), 3) == date(2026, 12, 3)
    # The day of the event is not counted, even when it is a working day.
    assert add_working_days(date(2026, 11, 23), 1) == date(2026, 11, 24)
    # From a Sunday, 10 working days cross 1 Dec and land on Mon 7 Dec.
    assert add_working_days(date(2026, 11, 22), 10) == date(2026, 12, 7)


def test_the_municipal_holiday_of_the_deployment_is_skipped(monkeypatch: pytest.MonkeyPatch) -> None:
    from chalicelib.kernel.settings import get_settings
    from chalicelib.kernel.working_days import add_working_days

    assert add_working_days(date(2026, 6, 12), 1) == date(2026, 6, 15)  # Fri → Mon
    monkeypatch.setenv("BALCAO_MUNICIPAL_HOLIDAY", "2026-06-15")
    get_settings.cache_clear()
    assert add_working_days(date(2026, 6, 12), 1) == date(2026, 6, 16)


def test_working_days_between_counts_down_and_goes_negative_when_late() -> None:
    from chalicelib.kernel.working_days import working_days_between

    assert working_days_between(date(2026, 11, 23), date(2026, 11, 27)) == 4
    assert working_days_between(date(2026, 11, 27), date(2026, 11, 23)) == -4
