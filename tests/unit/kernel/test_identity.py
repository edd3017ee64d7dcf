"""Identity numbers without AWS: NIF, NIPC, CPF and CNPJ by country and person type."""

from __future__ import annotations

import pytest

from chalicelib.kernel.errors import ValidationFailed


@pytest.fixture(autouse=True)
def _portugal(env: None) -> None:
    pass


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


@pytest.mark.parametrize(
    ("number", "country", "person_type", "compact"),
    [
        ("232 013 969", "PT", "individual", "232013969"),
        ("PT503504564", "PT", "company", "503504564"),
        ("390.533.447-05", "BR", "individual", "39053344705"),
        ("11.222.333/0001-81", "BR", "company", "11222333000181"),
    ],
)
def test_identity_numbers_of_each_country_and_person_type(
    number: str, country: str, person_type: str, compact: str
) -> None:
    from chalicelib.kernel.identity import normalise_identity_number

    assert normalise_identity_number(number, country, person_type) == compact


@pytest.mark.parametrize(
    ("number", "country", "person_type"),
    [
        ("232013968", "PT", "individual"),  # check digit
        ("503504564", "PT", "individual"),  # a company's NIPC
        ("232013969", "PT", "company"),  # a person's NIF
        ("11.222.333/0001-81", "BR", "individual"),  # a CNPJ is no CPF
        ("390.533.447-05", "BR", "company"),
        ("111.111.111-11", "BR", "individual"),  # check digits right, but no CPF is one digit repeated
        ("000.000.000-00", "BR", None),
    ],
)
def test_identity_numbers_that_do_not_fit_are_refused(number: str, country: str, person_type: str) -> None:
    from chalicelib.kernel.identity import normalise_identity_number

    with pytest.raises(ValidationFailed) as error:
        normalise_identity_number(number, country, person_type)
    assert error.value.field == "identity_number"
