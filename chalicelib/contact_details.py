"""Contact details as the deployment's country writes them: email addresses (email-validator, syntax
only), mobile phone numbers (phonenumbers, stored as E.164) and postal codes (Portugal ``NNNN-NNN``,
Brazil's CEP ``NNNNN-NNN``). Each check raises a 422 naming the field."""

from __future__ import annotations

import re

from chalicelib.errors import ValidationFailed

_POSTAL_CODES = {
    "PT": (re.compile(r"^(\d{4})-?(\d{3})$"), "NNNN-NNN, por exemplo 4600-011"),
    "BR": (re.compile(r"^(\d{5})-?(\d{3})$"), "NNNNN-NNN, por exemplo 13400-900"),
}


def normalise_email(value: str, field: str = "email") -> str:
    from email_validator import EmailNotValidError, validate_email

    try:
        return validate_email(value.strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        raise ValidationFailed("Endereço de email inválido. Verifique se está bem escrito (ex.: nome@exemplo.pt).", field=field) from None


def normalise_mobile_phone(value: str, country: str, field: str = "phone") -> str:
    """A mobile number of any country, in E.164 (``+351912345678``); national numbers are read as
    the deployment's country's."""
    import phonenumbers

    try:
        number = phonenumbers.parse(value, country)
    except phonenumbers.NumberParseException:
        number = None
    mobile_types = (phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE)
    if number is None or not phonenumbers.is_valid_number(number) or phonenumbers.number_type(number) not in mobile_types:
        raise ValidationFailed("Número de telemóvel inválido. Indique um telemóvel, por exemplo 912 345 678.", field=field)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def normalise_postal_code(value: str, country: str, field: str = "address.postal_code") -> str:
    pattern, example = _POSTAL_CODES[country]
    match = pattern.match(value.strip())
    if not match:
        raise ValidationFailed(f"Código postal inválido: use o formato {example}.", field=field)
    return f"{match.group(1)}-{match.group(2)}"
