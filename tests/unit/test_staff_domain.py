"""Pieces of the staff approval API that need no AWS: page cursors, idempotency fingerprints, the
masked address a login code goes to, and the access rule read from a view's docstring."""

from __future__ import annotations

import base64
import json

import pytest

from chalicelib.kernel.errors import ValidationFailed


def test_a_cursor_goes_back_only_to_the_query_that_made_it() -> None:
    from chalicelib.processes.queries import _decode_cursor, _encode_cursor

    last = {"process_id": "p_1", "organ_status": "CAMARA#em_apreciacao", "decision_deadline": "2026-12-07"}
    cursor = _encode_cursor("by_organ_status_deadline", last)
    assert "=" not in cursor and "CAMARA" not in cursor  # opaque, URL-safe
    assert _decode_cursor(cursor, "by_organ_status_deadline", "organ_status", "CAMARA#em_apreciacao") == last
    with pytest.raises(ValidationFailed) as other_filter:
        _decode_cursor(cursor, "by_organ_deadline", "organ", "CAMARA")
    assert other_filter.value.field == "cursor"
    with pytest.raises(ValidationFailed):
        _decode_cursor(cursor, "by_organ_status_deadline", "organ_status", "SEMAE#em_apreciacao")


@pytest.mark.parametrize("payload", [
    b"not json", b"[1, 2]", b'{"i": "by_organ_deadline"}',
    b'{"i": "by_organ_deadline", "k": {"organ": "CAMARA", "password_hash": "x"}}',
    b'{"i": "by_organ_deadline", "k": {"organ": "CAMARA", "process_id": 7}}',
])
def test_a_forged_cursor_is_a_422_not_a_500(payload: bytes) -> None:
    from chalicelib.processes.queries import _decode_cursor

    with pytest.raises(ValidationFailed):
        _decode_cursor(base64.urlsafe_b64encode(payload).decode(), "by_organ_deadline", "organ", "CAMARA")
    with pytest.raises(ValidationFailed):
        _decode_cursor("%%%", "by_organ_deadline", "organ", "CAMARA")


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


def test_the_login_code_address_is_shown_masked() -> None:
    from chalicelib.accounts.staff_auth import mask_email

    assert mask_email("decisor@municipio-demo.pt") == "d…r@municipio-demo.pt"
    assert mask_email("a@b.pt") == "a…@b.pt"


def test_who_may_call_is_what_the_docstring_opens_with() -> None:
    from chalicelib.api.openapi import who_may_call

    assert who_may_call("Decision-makers and heads of the process's organ: approve...") == \
        "Decision-makers and heads of the process's organ"
    assert who_may_call("Does things.") == ""
