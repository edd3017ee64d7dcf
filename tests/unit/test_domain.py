"""Domain rules without AWS: working-day deadlines, identity numbers, service fields (file inspection:
test_inspection.py)."""

from __future__ import annotations

from datetime import date

import pytest

from chalicelib.kernel.errors import ValidationFailed


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


@pytest.mark.parametrize("nif", ["123456789", "123 456 789", "PT123456789"])
def test_valid_nif_is_accepted_in_its_compact_form(nif: str) -> None:
    from chalicelib.kernel.identity import normalise_identity_number

    assert normalise_identity_number(nif, "PT") == "123456789"


@pytest.mark.parametrize("nif", ["123456788", "12345678", "abcdefghi"])
def test_nif_with_wrong_check_digit_is_refused(nif: str) -> None:
    from chalicelib.kernel.identity import normalise_identity_number

    with pytest.raises(ValidationFailed) as error:
        normalise_identity_number(nif, "PT")
    assert error.value.field == "identity_number"


def test_brazil_takes_cpf_or_cnpj() -> None:
    from chalicelib.kernel.identity import normalise_identity_number

    assert normalise_identity_number("390.533.447-05", "BR") == "39053344705"
    assert normalise_identity_number("11.222.333/0001-81", "BR") == "11222333000181"
    with pytest.raises(ValidationFailed):
        normalise_identity_number("390.533.447-06", "BR")


def test_login_names_are_told_apart() -> None:
    from chalicelib.accounts.users import login_key

    assert login_key(" 123 456 789 ") == "nif:123456789"
    assert login_key("Ana.Silva@Example.PT") == "email:ana.silva@example.pt"
    assert login_key("Ana.Silva") == "username:ana.silva"


def test_passwords_are_hashed_with_argon2id() -> None:
    from chalicelib.accounts.passwords import hash_password, verify_password

    hashed = hash_password("correta")
    assert hashed.startswith("$argon2id$")
    assert verify_password(hashed, "correta")
    assert not verify_password(hashed, "errada")


def test_service_fields_are_checked_against_the_definition() -> None:
    from chalicelib.catalogue.service import get_service

    service = get_service("generico")
    assert service.validate_fields({"subject": "  Olá ", "text": "x"}) == {"subject": "Olá", "text": "x"}
    with pytest.raises(ValidationFailed) as error:
        service.validate_fields({"subject": "x"})
    assert error.value.field == "fields.text"


def test_process_numbers_become_url_safe_references() -> None:
    from chalicelib.processes.table import process_id_for

    assert process_id_for("PMP 2023/500100") == "PMP-2023-500100"
