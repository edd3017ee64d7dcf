"""Accounts as the audit trail records them."""

from __future__ import annotations


def statuses(user_id: str) -> list[str]:
    from chalicelib.platform.audit import AuditTrail

    events = sorted(AuditTrail().for_subject(f"user#{user_id}"), key=lambda e: e["event_id"])
    return [e["details"]["status"] for e in events if e["action"] in ("account.created", "account.status_changed")]
