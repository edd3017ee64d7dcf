"""What every PDF Balcão writes (receipts, payment plans, letters, signature pages) shares: DejaVu Sans
embedded (a Unicode TrueType font, subset to the glyphs used, so "€", every accent and any name print
as written), and an A4 page with the municipality as its author. The fonts ship in
``chalicelib/data/fonts/`` (Bitstream Vera licence, in ``LICENSE`` there), so the Lambda package has
them. fpdf2 is imported only when a PDF is made (cold start).
"""

from __future__ import annotations

import unicodedata
from datetime import datetime
from pathlib import Path
from typing import Any

FONT = "DejaVu"
MONO = "Courier"  # for SHA-256 digests only: hexadecimal, which the core font has
FONT_DIR = Path(__file__).resolve().parent.parent / "data" / "fonts"
_FONT_FILES = {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf"}


def text(value: Any) -> str:
    """``value`` as text to draw: as written, less the invisible control and format characters (a
    U+202E in a name would reorder what is printed after it)."""
    return "".join(c for c in str(value) if c in "\n\t" or unicodedata.category(c) not in ("Cc", "Cf", "Co", "Cs"))


def a4(
    title: str,
    author: str,
    created: datetime | None = None,
    margin: float | None = None,
    page_break_margin: float | None = None,
) -> Any:
    """A new A4 document (mm) with the Unicode font, ``FONT`` at 10 pt, and its first page added."""
    from fpdf import FPDF

    pdf = FPDF(format="A4", unit="mm")
    for style, name in _FONT_FILES.items():
        pdf.add_font(FONT, style, str(FONT_DIR / name))
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
    pdf.set_font(FONT, "", 10)
    return pdf
