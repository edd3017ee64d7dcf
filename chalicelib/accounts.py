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

from chalicelib import aws
from chalicelib.audit import Actor, AuditTrail
from chalicelib.clock import iso
from chalicelib.errors import Conflict, NotAuthenticated, ValidationFailed
from chalicelib.settings import get_settings

CITIZEN = "citizen"
STAFF = "staff"
STAFF_ROLES = ("clerk", "decision_maker", "organ_head", "administrator", "auditor")


@lru_cache(maxsize=1)
def _hasher() -> Any:
    from argon2 import PasswordHasher, profiles  # argon2id

    return PasswordHasher.from_parameters(getattr(profiles, get_settings().password_hash_profile))


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


def normalise_identity_number(value: str, country: str) -> str:
    """Check an identity number by its check digits (python-stdnum) and return its compact form:
    NIF/NIPC in Portugal, CPF or CNPJ in Brazil."""
    from stdnum.exceptions import ValidationError as StdnumError

    if country == "PT":
        from stdnum.pt import nif as scheme

        schemes = [scheme]
    else:
        from stdnum.br import cnpj, cpf

        schemes = [cpf, cnpj]
    for candidate in schemes:
        try:
            return candidate.validate(value)
        except StdnumError:
            continue
    label = "NIF" if country == "PT" else "CPF/CNPJ"
    raise ValidationFailed(f"{label} inválido: verifique os dígitos.", field="identity_number")


def login_key(identifier: str) -> str:
    """The alias key a login name is stored under: an identity number, an email or a username."""
    value = identifier.strip()
    compact = value.replace(".", "").replace("-", "").replace("/", "").replace(" ", "")
    if compact.isdigit():
        return f"nif:{compact}"
    if "@" in value:
        return f"email:{value.lower()}"
    return f"username:{value.lower()}"


@dataclass
class User:
    user_id: str
    kind: str
    name: str
    email: str
    username: str
    identity_number: str | None = None
    phone: str | None = None
    organ: str | None = None
    roles: list[str] = field(default_factory=list)
    status: str = "ativo"

    @classmethod
    def from_item(cls, item: dict[str, Any]) -> User:
        return cls(
            user_id=item["user_id"],
            kind=item["kind"],
            name=item["name"],
            email=item["email"],
            username=item["username"],
            identity_number=item.get("identity_number"),
            phone=item.get("phone"),
            organ=item.get("organ"),
            roles=list(item.get("roles", [])),
            status=item.get("status", "ativo"),
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
        }


class Accounts:
    def __init__(self, table: Any = None, audit: AuditTrail | None = None):
        self._table = table
        self.audit = audit or AuditTrail()

    @property
    def table(self) -> Any:
        return self._table or aws.table("users")

    def create(
        self,
        *,
        kind: str,
        name: str,
        email: str,
        username: str,
        password: str,
        identity_number: str | None = None,
        phone: str | None = None,
        organ: str | None = None,
        roles: list[str] | None = None,
        actor: Actor,
    ) -> User:
        """Create an active account and its login names atomically; Conflict if any name is taken."""
        settings = get_settings()
        if identity_number is not None:
            identity_number = normalise_identity_number(identity_number, settings.country)
        user = User(
            user_id=f"u_{uuid.uuid4().hex}",
            kind=kind,
            name=name,
            email=email.lower(),
            username=username.lower(),
            identity_number=identity_number,
            phone=phone,
            organ=organ,
            roles=list(roles or []),
        )
        item = {"pk": f"USER#{user.user_id}", **user.public(), "phone": phone, "status": user.status,
                "password_hash": hash_password(password), "created_at": iso()}
        item = {k: v for k, v in item.items() if v is not None}
        aliases = [f"username:{user.username}", f"email:{user.email}"]
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
        self.audit.record(actor, "account.created", f"user#{user.user_id}", kind=kind, organ=organ)
        return user

    def get(self, user_id: str) -> User | None:
        item = self.table.get_item(Key={"pk": f"USER#{user_id}"}).get("Item")
        return User.from_item(item) if item else None

    def authenticate(self, identifier: str, password: str, kind: str) -> User:
        """The user whose login name and password these are, of this kind; else one generic 401 that
        never tells which part was wrong."""
        alias = self.table.get_item(Key={"pk": f"LOGIN#{login_key(identifier)}"}).get("Item")
        item = self.table.get_item(Key={"pk": f"USER#{alias['user_id']}"}).get("Item") if alias else None
        if item is None:
            verify_password(_dummy_hash(), password)
            raise NotAuthenticated("Identificação ou palavra-passe incorretas.", field="password")
        if not verify_password(item["password_hash"], password) or item["kind"] != kind:
            raise NotAuthenticated("Identificação ou palavra-passe incorretas.", field="password")
        if item.get("status") != "ativo":
            raise NotAuthenticated("Esta conta ainda não está ativa.", field="identifier")
        return User.from_item(item)


@dataclass
class Session:
    token_hash: str
    user_id: str
    kind: str
    organ: str | None
    roles: list[str]
    expires_at: int


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class Sessions:
    """Random 256-bit tokens, stored only as their SHA-256, with an idle timeout and an absolute
    expiry (also the item's TTL, so DynamoDB removes dead sessions)."""

    def __init__(self, table: Any = None, audit: AuditTrail | None = None):
        self._table = table
        self.audit = audit or AuditTrail()

    @property
    def table(self) -> Any:
        return self._table or aws.table("sessions")

    def start(self, user: User, source_ip: str | None) -> tuple[str, int]:
        settings = get_settings()
        token = secrets.token_urlsafe(32)
        now = int(time.time())
        lifetime = settings.session_absolute_hours * 3600
        self.table.put_item(
            Item={
                "token_hash": _token_hash(token),
                "user_id": user.user_id,
                "kind": user.kind,
                "organ": user.organ or "-",
                "roles": user.roles,
                "created_at": now,
                "last_seen": now,
                "expires_at": now + lifetime,
            }
        )
        self.audit.record(Actor(user.user_id, source_ip), "session.started", f"user#{user.user_id}")
        return token, lifetime

    def resolve(self, token: str | None) -> Session:
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
        if now - int(item["last_seen"]) > 60:  # at most one write a minute per session
            self.table.update_item(Key=key, UpdateExpression="SET last_seen = :n", ExpressionAttributeValues={":n": now})
        return Session(
            token_hash=item["token_hash"],
            user_id=item["user_id"],
            kind=item["kind"],
            organ=None if item.get("organ") in (None, "-") else item["organ"],
            roles=list(item.get("roles", [])),
            expires_at=int(item["expires_at"]),
        )

    def end(self, token: str | None, source_ip: str | None) -> None:
        if not token:
            return
        key = {"token_hash": _token_hash(token)}
        item = self.table.get_item(Key=key).get("Item")
        if item:
            self.table.delete_item(Key=key)
            self.audit.record(Actor(item["user_id"], source_ip), "session.ended", f"user#{item['user_id']}")
