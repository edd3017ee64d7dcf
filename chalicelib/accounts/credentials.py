"""Short-lived secrets and counters of the accounts: single-use links (email confirmation, password
recovery, change of email), 6-digit confirmation codes (first login, phone), rate limits on what sends
messages, throttling of failed guesses, and the password policy.

All of it lives in one table (``account_tokens``, key ``pk``, DynamoDB TTL on ``purge_at``), kept apart
from the users table because every item here is meant to disappear. Secrets are stored only as their
SHA-256; a link's or code's answer never depends on a value the caller could not already see.
"""

from __future__ import annotations

import gzip
import hashlib
import hmac
import secrets
import time
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Any

from chalicelib.kernel.errors import TooManyRequests, ValidationFailed
from chalicelib.kernel.inject import Injected
from chalicelib.kernel.plural import plural
from chalicelib.platform import aws

COMMON_PASSWORDS_FILE = Path(__file__).resolve().parent.parent / "data" / "common-passwords.txt.gz"
PASSWORD_MIN_LENGTH = 8
PASSWORD_SUGGESTED_LENGTH = 15
PASSWORD_MAX_LENGTH = 128

CODE_TTL_SECONDS = 10 * 60
CODE_MAX_TRIES = 5

# How long expired items stay readable before the TTL removes them, so that an expired link says
# "expired" rather than "unknown".
_KEEP_AFTER_EXPIRY = 7 * 24 * 3600


