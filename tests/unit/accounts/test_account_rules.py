"""Account rules without AWS: login names, the password policy and its list, argon2id's parameters, throttling
delays, activation passwords, the proof pre-check."""

from __future__ import annotations

from datetime import date

import pytest

from chalicelib.kernel.errors import ValidationFailed


@pytest.fixture(autouse=True)
def _settings(env: None) -> None:
    pass


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


def test_the_common_password_list_is_shipped_and_used() -> None:
    from chalicelib.accounts.credentials import check_password_policy, common_passwords

    assert len(common_passwords()) >= 10_000
    for password in ("password", "12345678", "iloveyou", "Qwertyuiop", "PASSWORD1"):
        with pytest.raises(ValidationFailed) as error:
            check_password_policy(password)
        assert error.value.field == "password" and "comum" in error.value.message


@pytest.mark.parametrize(
    ("password", "accepted"),
    [
        ("abcdefg", False),  # 7: too short
        ("kx8#pq2w", True),  # 8 is enough
        ("só letras minúsculas sem regras", True),  # no composition rules
        ("x" * 64, True),
        ("y" * 128, True),
        ("z" * 129, False),
    ],
)
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
    old = precheck_proof_text(
        "Cliente: Maria Sousa\nNIF 123456789\nData: 2025-10-19", "232013969", "João Pereira", date(2026, 5, 20)
    )
    assert not old["identity_number_found"] and not old["name_found"] and not old["recent_date_found"]
    assert old["oldest_date_accepted"] == "2025-11-20"


def test_six_months_before_keeps_to_the_calendar() -> None:
    from chalicelib.accounts.proof import six_months_before

    assert six_months_before(date(2026, 8, 31)) == date(2026, 2, 28)
    assert six_months_before(date(2026, 3, 15)) == date(2025, 9, 15)
