"""Contact details are checked where they are entered: email syntax, PT/BR mobile numbers in E.164, postal
codes and phones by country."""

from __future__ import annotations

import pytest

from chalicelib.kernel.contact import normalise_email, normalise_phone
from chalicelib.kernel.errors import ValidationFailed


@pytest.mark.parametrize(
    ("typed", "country", "e164"),
    [
        ("912 345 678", "PT", "+351912345678"),
        ("+351 96 123 4567", "PT", "+351961234567"),
        ("00351 932 000 111", "PT", "+351932000111"),
        ("(11) 91234-5678", "BR", "+5511912345678"),
        ("+55 19 98765-4321", "PT", "+5519987654321"),  # a Brazilian number in a Portuguese deployment
    ],
)
def test_mobile_numbers_of_portugal_and_brazil_are_accepted_in_e164(typed: str, country: str, e164: str) -> None:
    assert normalise_phone(typed, country=country) == e164


@pytest.mark.parametrize(
    ("typed", "country"),
    [
        ("", "PT"),
        ("12345", "PT"),
        ("abc", "PT"),
        ("+351 812 345 678", "PT"),  # no such range
        ("253 123 456", "PT"),  # a fixed line cannot receive SMS
        ("+44 7911 123456", "PT"),  # valid, but neither Portuguese nor Brazilian
        ("(11) 3123-4567", "BR"),  # São Paulo fixed line
    ],
)
def test_other_numbers_are_refused_naming_the_field(typed: str, country: str) -> None:
    with pytest.raises(ValidationFailed) as refused:
        normalise_phone(typed, field="notifications.phone", country=country)
    assert refused.value.field == "notifications.phone"
    assert refused.value.message


def test_a_fixed_line_is_accepted_where_no_sms_is_meant() -> None:
    assert normalise_phone("253 123 456", country="PT", mobile=False) == "+351253123456"


@pytest.mark.parametrize(
    ("typed", "normal"),
    [
        ("ana.silva@example.pt", "ana.silva@example.pt"),
        ("  Ana.Silva@EXAMPLE.PT ", "Ana.Silva@example.pt"),
        ("joão@câmara.pt", "joão@câmara.pt"),
    ],
)
def test_valid_email_addresses_are_normalised(typed: str, normal: str) -> None:
    assert normalise_email(typed) == normal


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "ana",
        "ana@",
        "@example.pt",
        "ana@@example.pt",
        "ana silva@example.pt",
        "ana@example",
        "ana@exa_mple.pt",
        "ana@example.pt.",
        "<ana@example.pt>",
    ],
)
def test_invalid_email_addresses_are_refused_naming_the_field(typed: str) -> None:
    with pytest.raises(ValidationFailed) as refused:
        normalise_email(typed, field="email")
    assert refused.value.field == "email"


@pytest.mark.usefixtures("env")
def test_contact_details_by_country() -> None:
    from chalicelib.kernel.contact import normalise_email, normalise_phone, normalise_postal_code

    assert normalise_postal_code("4600011", "PT") == "4600-011"
    assert normalise_postal_code("13400-900", "BR") == "13400-900"
    assert normalise_phone("912 345 678", country="PT") == "+351912345678"
    assert normalise_phone("(19) 99123-4567", country="BR") == "+5519991234567"
    assert normalise_email(" ana.silva@Example.PT ") == "ana.silva@example.pt"
    for call, field in (
        (lambda: normalise_postal_code("13400-900", "PT"), "address.postal_code"),
        (lambda: normalise_postal_code("4600-011", "BR"), "address.postal_code"),
        (lambda: normalise_phone("213 456 789", country="PT"), "phone"),
        (lambda: normalise_phone("12", country="PT"), "phone"),
        (lambda: normalise_email("ana@"), "email"),
        (lambda: normalise_email("ana@exa mple.pt"), "email"),
    ):
        with pytest.raises(ValidationFailed) as error:
            call()
        assert error.value.field == field
