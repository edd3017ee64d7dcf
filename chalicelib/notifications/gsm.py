"""SMS text in the GSM 03.38 alphabet: accents GSM lacks are dropped ("notificação" → "notificacao"),
typographic marks become their plain twins, and the length is counted in septets (None when a
character would force the whole SMS into UCS-2)."""

from __future__ import annotations

import unicodedata

GSM_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM_EXTENDED = frozenset("^{}\\[~]|€\f")  # two septets each
_GSM_SUBSTITUTES = {
    "–": "-",
    "—": "-",
    "‘": "'",
    "’": "'",
    "“": '"',
    "”": '"',
    "…": "...",
    "º": "o",
    "ª": "a",
    "\u00a0": " ",
}


def to_gsm(text: str) -> str:
    """The text in GSM 03.38 characters: typographic punctuation replaced, accents GSM lacks dropped."""
    out = []
    for char in text:
        if char in GSM_BASIC or char in GSM_EXTENDED:
            out.append(char)
        elif char in _GSM_SUBSTITUTES:
            out.append(_GSM_SUBSTITUTES[char])
        else:
            base = unicodedata.normalize("NFD", char)[0]
            out.append(base if base in GSM_BASIC else "?")
    return "".join(out)


def gsm_length(text: str) -> int | None:
    """Septets the text takes in one GSM-7 SMS, or None if it needs UCS-2 (then 70 chars per SMS)."""
    if any(c not in GSM_BASIC and c not in GSM_EXTENDED for c in text):
        return None
    return sum(2 if c in GSM_EXTENDED else 1 for c in text)
