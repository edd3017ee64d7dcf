"""Staff login without AWS: the masked address a login code goes to."""

from __future__ import annotations


def test_the_login_code_address_is_shown_masked() -> None:
    from chalicelib.accounts.staff_auth import mask_email

    assert mask_email("decisor@municipio-demo.pt") == "d…r@municipio-demo.pt"
    assert mask_email("a@b.pt") == "a…@b.pt"
