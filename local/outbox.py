"""The local outbox: every email SES and every SMS SNS would have sent, newest first.

moto keeps sent messages but not when; the local stack wraps moto's SES and SNS backends' send
methods (moto's code, not ours) to note each message with its time as it is accepted. Raw emails
(what the notifier sends: plain text + HTML + attachments) are parsed back into their parts; the page
shows the HTML part in a sandboxed iframe (``srcdoc``, no scripts, no same origin), so that a
message's markup can never act on the page.
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


def clear() -> None:
    """Forget every message (tests: each starts with an empty outbox)."""
    with _lock:
        _messages.clear()


def restore(entries: list[dict[str, Any]]) -> None:
    """Messages kept from an earlier run of the stack (``local.persistence``), oldest first."""
    with _lock:
        _messages[:0] = entries


def _note(entry: dict[str, Any]) -> None:
    entry["at"] = datetime.now(UTC).isoformat(timespec="seconds")
    with _lock:
        _messages.append(entry)


def install() -> None:
    global _installed
    if _installed:
        return
    from moto.ses.models import SESBackend
    from moto.sns.models import SNSBackend, Subscription

    send_email = SESBackend.send_email
    send_raw_email = SESBackend.send_raw_email
    publish = SNSBackend.publish

    def noted_send_email(self: Any, source: str, subject: str, body: str, destinations: dict[str, list[str]]) -> Any:
        message = send_email(self, source, subject, body, destinations)
        recipients = [a for addresses in destinations.values() for a in addresses]
        _note(
            {
                "channel": "email",
                "to": ", ".join(recipients),
                "from": source,
                "subject": subject,
                "body": body,
                "message_id": message.id,
            }
        )
        return message

    def noted_send_raw_email(self: Any, source: str, destinations: list[str], raw_data: str) -> Any:
        message = send_raw_email(self, source, destinations, raw_data)
        _note(
            {
                "channel": "email",
                "to": ", ".join(destinations),
                "from": source,
                "message_id": message.id,
                **_parts(raw_data),
            }
        )
        return message

    def noted_publish(
        self: Any, message: str, arn: str | None, phone_number: str | None = None, *args: Any, **kwargs: Any
    ) -> str:
        message_id = publish(self, message, arn, phone_number, *args, **kwargs)
        if phone_number:
            _note(
                {
                    "channel": "sms",
                    "to": phone_number,
                    "from": "SNS",
                    "subject": "",
                    "body": message,
                    "message_id": message_id,
                }
            )
        return message_id

    subscription_publish = Subscription.publish

    def noted_subscription_publish(
        self: Any,
        message: str,
        message_id: str,
        subject: str | None = None,
        message_attributes: Any = None,
        *args: Any,
        **kwargs: Any,
    ) -> None:
        # a topic's email subscriber (an organ's address): the email SNS would send it
        subscription_publish(self, message, message_id, subject, message_attributes, *args, **kwargs)
        matcher = self._filter_policy_matcher
        if self.protocol == "email" and (matcher is None or matcher.matches(message_attributes, message)):
            _note(
                {
                    "channel": "email",
                    "to": self.endpoint,
                    "from": "SNS " + self.topic.name,
                    "subject": subject or "",
                    "body": message,
                    "message_id": message_id,
                }
            )

    Subscription.publish = noted_subscription_publish
    SESBackend.send_email = noted_send_email
    SESBackend.send_raw_email = noted_send_raw_email
    SNSBackend.publish = noted_publish
    _installed = True


def _parts(raw_data: str) -> dict[str, Any]:
    """Subject, plain text, HTML and attachment names of a raw MIME email."""
    import email
    from email import policy

    message = email.message_from_string(raw_data, policy=policy.default)
    text = message.get_body(preferencelist=("plain",))
    rich = message.get_body(preferencelist=("html",))
    return {
        "subject": str(message.get("Subject", "")),
        "body": text.get_content() if text is not None else "",
        "html": rich.get_content() if rich is not None else None,
        "attachments": [part.get_filename() or "anexo" for part in message.iter_attachments()],
        "language": str(message.get("Content-Language", "")) or None,
    }


def render_page() -> str:
    rows = []
    for m in messages():
        attachments = "".join(f"<li>{html.escape(name)}</li>" for name in m.get("attachments") or [])
        rich = ""
        if m.get("html"):
            # srcdoc is an attribute: html.escape(quote=True) keeps the message inside it; the empty
            # sandbox runs no script and gives the frame an opaque origin.
            rich = (
                f"<details open><summary>HTML</summary><iframe sandbox='' referrerpolicy='no-referrer' "
                f"title='{html.escape(m['subject'] or 'email', quote=True)}' srcdoc=\"{html.escape(m['html'], quote=True)}\">"
                "</iframe></details>"
            )
        rows.append(
            "<article class='message'>"
            f"<h2>{html.escape(m['subject'] or 'SMS')}</h2>"
            f"<dl><dt>Canal</dt><dd>{html.escape(m['channel'])}</dd>"
            f"<dt>Para</dt><dd>{html.escape(m['to'])}</dd>"
            f"<dt>De</dt><dd>{html.escape(m['from'])}</dd>"
            f"<dt>Enviado</dt><dd><time datetime='{m['at']}'>{m['at']}</time></dd>"
            + (f"<dt>Idioma</dt><dd>{html.escape(m['language'])}</dd>" if m.get("language") else "")
            + (f"<dt>Anexos</dt><dd><ul>{attachments}</ul></dd>" if attachments else "")
            + f"</dl>{rich}<details{'' if rich else ' open'}><summary>Texto</summary><pre>{html.escape(m['body'])}</pre></details></article>"
        )
    body = "\n".join(rows) or "<p>Ainda não foi enviada nenhuma mensagem.</p>"
    return (
        "<!doctype html><html lang='pt-PT'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        "<title>Caixa de saída local — Balcão</title>"
        "<style>body{font-family:system-ui,sans-serif;max-width:60rem;margin:1rem auto;padding:0 1rem;color:#1a1a1a}"
        ".message{border:1px solid #767676;border-radius:4px;padding:0 1rem;margin:1rem 0}"
        "dl{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem}dt{font-weight:bold}"
        "pre{white-space:pre-wrap;background:#f3f3f3;padding:.5rem}"
        "iframe{width:100%;height:32rem;border:1px solid #767676;background:#fff}summary{cursor:pointer;margin:.5rem 0}</style></head><body><main>"
        "<h1>Caixa de saída local</h1><p>Emails e SMS que o Balcão teria enviado, os mais recentes primeiro. "
        "Só existe no ambiente local.</p>"
        f"{body}</main></body></html>"
    )
