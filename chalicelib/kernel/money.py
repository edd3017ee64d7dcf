"""Money as Portugal writes it: amounts in euros typed by people (``"1 234,50"``) and cents shown
back (``12 345,67 €``). Amounts are exact (Decimal, cents as integers), never floats."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

CENT = Decimal("0.01")
# Far above any fee or debt, far below what Decimal's 28 digits hold (``1e30`` would not quantize).
MAX_EUROS = Decimal("1e12")


def whole_number_text(text: str) -> bool:
    """``"24"`` yes; ``"²"``, ``"٣"`` or ``"2.0"`` no: only the digits 0-9, which ``int()`` reads as typed."""
    return text.isascii() and text.isdigit()


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
    if not amount.is_finite() or abs(amount) >= MAX_EUROS:
        raise ValueError("valor demasiado alto.")
    if amount != amount.quantize(CENT):
        raise ValueError("no máximo duas casas decimais (cêntimos).")
    return amount.quantize(CENT)


def cents(value: Any) -> int:
    """``parse_money`` in whole cents."""
    return int(parse_money(value) * 100)


def euros(cents: int) -> str:
    """1234567 → ``12 345,67 €``, as written in Portugal."""
    whole, rest = divmod(cents, 100)
    return f"{whole:,}".replace(",", " ") + f",{rest:02d} €"
