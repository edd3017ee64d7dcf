"""Password hashing cost: argon2id at OWASP's parameters (what Balcão uses) beside the library's
cheapest profile (the baseline, in the same run) and RFC 9106's low-memory profile; time per hash
and the peak memory a hash adds to a fresh process. Then the login's two refusals side by side: an
unknown user (verified against a dummy hash) and a wrong password, which must take about as long.

``python -m bench passwords [--runs 9]``
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence

_CHILD = r"""
import resource, sys, time
from argon2 import PasswordHasher, Type, profiles
sys.path.insert(0, ".")
from chalicelib.accounts.users import OWASP_ARGON2ID
name = sys.argv[1]
hasher = PasswordHasher(type=Type.ID, **OWASP_ARGON2ID) if name == "OWASP" else PasswordHasher.from_parameters(getattr(profiles, name))
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
start = time.perf_counter()
hasher.hash("cavalo correto bateria agrafo")
took = time.perf_counter() - start
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(took, (after - before) / 1024)
"""

PROFILES = ("CHEAPEST", "OWASP", "RFC_9106_LOW_MEMORY")


def _one(profile: str) -> tuple[float, float]:
    out = subprocess.run(
        [sys.executable, "-c", _CHILD, profile], capture_output=True, text=True, check=True
    ).stdout.split()
    return float(out[0]), float(out[1])


def _login_refusals(runs: int) -> tuple[float, float]:
    import os

    os.environ["BALCAO_PASSWORD_HASH_PROFILE"] = "OWASP"
    from chalicelib.accounts.passwords import dummy_hash, hash_password, verify_password

    stored = hash_password("a senha verdadeira da conta")
    dummy_hash()
    unknown, wrong = [], []
    for _ in range(runs):
        start = time.perf_counter()
        verify_password(dummy_hash(), "tentativa")
        unknown.append(time.perf_counter() - start)
        start = time.perf_counter()
        verify_password(stored, "tentativa")
        wrong.append(time.perf_counter() - start)
    return statistics.median(unknown), statistics.median(wrong)


def main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(prog="bench passwords")
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args(argv)
    print(f"argon2id hashing, one hash per fresh process (median of {args.runs}):")
    results = {}
    for profile in PROFILES:
        samples = [_one(profile) for _ in range(args.runs)]
        results[profile] = (statistics.median(s[0] for s in samples), statistics.median(s[1] for s in samples))
    base = results["CHEAPEST"][0]
    for profile, (seconds, mib) in results.items():
        print(
            f"  {profile:22} {seconds * 1000:8.1f} ms  (x{seconds / base:6.1f} the cheapest)   peak memory added {mib:6.1f} MiB"
        )
    unknown, wrong = _login_refusals(args.runs)
    print(
        f"login refusals at OWASP parameters: unknown user {unknown * 1000:.1f} ms, wrong password {wrong * 1000:.1f} ms "
        f"(ratio {unknown / wrong:.2f})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
