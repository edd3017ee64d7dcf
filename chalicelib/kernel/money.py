"""Money as Portugal writes it: amounts in euros typed by people (``"1 234,50"``) and cents shown
back (``12 345,67 €``). Amounts are exact (Decimal, cents as integers), never floats."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

CENT = Decimal("0.01")


def parse_money(value: Any) -> Decimal:
    """``1234.5``, ``"1234,50"`` or ``"1 234,50"`` → Decimal('1234.50'); at most two decimals."""
    if isinstance(value, bool) or not isinstance(value, (int, float, str, Decimal)):
        raise ValueError("deve ser um valor em euros.")
    text = str(value).strip().replace(" ", "").replace("€", "")
    if "," in text:
        text = text.replace(".", "").replace(",", ".")
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise ValueError("deve ser um valor em euros, por exemplo 1234,56.") from None
    if not amount.is_finite() or amount != amount.quantize(CENT):
        raise ValueError("no máximo duas casas decimais (cêntimos).")
    return amount.quantize(CENT)


def cents(value: Any) -> int:
    """``parse_money`` in whole cents."""
    return int(parse_money(value) * 100)


def euros(cents: int) -> str:
    """1234567 → ``12 345,67 €``, as written in Portugal."""
    whole, rest = divmod(cents, 100)
    return f"{whole:,}".replace(",", " ") + f",{rest:02d} €"
