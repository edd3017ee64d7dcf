"""The local outbox: every email SES and every SMS SNS would have sent, newest first.

moto keeps sent messages but not when; the local stack wraps moto's SES and SNS backends' send
methods (moto's code, not ours) to note each message with its time as it is accepted.
"""

from __future__ import annotations

import html
import threading
from datetime import UTC, datetime
from typing import Any

_lock = threading.Lock()
_messages: list[dict[str, Any]] = []
_installed = False


def messages() -> list[dict[str, Any]]:
    with _lock:
        return list(reversed(_messages))


def _note(entry: dict[str, Any]) -> None:
    entry["at"] = datetime.now(UTC).isoformat(timespec="seconds")
    with _lock:
        _messages.append(entry)


def install() -> None:
    global _installed
    if _installed:
        return
    from moto.ses.models import SESBackend
    from moto.sns.models import SNSBackend

    send_email = SESBackend.send_email
    publish = SNSBackend.publish

    def noted_send_email(self: Any, source: str, subject: str, body: str, destinations: dict[str, list[str]]) -> Any:
        message = send_email(self, source, subject, body, destinations)
        recipients = [a for addresses in destinations.values() for a in addresses]
        _note({"channel": "email", "to": ", ".join(recipients), "from": source, "subject": subject,
               "body": body, "message_id": message.id})
        return message

    def noted_publish(self: Any, message: str, arn: str | None, phone_number: str | None = None, *args: Any, **kwargs: Any) -> str:
        message_id = publish(self, message, arn, phone_number, *args, **kwargs)
        if phone_number:
            _note({"channel": "sms", "to": phone_number, "from": "SNS", "subject": "", "body": message,
                   "message_id": message_id})
        return message_id

    SESBackend.send_email = noted_send_email
    SNSBackend.publish = noted_publish
    _installed = True


def render_page() -> str:
    rows = []
    for m in messages():
        rows.append(
            "<article class='message'>"
            f"<h2>{html.escape(m['subject'] or 'SMS')}</h2>"
            f"<dl><dt>Canal</dt><dd>{html.escape(m['channel'])}</dd>"
            f"<dt>Para</dt><dd>{html.escape(m['to'])}</dd>"
            f"<dt>De</dt><dd>{html.escape(m['from'])}</dd>"
            f"<dt>Enviado</dt><dd><time datetime='{m['at']}'>{m['at']}</time></dd></dl>"
            f"<pre>{html.escape(m['body'])}</pre></article>"
        )
    body = "\n".join(rows) or "<p>Ainda não foi enviada nenhuma mensagem.</p>"
    return (
        "<!doctype html><html lang='pt-PT'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        "<title>Caixa de saída local — Balcão</title>"
        "<style>body{font-family:system-ui,sans-serif;max-width:60rem;margin:1rem auto;padding:0 1rem;color:#1a1a1a}"
        ".message{border:1px solid #767676;border-radius:4px;padding:0 1rem;margin:1rem 0}"
        "dl{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem}dt{font-weight:bold}"
        "pre{white-space:pre-wrap;background:#f3f3f3;padding:.5rem}</style></head><body><main>"
        "<h1>Caixa de saída local</h1><p>Emails e SMS que o Balcão teria enviado, os mais recentes primeiro. "
        "Só existe no ambiente local.</p>"
        f"{body}</main></body></html>"
    )