def _sha256(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def _now() -> int:
    return int(time.time())


# -- passwords ------------------------------------------------------------------------------------
@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    """The 19,640 common passwords Django ships (Royce Williams' list, lowercased); see
    tools/common_passwords.py for where the file comes from."""
    with gzip.open(COMMON_PASSWORDS_FILE, "rt", encoding="utf-8") as lines:
        return frozenset(line.strip() for line in lines if line.strip())


def check_password_policy(password: str, field: str = "password", personal: tuple[str | None, ...] = ()) -> None:
    """NIST SP 800-63B: a length range, no composition rules, not a known common password nor the
    person's own identifiers."""
    if len(password) < PASSWORD_MIN_LENGTH:
        raise ValidationFailed(
            f"A palavra-passe deve ter pelo menos {PASSWORD_MIN_LENGTH} caracteres "
            f"(sugerimos {PASSWORD_SUGGESTED_LENGTH} ou mais, por exemplo uma frase).",
            field=field,
        )
    if len(password) > PASSWORD_MAX_LENGTH:
        raise ValidationFailed(f"A palavra-passe pode ter no máximo {PASSWORD_MAX_LENGTH} caracteres.", field=field)
    lowered = password.lower()
    if lowered in common_passwords():
        raise ValidationFailed("Essa palavra-passe é demasiado comum e fácil de adivinhar. Escolha outra.", field=field)
    for value in personal:
        if value and len(value) >= 4 and value.lower() in lowered:
            raise ValidationFailed(
                "A palavra-passe não pode conter o seu NIF, email ou nome de utilizador.", field=field
            )


class _Store:
    def __init__(self, table: Any = None):
        self._table = table

    table = Injected(lambda self: aws.table("account_tokens"))

    @property
    def _conditional_failed(self) -> Any:
        return self.table.meta.client.exceptions.ConditionalCheckFailedException


# -- single-use links -----------------------------------------------------------------------------
class OneTimeLinks(_Store):
    """A link carries a random 256-bit token; the table keeps its hash, its purpose, whom it is for
    and when it expires. Redeeming marks it used in the same conditional write that checks it.

    A link about credentials (``epoch``: the account's credential epoch when it was made) dies with
    any change of them, and only the newest link of its purpose for an account is live
    (``LATEST#<purpose>#<user>`` names it), so that an older email never reopens anything."""

    def issue(self, purpose: str, user_id: str, ttl_seconds: int, epoch: int | None = None, **data: Any) -> str:
        token = secrets.token_urlsafe(32)
        expires_at = _now() + ttl_seconds
        digest = _sha256(token)
        if epoch is not None:
            data["epoch"] = epoch
            self.table.put_item(
                Item={"pk": f"LATEST#{purpose}#{user_id}", "link": digest, "purge_at": expires_at + _KEEP_AFTER_EXPIRY}
            )
        self.table.put_item(
            Item={
                "pk": f"LINK#{digest}",
                "purpose": purpose,
                "user_id": user_id,
                "expires_at": expires_at,
                "purge_at": expires_at + _KEEP_AFTER_EXPIRY,
                **data,
            }
        )
        return token

    def redeem(
        self, purpose: str, token: str, field: str = "token", current_epoch: Callable[[str], int] | None = None
    ) -> dict[str, Any]:
        """The link's record, now used. With ``current_epoch`` (the account's epoch by user id), a
        link made before a change of credentials, or superseded by a newer one, is refused."""
        key = {"pk": f"LINK#{_sha256(token)}"}
        try:
            result = self.table.update_item(
                Key=key,
                UpdateExpression="SET used_at = :now",
                ConditionExpression="purpose = :purpose AND attribute_not_exists(used_at) AND expires_at > :now",
                ExpressionAttributeValues={":now": _now(), ":purpose": purpose},
                ReturnValues="ALL_NEW",
            )
        except self._conditional_failed:
            item = self.table.get_item(Key=key).get("Item")
            if item is None or item.get("purpose") != purpose:
                raise ValidationFailed(
                    "Esta ligação não é válida. Verifique se a copiou por inteiro.", field=field
                ) from None
            if "used_at" in item:
                raise ValidationFailed("Esta ligação já foi usada e não pode ser usada de novo.", field=field) from None
            raise ValidationFailed("Esta ligação expirou. Peça uma nova.", field=field) from None
        link = result["Attributes"]
        if current_epoch is not None:
            latest = self.table.get_item(Key={"pk": f"LATEST#{purpose}#{link['user_id']}"}).get("Item") or {}
            if latest.get("link") != key["pk"].removeprefix("LINK#") or int(link.get("epoch", -1)) != current_epoch(
                link["user_id"]
            ):
                raise ValidationFailed(
                    "Esta ligação já não é válida: foi pedida outra mais recente, ou a palavra-passe ou o "
                    "email da conta mudaram entretanto. Peça uma nova.",
                    field=field,
                )
        return link

    def release(self, token: str) -> None:
        """Undo a redemption whose follow-up failed, so the link can be used again."""
        self.table.update_item(Key={"pk": f"LINK#{_sha256(token)}"}, UpdateExpression="REMOVE used_at")


# -- confirmation codes ---------------------------------------------------------------------------
class Codes(_Store):
    """One live 6-digit code per user and purpose, valid 10 minutes, single use, at most 5 tries;
    a new code replaces the old one."""

    def issue(self, user_id: str, purpose: str, channel: str, target: str | None = None) -> str:
        code = f"{secrets.randbelow(1_000_000):06d}"
        salt = secrets.token_hex(8)
        expires_at = _now() + CODE_TTL_SECONDS
        item = {
            "pk": f"CODE#{user_id}#{purpose}",
            "salt": salt,
            "code_hash": _sha256(salt + code),
            "channel": channel,
            "tries": 0,
            "expires_at": expires_at,
            "purge_at": expires_at + 3600,
        }
        if target:
            item["target"] = target
        self.table.put_item(Item=item)
        return code

    def verify(self, user_id: str, purpose: str, code: str, field: str = "code") -> dict[str, Any]:
        """The code's record when ``code`` is right; otherwise a 422 that says what to do next."""
        key = {"pk": f"CODE#{user_id}#{purpose}"}
        item = self.table.get_item(Key=key, ConsistentRead=True).get("Item")
        if item is None or "used_at" in item:
            raise ValidationFailed("Não há nenhum código por usar. Peça um novo código.", field=field)
        if int(item["expires_at"]) <= _now():
            raise ValidationFailed("O código expirou (é válido 10 minutos). Peça um novo código.", field=field)
        if int(item["tries"]) >= CODE_MAX_TRIES:
            raise ValidationFailed(
                f"Esgotou as {CODE_MAX_TRIES} tentativas deste código. Peça um novo código.", field=field
            )
        right = hmac.compare_digest(item["code_hash"], _sha256(item["salt"] + code.strip()))
        try:
            # One conditional write counts the try (or uses the code), so that parallel guesses
            # cannot exceed the limit nor use one code twice.
            self.table.update_item(
                Key=key,
                UpdateExpression="SET used_at = :now ADD tries :one" if right else "ADD tries :one",
                ConditionExpression="code_hash = :hash AND tries < :max AND attribute_not_exists(used_at)",
                ExpressionAttributeValues={
                    ":one": 1,
                    ":max": CODE_MAX_TRIES,
                    ":hash": item["code_hash"],
                    **({":now": _now()} if right else {}),
                },
            )
        except self._conditional_failed:
            raise ValidationFailed("Este código já não é válido. Peça um novo código.", field=field) from None
        if not right:
            left = CODE_MAX_TRIES - int(item["tries"]) - 1
            if left <= 0:
                raise ValidationFailed(
                    f"Código incorreto. Esgotou as {CODE_MAX_TRIES} tentativas: peça um novo código.", field=field
                )
            raise ValidationFailed(
                "Código incorreto. " + plural(left, "Resta {n} tentativa.", "Restam {n} tentativas."), field=field
            )
        return item


# -- known devices --------------------------------------------------------------------------------
class Devices(_Store):
    """Device cookies (OWASP, "Slow Down Online Guessing Attacks with Device Cookies"): a browser that
    once logged in to an account carries a random token for it; its tries are counted on their own,
    so that an attacker's failures elsewhere never lock the owner's own browser out."""

    LIFETIME_SECONDS = 180 * 24 * 3600

    def owner(self, token: str | None) -> str | None:
        """The account whose device this token marks, if any."""
        if not token or len(token) > 100:
            return None
        item = self.table.get_item(Key={"pk": f"DEVICE#{_sha256(token)}"}).get("Item")
        if item is None or int(item["expires_at"]) <= _now():
            return None
        return item["user_id"]

    def issue(self, user_id: str) -> str:
        token = secrets.token_urlsafe(32)
        expires_at = _now() + self.LIFETIME_SECONDS
        self.table.put_item(
            Item={
                "pk": f"DEVICE#{_sha256(token)}",
                "user_id": user_id,
                "expires_at": expires_at,
                "purge_at": expires_at,
            }
        )
        return token


def device_key(token: str) -> str:
    return f"login:device:{_sha256(token)[:32]}"


# -- rate limits and throttling -------------------------------------------------------------------
class RateLimit(_Store):
    """At most ``limit`` events per ``window`` seconds for a key (e.g. confirmation emails sent to one
    address). Keys are what the caller typed, never whether an account exists, so a 429 tells nothing."""

    def hit(self, key: str, limit: int, window: int, field: str | None = None) -> None:
        now = _now()
        pk = {"pk": f"RATE#{key}"}
        try:  # a new window starts when there is none or the last one is over
            self.table.put_item(
                Item={**pk, "count": 1, "window_start": now, "purge_at": now + window},
                ConditionExpression="attribute_not_exists(pk) OR window_start <= :cutoff",
                ExpressionAttributeValues={":cutoff": now - window},
            )
            return
        except self._conditional_failed:
            pass
        try:
            self.table.update_item(
                Key=pk,
                UpdateExpression="ADD #count :one",
                ConditionExpression="#count < :limit",
                ExpressionAttributeNames={"#count": "count"},
                ExpressionAttributeValues={":one": 1, ":limit": limit},
            )
        except self._conditional_failed:
            raise TooManyRequests(
                "Já pediu isto várias vezes. Aguarde alguns minutos e tente de novo.", field=field
            ) from None


def throttle_delay(failures: int, allowance: int, cap: int, first: int = 30) -> int:
    """Seconds to wait before the next try after ``failures`` consecutive failures: nothing within
    the allowance, then 30, 60, 120… seconds, never more than ``cap``."""
    if failures < allowance:
        return 0
    return min(cap, first * 2 ** min(failures - allowance, 30))


class Throttle(_Store):
    """Guesses (passwords, codes) counted per account and per source address, with growing delays
    (30 s after the allowance, doubling) capped at 15 minutes, so that nobody can lock a victim out
    for long; a counter is forgotten an hour after its last try. Counted under the name typed,
    existing or not.

    Each try is reserved before it is checked: one conditional write per key counts it (as a failure
    until proven otherwise) only if that key is not within its delay, and only if nobody counted
    another try since it was read; so parallel guesses never exceed the allowance. A right answer
    clears the account's counter and gives the source its try back."""

    CAP_SECONDS = 15 * 60
    FORGET_AFTER = 3600
    RACE_RETRIES = 8

    def reserve(
        self, keys: list[tuple[str, int]], field: str | None = None, refused: Callable[[], None] | None = None
    ) -> None:
        """``keys``: (key, allowance) pairs. Count one try on each, or a 429 with the wait when any of
        them is within its delay (nothing counted on the keys after it); ``refused`` (the caller's
        audit of the throttled try) is called before that 429 is raised."""
        try:
            for key, allowance in keys:
                self._reserve_one(key, allowance, field)
        except TooManyRequests:
            if refused is not None:
                refused()
            raise

    def _reserve_one(self, key: str, allowance: int, field: str | None) -> None:
        pk = {"pk": f"THROTTLE#{key}"}
        for _ in range(self.RACE_RETRIES):
            now = _now()
            item = self.table.get_item(Key=pk, ConsistentRead=True).get("Item")
            fresh = item is not None and int(item["last_failure"]) + self.FORGET_AFTER > now
            failures = int(item["failures"]) if fresh else 0
            wait = int(item.get("blocked_until", 0)) - now if fresh else 0
            if wait > 0:
                error = TooManyRequests(
                    f"Demasiadas tentativas falhadas. Aguarde {plural(wait, 'segundo', 'segundos')} e tente de novo.",
                    field=field,
                )
                error.retry_after = wait
                raise error
            delay = throttle_delay(failures + 1, allowance, self.CAP_SECONDS)
            condition: dict[str, Any] = {"ConditionExpression": "attribute_not_exists(pk)"}
            if item is not None:  # nobody counted a try since we read it
                condition = {
                    "ConditionExpression": "failures = :seen AND last_failure = :seen_at",
                    "ExpressionAttributeValues": {":seen": item["failures"], ":seen_at": item["last_failure"]},
                }
            try:
                self.table.put_item(
                    Item={
                        **pk,
                        "failures": failures + 1,
                        "last_failure": now,
                        "blocked_until": now + delay if delay else 0,
                        "purge_at": now + self.FORGET_AFTER,
                    },
                    **condition,
                )
                return
            except self._conditional_failed:
                continue  # another try was counted meanwhile: read again
        raise TooManyRequests("Demasiadas tentativas em simultâneo. Aguarde um pouco e tente de novo.", field=field)

    def succeeded(self, keys: list[tuple[str, int]]) -> None:
        """The try was right: the account's counter (the first key) starts again, and the others
        get their try back."""
        first, *others = keys
        self.forget(first[0])
        for key, _ in others:
            try:
                self.table.update_item(
                    Key={"pk": f"THROTTLE#{key}"},
                    UpdateExpression="ADD failures :minus",
                    ConditionExpression="failures > :zero",
                    ExpressionAttributeValues={":minus": -1, ":zero": 0},
                )
            except self._conditional_failed:
                pass

    def forget(self, key: str) -> None:
        self.table.delete_item(Key={"pk": f"THROTTLE#{key}"})
