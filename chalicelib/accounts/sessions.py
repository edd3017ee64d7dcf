"""Sessions: random 256-bit tokens, stored only as their SHA-256, each with a scope that says what its
holder may do."""

from __future__ import annotations

import hashlib
import secrets
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from chalicelib.kernel.errors import Forbidden, NotAuthenticated
from chalicelib.kernel.inject import Injected
from chalicelib.kernel.settings import get_settings
from chalicelib.kernel.vocabulary import SessionScope
from chalicelib.platform import aws
from chalicelib.platform.audit import Actor, AuditTrail

if TYPE_CHECKING:
    from chalicelib.accounts.users import User


@dataclass
class Session:
    token_hash: str
    user_id: str
    kind: str
    organ: str | None
    roles: list[str]
    expires_at: int
    scope: str = SessionScope.FULL


ALL_SCOPES = tuple(SessionScope)


def require_scope(scope: str, scopes: tuple[str, ...]) -> None:
    """A 403 saying what to do first when a session of ``scope`` may not do what needs ``scopes``."""
    if scope in scopes:
        return
    if scope == SessionScope.CODE:
        raise Forbidden("Introduza primeiro o código de confirmação que lhe enviámos.")
    if scope == SessionScope.REGISTRATION:
        raise Forbidden("O seu registo ainda aguarda validação pelos serviços.")
    raise Forbidden()


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class Sessions:
    """Random 256-bit tokens, stored only as their SHA-256, with an idle timeout and an absolute
    expiry (also the item's TTL, so DynamoDB removes dead sessions). A login always makes a new token;
    logout ends it; a change of password or a lock ends all of a user's sessions (index ``by_user``)."""

    # A session that only completes a registration or enters a code lives shorter.
    NARROW_SCOPE_SECONDS = {SessionScope.REGISTRATION: 3600, SessionScope.CODE: 15 * 60}
    MAX_REVOKED = 100

    def __init__(self, table: Any = None, audit: AuditTrail | None = None):
        self._table = table
        self.audit = audit or AuditTrail()

    table = Injected(lambda self: aws.table("sessions"))

    def start(self, user: User, source_ip: str | None, scope: str = SessionScope.FULL) -> tuple[str, int]:
        settings = get_settings()
        token = secrets.token_urlsafe(32)
        now = int(time.time())
        lifetime = self.NARROW_SCOPE_SECONDS.get(scope, settings.session_absolute_hours * 3600)
        self.table.put_item(
            Item={
                "token_hash": _token_hash(token),
                "user_id": user.user_id,
                "kind": user.kind,
                "organ": user.organ or "-",
                "roles": user.roles,
                "scope": scope,
                "created_at": now,
                "last_seen": now,
                "expires_at": now + lifetime,
            }
        )
        self.audit.record(Actor(user.user_id, source_ip), "session.started", f"user#{user.user_id}", scope=scope)
        return token, lifetime

    def resolve(self, token: str | None, scopes: tuple[str, ...] = (SessionScope.FULL,)) -> Session:
        if not token:
            raise NotAuthenticated()
        settings = get_settings()
        key = {"token_hash": _token_hash(token)}
        item = self.table.get_item(Key=key).get("Item")
        now = int(time.time())
        if item is None:
            raise NotAuthenticated("A sessão expirou ou não existe. Inicie sessão novamente.")
        idle_limit = settings.session_idle_minutes * 60
        if int(item["expires_at"]) <= now or int(item["last_seen"]) + idle_limit <= now:
            self.table.delete_item(Key=key)
            raise NotAuthenticated("A sessão expirou. Inicie sessão novamente.")
        scope = item.get("scope", SessionScope.FULL)
        require_scope(scope, scopes)
        if now - int(item["last_seen"]) > 60:  # at most one write a minute per session
            self.table.update_item(
                Key=key, UpdateExpression="SET last_seen = :n", ExpressionAttributeValues={":n": now}
            )
        return Session(
            token_hash=item["token_hash"],
            user_id=item["user_id"],
            kind=item["kind"],
            organ=None if item.get("organ") in (None, "-") else item["organ"],
            roles=list(item.get("roles", [])),
            expires_at=int(item["expires_at"]),
            scope=scope,
        )

    def end(self, token: str | None, source_ip: str | None) -> None:
        if not token:
            return
        key = {"token_hash": _token_hash(token)}
        item = self.table.get_item(Key=key).get("Item")
        if item:
            self.table.delete_item(Key=key)
            self.audit.record(Actor(item["user_id"], source_ip), "session.ended", f"user#{item['user_id']}")

    def revoke_all(self, user_id: str) -> int:
        """End every session of a user; returns how many there were."""
        from boto3.dynamodb.conditions import Key

        items = self.table.query(
            IndexName="by_user", KeyConditionExpression=Key("user_id").eq(user_id), Limit=self.MAX_REVOKED
        )["Items"]
        with self.table.batch_writer() as batch:
            for item in items:
                batch.delete_item(Key={"token_hash": item["token_hash"]})
        return len(items)
