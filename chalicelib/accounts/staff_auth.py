"""How staff prove who they are: never with a password alone, nor with the mailbox.

- People: username or email + password, then the code of their authenticator app (TOTP) or one of
  their recovery codes (``second_factor``): only then a staff session starts. At the first login, a
  code emailed once (6 random digits, valid 10 minutes, single use, at most 5 tries) opens only the
  set-up of the app. Challenges are limited per account.
- Scripts: a personal API key, created by its owner from such a session, shown once, stored only as
  its SHA-256, revocable by its owner or an administrator of the organ; sent as
  ``Authorization: Bearer bk_...``. A key expires (at most 90 days), is read-only (GET) or may act
  too (never an auditor's), acts as its owner with the owner's current roles and organ, and ends
  with the owner's credentials (the credential epoch); a key cannot create keys. Creation (emailed
  to the owner) and revocation are audited.

A citizen's session never opens the staff API (403), whatever its origin.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from datetime import timedelta
from typing import Any, NoReturn

from chalicelib.accounts.credentials import RateLimit, Throttle
from chalicelib.accounts.second_factor import SecondFactor
from chalicelib.accounts.sessions import Session, still_valid
from chalicelib.accounts.users import Accounts, User
from chalicelib.kernel.clock import iso, local, wall
from chalicelib.kernel.errors import Forbidden, NotAuthenticated, NotFound, TooManyRequests, ValidationFailed
from chalicelib.kernel.inject import Injected
from chalicelib.kernel.roles import STAFF, Role
from chalicelib.kernel.vocabulary import AccountStatus
from chalicelib.notifications.delivery import Notifier
from chalicelib.platform import aws
from chalicelib.platform.audit import Actor, AuditTrail

CODE_DIGITS = 6
CODE_TTL_SECONDS = 600
CODE_MAX_TRIES = 5
API_KEY_PREFIX = "bk_"
API_KEY_SESSION_PREFIX = "apikey#"
FACTOR_TOTP, FACTOR_EMAIL = "totp", "email"
MAX_KEYS_PER_USER = 10
MAX_KEY_DAYS = 90
KEY_READ, KEY_ACT = "read", "act"
KEY_SCOPES = (KEY_READ, KEY_ACT)


def _sha256(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def mask_email(email: str) -> str:
    """``decisor@municipio-demo.pt`` → ``d…r@municipio-demo.pt``: enough to know where to look."""
    local, _, domain = email.partition("@")
    return f"{local[:1]}…{local[-1:] if len(local) > 1 else ''}@{domain}"


class LoginCodes:
    """The second step of a staff login: a challenge per password check, answered with the code of
    the staff member's authenticator app (TOTP) or a recovery code; for one who has none yet, with a
    code emailed once, which opens only the app's set-up (``SecondFactor``). At most
    ``CHALLENGES_PER_WINDOW`` challenges per account in ``CHALLENGE_WINDOW`` seconds, 5 tries each,
    and wrong codes throttled per account across challenges."""

    CHALLENGES_PER_WINDOW = 10
    CHALLENGE_WINDOW = 15 * 60
    CODE_ALLOWANCE_PER_ACCOUNT = 10

    def __init__(
        self,
        table: Any = None,
        audit: AuditTrail | None = None,
        notifier: Any = None,
        accounts: Accounts | None = None,
    ):
        self._table = table
        self.audit = audit or AuditTrail()
        self._notifier = notifier
        self._accounts = accounts

    table = Injected(lambda self: aws.table("login_challenges"))
    notifier = Injected(lambda self: Notifier(audit=self.audit))
    accounts = Injected(lambda self: Accounts(audit=self.audit))
    second_factor = Injected(lambda self: SecondFactor(accounts=self.accounts, audit=self.audit))
    limits = Injected(lambda self: RateLimit())
    throttle = Injected(lambda self: Throttle())

    def issue(self, user: User, source_ip: str | None) -> dict[str, Any]:
        """A new challenge for ``user`` (whose password was right): its id, the factor that answers it
        (``totp``, or ``email`` for one not yet enrolled: the code is then emailed), and, for the
        email, where it went (masked)."""
        self.limits.hit(
            f"staff-challenge:{user.user_id}", self.CHALLENGES_PER_WINDOW, self.CHALLENGE_WINDOW, field="identifier"
        )
        item = self.accounts.get_item(user.user_id) or {}
        factor = FACTOR_TOTP if SecondFactor.enrolled(item) else FACTOR_EMAIL
        challenge_id = secrets.token_urlsafe(24)
        now = int(time.time())
        challenge = {
            "challenge_id": challenge_id,
            "user_id": user.user_id,
            "factor": factor,
            "tries": 0,
            "expires_at": now + CODE_TTL_SECONDS,
        }
        answer: dict[str, Any] = {"challenge_id": challenge_id, "factor": factor}
        code = None
        if factor == FACTOR_EMAIL:
            code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
            challenge["code_hash"] = _sha256(f"{challenge_id}:{code}")
            answer["code_sent_to"] = mask_email(user.email)
        self.table.put_item(Item=challenge)
        if code is not None:
            self.notifier.email(
                user.email,
                "login_code",
                {"name": user.name, "code": code, "minutes": CODE_TTL_SECONDS // 60},
                f"user#{user.user_id}",
                key=f"staff-login#{challenge_id}",
            )
        self.audit.record(
            Actor(user.user_id, source_ip), "session.challenge_issued", f"user#{user.user_id}", factor=factor
        )
        return answer

    def verify(self, challenge_id: str, code: str, source_ip: str | None) -> tuple[str, str]:
        """(user id, factor) when this code answers the challenge, which is then spent. A wrong code
        counts a try; after the last try, or once expired, the challenge is gone (log in again)."""
        client = self.table.meta.client
        now = int(time.time())
        try:
            item = self.table.update_item(
                Key={"challenge_id": challenge_id},
                UpdateExpression="ADD tries :one",
                ConditionExpression="attribute_exists(challenge_id) AND tries < :max AND expires_at > :now",
                ExpressionAttributeValues={":one": 1, ":max": CODE_MAX_TRIES, ":now": now},
                ReturnValues="ALL_NEW",
            )["Attributes"]
        except client.exceptions.ConditionalCheckFailedException:
            raise NotAuthenticated(
                "O código expirou ou esgotou as tentativas. Inicie sessão de novo.", field="challenge_id"
            ) from None
        user_id, factor = item["user_id"], item.get("factor", FACTOR_EMAIL)
        keys = [(f"staff-code:{user_id}", self.CODE_ALLOWANCE_PER_ACCOUNT)]
        self.throttle.reserve(
            keys,
            field="code",
            refused=lambda: self.audit.record(
                Actor(user_id, source_ip), "session.code_throttled", f"user#{user_id}", factor=factor
            ),
        )
        if factor == FACTOR_TOTP:
            try:
                used = self.second_factor.verify(user_id, code, source_ip)
            except NotAuthenticated as wrong:
                self._wrong(item, source_ip, wrong.message)
            factor = used
        elif not hmac.compare_digest(item["code_hash"], _sha256(f"{challenge_id}:{code}")):
            self._wrong(item, source_ip, "Código errado.")
        try:  # single use: of two concurrent right answers only one starts a session
            self.table.delete_item(
                Key={"challenge_id": challenge_id}, ConditionExpression="attribute_exists(challenge_id)"
            )
        except client.exceptions.ConditionalCheckFailedException:
            raise NotAuthenticated("Este código já foi usado. Inicie sessão de novo.", field="code") from None
        self.throttle.succeeded(keys)
        return user_id, factor

    def _wrong(self, item: dict[str, Any], source_ip: str | None, message: str) -> NoReturn:
        self.audit.record(
            Actor(item["user_id"], source_ip),
            "session.code_failed",
            f"user#{item['user_id']}",
            tries=int(item["tries"]),
        )
        if int(item["tries"]) >= CODE_MAX_TRIES:
            self.table.delete_item(Key={"challenge_id": item["challenge_id"]})
            raise TooManyRequests("Código errado demasiadas vezes. Inicie sessão de novo.", field="code")
        raise NotAuthenticated(message, field="code")


class ApiKeys:
    def __init__(self, table: Any = None, accounts: Any = None, audit: AuditTrail | None = None, notifier: Any = None):
        self._table = table
        self._accounts = accounts
        self._notifier = notifier
        self.audit = audit or AuditTrail()

    notifier = Injected(lambda self: Notifier(audit=self.audit))

    table = Injected(lambda self: aws.table("api_keys"))

    accounts = Injected(lambda self: Accounts(audit=self.audit))

    def create(
        self, session: Session, label: str, scope: str, expires_in_days: int, source_ip: str | None
    ) -> dict[str, Any]:
        """A new key for the caller, of ``scope`` (``read``: GET only; ``act``), expiring within
        ``MAX_KEY_DAYS``; the only time its secret is seen. The owner is emailed."""
        if session.kind != STAFF:
            raise Forbidden("As chaves de API são para os serviços municipais.")
        if session.token_hash.startswith(API_KEY_SESSION_PREFIX):
            raise Forbidden("Uma chave de API não cria outras chaves: inicie sessão com palavra-passe e código.")
        if scope not in KEY_SCOPES:
            raise ValidationFailed("Indique «read» (só consultas) ou «act» (também ações).", field="scope")
        if not 1 <= expires_in_days <= MAX_KEY_DAYS:
            raise ValidationFailed(f"Uma chave vale entre 1 e {MAX_KEY_DAYS} dias.", field="expires_in_days")
        if scope == KEY_ACT and Role.AUDITOR in session.roles:
            raise Forbidden("Os auditores só consultam: a chave tem de ser de consulta («read»).")
        if len([k for k in self.list_for(session.user_id) if not k.get("revoked_at")]) >= MAX_KEYS_PER_USER:
            raise TooManyRequests(f"No máximo {MAX_KEYS_PER_USER} chaves ativas; revogue uma primeiro.", field="label")
        owner = self.accounts.get(session.user_id)
        if owner is None:
            raise NotAuthenticated()
        key_id = f"k_{secrets.token_hex(8)}"
        secret = secrets.token_urlsafe(32)
        expires = wall() + timedelta(days=expires_in_days)  # compared with time.time(), as sessions are
        item = {
            "key_id": key_id,
            "user_id": session.user_id,
            "epoch": owner.credential_epoch,  # a change of the owner's credentials ends the key
            "label": label,
            "scope": scope,
            "secret_hash": _sha256(secret),
            "created_at": iso(),
            "expires_at": iso(expires),
            "expires_epoch": int(expires.timestamp()),
        }
        self.table.put_item(Item=item, ConditionExpression="attribute_not_exists(key_id)")
        self.audit.record(
            Actor(session.user_id, source_ip),
            "api_key.created",
            f"user#{session.user_id}",
            key_id=key_id,
            label=label,
            scope=scope,
            expires_at=item["expires_at"],
        )
        self.notifier.email(
            owner.email,
            "api_key_created",
            {
                "name": owner.name,
                "label": label,
                "scope": "consulta" if scope == KEY_READ else "consulta e ações",
                "expires_on": local(expires).strftime("%d/%m/%Y"),
            },
            f"user#{owner.user_id}",
            key=f"api-key#{key_id}",
        )
        return {**self.public(item), "api_key": f"{API_KEY_PREFIX}{key_id}.{secret}"}

    @staticmethod
    def public(item: dict[str, Any]) -> dict[str, Any]:
        return {
            k: item.get(k)
            for k in ("key_id", "label", "scope", "created_at", "expires_at", "last_used_at", "revoked_at")
        }

    def list_for(self, user_id: str) -> list[dict[str, Any]]:
        from boto3.dynamodb.conditions import Key

        return self.table.query(
            IndexName="by_user", KeyConditionExpression=Key("user_id").eq(user_id), ScanIndexForward=False, Limit=100
        )["Items"]

    def revoke(self, key_id: str, session: Session, source_ip: str | None) -> dict[str, Any]:
        """Revoke a key: its owner, or an administrator of the owner's organ. Anyone else is told
        the key does not exist."""
        item = self.table.get_item(Key={"key_id": key_id}).get("Item")
        unknown = NotFound("Chave desconhecida.", field="key_id")
        if item is None or session.kind != STAFF:
            raise unknown
        if item["user_id"] != session.user_id:
            owner = self.accounts.get(item["user_id"])
            if Role.ADMINISTRATOR not in session.roles or owner is None or owner.organ != session.organ:
                raise unknown
        if item.get("revoked_at"):
            return self.public(item)
        item = self.table.update_item(
            Key={"key_id": key_id},
            UpdateExpression="SET revoked_at = :at, revoked_by = :by",
            ExpressionAttributeValues={":at": iso(), ":by": session.user_id},
            ReturnValues="ALL_NEW",
        )["Attributes"]
        self.audit.record(
            Actor(session.user_id, source_ip), "api_key.revoked", f"user#{item['user_id']}", key_id=key_id
        )
        return self.public(item)

    def resolve(self, presented: str) -> Session:
        """The session an API key stands for, with its owner's current organ and roles; 401 for a
        malformed, unknown or revoked key, or one whose owner is no longer active staff."""
        invalid = NotAuthenticated("Chave de API inválida ou revogada.")
        key_id, dot, secret = presented[len(API_KEY_PREFIX) :].partition(".")
        if not dot or not key_id.startswith("k_") or len(key_id) > 40 or not secret:
            raise invalid
        item = self.table.get_item(Key={"key_id": key_id}).get("Item")
        if item is None or item.get("revoked_at") or not hmac.compare_digest(item["secret_hash"], _sha256(secret)):
            raise invalid
        now = int(time.time())
        if int(item.get("expires_epoch", 0)) <= now:  # a key made before expiry was mandatory has none: expired
            raise NotAuthenticated("Esta chave de API expirou: crie uma nova.")
        user = self.accounts.get(item["user_id"])
        if user is None or user.kind != STAFF or user.status != AccountStatus.ACTIVE or not still_valid(user, item):
            raise invalid
        if now - int(item.get("last_used_epoch", 0)) > 60:  # at most one write a minute per key
            self.table.update_item(
                Key={"key_id": key_id},
                UpdateExpression="SET last_used_at = :at, last_used_epoch = :n",
                ExpressionAttributeValues={":at": iso(), ":n": now},
            )
        return Session(
            token_hash=f"{API_KEY_SESSION_PREFIX}{key_id}",
            user_id=user.user_id,
            kind=STAFF,
            organ=user.organ,
            roles=list(user.roles),
            expires_at=int(item["expires_epoch"]),
            read_only=item.get("scope", KEY_READ) != KEY_ACT or Role.AUDITOR in user.roles,
            account=user,
        )
