"""Accounts (citizens, companies and staff), their passwords and their sessions.

One DynamoDB table holds users (``pk = USER#<id>``) and the login names that point at them
(``pk = LOGIN#nif:<n>``, ``LOGIN#username:<u>``, ``LOGIN#email:<e>``), written together in one
transaction so that a login name never points at nothing.
"""

from __future__ import annotations

import hashlib
import secrets
import time
import uuid
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from chalicelib.accounts.credentials import Throttle
from chalicelib.kernel.clock import iso
from chalicelib.kernel.errors import Conflict, Forbidden, NotAuthenticated, ValidationFailed
from chalicelib.kernel.identity import normalise_identity_number
from chalicelib.kernel.inject import Injected
from chalicelib.kernel.settings import get_settings
from chalicelib.platform import aws
from chalicelib.platform.audit import Actor, AuditTrail

CITIZEN = "citizen"
STAFF = "staff"
STAFF_ROLES = ("clerk", "decision_maker", "organ_head", "administrator", "auditor")


# argon2id at the OWASP Password Storage Cheat Sheet's first configuration: 19 MiB, 2 passes, one lane.
OWASP_ARGON2ID = {"time_cost": 2, "memory_cost": 19 * 1024, "parallelism": 1, "hash_len": 32, "salt_len": 16}


@lru_cache(maxsize=1)
def _hasher() -> Any:
    from argon2 import PasswordHasher, Type, profiles

    name = get_settings().password_hash_profile
    if name == "OWASP":
        return PasswordHasher(type=Type.ID, **OWASP_ARGON2ID)
    return PasswordHasher.from_parameters(getattr(profiles, name))


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    from argon2.exceptions import InvalidHashError, VerificationError

    try:
        return _hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    # Verified against when a login name is unknown, so that the answer takes as long either way.
    return hash_password(secrets.token_urlsafe(16))


def login_key(identifier: str) -> str:
    """The alias key a login name is stored under: an identity number, an email or a username."""
    value = identifier.strip()
    compact = value.replace(".", "").replace("-", "").replace("/", "").replace(" ", "")
    if compact.isdigit():
        return f"nif:{compact}"
    if "@" in value:
        return f"email:{value.lower()}"
    return f"username:{value.lower()}"


# Account states (pt-PT, as stored and shown). Every change of state writes an audit event.
AWAITING_EMAIL = "aguarda_confirmacao_email"
AWAITING_VALIDATION = "aguarda_validacao"
REJECTED = "rejeitado"
ACTIVE = "ativo"
LOCKED = "bloqueado"
ACCOUNT_STATES = (AWAITING_EMAIL, AWAITING_VALIDATION, REJECTED, ACTIVE, LOCKED)

# What a session lets its holder do: everything ("full"), only follow and complete a registration
# awaiting validation ("registration"), or only ask for and enter the first-login code ("code").
FULL = "full"
REGISTRATION_SCOPE = "registration"
CODE_SCOPE = "code"

# Failed password guesses allowed before the delays start: per login name, per source address.
LOGIN_ALLOWANCE_PER_ACCOUNT = 5
LOGIN_ALLOWANCE_PER_SOURCE = 20


