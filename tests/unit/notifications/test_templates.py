"""Every message's templates render in every language with their sample values; a missing value fails
here, not in production; values are escaped in HTML and only there; SMS fit one GSM-7 message."""

from __future__ import annotations

from typing import Any

import pytest
from markupsafe import escape

from chalicelib.notifications.gsm import gsm_length, to_gsm
from chalicelib.notifications.templates import (
    LANGUAGES,
    MESSAGES,
    SMS,
    TEMPLATE_DIR,
    render_email,
    render_sms,
)

CASES = [(key, language) for key in MESSAGES for language in LANGUAGES]


def _render_all(key: str, language: str, values: dict[str, Any]) -> tuple[Any, str | None]:
    email = render_email(key, language, values)
    letter = render_email(key, language, values, letter=True)
    assert letter.text.strip()
    sms = render_sms(key, language, values) if SMS in MESSAGES[key].channels else None
    return email, sms


@pytest.mark.parametrize(("key", "language"), CASES)
def test_every_message_renders_with_its_sample_values(key: str, language: str) -> None:
    sample = MESSAGES[key].sample
    email, sms = _render_all(key, language, sample)
    assert email.subject and "\n" not in email.subject
    assert "{{" not in email.text + email.html and "{%" not in email.text + email.html
    html_lang = "en" if language == "en" else "pt-PT"
    assert f'<html lang="{html_lang}">' in email.html
    assert f"<title>{escape(email.subject)}</title>" in email.html
    for value in sample.values():
        if isinstance(value, str) and value.isascii() and key != "decision":
            assert value in email.text  # what the message is about reaches the reader
    if sms is not None:
        length = gsm_length(sms)
        assert length is not None, f"{key}/{language}: SMS needs UCS-2: {sms!r}"
        assert length <= 160, f"{key}/{language}: SMS of {length} GSM characters: {sms!r}"


@pytest.mark.parametrize(("key", "language"), CASES)
def test_a_missing_value_fails_the_render(key: str, language: str) -> None:
    """Each sample value is used by the templates: without any one of them, rendering fails."""
    from jinja2 import UndefinedError

    for missing in MESSAGES[key].sample:
        values = {k: v for k, v in MESSAGES[key].sample.items() if k != missing}
        with pytest.raises(UndefinedError):
            _render_all(key, language, values)


def test_every_template_file_belongs_to_a_message_and_every_message_has_all_its_files() -> None:
    files = {(p.parent.name, p.name) for p in TEMPLATE_DIR.glob("*/*") if not p.name.startswith("_")}
    expected = {(language, f"{key}.{kind}") for key, language in CASES for kind in ("txt", "html")}
    assert files == expected


def test_values_are_escaped_in_html_and_kept_as_typed_in_text() -> None:
    values = {**MESSAGES["decision"].sample, "grounds": '<script>alert("x")</script> & <b>ok</b>'}
    email = render_email("decision", "pt", values)
    assert "<script>" not in email.html and "&lt;script&gt;" in email.html and "&amp; &lt;b&gt;" in email.html
    assert '<script>alert("x")</script> & <b>ok</b>' in email.text


def test_the_decision_reads_in_the_recipients_language() -> None:
    values = {**MESSAGES["decision"].sample, "decision": "indeferido"}
    assert "indeferido" in render_email("decision", "pt", values).subject
    assert "rejected" in render_email("decision", "en", values).subject
    assert "rejected" in render_sms("decision", "en-GB", values)
    assert "indeferido" in render_sms("decision", "fr", values)  # unknown language: pt-PT


def test_a_letter_has_no_email_footer() -> None:
    sample = MESSAGES["decision"].sample
    assert "não responda a este email" in render_email("decision", "pt", sample).text
    assert "não responda a este email" not in render_email("decision", "pt", sample, letter=True).text


def test_sms_text_is_folded_to_the_gsm_alphabet() -> None:
    assert to_gsm("Notificação à Câmara — já está") == "Notificacao à Camara - ja esta"
    assert gsm_length("Código") is None  # ó is not GSM-7: the whole SMS would be UCS-2
    assert gsm_length(to_gsm("Código")) == 6
    assert gsm_length("86,70 €") == 8  # € takes two septets


@pytest.mark.parametrize(
    ("days", "pt", "en"),
    [(1, "ultrapassado em 1 dia útil.", "breached by 1 working day."), (3, "em 3 dias úteis.", "by 3 working days.")],
)
def test_counted_words_agree_with_their_number(days: int, pt: str, en: str) -> None:
    values = {**MESSAGES["deadline_escalation"].sample, "working_days_late": days}
    assert pt in render_email("deadline_escalation", "pt", values).text
    assert en in render_email("deadline_escalation", "en", values).text
    reminder = {**MESSAGES["deadline_reminder"].sample, "working_days_left": 1}
    assert "falta 1 dia útil." in render_email("deadline_reminder", "pt", reminder).text
