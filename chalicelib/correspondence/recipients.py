"""Who a process's notifications go to: the requerente (or the representante who filed), by the
channels they consented to when the request was submitted (``chalicelib.processes.parties``)."""

from __future__ import annotations

from typing import Any

from chalicelib.notifications.addressing import Recipient
from chalicelib.notifications.templates import EMAIL


def recipient_for_process(process: dict[str, Any], user: Any) -> Recipient:
    """By the consent recorded with the request; a process without such a record (filed before
    consent was asked) uses the account's, by default its confirmed email address."""
    consent = process.get("notifications") or {}
    account_consent = getattr(user, "notifications", None) or {}
    electronic = consent.get("electronic", account_consent.get("electronic", [EMAIL]))
    return Recipient(
        name=consent.get("name") or user.name,
        email=consent.get("email") or user.email,
        phone=consent.get("phone") or user.phone,
        language=consent.get("language") or getattr(user, "language", None) or "pt",
        electronic=tuple(electronic),
        postal_address=list(consent.get("postal_address") or account_consent.get("postal_address") or []),
        account_id=user.user_id,
    )
