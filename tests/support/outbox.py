"""The messages the local outbox holds (local.outbox): to an address, their links, the staff login code."""

from __future__ import annotations

import re
from typing import Any

from tests.support.waiting import wait_for


def outbox_to(address: str) -> list[dict[str, Any]]:
    from local import outbox

    return [m for m in outbox.messages() if m["to"] == address]


def link_token(message: dict[str, Any]) -> str:
    return re.search(r"token=([A-Za-z0-9_-]+)", message["body"]).group(1)


def latest(address: str, subject_part: str) -> dict[str, Any]:
    return wait_for(lambda: [m for m in outbox_to(address) if subject_part in m["subject"]])[0]


def staff_login_code(challenge: dict[str, Any], seen: frozenset[str] | set[str] = frozenset()) -> str:
    """The code of the newest login-code email to the address the challenge names (masked), among
    the messages not in ``seen`` (the outbox outlives a test: an older code must not be taken)."""
    from chalicelib.accounts.staff_auth import mask_email
    from local import outbox

    for message in outbox.messages():
        if message["message_id"] in seen or mask_email(message["to"]) != challenge["code_sent_to"]:
            continue
        if message["subject"].startswith("Código de confirmação"):
            return message["subject"].rsplit(" ", 1)[-1]
    raise AssertionError(f"no login code was emailed to {challenge['code_sent_to']}")
