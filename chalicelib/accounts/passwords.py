"""Password hashing: argon2id (argon2-cffi, imported when a password is first hashed or checked), at
OWASP's parameters in production and the cheapest profile in tests (setting ``password_hash_profile``)."""

from __future__ import annotations

import secrets
from functools import lru_cache
from typing import Any

from chalicelib.kernel.settings import get_settings

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
def dummy_hash() -> str:
    # Verified against when a login name is unknown, so that the answer takes as long either way.
    return hash_password(secrets.token_urlsafe(16))


def needs_rehash(password_hash: str) -> bool:
    """Made with older parameters than today's: replace it at the next successful login."""
    return _hasher().check_needs_rehash(password_hash)


_ACTIVATION_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789"  # no 0/O, 1/l/I


def activation_password() -> str:
    """Three groups of four unambiguous characters (~70 bits), easy to copy from an email."""
    return "-".join("".join(secrets.choice(_ACTIVATION_ALPHABET) for _ in range(4)) for _ in range(3))
