"""Postal letters: a notification for someone who gave no electronic consent, as an A4 PDF (fpdf2)
with the municipality's header, the address placed for a window envelope (DL, right window), the date,
the subject and the text, and the notification's id as the reference that ties it to the log."""

from __future__ import annotations

from typing import Any

# fpdf2's core fonts are Latin-1; typographic characters outside it are written as their plain twins.
_LATIN1_SUBSTITUTES = {"–": "-", "—": "-", "‘": "'", "’": "'", "“": '"', "”": '"', "…": "...", "€": "EUR", "\u00a0": " "}


def _latin1(text: str) -> str:
    text = "".join(_LATIN1_SUBSTITUTES.get(c, c) for c in text)
    return text.encode("latin-1", "replace").decode("latin-1")


def letter_pdf(address: list[str], rendered: Any, language: str, reference: str | None = None) -> bytes:
    """The letter as PDF bytes. ``address``: name then address lines; ``rendered``: the message
    rendered for a letter (``render_email(..., letter=True)``)."""
    from datetime import datetime

    from fpdf import FPDF

    from chalicelib.kernel.settings import get_settings
    from chalicelib.processes.table import LISBON

    settings = get_settings()
    pdf = FPDF(format="A4", unit="mm")
    pdf.set_title(_latin1(rendered.subject))
    pdf.set_author(_latin1(settings.municipality))
    pdf.set_creator("Balcão")
    pdf.set_margins(20, 20, 20)
    pdf.set_auto_page_break(True, margin=20)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 14)
    pdf.cell(0, 8, _latin1(settings.municipality), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 9)
    pdf.cell(0, 5, _latin1(settings.public_base_url), new_x="LMARGIN", new_y="NEXT")
    # Address in the right window of a DL envelope: 100 mm from the left, 45 mm from the top.
    pdf.set_xy(100, 45)
    pdf.set_font("Helvetica", "", 11)
    for line in address:
        pdf.set_x(100)
        pdf.cell(90, 5.5, _latin1(line), new_x="LMARGIN", new_y="NEXT")
    pdf.set_y(90)
    today = datetime.now(LISBON).strftime("%d/%m/%Y")
    pdf.set_font("Helvetica", "", 10)
    label = "Date" if language == "en" else "Data"
    pdf.cell(0, 6, f"{label}: {today}", new_x="LMARGIN", new_y="NEXT")
    if reference:
        pdf.cell(0, 6, f"Ref.: {reference}", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.set_font("Helvetica", "B", 12)
    pdf.multi_cell(0, 6, _latin1(rendered.subject), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    pdf.set_font("Helvetica", "", 11)
    pdf.multi_cell(0, 5.5, _latin1(rendered.text.strip()), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(8)
    pdf.cell(0, 6, _latin1(settings.municipality), new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
