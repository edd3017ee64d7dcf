"""Counted words as Portuguese writes them: the singular for one ("Resta 1 tentativa", "1 dia útil"),
the plural for any other number, zero included ("0 dias úteis"). The one helper for it: Python code
calls ``plural``, email templates the ``plural`` filter (``{{ days | plural("dia útil", "dias úteis") }}``)
and the web ``tn()`` in ``web/js/i18n.js``, never "dia(s)" nor "prestação(ões)"."""

from __future__ import annotations


def plural(count: int, one: str, other: str) -> str:
    """``one`` or ``other`` by ``count`` (its magnitude: -1 is "há 1 dia"), with ``{n}`` replaced by
    the count; a form without ``{n}`` gets the count in front: ``plural(3, "dia", "dias")`` → "3 dias"."""
    form = one if abs(count) == 1 else other
    return form.format(n=count) if "{n}" in form else f"{count} {form}"
