"""Proving who one is: login by a login name and password (throttled per name, or per known device,
and per source address; one generic answer for every failure; each failure and each throttled try
audited), re-authentication before a sensitive change, a new password (which ends every session), and
administrators locking an account (which does too)."""

from __future__ import annotations

from typing import Any

from chalicelib.accounts.credentials import Devices, Throttle, device_key
from chalicelib.accounts.passwords import dummy_hash, hash_password, needs_rehash, verify_password
from chalicelib.accounts.sessions import Sessions
from chalicelib.accounts.users import EPOCH_NAMES, EPOCH_VALUES, NEW_EPOCH, Accounts, User, login_key
from chalicelib.kernel.clock import iso
from chalicelib.kernel.errors import Conflict, NotAuthenticated, ValidationFailed
from chalicelib.kernel.inject import Injected
from chalicelib.kernel.vocabulary import AccountStatus
from chalicelib.platform.audit import Actor, AuditTrail
from chalicelib.platform.dynamo import condition_failed

# Failed password guesses allowed before the delays start: per login name, per source address.
LOGIN_ALLOWANCE_PER_ACCOUNT = 5
LOGIN_ALLOWANCE_PER_SOURCE = 20


class Authentication:
    throttle = Injected(lambda self: Throttle())
    devices = Injected(lambda self: Devices())
    sessions = Injected(lambda self: Sessions(audit=self.audit))

    def __init__(
        self,
        accounts: Accounts | None = None,
        throttle: Throttle | None = None,
        sessions: Sessions | None = None,
        audit: AuditTrail | None = None,
        devices: Devices | None = None,
    ):
        self.audit = audit or (accounts.audit if accounts else AuditTrail())
        self.accounts = accounts or Accounts(audit=self.audit)
        self._throttle = throttle
        self._sessions = sessions
        self._devices = devices

    def authenticate(
        self, identifier: str, password: str, kind: str, source_ip: str | None = None, device: str | None = None
    ) -> User:
        """The user whose login name and password these are, of this kind; else one generic 401 that
        never tells which part was wrong, in about the same time, and an audit event. Tries are
        throttled per login name and per source address (429 while a delay runs, the same for
        unknown names); a browser with the account's device cookie (``device``) has an allowance of
        its own instead of the login name's, which strangers' failures cannot use up."""
        item = self.accounts.find(identifier)
        keys = self.throttle_keys("login", identifier, source_ip)
        if item is not None and device and self.devices.owner(device) == item["user_id"]:
            keys[0] = (device_key(device), LOGIN_ALLOWANCE_PER_ACCOUNT)
        actor = Actor(item["user_id"] if item else "anonymous", source_ip)
        subject = f"user#{item['user_id']}" if item else f"login#{login_key(identifier)}"
        self.throttle.reserve(
            keys, field="password", refused=lambda: self.audit.record(actor, "session.login_throttled", subject)
        )
        if item is None:
            verify_password(dummy_hash(), password)
        if item is None or not verify_password(item["password_hash"], password) or item["kind"] != kind:
            self.audit.record(actor, "session.login_failed", subject)
            raise NotAuthenticated("Identificação ou palavra-passe incorretas.", field="password")
        self.throttle.succeeded(keys)
        self._rehash_if_needed(item, password)
        return User.from_item(item)

    def remember_device(self, user: User, device: str | None) -> str | None:
        """A new device cookie for a browser that has just logged in without one of this account's."""
        if device and self.devices.owner(device) == user.user_id:
            return None
        return self.devices.issue(user.user_id)

    def check_password(
        self, user_id: str, password: str, source_ip: str | None, field: str = "password"
    ) -> dict[str, Any]:
        """Re-authentication of a logged-in user (changes of password or email), throttled as logins."""
        keys = [
            (f"reauth:{user_id}", LOGIN_ALLOWANCE_PER_ACCOUNT),
            (f"login:ip:{source_ip or '-'}", LOGIN_ALLOWANCE_PER_SOURCE),
        ]
        self.throttle.reserve(
            keys,
            field=field,
            refused=lambda: self.audit.record(
                Actor(user_id, source_ip), "account.reauthentication_throttled", f"user#{user_id}"
            ),
        )
        item = self.accounts.get_item(user_id)
        if item is None or not verify_password(item["password_hash"], password):
            self.audit.record(Actor(user_id, source_ip), "account.reauthentication_failed", f"user#{user_id}")
            raise ValidationFailed("A palavra-passe atual não está correta.", field=field)
        self.throttle.succeeded(keys)
        return item

    @staticmethod
    def throttle_keys(purpose: str, identifier: str, source_ip: str | None) -> list[tuple[str, int]]:
        return [
            (f"{purpose}:id:{login_key(identifier)}", LOGIN_ALLOWANCE_PER_ACCOUNT),
            (f"login:ip:{source_ip or '-'}", LOGIN_ALLOWANCE_PER_SOURCE),
        ]

    def _rehash_if_needed(self, item: dict[str, Any], password: str) -> None:
        """Hashes made with older parameters are replaced at the next successful login."""
        if needs_rehash(item["password_hash"]):
            self.accounts.table.update_item(
                Key={"pk": item["pk"]},
                UpdateExpression="SET password_hash = :h",
                ExpressionAttributeValues={":h": hash_password(password)},
            )

    def lock(self, user_id: str, actor: Actor, reason: str) -> dict[str, Any]:
        """Administrators lock an active account (e.g. suspected misuse): every session ends."""
        item = self.accounts.transition(
            user_id,
            (AccountStatus.ACTIVE,),
            AccountStatus.LOCKED,
            actor,
            set_values={"lock_reason": reason},
            reason=reason,
            new_epoch=True,
        )
        self.sessions.revoke_all(user_id)
        return item

    def unlock(self, user_id: str, actor: Actor, reason: str) -> dict[str, Any]:
        return self.accounts.transition(
            user_id, (AccountStatus.LOCKED,), AccountStatus.ACTIVE, actor, remove=("lock_reason",), reason=reason
        )

    def set_password(
        self,
        user_id: str,
        password: str,
        actor: Actor,
        action: str,
        *,
        condition: tuple[str, dict[str, Any]] | None = None,
        remove: tuple[str, ...] = (),
    ) -> None:
        """Store a new password (already checked against the policy) in a new credential epoch: every
        session, API key and one-time link of the account ends."""
        update = f"SET password_hash = :h, password_changed_at = :at, {NEW_EPOCH}"
        if remove:
            update += " REMOVE " + ", ".join(remove)
        kwargs: dict[str, Any] = {}
        values: dict[str, Any] = {":h": hash_password(password), ":at": iso(), **EPOCH_VALUES}
        if condition:
            kwargs["ConditionExpression"] = condition[0]
            values.update(condition[1])
        try:
            self.accounts.table.update_item(
                Key={"pk": f"USER#{user_id}"},
                UpdateExpression=update,
                ExpressionAttributeNames=EPOCH_NAMES,
                ExpressionAttributeValues=values,
                **kwargs,
            )
        except condition_failed(self.accounts.table):
            raise Conflict("A palavra-passe já foi alterada entretanto. Tente de novo.", field="password") from None
        revoked = self.sessions.revoke_all(user_id)
        self.audit.record(actor, action, f"user#{user_id}", sessions_revoked=revoked)
