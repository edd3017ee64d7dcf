"""Decision-stage rules without AWS: when a decision is notified, when a task's deadline ends, what a
signature page says."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime


def test_a_decision_on_christmas_eve_is_notified_after_christmas() -> None:
    from chalicelib.kernel.working_days import next_working_day_opening

    # Wednesday 24 Dec 2025, afternoon: Thursday is Christmas Day, so Friday 26 at 09:00 Lisbon.
    assert next_working_day_opening(datetime(2025, 12, 24, 15, 0, tzinfo=UTC)) == datetime(
        2025, 12, 26, 9, 0, tzinfo=UTC
    )
    # A Friday decision is notified on Monday; summer time moves 09:00 Lisbon to 08:00 UTC.
    assert next_working_day_opening(datetime(2026, 7, 3, 12, 0, tzinfo=UTC)) == datetime(2026, 7, 6, 8, 0, tzinfo=UTC)


def test_a_deadline_runs_to_the_end_of_its_day_in_lisbon() -> None:
    from chalicelib.kernel.working_days import end_of_day

    assert end_of_day(date(2026, 7, 6)) == datetime(2026, 7, 6, 22, 59, 59, tzinfo=UTC)
    assert end_of_day(date(2026, 1, 6)) == datetime(2026, 1, 6, 23, 59, 59, tzinfo=UTC)


def test_the_signature_page_names_the_signer_and_the_hash_in_portuguese() -> None:
    from pypdf import PdfReader, PdfWriter

    from chalicelib.decision.signatures import add_signature_page

    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    original = io.BytesIO()
    writer.write(original)
    signed = add_signature_page(original.getvalue(), ["Assinado por: João Conceição (teste)", "a" * 64])
    pages = PdfReader(io.BytesIO(signed)).pages
    assert len(pages) == 2
    text = pages[1].extract_text()
    assert "João Conceição (teste)" in text and "a" * 64 in text
