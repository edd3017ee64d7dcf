"""Account rules without AWS: identity numbers by person type, contact details by country, the
password policy and its list, argon2id's parameters, throttling delays, the proof pre-check."""

from __future__ import annotations

from datetime import date

import pytest

from chalicelib.kernel.errors import ValidationFailed


@pytest.fixture(autouse=True)
def _settings(env: None) -> None:
    pass


@pytest.mark.parametrize(("number", "country", "person_type", "compact"), [
    ("232 013 969", "PT", "individual", "232013969"),
    ("PT503504564", "PT", "company", "503504564"),
    ("390.533.447-05", "BR", "individual", "39053344705"),
    ("11.222.333/0001-81", "BR", "company", "11222333000181"),
])
def test_identity_numbers_of_each_country_and_person_type(number: str, country: str, person_type: str, compact: str) -> None:
    from chalicelib.kernel.identity import normalise_identity_number

    assert normalise_identity_number(number, country, person_type) == compact


@pytest.mark.parametrize(("number", "country", "person_type"), [
    ("232013968", "PT", "individual"),  # check digit
    ("503504564", "PT", "individual"),  # a company's NIPC
    ("232013969", "PT", "company"),  # a person's NIF
    ("11.222.333/0001-81", "BR", "individual"),  # a CNPJ is no CPF
    ("390.533.447-05", "BR", "company"),
])
def test_identity_numbers_that_do_not_fit_are_refused(number: str, country: str, person_type: str) -> None:
    from chalicelib.kernel.identity import normalise_identity_number

    with pytest.raises(ValidationFailed) as error:
        normalise_identity_number(number, country, person_type)
    assert error.value.field == "identity_number"


def test_contact_details_by_country() -> None:
    from chalicelib.kernel.contact import normalise_email, normalise_phone, normalise_postal_code

    assert normalise_postal_code("4600011", "PT") == "4600-011"
    assert normalise_postal_code("13400-900", "BR") == "13400-900"
    assert normalise_phone("912 345 678", country="PT") == "+351912345678"
    assert normalise_phone("(19) 99123-4567", country="BR") == "+5519991234567"
    assert normalise_email(" ana.silva@Example.PT ") == "ana.silva@example.pt"
    for call, field in ((lambda: normalise_postal_code("13400-900", "PT"), "address.postal_code"),
                        (lambda: normalise_postal_code("4600-011", "BR"), "address.postal_code"),
                        (lambda: normalise_phone("213 456 789", country="PT"), "phone"),
                        (lambda: normalise_phone("12", country="PT"), "phone"),
                        (lambda: normalise_email("ana@"), "email"),
                        (lambda: normalise_email("ana@exa mple.pt"), "email")):
        with pytest.raises(ValidationFailed) as error:
            call()
        assert error.value.field == field


def test_the_common_password_list_is_shipped_and_used() -> None:
    from chalicelib.accounts.credentials import check_password_policy, common_passwords

    assert len(common_passwords()) >= 10_000
    for password in ("password", "12345678", "iloveyou", "Qwertyuiop", "PASSWORD1"):
        with pytest.raises(ValidationFailed) as error:
            check_password_policy(password)
        assert error.value.field == "password" and "comum" in error.value.message


@pytest.mark.parametrize(("password", "accepted"), [
    ("abcdefg", False),  # 7: too short
    ("kx8#pq2w", True),  # 8 is enough
    ("só letras minúsculas sem regras", True),  # no composition rules
    ("x" * 64, True),
    ("y" * 128, True),
    ("z" * 129, False),
])
def test_password_length_without_composition_rules(password: str, accepted: bool) -> None:
    from chalicelib.accounts.credentials import check_password_policy

    if accepted:
        check_password_policy(password)
    else:
        with pytest.raises(ValidationFailed):
            check_password_policy(password)


def test_a_password_containing_the_identity_number_is_refused() -> None:
    from chalicelib.accounts.credentials import check_password_policy

    with pytest.raises(ValidationFailed):
        check_password_policy("o meu 232013969", personal=("232013969",))


def test_argon2id_at_owasp_parameters(monkeypatch: pytest.MonkeyPatch) -> None:
    from chalicelib.accounts.passwords import _hasher, hash_password, verify_password
    from chalicelib.kernel.settings import get_settings

    monkeypatch.delenv("BALCAO_PASSWORD_HASH_PROFILE")
    get_settings.cache_clear()
    _hasher.cache_clear()
    stored = hash_password("cavalo correto bateria agrafo")
    assert stored.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    assert verify_password(stored, "cavalo correto bateria agrafo")
    assert not verify_password(stored, "cavalo correto bateria")
    _hasher.cache_clear()


def test_throttling_delays_grow_but_never_beyond_fifteen_minutes() -> None:
    from chalicelib.accounts.credentials import throttle_delay

    delays = [throttle_delay(failures, allowance=5, cap=900) for failures in range(12)]
    assert delays[:5] == [0] * 5
    assert delays[5:] == [30, 60, 120, 240, 480, 900, 900]
    assert throttle_delay(10_000, allowance=5, cap=900) == 900


def test_activation_passwords_are_random_and_readable() -> None:
    from chalicelib.accounts.passwords import activation_password

    passwords = {activation_password() for _ in range(50)}
    assert len(passwords) == 50
    for password in passwords:
        assert len(password) == 14 and password.count("-") == 2
        assert not set(password) & set("0O1lI")


def test_proof_precheck_finds_the_number_the_name_and_a_recent_date() -> None:
    from chalicelib.accounts.proof import precheck_proof_text

    text = "FATURA\nCliente: JOAO GONÇALVES PEREIRA\nNIF 232 013 969\nEmitida em 3 de março de 2026\nPeríodo 01-02-2026 a 28-02-2026"
    found = precheck_proof_text(text, "232013969", "João Gonçalves Pereira", date(2026, 5, 20))
    assert found["identity_number_found"] and found["name_found"] and found["recent_date_found"]
    assert "2026-03-03" in found["recent_dates"]
    # Seven months old, another person, another number: each reported, nothing decided.
    old = precheck_proof_text("Cliente: Maria Sousa\nNIF 123456789\nData: 2025-10-19", "232013969", "João Pereira", date(2026, 5, 20))
    assert not old["identity_number_found"] and not old["name_found"] and not old["recent_date_found"]
    assert old["oldest_date_accepted"] == "2025-11-20"


def test_six_months_before_keeps_to_the_calendar() -> None:
    from chalicelib.accounts.proof import six_months_before

    assert six_months_before(date(2026, 8, 31)) == date(2026, 2, 28)
    assert six_months_before(date(2026, 3, 15)) == date(2025, 9, 15)
