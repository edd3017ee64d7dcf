"""An email as SES sends it raw: plain text and HTML alternatives, the attachments (e.g. the receipt
PDF), and the headers that tie it to its notification in the log."""

from __future__ import annotations

from typing import Any


def mime_message(
    sender_name: str,
    sender: str,
    to: str,
    rendered: Any,
    notification_id: str,
    language: str,
    attachments: list[tuple[str, str, bytes]],
) -> bytes:
    """A MIME message: plain text and HTML alternatives, then the attachments."""
    from email.headerregistry import Address
    from email.message import EmailMessage
    from email.utils import formatdate

    message = EmailMessage()
    local, _, domain = sender.partition("@")
    message["From"] = Address(sender_name, local, domain)
    message["To"] = to
    message["Subject"] = rendered.subject
    message["Date"] = formatdate(localtime=False)
    message["X-Balcao-Notification-Id"] = notification_id
    message.set_content(rendered.text)
    message.add_alternative(rendered.html, subtype="html")
    for filename, content_type, data in attachments:
        maintype, _, subtype = content_type.partition("/")
        message.add_attachment(data, maintype=maintype, subtype=subtype or "octet-stream", filename=filename)
    message["Content-Language"] = "en" if language == "en" else "pt-PT"  # after set_content, which clears Content-*
    return message.as_bytes()