@dataclass
class User:
    user_id: str
    kind: str
    name: str
    email: str
    username: str | None
    identity_number: str | None = None
    phone: str | None = None
    organ: str | None = None
    roles: list[str] = field(default_factory=list)
    status: str = ACTIVE
    person_type: str | None = None
    address: dict[str, str] | None = None
    phone_confirmed: bool = False
    first_login_pending: bool = False
    activation_pending: bool = False

    @classmethod
    def from_item(cls, item: dict[str, Any]) -> User:
        return cls(
            user_id=item["user_id"],
            kind=item["kind"],
            name=item["name"],
            email=item["email"],
            username=item.get("username"),
            identity_number=item.get("identity_number"),
            phone=item.get("phone"),
            organ=item.get("organ"),
            roles=list(item.get("roles", [])),
            status=item.get("status", ACTIVE),
            person_type=item.get("person_type"),
            address=item.get("address"),
            phone_confirmed=bool(item.get("phone_confirmed")),
            first_login_pending=bool(item.get("first_login_pending")),
            activation_pending=bool(item.get("activation_pending")),
        )

    def public(self) -> dict[str, Any]:
        return {
            "user_id": self.user_id,
            "kind": self.kind,
            "name": self.name,
            "email": self.email,
            "username": self.username,
            "identity_number": self.identity_number,
            "organ": self.organ,
            "roles": self.roles,
            "status": self.status,
            "person_type": self.person_type,
            "phone": self.phone,
            "phone_confirmed": self.phone_confirmed,
        }

    def session_scope(self) -> str:
        """What a session started with this account's password may do, or a refusal."""
        if self.status == LOCKED:
            raise Forbidden("Esta conta está bloqueada. Contacte os serviços municipais.")
        if self.status == AWAITING_EMAIL:
            raise NotAuthenticated("Confirme primeiro o seu email, com a ligação que lhe enviámos.", field="identifier")
        if self.status in (AWAITING_VALIDATION, REJECTED):
            return REGISTRATION_SCOPE
        if self.activation_pending:
            raise NotAuthenticated("A sua conta foi validada: defina primeiro a nova palavra-passe com a palavra-passe "
                                   "de ativação que lhe enviámos por email.", field="password")
        return CODE_SCOPE if self.first_login_pending else FULL


