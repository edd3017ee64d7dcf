"""Pieces of the staff approval API that need no AWS: idempotency fingerprints and the access rule read from a
view's docstring."""

from __future__ import annotations

import json

import pytest

from chalicelib.kernel.errors import ValidationFailed


def test_the_same_json_in_another_order_is_the_same_request() -> None:
    from chalicelib.api.idempotency import body_hash

    a = json.dumps({"decision": "deferido", "grounds": "Ok."})
    b = '{ "grounds": "Ok.",  "decision": "deferido" }'
    assert body_hash(a) == body_hash(b.encode())
    assert body_hash(a) != body_hash(json.dumps({"decision": "indeferido", "grounds": "Ok."}))
    assert body_hash(None) == body_hash(b"")


@pytest.mark.parametrize("key", ["", "k" * 256, "tab\there"])
def test_an_unusable_idempotency_key_is_refused(key: str) -> None:
    from chalicelib.api.idempotency import Idempotency

    with pytest.raises(ValidationFailed) as refused:
        Idempotency.record_key(key, "u_1", "POST /x")
    assert refused.value.field == "Idempotency-Key"
    assert Idempotency.record_key("k", "u_1", "POST /x") != Idempotency.record_key("k", "u_2", "POST /x")


def test_who_may_call_is_what_the_docstring_opens_with() -> None:
    from chalicelib.api.openapi import who_may_call

    assert (
        who_may_call("Decision-makers and heads of the process's organ: approve...")
        == "Decision-makers and heads of the process's organ"
    )
    assert who_may_call("Does things.") == ""
