"""What every PDF Balcão writes (receipts, payment plans, letters) shares: fpdf2's core fonts, whose
text must be Latin-1 (all of Portuguese is), and an A4 page with the municipality as its author.
fpdf2 is imported only when a PDF is made (cold start)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

# Typographic characters outside Latin-1 are written as their plain twins; anything else becomes '?'.
_LATIN1_SUBSTITUTES = {
    "–": "-",
    "—": "-",
    "‘": "'",
    "’": "'",
    "“": '"',
    "”": '"',
    "…": "...",
    "€": "EUR",
    "\u00a0": " ",
}


def text(value: Any) -> str:
    """``value`` as text the core fonts can draw."""
    plain = "".join(_LATIN1_SUBSTITUTES.get(c, c) for c in str(value))
    return plain.encode("latin-1", "replace").decode("latin-1")


def a4(
    title: str,
    author: str,
    created: datetime | None = None,
    margin: float | None = None,
    page_break_margin: float | None = None,
) -> Any:
    """A new A4 document (mm) with its first page added."""
    from fpdf import FPDF

    pdf = FPDF(format="A4", unit="mm")
    pdf.set_title(text(title))
    pdf.set_author(text(author))
    pdf.set_creator("Balcão")
    if created is not None:
        pdf.set_creation_date(created)
    if margin is not None:
        pdf.set_margins(margin, margin, margin)
    if page_break_margin is not None:
        pdf.set_auto_page_break(True, margin=page_break_margin)
    pdf.add_page()
    return pdf
