"""pt-PT plurals: one is singular, any other count (zero too) plural."""

from __future__ import annotations

import pytest

from chalicelib.kernel.plural import plural


@pytest.mark.parametrize(
    ("count", "expected"),
    [(1, "Resta 1 tentativa."), (2, "Restam 2 tentativas."), (0, "Restam 0 tentativas.")],
)
def test_the_phrase_agrees_with_the_count(count: int, expected: str) -> None:
    assert plural(count, "Resta {n} tentativa.", "Restam {n} tentativas.") == expected


def test_a_bare_word_gets_the_count_in_front_and_minus_one_is_singular() -> None:
    assert plural(15, "prestação", "prestações") == "15 prestações"
    assert plural(1, "prestação", "prestações") == "1 prestação"
    assert plural(-1, "dia", "dias") == "-1 dia"
