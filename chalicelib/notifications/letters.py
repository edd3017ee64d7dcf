"""Postal letters: a notification for someone who gave no electronic consent, as an A4 PDF (fpdf2)
with the municipality's header, the address placed for a window envelope (DL, right window), the date,
the subject and the text, and the notification's id as the reference that ties it to the log."""

from __future__ import annotations

from typing import Any

from chalicelib.kernel import pdf as pdf_document
from chalicelib.kernel.clock import local, now
from chalicelib.kernel.settings import get_settings


def letter_pdf(address: list[str], rendered: Any, language: str, reference: str | None = None) -> bytes:
    """The letter as PDF bytes. ``address``: name then address lines; ``rendered``: the message
    rendered for a letter (``render_email(..., letter=True)``)."""
    settings = get_settings()
    pdf = pdf_document.a4(rendered.subject, settings.municipality, margin=20, page_break_margin=20)
    pdf.set_font(pdf_document.FONT, "B", 14)
    pdf.cell(0, 8, pdf_document.text(settings.municipality), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(pdf_document.FONT, "", 9)
    pdf.cell(0, 5, pdf_document.text(settings.public_base_url), new_x="LMARGIN", new_y="NEXT")
    # Address in the right window of a DL envelope: 100 mm from the left, 45 mm from the top.
    pdf.set_xy(100, 45)
    pdf.set_font(pdf_document.FONT, "", 11)
    for line in address:
        pdf.set_x(100)
        pdf.cell(90, 5.5, pdf_document.text(line), new_x="LMARGIN", new_y="NEXT")
    pdf.set_y(90)
    today = local(now()).strftime("%d/%m/%Y")
    pdf.set_font(pdf_document.FONT, "", 10)
    label = "Date" if language == "en" else "Data"
    pdf.cell(0, 6, f"{label}: {today}", new_x="LMARGIN", new_y="NEXT")
    if reference:
        pdf.cell(0, 6, f"Ref.: {reference}", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.set_font(pdf_document.FONT, "B", 12)
    pdf.multi_cell(0, 6, pdf_document.text(rendered.subject), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    pdf.set_font(pdf_document.FONT, "", 11)
    pdf.multi_cell(0, 5.5, pdf_document.text(rendered.text.strip()), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(8)
    pdf.cell(0, 6, pdf_document.text(settings.municipality), new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
