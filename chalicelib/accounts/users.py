"""Accounts (citizens, companies and staff) and their login names; passwords are ``passwords``, sessions
``sessions``.

One DynamoDB table holds users (``pk = USER#<id>``) and the login names that point at them
(``pk = LOGIN#nif:<n>``, ``LOGIN#username:<u>``, ``LOGIN#email:<e>``), written together in one
transaction so that a login name never points at nothing.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from chalicelib.accounts.passwords import hash_password
from chalicelib.kernel.clock import iso
from chalicelib.kernel.errors import Conflict, Forbidden, NotAuthenticated, NotFound
from chalicelib.kernel.identity import normalise_identity_number
from chalicelib.kernel.inject import Injected
from chalicelib.kernel.roles import CITIZEN, STAFF
from chalicelib.kernel.settings import get_settings
from chalicelib.kernel.vocabulary import AccountStatus, SessionScope
from chalicelib.platform import aws
from chalicelib.platform.audit import Actor, AuditTrail
from chalicelib.platform.dynamo import batch_get, get_with_session

# The update-expression term that moves an account to a new credential epoch (``#credential_epoch``
# and ``:epoch_step`` in its names and values: ``EPOCH_NAMES``, ``EPOCH_VALUES``).
NEW_EPOCH = "#credential_epoch = if_not_exists(#credential_epoch, :epoch_zero) + :epoch_step"
EPOCH_NAMES = {"#credential_epoch": "credential_epoch"}
EPOCH_VALUES = {":epoch_zero": 0, ":epoch_step": 1}


def epoch_of(item: dict[str, Any]) -> int:
    return int(item.get("credential_epoch", 0))


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
    username: str | None
    identity_number: str | None = None
    phone: str | None = None
    organ: str | None = None
    roles: list[str] = field(default_factory=list)
    status: str = AccountStatus.ACTIVE
    person_type: str | None = None
    address: dict[str, str] | None = None
    phone_confirmed: bool = False
    first_login_pending: bool = False
    activation_pending: bool = False
    # Raised by every change of credentials or powers (lock, password, email, roles): a session, an
    # API key or a one-time link made under an older epoch no longer works.
    credential_epoch: int = 0

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
            status=item.get("status", AccountStatus.ACTIVE),
            person_type=item.get("person_type"),
            address=item.get("address"),
            phone_confirmed=bool(item.get("phone_confirmed")),
            first_login_pending=bool(item.get("first_login_pending")),
            activation_pending=bool(item.get("activation_pending")),
            credential_epoch=epoch_of(item),
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
        if self.status == AccountStatus.LOCKED:
            raise Forbidden("Esta conta está bloqueada. Contacte os serviços municipais.")
        if self.status == AccountStatus.AWAITING_EMAIL:
            raise NotAuthenticated("Confirme primeiro o seu email, com a ligação que lhe enviámos.", field="identifier")
        if self.status in (AccountStatus.AWAITING_VALIDATION, AccountStatus.REJECTED):
            return SessionScope.REGISTRATION
        if self.activation_pending:
            raise NotAuthenticated(
                "A sua conta foi validada: defina primeiro a nova palavra-passe com a palavra-passe "
                "de ativação que lhe enviámos por email.",
                field="password",
            )
        return SessionScope.CODE if self.first_login_pending else SessionScope.FULL


class Accounts:
    def __init__(self, table: Any = None, audit: AuditTrail | None = None):
        self._table = table
        self.audit = audit or AuditTrail()

    table = Injected(lambda self: aws.table("users"))

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
        status: str = AccountStatus.ACTIVE,
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
            phone_confirmed=bool(phone) and status == AccountStatus.ACTIVE,
        )
        item = {
            "pk": f"USER#{user.user_id}",
            **user.public(),
            "password_hash": hash_password(password),
            "created_at": iso(),
            **(extra or {}),
        }
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

    def get(self, user_id: str, session: Any = None) -> User | None:
        item = self.get_item(user_id, session)
        return User.from_item(item) if item else None

    def get_item(self, user_id: str, session: Any = None) -> dict[str, Any] | None:
        """The stored account; taken from what was read with ``session`` in its round trip
        (``Sessions.resolve(also=...)``) when it was, else read now (strongly consistent, both)."""
        key = {"pk": f"USER#{user_id}"}
        return get_with_session(session, self.table, key, consistent=True)

    def get_many(self, user_ids: list[str]) -> dict[str, User]:
        """The accounts of ``user_ids`` that exist, by id, in one round trip (BatchGetItem)."""
        wanted = self.batch_keys(user_ids)
        return self.from_batch(batch_get(wanted)) if wanted else {}

    def batch_keys(self, user_ids: list[str | None]) -> list[tuple[Any, dict[str, Any], bool]]:
        """What ``batch_get`` asks for the accounts of ``user_ids`` (strongly consistent), to read with
        other items in the same round trip; ``from_batch`` makes accounts of what it found."""
        return [(self.table, {"pk": f"USER#{u}"}, True) for u in dict.fromkeys(u for u in user_ids if u)]

    @staticmethod
    def from_batch(items: list[dict[str, Any] | None]) -> dict[str, User]:
        return {item["user_id"]: User.from_item(item) for item in items if item}

    def citizen_item(self, user_id: str, session: Any = None) -> dict[str, Any]:
        """A citizen's stored account (a registration); 404 for anyone else."""
        item = self.get_item(user_id, session)
        if item is None or item.get("kind") != CITIZEN:
            raise NotFound("Registo desconhecido.", field="user_id")
        return item

    def find(self, identifier: str) -> dict[str, Any] | None:
        """The stored account a login name (identity number, username or email) points at."""
        alias = self.table.get_item(Key={"pk": f"LOGIN#{login_key(identifier)}"}).get("Item")
        return self.get_item(alias["user_id"]) if alias else None

    def transition(
        self,
        user_id: str,
        expected: tuple[str, ...],
        new_status: str,
        actor: Actor,
        *,
        set_values: dict[str, Any] | None = None,
        remove: tuple[str, ...] = (),
        reason: str | None = None,
        field: str = "status",
        new_epoch: bool = False,
    ) -> dict[str, Any]:
        """Move an account from one of ``expected`` states to ``new_status`` in one conditional write
        (with any other attributes that change with it, and a new credential epoch when
        ``new_epoch``: every session and key ends), and audit it. 409 if it is not in those states
        any more: nothing changes."""
        values = {"status": new_status, "status_changed_at": iso(), **(set_values or {})}
        names = {f"#{k}": k for k in values} | {f"#{k}": k for k in remove}
        update = "SET " + ", ".join(f"#{k} = :{k}" for k in values)
        epoch_values: dict[str, Any] = {}
        if new_epoch:
            update += f", {NEW_EPOCH}"
            names |= EPOCH_NAMES
            epoch_values = EPOCH_VALUES
        if remove:
            update += " REMOVE " + ", ".join(f"#{k}" for k in remove)
        expected_values = {f":expected{i}": state for i, state in enumerate(expected)}
        try:
            result = self.table.update_item(
                Key={"pk": f"USER#{user_id}"},
                UpdateExpression=update,
                ConditionExpression=f"#status IN ({', '.join(expected_values)})",
                ExpressionAttributeNames=names,
                ExpressionAttributeValues={
                    **{f":{k}": v for k, v in values.items()},
                    **expected_values,
                    **epoch_values,
                },
                ReturnValues="ALL_OLD",
            )
        except self._conditional_failed:
            raise Conflict("A conta não está num estado que permita esta ação.", field=field) from None
        old = result["Attributes"]
        self.audit.record(
            actor, "account.status_changed", f"user#{user_id}", previous=old["status"], status=new_status, reason=reason
        )
        for name in remove:
            old.pop(name, None)
        if new_epoch:
            values["credential_epoch"] = epoch_of(old) + 1
        return {**old, **values}

    def set_roles(self, user_id: str, roles: list[str], actor: Actor) -> dict[str, Any]:
        """Give a staff account new roles, in a new credential epoch: every session and key it had
        ends, so that no old session keeps the powers it had."""
        try:
            item = self.table.update_item(
                Key={"pk": f"USER#{user_id}"},
                UpdateExpression=f"SET #roles = :roles, {NEW_EPOCH}",
                ConditionExpression="kind = :staff",
                ExpressionAttributeNames={"#roles": "roles", **EPOCH_NAMES},
                ExpressionAttributeValues={":roles": list(roles), ":staff": STAFF, **EPOCH_VALUES},
                ReturnValues="ALL_OLD",
            )["Attributes"]
        except self._conditional_failed:
            raise NotFound("Conta de serviço desconhecida.", field="user_id") from None
        self.audit.record(
            actor, "account.roles_changed", f"user#{user_id}", previous=list(item.get("roles", [])), roles=list(roles)
        )
        return {**item, "roles": list(roles), "credential_epoch": epoch_of(item) + 1}
