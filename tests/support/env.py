"""The environment of every test under moto (the ``env`` fixture sets it; test_terraform provisions with it)."""

from __future__ import annotations

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
