"""Sessions: random 256-bit tokens, stored only as their SHA-256, each with a scope that says what its
holder may do."""

from __future__ import annotations

import hashlib
import secrets
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from chalicelib.accounts.users import Accounts, User
from chalicelib.kernel.clock import iso
from chalicelib.kernel.errors import Forbidden, NotAuthenticated, NotFound
from chalicelib.kernel.inject import Injected
from chalicelib.kernel.settings import get_settings
from chalicelib.kernel.vocabulary import AccountStatus, SessionScope
from chalicelib.platform import aws
from chalicelib.platform.audit import Actor, AuditTrail
from chalicelib.platform.dynamo import batch_get, key_text


@dataclass
class Session:
    token_hash: str
    user_id: str
    kind: str
    organ: str | None
    roles: list[str]
    expires_at: int
    scope: str = SessionScope.FULL
    read_only: bool = False  # a read-only API key: GET and HEAD only
    account_status: str = AccountStatus.ACTIVE
    account: User | None = None  # the account as this request read it (resolve), for the views that show it
    # items read in the same round trip as the session (``resolve(also=...)``): table name → key → item or None
    prefetched: dict[str, dict[str, dict[str, Any] | None]] = field(default_factory=dict)


ALL_SCOPES = tuple(SessionScope)
USER_AGENT_CHARS = 200
SESSION_ID_CHARS = 12  # the start of the token's SHA-256: names a session in the list, opens nothing
LISTED = "token_hash, created_at, last_seen, expires_at, source_ip, user_agent, #scope"


def _printable(text: str) -> str:
    return "".join(ch for ch in text if ch.isprintable())


def require_scope(scope: str, scopes: tuple[str, ...], account_status: str = AccountStatus.ACTIVE) -> None:
    """A 403 saying what to do first when a session of ``scope`` may not do what needs ``scopes``."""
    if scope in scopes:
        return
    if scope == SessionScope.CODE:
        raise Forbidden("Introduza primeiro o código de confirmação que lhe enviámos.")
    if scope == SessionScope.REGISTRATION and account_status == AccountStatus.REJECTED:
        raise Forbidden("O seu registo foi recusado pelos serviços: o motivo está na página do seu registo.")
    if scope == SessionScope.REGISTRATION:
        raise Forbidden("O seu registo ainda aguarda validação pelos serviços.")
    if scope == SessionScope.ENROLMENT:
        raise Forbidden("Configure primeiro a aplicação de autenticação: POST /api/staff/second-factor.")
    raise Forbidden()


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def named_account(token: str) -> str | None:
    """The user id a token names (``<user_id>.<random>``); None for a token made before tokens named
    their account (a random string with no dot), read the old way until it expires."""
    user_id, dot, rest = token.partition(".")
    return user_id if dot and rest and user_id.startswith("u_") and len(user_id) <= 40 else None


