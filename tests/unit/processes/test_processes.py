"""Processes' rules without AWS: process numbers as references, staff queue page cursors, Multibanco references."""

from __future__ import annotations

import base64

import pytest

from chalicelib.kernel.errors import ValidationFailed
from chalicelib.processes.multibanco import check_digits, is_valid, make_reference


@pytest.mark.usefixtures("env")
def test_process_numbers_become_url_safe_references() -> None:
    from chalicelib.processes.table import process_id_for

    assert process_id_for("PMP 2023/500100") == "PMP-2023-500100"


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


@pytest.mark.parametrize(
    "payload",
    [
        b"not json",
        b"[1, 2]",
        b'{"i": "by_organ_deadline"}',
        b'{"i": "by_organ_deadline", "k": {"organ": "CAMARA", "password_hash": "x"}}',
        b'{"i": "by_organ_deadline", "k": {"organ": "CAMARA", "process_id": 7}}',
    ],
)
def test_a_forged_cursor_is_a_422_not_a_500(payload: bytes) -> None:
    from chalicelib.processes.queries import _decode_cursor

    with pytest.raises(ValidationFailed):
        _decode_cursor(base64.urlsafe_b64encode(payload).decode(), "by_organ_deadline", "organ", "CAMARA")
    with pytest.raises(ValidationFailed):
        _decode_cursor("%%%", "by_organ_deadline", "organ", "CAMARA")


def test_multibanco_references_carry_check_digits_over_entity_reference_and_amount() -> None:
    from stdnum.iso7064 import mod_97_10

    reference = make_reference("21800", 1234, 8670)
    assert len(reference.reference) == 9 and reference.reference.startswith("0001234")
    assert mod_97_10.is_valid(f"21800{reference.reference[:7]}{8670:08d}{reference.reference[7:]}")
    assert is_valid("21800", reference.reference, 8670)
    assert not is_valid("21800", reference.reference, 8671)  # another amount
    assert not is_valid("21801", reference.reference, 8670)  # another entity
    wrong = reference.reference[:-1] + str((int(reference.reference[-1]) + 1) % 10)
    assert not is_valid("21800", wrong, 8670)
    assert reference.formatted().replace(" ", "") == reference.reference
    # every remainder mod 97 gives a valid reference (SIBS writes 98 and 97 where stdnum writes 01 and 00)
    for sequence in range(300):
        ref = make_reference("11604", sequence, 2500)
        assert is_valid("11604", ref.reference, 2500)
    with pytest.raises(ValueError):
        check_digits("1234", "0000001", 100)
