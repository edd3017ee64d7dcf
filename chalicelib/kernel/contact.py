"""Contact details as they are entered: an email address and a mobile phone number, checked and
normalised at the door (registration, a request's notification choices, a change of contact), so that
nothing invalid ever reaches the sending code.

- Email: syntax per RFC 5322/6531 by ``email-validator`` (no DNS look-up: it must work offline and
  fast); the domain is lower-cased, the local part kept as typed.
- Postal code: as the deployment's country writes it (Portugal ``NNNN-NNN``, Brazil's CEP ``NNNNN-NNN``).
- Phone: a Portuguese or Brazilian number (``phonenumbers``, Google's libphonenumber), written with or
  without the country code, returned in E.164 (``+351912345678``). For SMS it must be a mobile number.
"""

from __future__ import annotations

import re

from chalicelib.kernel.errors import ValidationFailed
from chalicelib.kernel.settings import get_settings

PHONE_REGIONS = ("PT", "BR")
_POSTAL_CODES = {
    "PT": (re.compile(r"^(\d{4})-?(\d{3})$"), "NNNN-NNN, por exemplo 4600-011"),
    "BR": (re.compile(r"^(\d{5})-?(\d{3})$"), "NNNNN-NNN, por exemplo 13400-900"),
}


def normalise_email(value: str, field: str = "email") -> str:
    """The address in its normal form, or ValidationFailed naming ``field``."""
    from email_validator import EmailNotValidError, validate_email

    text = (value or "").strip()
    if not text:
        raise ValidationFailed("Indique um endereço de email.", field=field)
    try:
        result = validate_email(text, check_deliverability=False)
    except EmailNotValidError:
        raise ValidationFailed("Endereço de email inválido: verifique-o (ex.: nome@exemplo.pt).", field=field) from None
    return result.normalized


def normalise_phone(value: str, field: str = "phone", country: str | None = None, mobile: bool = True) -> str:
    """A Portuguese or Brazilian phone number in E.164, or ValidationFailed naming ``field``.

    Without a ``+`` prefix the number is read as one of ``country`` (default: the deployment's). With
    ``mobile`` (the default: these numbers receive SMS) a fixed line is refused."""
    import phonenumbers

    if country is None:
        country = get_settings().country
    text = (value or "").strip()
    if not text:
        raise ValidationFailed("Indique um número de telemóvel.", field=field)
    example = "+351 912 345 678" if country == "PT" else "+55 11 91234-5678"
    try:
        number = phonenumbers.parse(text, country)
    except phonenumbers.NumberParseException:
        raise ValidationFailed(f"Número de telefone inválido (ex.: {example}).", field=field) from None
    if not phonenumbers.is_valid_number(number) or phonenumbers.region_code_for_number(number) not in PHONE_REGIONS:
        raise ValidationFailed(
            f"Número de telefone inválido: só números de Portugal ou do Brasil (ex.: {example}).", field=field
        )
    if mobile and phonenumbers.number_type(number) not in (
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    ):
        raise ValidationFailed("Indique um número de telemóvel (recebe SMS), não de rede fixa.", field=field)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def normalise_postal_code(value: str, country: str, field: str = "address.postal_code") -> str:
    """``NNNN-NNN`` (Portugal) or ``NNNNN-NNN`` (Brazil), with or without the dash as typed."""
    pattern, example = _POSTAL_CODES[country]
    match = pattern.match((value or "").strip())
    if not match:
        raise ValidationFailed(f"Código postal inválido: use o formato {example}.", field=field)
    return f"{match.group(1)}-{match.group(2)}"
