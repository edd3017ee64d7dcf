"""Staff's second factor, which is not the mailbox: a TOTP authenticator app (RFC 6238, 30-second
steps, 6 digits, pyotp), with ten single-use recovery codes for a lost phone.

- Enrolment: at the first login (password, then a one-time code emailed once, to bootstrap), a
  narrow session that may only set the app up: a new secret, confirmed by a code from the app; the
  recovery codes are shown once, and only their SHA-256 is kept.
- Login: the app's code of the current 30-second step only (ASVS 5.0 6.5.5: a TOTP lives at most 30
  seconds, so no step either side is accepted; the server's clock decides), each step usable once
  (``totp_last_step``, in a conditional write), or an unused recovery code (taken out of the set in a
  conditional write). Recovery codes carry 118 bits, so a plain SHA-256 may keep them (ASVS 6.5.2: a
  salted password hash only below 112 bits).
- An administrator of the organ may remove it (a lost phone): the next login enrols again.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from typing import Any

from chalicelib.accounts.users import Accounts
from chalicelib.kernel.errors import Conflict, NotAuthenticated, ValidationFailed
from chalicelib.kernel.settings import get_settings
from chalicelib.platform.audit import Actor, AuditTrail

STEP_SECONDS = 30
RECOVERY_CODES = 10
ISSUER = "Balcão"


def _sha256(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def _totp(secret: str) -> Any:
    import pyotp

    return pyotp.TOTP(secret, interval=STEP_SECONDS)


RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i: read off paper without doubt
RECOVERY_GROUPS = 6  # of 4 characters: 24 x log2(31) = 118.9 bits


def recovery_code() -> str:
    """``abcd-efgh-jkmn-pqrs-tuvw-xyz2``: 118 bits from the CSPRNG, unambiguous letters and digits."""
    return "-".join("".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(4)) for _ in range(RECOVERY_GROUPS))


def _normal(code: str) -> str:
    return code.strip().lower().replace(" ", "")


class SecondFactor:
    def __init__(self, accounts: Accounts | None = None, audit: AuditTrail | None = None):
        self.audit = audit or AuditTrail()
        self.accounts = accounts or Accounts(audit=self.audit)

    @property
    def _failed(self) -> Any:
        return self.accounts.table.meta.client.exceptions.ConditionalCheckFailedException

    @staticmethod
    def enrolled(item: dict[str, Any]) -> bool:
        return bool(item.get("totp_secret"))

    def begin(self, user_id: str, source_ip: str | None) -> dict[str, str]:
        """A new secret for the caller's app (replacing one not yet confirmed): the secret and the
        ``otpauth://`` address a QR code carries."""
        import pyotp

        item = self.accounts.get_item(user_id)
        if item is None:
            raise NotAuthenticated()
        if self.enrolled(item):
            raise Conflict("A aplicação de autenticação já está configurada.", field="code")
        secret = pyotp.random_base32()
        self.accounts.table.update_item(
            Key={"pk": f"USER#{user_id}"},
            UpdateExpression="SET totp_pending = :s",
            ExpressionAttributeValues={":s": secret},
        )
        self.audit.record(Actor(user_id, source_ip), "account.second_factor_started", f"user#{user_id}")
        issuer = f"{ISSUER} ({get_settings().municipality})"
        uri = _totp(secret).provisioning_uri(name=item.get("username") or item["email"], issuer_name=issuer)
        return {"secret": secret, "otpauth_uri": uri}

    def confirm(self, user_id: str, code: str, source_ip: str | None) -> list[str]:
        """The app's first code confirms the secret: the second factor is on, and the recovery codes
        are returned (the only time they are seen)."""
        item = self.accounts.get_item(user_id) or {}
        pending = item.get("totp_pending")
        if not pending:
            raise ValidationFailed("Peça primeiro um segredo: POST /api/staff/second-factor.", field="code")
        step = self._matching_step(pending, code)
        if step is None:
            raise ValidationFailed("Código incorreto: use o código que a aplicação mostra agora.", field="code")
        codes = [recovery_code() for _ in range(RECOVERY_CODES)]
        try:
            self.accounts.table.update_item(
                Key={"pk": f"USER#{user_id}"},
                UpdateExpression="SET totp_secret = :s, totp_last_step = :step, recovery_codes = :codes, "
                "second_factor_at = :at REMOVE totp_pending",
                ConditionExpression="totp_pending = :s AND attribute_not_exists(totp_secret)",
                ExpressionAttributeValues={
                    ":s": pending,
                    ":step": step,
                    ":codes": {_sha256(c) for c in codes},
                    ":at": int(time.time()),
                },
            )
        except self._failed:
            raise Conflict("A aplicação de autenticação já está configurada.", field="code") from None
        self.audit.record(Actor(user_id, source_ip), "account.second_factor_enrolled", f"user#{user_id}")
        return codes

    def verify(self, user_id: str, code: str, source_ip: str | None) -> str:
        """``totp`` or ``recovery_code`` when ``code`` is one, used up now; else a 401."""
        item = self.accounts.get_item(user_id) or {}
        secret = item.get("totp_secret")
        wrong = NotAuthenticated(
            "Código errado: escreva o que a aplicação mostra agora (cada código vale 30 segundos).", field="code"
        )
        if not secret:
            raise wrong
        key = {"pk": f"USER#{user_id}"}
        if "-" in code.strip():
            digest = _sha256(_normal(code))
            try:
                self.accounts.table.update_item(
                    Key=key,
                    UpdateExpression="DELETE recovery_codes :code",
                    ConditionExpression="contains(recovery_codes, :hash)",
                    ExpressionAttributeValues={":code": {digest}, ":hash": digest},
                )
            except self._failed:
                raise wrong from None
            self.audit.record(
                Actor(user_id, source_ip),
                "session.recovery_code_used",
                f"user#{user_id}",
                left=len(item.get("recovery_codes", ())) - 1,
            )
            return "recovery_code"
        step = self._matching_step(secret, code)
        if step is None:
            raise wrong
        try:  # each step once: a code seen over a shoulder or replayed opens nothing
            self.accounts.table.update_item(
                Key=key,
                UpdateExpression="SET totp_last_step = :step",
                ConditionExpression="totp_secret = :s AND "
                "(attribute_not_exists(totp_last_step) OR totp_last_step < :step)",
                ExpressionAttributeValues={":step": step, ":s": secret},
            )
        except self._failed:
            raise NotAuthenticated("Este código já foi usado: espere pelo próximo.", field="code") from None
        return "totp"

    def remove(self, user_id: str, actor: Actor, reason: str) -> None:
        self.accounts.table.update_item(
            Key={"pk": f"USER#{user_id}"},
            UpdateExpression="REMOVE totp_secret, totp_pending, totp_last_step, recovery_codes, second_factor_at",
        )
        self.audit.record(actor, "account.second_factor_removed", f"user#{user_id}", reason=reason)

    @staticmethod
    def _matching_step(secret: str, code: str) -> int | None:
        code = code.strip()
        if not (len(code) == 6 and code.isascii() and code.isdigit()):
            return None
        step = int(time.time()) // STEP_SECONDS
        return step if hmac.compare_digest(_totp(secret).at(step * STEP_SECONDS), code) else None
