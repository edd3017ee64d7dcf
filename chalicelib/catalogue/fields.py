"""A request's field values in their stored form: each service field's type (text, integer, money,
date, NIF, postal code, choice, boolean) checked and converted, or a ValueError with the reason in
pt-PT (``Service.validate_fields`` names the field)."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Any

from chalicelib.kernel.errors import ValidationFailed
from chalicelib.kernel.identity import normalise_identity_number
from chalicelib.kernel.money import parse_money, whole_number_text
from chalicelib.kernel.plural import plural

POSTAL_CODE = re.compile(r"^\d{4}-\d{3}$")  # Portuguese "código postal": 4 digits, hyphen, 3 digits


def convert_field(spec: Any, value: Any) -> Any:
    """One field's value in its stored form, or ValueError with the reason (pt-PT)."""
    if spec.type in ("text", "textarea", "postal_code", "date", "nif"):
        if not isinstance(value, str):
            raise ValueError("deve ser texto.")
        value = value.strip()
        if spec.max_length and len(value) > spec.max_length:
            raise ValueError(f"no máximo {plural(spec.max_length, 'caráter', 'caracteres')}.")
        if spec.type == "postal_code" and not POSTAL_CODE.match(value):
            raise ValueError("código postal no formato 0000-000.")
        if spec.type == "nif":
            try:
                value = normalise_identity_number(value, "PT")
            except ValidationFailed:
                raise ValueError("NIF inválido: verifique os dígitos.") from None
        if spec.type == "date":
            try:
                date.fromisoformat(value)
            except ValueError:
                raise ValueError("data no formato AAAA-MM-DD.") from None
        if spec.pattern and not re.fullmatch(spec.pattern, value):
            raise ValueError(spec.pattern_message or "formato inválido.")
        return value
    if spec.type == "integer":
        # (a Decimal is how DynamoDB gives back a number a draft stored)
        whole = isinstance(value, int) or (isinstance(value, Decimal) and value == value.to_integral_value())
        if isinstance(value, bool) or not (whole or (isinstance(value, str) and whole_number_text(value.strip()))):
            raise ValueError("deve ser um número inteiro.")
        number: Any = int(value)
    elif spec.type == "money":
        number = parse_money(value)
    elif spec.type == "boolean":
        if not isinstance(value, bool):
            raise ValueError("deve ser verdadeiro ou falso.")
        return value
    else:  # choice
        allowed = [option.value for option in spec.options]
        if value not in allowed:
            raise ValueError("escolha uma das opções: " + ", ".join(o.label for o in spec.options) + ".")
        return value
    if spec.min is not None and number < spec.min:
        raise ValueError(f"no mínimo {_number_text(spec.min)}.")
    if spec.max is not None and number > spec.max:
        raise ValueError(f"no máximo {_number_text(spec.max)}.")
    # money is kept as text: DynamoDB takes no floats, and "86.70" stays exact
    return f"{number:.2f}" if spec.type == "money" else number


def _number_text(value: Decimal) -> str:
    return (
        f"{value:,.2f}".replace(",", " ").replace(".", ",") if value != value.to_integral_value() else str(int(value))
    )