class Accounts:
    def __init__(self, table: Any = None, audit: AuditTrail | None = None, throttle: Any = None):
        self._table = table
        self.audit = audit or AuditTrail()
        self._throttle = throttle

    table = Injected(lambda self: aws.table("users"))

    @property
    def throttle(self) -> Any:

        return self._throttle or Throttle()

    @property
    def _conditional_failed(self) -> Any:
        return self.table.meta.client.exceptions.ConditionalCheckFailedException

    def create(
        self,
        *,
        kind: str,
        name: str,
        email: str,
        username: str | None,
        password: str,
        identity_number: str | None = None,
        phone: str | None = None,
        organ: str | None = None,
        roles: list[str] | None = None,
        actor: Actor,
        status: str = ACTIVE,
        person_type: str | None = None,
        extra: dict[str, Any] | None = None,
    ) -> User:
        """Create an account and its login names atomically; Conflict if any name is taken."""
        settings = get_settings()
        if identity_number is not None:
            identity_number = normalise_identity_number(identity_number, settings.country, person_type)
        user = User(
            user_id=f"u_{uuid.uuid4().hex}",
            kind=kind,
            name=name,
            email=email.lower(),
            username=username.lower() if username else None,
            identity_number=identity_number,
            phone=phone,
            organ=organ,
            roles=list(roles or []),
            status=status,
            person_type=person_type,
            # accounts made by the municipality (staff, demo) come with the phone it knows
            phone_confirmed=bool(phone) and status == ACTIVE,
        )
        item = {"pk": f"USER#{user.user_id}", **user.public(), "password_hash": hash_password(password),
                "created_at": iso(), **(extra or {})}
        item = {k: v for k, v in item.items() if v is not None}
        aliases = [f"email:{user.email}"]
        if user.username:
            aliases.append(f"username:{user.username}")
        if identity_number:
            aliases.append(f"nif:{identity_number}")
        client = self.table.meta.client
        writes = [{"Put": {"TableName": self.table.name, "Item": item}}] + [
            {
                "Put": {
                    "TableName": self.table.name,
                    "Item": {"pk": f"LOGIN#{alias}", "user_id": user.user_id},
                    "ConditionExpression": "attribute_not_exists(pk)",
                }
            }
            for alias in aliases
        ]
        try:
            # the resource's client serialises Python values itself
            client.transact_write_items(TransactItems=writes)
        except client.exceptions.TransactionCanceledException:
            raise Conflict("Já existe uma conta com estes dados.", field="username") from None
        self.audit.record(actor, "account.created", f"user#{user.user_id}", kind=kind, organ=organ, status=status)
        return user

    def get(self, user_id: str) -> User | None:
        item = self.get_item(user_id)
        return User.from_item(item) if item else None

    def get_item(self, user_id: str) -> dict[str, Any] | None:
        return self.table.get_item(Key={"pk": f"USER#{user_id}"}, ConsistentRead=True).get("Item")

    def find(self, identifier: str) -> dict[str, Any] | None:
        """The stored account a login name (identity number, username or email) points at."""
        alias = self.table.get_item(Key={"pk": f"LOGIN#{login_key(identifier)}"}).get("Item")
        return self.get_item(alias["user_id"]) if alias else None

    def authenticate(self, identifier: str, password: str, kind: str, source_ip: str | None = None) -> User:
        """The user whose login name and password these are, of this kind; else one generic 401 that
        never tells which part was wrong, in about the same time. Failures are throttled per login
        name and per source address (429 while a delay runs, the same for unknown names)."""
        keys = self.throttle_keys("login", identifier, source_ip)
        self.throttle.check(keys, field="password")
        item = self.find(identifier)
        if item is None:
            verify_password(_dummy_hash(), password)
        if item is None or not verify_password(item["password_hash"], password) or item["kind"] != kind:
            self.throttle.failed(keys)
            raise NotAuthenticated("Identificação ou palavra-passe incorretas.", field="password")
        self.throttle.succeeded(keys[0][0])
        self._rehash_if_needed(item, password)
        return User.from_item(item)

    def check_password(self, user_id: str, password: str, source_ip: str | None, field: str = "password") -> dict[str, Any]:
        """Re-authentication of a logged-in user (changes of password or email), throttled as logins."""
        keys = [(f"reauth:{user_id}", LOGIN_ALLOWANCE_PER_ACCOUNT), (f"login:ip:{source_ip or '-'}", LOGIN_ALLOWANCE_PER_SOURCE)]
        self.throttle.check(keys, field=field)
        item = self.get_item(user_id)
        if item is None or not verify_password(item["password_hash"], password):
            self.throttle.failed(keys)
            raise ValidationFailed("A palavra-passe atual não está correta.", field=field)
        self.throttle.succeeded(keys[0][0])
        return item

    @staticmethod
    def throttle_keys(purpose: str, identifier: str, source_ip: str | None) -> list[tuple[str, int]]:
        return [(f"{purpose}:id:{login_key(identifier)}", LOGIN_ALLOWANCE_PER_ACCOUNT),
                (f"login:ip:{source_ip or '-'}", LOGIN_ALLOWANCE_PER_SOURCE)]

    def _rehash_if_needed(self, item: dict[str, Any], password: str) -> None:
        """Hashes made with older parameters are replaced at the next successful login."""
        if _hasher().check_needs_rehash(item["password_hash"]):
            self.table.update_item(Key={"pk": item["pk"]}, UpdateExpression="SET password_hash = :h",
                                   ExpressionAttributeValues={":h": hash_password(password)})

    def transition(self, user_id: str, expected: tuple[str, ...], new_status: str, actor: Actor, *,
                   set_values: dict[str, Any] | None = None, remove: tuple[str, ...] = (),
                   reason: str | None = None, field: str = "status") -> dict[str, Any]:
        """Move an account from one of ``expected`` states to ``new_status`` in one conditional write
        (with any other attributes that change with it), and audit it. 409 if it is not in those
        states any more: nothing changes."""
        values = {"status": new_status, "status_changed_at": iso(), **(set_values or {})}
        names = {f"#{k}": k for k in values} | {f"#{k}": k for k in remove}
        update = "SET " + ", ".join(f"#{k} = :{k}" for k in values)
        if remove:
            update += " REMOVE " + ", ".join(f"#{k}" for k in remove)
        expected_values = {f":expected{i}": state for i, state in enumerate(expected)}
        try:
            result = self.table.update_item(
                Key={"pk": f"USER#{user_id}"},
                UpdateExpression=update,
                ConditionExpression=f"#status IN ({', '.join(expected_values)})",
                ExpressionAttributeNames=names,
                ExpressionAttributeValues={**{f":{k}": v for k, v in values.items()}, **expected_values},
                ReturnValues="ALL_OLD",
            )
        except self._conditional_failed:
            raise Conflict("A conta não está num estado que permita esta ação.", field=field) from None
        old = result["Attributes"]
        self.audit.record(actor, "account.status_changed", f"user#{user_id}", previous=old["status"], status=new_status,
                          reason=reason)
        return {**old, **values}

    def lock(self, user_id: str, actor: Actor, reason: str) -> dict[str, Any]:
        """Administrators lock an active account (e.g. suspected misuse): every session ends."""
        item = self.transition(user_id, (ACTIVE,), LOCKED, actor, set_values={"lock_reason": reason}, reason=reason)
        Sessions(audit=self.audit).revoke_all(user_id)
        return item

    def unlock(self, user_id: str, actor: Actor, reason: str) -> dict[str, Any]:
        return self.transition(user_id, (LOCKED,), ACTIVE, actor, remove=("lock_reason",), reason=reason)

    def set_password(self, user_id: str, password: str, actor: Actor, action: str, *,
                     condition: tuple[str, dict[str, Any]] | None = None, remove: tuple[str, ...] = ()) -> None:
        """Store a new password (already checked against the policy) and revoke every session."""
        update = "SET password_hash = :h, password_changed_at = :at"
        if remove:
            update += " REMOVE " + ", ".join(remove)
        kwargs: dict[str, Any] = {}
        values: dict[str, Any] = {":h": hash_password(password), ":at": iso()}
        if condition:
            kwargs["ConditionExpression"] = condition[0]
            values.update(condition[1])
        try:
            self.table.update_item(Key={"pk": f"USER#{user_id}"}, UpdateExpression=update,
                                   ExpressionAttributeValues=values, **kwargs)
        except self._conditional_failed:
            raise Conflict("A palavra-passe já foi alterada entretanto. Tente de novo.", field="password") from None
        revoked = Sessions(audit=self.audit).revoke_all(user_id)
        self.audit.record(actor, action, f"user#{user_id}", sessions_revoked=revoked)


