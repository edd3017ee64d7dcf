"""Throttling that an attacker can neither race past nor turn against the account's owner: each try is
reserved with a conditional write before the password is checked, and a browser that logged in before
(its device cookie) keeps an allowance of its own; every failed and every throttled login is audited."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

from chalicelib.accounts.authentication import LOGIN_ALLOWANCE_PER_ACCOUNT


def test_parallel_guesses_never_exceed_the_allowance(demo: dict[str, Any]) -> None:
    from chalicelib.accounts.authentication import Authentication
    from chalicelib.kernel.errors import NotAuthenticated, TooManyRequests

    def guess(n: int) -> str:
        try:
            Authentication().authenticate("ana.silva", f"errada-{n}", "citizen", source_ip=f"203.0.113.{n}")
        except NotAuthenticated:
            return "checked"
        except TooManyRequests:
            return "refused"
        return "in"

    with ThreadPoolExecutor(max_workers=15) as pool:
        answers = list(pool.map(guess, range(15)))
    assert answers.count("checked") == LOGIN_ALLOWANCE_PER_ACCOUNT
    assert answers.count("refused") == 15 - LOGIN_ALLOWANCE_PER_ACCOUNT


def test_an_attacker_elsewhere_cannot_lock_the_owner_s_own_browser_out(make_api: Any, demo: dict[str, Any]) -> None:
    from chalicelib.platform.audit import AuditTrail

    owner = make_api()
    owner.login("ana.silva", demo["password"])
    assert owner.device and owner.device.startswith("balcao_device=")
    owner.call("DELETE", "/api/session")
    attacker = make_api()
    tries = [
        attacker.call("POST", "/api/session", {"identifier": "ana.silva", "password": "adivinha"}) for _ in range(7)
    ]
    assert [t.status_code for t in tries][-1] == 429
    # a browser that never logged in shares the attacker's wait; the owner's own does not
    stranger = make_api().call("POST", "/api/session", {"identifier": "ana.silva", "password": demo["password"]})
    assert stranger.status_code == 429
    assert (
        owner.call("POST", "/api/session", {"identifier": "ana.silva", "password": demo["password"]}).status_code == 200
    )
    # a forged or another account's device cookie earns nothing
    forged = make_api()
    forged.device = "balcao_device=inventado"
    answer = forged.call("POST", "/api/session", {"identifier": "ana.silva", "password": demo["password"]})
    assert answer.status_code == 429

    user_id = owner.call("GET", "/api/me").data["user"]["user_id"]
    events = AuditTrail().for_subject(f"user#{user_id}")
    failed = [e for e in events if e["action"] == "session.login_failed"]
    assert len(failed) >= LOGIN_ALLOWANCE_PER_ACCOUNT
    # every try turned away while the wait ran is in the audit too, with the address it came from
    throttled = [e for e in events if e["action"] == "session.login_throttled"]
    refusals = [t for t in tries if t.status_code == 429] + [stranger, answer]
    assert len(throttled) == len(refusals) and all(e["source_ip"] != "-" for e in throttled)
    unknown = AuditTrail().for_subject("login#username:ninguem")
    make_api().call("POST", "/api/session", {"identifier": "ninguem", "password": "x"})
    assert len(AuditTrail().for_subject("login#username:ninguem")) == len(unknown) + 1
