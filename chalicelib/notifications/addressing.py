"""Who a notification goes to (and by which channels they consented to), and the files attached to it."""

from __future__ import annotations

from dataclasses import dataclass, field

from chalicelib.notifications.templates import EMAIL, LETTER, MESSAGES, SMS


@dataclass(frozen=True)
class Attachment:
    """A file attached to an email: its bytes, or where they already are in S3."""

    filename: str
    content_type: str = "application/pdf"
    data: bytes | None = None
    bucket: str | None = None
    key: str | None = None


@dataclass
class Recipient:
    """Who receives a notification, and by which channels they consented to be notified."""

    name: str
    email: str | None = None
    phone: str | None = None
    language: str = "pt"
    electronic: tuple[str, ...] = (EMAIL,)
    postal_address: list[str] = field(default_factory=list)
    account_id: str | None = None

    def channels_for(self, message: str) -> list[str]:
        """The channels this message goes by: each consented electronic channel it supports and we
        have a contact for; without any, a postal letter where the message is a legal notification."""
        allowed = MESSAGES[message].channels
        chosen = [
            c
            for c in (EMAIL, SMS)
            if c in self.electronic and c in allowed and (self.email if c == EMAIL else self.phone)
        ]
        if not chosen and LETTER in allowed:
            chosen = [LETTER]
        return chosen
