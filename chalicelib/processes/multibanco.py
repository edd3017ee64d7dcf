"""Multibanco payment references (Portugal's ATM and home-banking "Pagamentos de Serviços").

A payment is identified by an entity (5 digits, the creditor's, given by SIBS or the payment
provider), a reference (9 digits) and an amount. The reference is 7 digits of our own (a sequence)
followed by 2 check digits that bind it to the entity and the amount, so a mistyped reference or a
wrong amount is refused at the ATM.

The check digits are SIBS' published algorithm, the one every Portuguese payment provider documents:
take the 20 digits ``entity(5) + reference without check digits(7) + amount in cents(8)``, append
``00`` and compute ``98 - (that number mod 97)``. It is ISO 7064 MOD 97-10, the IBAN check: the
whole 22-digit string is then ≡ 1 (mod 97). No maintained PyPI package issues Multibanco references
(only payment gateways' SDKs, which call their own APIs), so the few lines are here; python-stdnum's
``iso7064.mod_97_10`` (already a dependency) verifies them, in the code and in the tests. (For two
remainders stdnum's own ``calc_check_digits`` writes 01/00 where SIBS writes 98/97; both validate,
and we follow SIBS.)
"""

from __future__ import annotations

from dataclasses import dataclass

from chalicelib.kernel.money import whole_number_text

MAX_CENTS = 99_999_999  # the amount takes 8 digits


@dataclass(frozen=True)
class Reference:
    entity: str
    reference: str
    amount_cents: int

    def formatted(self) -> str:
        """``123456789`` → ``123 456 789``, as printed on a payment slip."""
        return " ".join(self.reference[i : i + 3] for i in range(0, 9, 3))


def check_digits(entity: str, base: str, amount_cents: int) -> str:
    if not (len(entity) == 5 and whole_number_text(entity)):
        raise ValueError("the entity has 5 digits")
    if not (len(base) == 7 and whole_number_text(base)):
        raise ValueError("the reference has 7 digits before its check digits")
    if not 0 < amount_cents <= MAX_CENTS:
        raise ValueError("the amount is between 0.01 and 999999.99")
    number = int(f"{entity}{base}{amount_cents:08d}") * 100
    return f"{98 - number % 97:02d}"


def make_reference(entity: str, sequence: int, amount_cents: int) -> Reference:
    """The reference for the ``sequence``-th payment of this entity (the sequence wraps every 10⁷)."""
    base = f"{sequence % 10_000_000:07d}"
    return Reference(entity, base + check_digits(entity, base, amount_cents), amount_cents)


def is_valid(entity: str, reference: str, amount_cents: int) -> bool:
    from stdnum.iso7064 import mod_97_10

    if not (len(entity) == 5 and whole_number_text(entity) and len(reference) == 9 and whole_number_text(reference)):
        return False
    if not 0 < amount_cents <= MAX_CENTS:
        return False
    return mod_97_10.is_valid(f"{entity}{reference[:7]}{amount_cents:08d}{reference[7:]}")