class Sessions:
    """Random 256-bit tokens, stored only as their SHA-256, with an idle timeout and an absolute
    expiry (also the item's TTL, so DynamoDB removes dead sessions). A login always makes a new token;
    logout ends it. Each session keeps the credential epoch its account had when it started; every
    request reads the account again (its status, epoch, organ and roles), so a lock or a change of
    password, email or roles ends every session at once, and a session always acts with the
    account's current powers. An account holds at most ``MAX_OPEN`` sessions: a new one ends the
    oldest."""

    # A session that only completes a registration or enters a code lives shorter.
    NARROW_SCOPE_SECONDS = {
        SessionScope.REGISTRATION: 3600,
        SessionScope.CODE: 15 * 60,
        SessionScope.ENROLMENT: 15 * 60,
    }
    MAX_OPEN = 10

    def __init__(self, table: Any = None, audit: AuditTrail | None = None, accounts: Accounts | None = None):
        self._table = table
        self.audit = audit or AuditTrail()
        self._accounts = accounts

    table = Injected(lambda self: aws.table("sessions"))
    accounts = Injected(lambda self: Accounts(audit=self.audit))

    def start(
        self, user: User, source_ip: str | None, scope: str = SessionScope.FULL, user_agent: str | None = None
    ) -> tuple[str, int]:
        """A new session; where it was opened from (address, browser) is kept for the account's list
        of its sessions."""
        settings = get_settings()
        # the account's id in the clear before the random part: resolve reads session and account in one
        # round trip; the hash covers both, so the id cannot be changed without losing the session
        token = f"{user.user_id}.{secrets.token_urlsafe(32)}"
        now = int(time.time())
        lifetime = self.NARROW_SCOPE_SECONDS.get(scope, settings.session_absolute_hours * 3600)
        ended = self._make_room(user.user_id, now)
        self.table.put_item(
            Item={
                "token_hash": _token_hash(token),
                "user_id": user.user_id,
                "kind": user.kind,
                "organ": user.organ or "-",
                "roles": user.roles,
                "scope": scope,
                "epoch": user.credential_epoch,
                "created_at": time.time_ns() // 1_000_000,  # milliseconds: the oldest is the one to end
                "last_seen": now,
                "expires_at": now + lifetime,
                "source_ip": source_ip or "-",
                "user_agent": _printable(user_agent or "")[:USER_AGENT_CHARS] or "-",
            }
        )
        self.audit.record(
            Actor(user.user_id, source_ip), "session.started", f"user#{user.user_id}", scope=scope, oldest_ended=ended
        )
        return token, lifetime

    def _make_room(self, user_id: str, now: int) -> int:
        """End the account's expired sessions, and its oldest live ones beyond ``MAX_OPEN - 1``."""
        items = sorted(self._of_user(user_id), key=lambda item: int(item["created_at"]))
        live = [item for item in items if int(item["expires_at"]) > now]
        ending = [item for item in items if int(item["expires_at"]) <= now]
        oldest = live[: max(0, len(live) - (self.MAX_OPEN - 1))]
        self._delete(ending + oldest)
        return len(oldest)

    def resolve(
        self,
        token: str | None,
        scopes: tuple[str, ...] = (SessionScope.FULL,),
        also: list[tuple[Any, dict[str, Any], bool]] = (),
    ) -> Session:
        """The session ``token`` opens, with its account read again (status, epoch, organ, roles) in
        the same round trip (one BatchGetItem), and the items ``also`` names (``(table, key,
        consistent)``: what the request reads next by a key it already knows), in
        ``Session.prefetched``."""
        if not token:
            raise NotAuthenticated()
        settings = get_settings()
        key = {"token_hash": _token_hash(token)}
        named = named_account(token)
        extra = list(also)
        if named is not None:
            accounts_table = self.accounts.table
            item, account_item, *others = batch_get(
                [(self.table, key, False), (accounts_table, {"pk": f"USER#{named}"}, True), *extra]
            )
            if item is not None and item["user_id"] != named:
                item = None
        else:
            item = self.table.get_item(Key=key).get("Item")
            account_item = self.accounts.get_item(item["user_id"]) if item else None
            others = batch_get(extra) if extra and item else [None] * len(extra)
        now = int(time.time())
        if item is None:
            raise NotAuthenticated("A sessão expirou ou não existe. Inicie sessão novamente.")
        idle_limit = settings.session_idle_minutes * 60
        if int(item["expires_at"]) <= now or int(item["last_seen"]) + idle_limit <= now:
            self.table.delete_item(Key=key)
            raise NotAuthenticated("A sessão expirou. Inicie sessão novamente.")
        account = User.from_item(account_item) if account_item else None
        if account is None or not still_valid(account, item):
            self.table.delete_item(Key=key)
            raise NotAuthenticated("A sessão terminou: a conta foi alterada ou bloqueada. Inicie sessão novamente.")
        scope = item.get("scope", SessionScope.FULL)
        require_scope(scope, scopes, account.status)
        if now - int(item["last_seen"]) > 60:  # at most one write a minute per session
            self.table.update_item(
                Key=key, UpdateExpression="SET last_seen = :n", ExpressionAttributeValues={":n": now}
            )
        prefetched: dict[str, dict[str, dict[str, Any] | None]] = {}
        for (table, item_key, _), found in zip(also, others, strict=True):
            prefetched.setdefault(table.name, {})[key_text(item_key)] = found
        return Session(
            token_hash=item["token_hash"],
            user_id=account.user_id,
            kind=account.kind,
            organ=account.organ,
            roles=list(account.roles),
            expires_at=int(item["expires_at"]),
            scope=scope,
            account_status=account.status,
            account=account,
            prefetched=prefetched,
        )

    def end(self, token: str | None, source_ip: str | None) -> None:
        if not token:
            return
        key = {"token_hash": _token_hash(token)}
        item = self.table.get_item(Key=key).get("Item")
        if item:
            self.table.delete_item(Key=key)
            self.audit.record(Actor(item["user_id"], source_ip), "session.ended", f"user#{item['user_id']}")

    def of_account(self, user_id: str, current_token_hash: str) -> list[dict[str, Any]]:
        """The account's open sessions, newest first: when each started and was last used, from which
        address and browser, its scope, and which one is the caller's (ASVS 7.5.2)."""
        now = int(time.time())
        idle_limit = get_settings().session_idle_minutes * 60
        items = self._of_user(user_id, listed=True)
        live = [i for i in items if int(i["expires_at"]) > now and int(i["last_seen"]) + idle_limit > now]
        return [
            {
                "session_id": item["token_hash"][:SESSION_ID_CHARS],
                "started_at": iso(datetime.fromtimestamp(int(item["created_at"]) / 1000, UTC)),
                "last_seen_at": iso(datetime.fromtimestamp(int(item["last_seen"]), UTC)),
                "source_ip": item.get("source_ip", "-"),
                "user_agent": item.get("user_agent", "-"),
                "scope": item.get("scope", SessionScope.FULL),
                "current": item["token_hash"] == current_token_hash,
            }
            for item in sorted(live, key=lambda i: int(i["created_at"]), reverse=True)
        ]

    def end_others(
        self, user_id: str, current_token_hash: str, source_ip: str | None, session_id: str | None = None
    ) -> int:
        """End every session of the account but the caller's (a lost phone, a shared computer), or only
        the one ``session_id`` names (404 if it is none of the account's others): the number ended,
        audited."""
        others = [item for item in self._of_user(user_id) if item["token_hash"] != current_token_hash]
        if session_id is not None:
            others = [item for item in others if item["token_hash"][:SESSION_ID_CHARS] == session_id]
            if not others:
                raise NotFound("Essa sessão não existe ou já terminou.", field="session_id")
        self._delete(others)
        self.audit.record(
            Actor(user_id, source_ip),
            "session.others_ended",
            f"user#{user_id}",
            sessions_ended=len(others),
            **({"session_id": session_id} if session_id else {}),
        )
        return len(others)

    def revoke_all(self, user_id: str) -> int:
        """Delete every stored session of a user (the epoch already refuses them: this is the
        cleanup); returns how many there were."""
        items = self._of_user(user_id)
        self._delete(items)
        return len(items)

    def _of_user(self, user_id: str, listed: bool = False) -> list[dict[str, Any]]:
        from boto3.dynamodb.conditions import Key

        projection: dict[str, Any] = {"ProjectionExpression": "token_hash, created_at, expires_at"}
        if listed:
            projection = {"ProjectionExpression": LISTED, "ExpressionAttributeNames": {"#scope": "scope"}}
        items: list[dict[str, Any]] = []
        page: dict[str, Any] = {}
        while True:  # every page: an account with many sessions keeps none of them by accident
            response = self.table.query(
                IndexName="by_user",
                KeyConditionExpression=Key("user_id").eq(user_id),
                **projection,
                **page,
            )
            items += response["Items"]
            if "LastEvaluatedKey" not in response:
                return items
            page = {"ExclusiveStartKey": response["LastEvaluatedKey"]}

    def _delete(self, items: list[dict[str, Any]]) -> None:
        with self.table.batch_writer() as batch:
            for item in items:
                batch.delete_item(Key={"token_hash": item["token_hash"]})


def still_valid(account: User, credential: dict[str, Any]) -> bool:
    """A session or key made under the account's current credential epoch, of an account not locked."""
    return (
        account.status != AccountStatus.LOCKED
        and int(credential.get("epoch", 0)) == account.credential_epoch
        and account.kind == credential.get("kind", account.kind)
    )
