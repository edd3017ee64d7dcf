"""Text in the PDFs Balcão writes prints as written ("€", accents, any name), read back with pypdf."""

from __future__ import annotations

import io
from types import SimpleNamespace

import pytest

NAMES = ["Conceição Gonçalves", "Zoë Łukasiewicz", "Ольга Петрова", "Nguyễn Thị Ánh"]


def _text(pdf: bytes) -> str:
    from pypdf import PdfReader

    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


@pytest.mark.parametrize("name", NAMES)
def test_the_payment_plan_prints_euros_accents_and_the_name_as_written(name: str) -> None:
    from chalicelib.decision.payment_plans import render_pdf

    process = {
        "number": "CAMARA 2026/000001",
        "requerente": {"name": name},
        "fields": {"codigo_consumidor": "4501234"},
        "installment_plan": [
            {"number": 1, "due_date": "2027-01-08", "amount_cents": 50001, "amount_text": "500,01 €"},
            {"number": 2, "due_date": "2027-02-08", "amount_cents": 50000, "amount_text": "500,00 €"},
        ],
    }
    text = _text(
        render_pdf(process, SimpleNamespace(title="Pagamento da dívida de água em prestações"), "2026-12-07T10:00:00Z")
    )
    assert name in text
    assert "1 000,01 €" in text and "500,01 €" in text and "EUR" not in text
    assert "Acordo de pagamento em prestações" in text and "Código de consumidor" in text


def test_the_font_is_embedded_and_invisible_characters_are_left_out() -> None:
    from pypdf import PdfReader

    from chalicelib.kernel import pdf

    document = pdf.a4("Teste", "Município de Demonstração")
    document.multi_cell(0, 6, pdf.text("fatura\u202efdp.exe — 12 €"))
    data = bytes(document.output())
    fonts = [f.get_object() for f in PdfReader(io.BytesIO(data)).pages[0]["/Resources"]["/Font"].values()]
    assert any("DejaVuSans" in str(f["/BaseFont"]) for f in fonts)
    assert "faturafdp.exe — 12 €" in _text(data)
