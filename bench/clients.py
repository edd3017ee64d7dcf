"""The cost of AWS clients: what one thread pays to get the clients a request's work needs (DynamoDB
table, S3, Step Functions, SNS, SES), the way ``chalicelib.platform.aws`` makes them (one shared boto3
session, so each service's model is read once per process) beside the baseline in the same run, a
new session per client (each one reloads and reparses its service's model). Each round runs in a
new thread, as the local stack's workflow tasks and a fresh Lambda container do.

``python -m bench clients [--rounds 9]``
"""

from __future__ import annotations

import argparse
import os
import statistics
import threading
import time
from collections.abc import Callable, Sequence

SERVICES = ("s3", "stepfunctions", "sns", "ses")


def _in_new_thread(work: Callable[[], None]) -> float:
    took: list[float] = []

    def run() -> None:
        start = time.perf_counter()
        work()
        took.append(time.perf_counter() - start)

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    return took[0]


def _session_per_client() -> None:
    import boto3

    boto3.session.Session().resource("dynamodb", region_name="eu-west-1").Table("processes")
    for service in SERVICES:
        boto3.session.Session().client(service, region_name="eu-west-1")


def _shared_session() -> None:
    from chalicelib.platform import aws

    aws.table("processes")
    for service in SERVICES:
        aws.client(service)


def main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(prog="bench clients")
    parser.add_argument("--rounds", type=int, default=9)
    args = parser.parse_args(argv)
    os.environ.setdefault("AWS_DEFAULT_REGION", "eu-west-1")
    os.environ.setdefault("BALCAO_TRACING", "false")
    import boto3  # noqa: F401 - imported once, outside the timings

    # The first round of each pays for reading the models from disk: shown apart, not in the median.
    results = {}
    for name, work in (
        ("new session per client (baseline)", _session_per_client),
        ("one shared session (chalicelib.platform.aws)", _shared_session),
    ):
        first = _in_new_thread(work)
        rest = [_in_new_thread(work) for _ in range(args.rounds)]
        results[name] = (first, statistics.median(rest))
    base = next(iter(results.values()))[1]
    print(
        f"clients for one thread's work ({len(SERVICES) + 1} services; a new thread each round; median of {args.rounds}):"
    )
    for name, (first, median) in results.items():
        print(f"  {name:38} first {first * 1000:7.1f} ms   then {median * 1000:7.1f} ms   {median / base:5.2f}x")
    return 0