@dataclass
class Session:
    token_hash: str
    user_id: str
    kind: str
    organ: str | None
    roles: list[str]
    expires_at: int
    scope: str = FULL


ALL_SCOPES = (FULL, REGISTRATION_SCOPE, CODE_SCOPE)


def require_scope(scope: str, scopes: tuple[str, ...]) -> None:
    """A 403 saying what to do first when a session of ``scope`` may not do what needs ``scopes``."""
    if scope in scopes:
        return
    if scope == CODE_SCOPE:
        raise Forbidden("Introduza primeiro o código de confirmação que lhe enviámos.")
    if scope == REGISTRATION_SCOPE:
        raise Forbidden("O seu registo ainda aguarda validação pelos serviços.")
    raise Forbidden()


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class Sessions:
    """Random 256-bit tokens, stored only as their SHA-256, with an idle timeout and an absolute
    expiry (also the item's TTL, so DynamoDB removes dead sessions). A login always makes a new token;
    logout ends it; a change of password or a lock ends all of a user's sessions (index ``by_user``)."""

    # A session that only completes a registration or enters a code lives shorter.
    NARROW_SCOPE_SECONDS = {REGISTRATION_SCOPE: 3600, CODE_SCOPE: 15 * 60}
    MAX_REVOKED = 100

    def __init__(self, table: Any = None, audit: AuditTrail | None = None):
        self._table = table
        self.audit = audit or AuditTrail()

    table = Injected(lambda self: aws.table("sessions"))

    def start(self, user: User, source_ip: str | None, scope: str = FULL) -> tuple[str, int]:
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

    def resolve(self, token: str | None, scopes: tuple[str, ...] = (FULL,)) -> Session:
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
        scope = item.get("scope", FULL)
        require_scope(scope, scopes)
        if now - int(item["last_seen"]) > 60:  # at most one write a minute per session
            self.table.update_item(Key=key, UpdateExpression="SET last_seen = :n", ExpressionAttributeValues={":n": now})
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

        items = self.table.query(IndexName="by_user", KeyConditionExpression=Key("user_id").eq(user_id),
                                 Limit=self.MAX_REVOKED)["Items"]
        with self.table.batch_writer() as batch:
            for item in items:
                batch.delete_item(Key={"token_hash": item["token_hash"]})
        return len(items)
