"""The environment of every test under moto (the ``env`` fixture sets it; test_plan provisions with it)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

TEST_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": "eu-west-1",
    "AWS_XRAY_SDK_ENABLED": "false",
    "BALCAO_STAGE": "local",
    "BALCAO_RESOURCE_PREFIX": "balcao-local",
    "BALCAO_TRACING": "false",
    "BALCAO_PAYMENT_CALLBACK_SECRET": "test-callback-secret",
    "BALCAO_PASSWORD_HASH_PROFILE": "CHEAPEST",  # argon2id still, at the lowest cost: tests hash a lot
}


@contextmanager
def moto_environment(patch: Any) -> Iterator[None]:
    """``TEST_ENV`` set with ``patch`` (a pytest MonkeyPatch), no real AWS endpoint or profile, and the
    settings, password hasher and AWS clients made afresh from it (and again after)."""
    from chalicelib.accounts.passwords import _hasher
    from chalicelib.kernel.settings import get_settings
    from chalicelib.platform import aws

    patch.delenv("AWS_ENDPOINT_URL", raising=False)  # in-process moto intercepts AWS hosts only
    patch.delenv("AWS_PROFILE", raising=False)
    for key, value in TEST_ENV.items():
        patch.setenv(key, value)
    get_settings.cache_clear()
    _hasher.cache_clear()
    aws.reset_clients()
    try:
        yield
    finally:
        _hasher.cache_clear()
        get_settings.cache_clear()
        aws.reset_clients()
