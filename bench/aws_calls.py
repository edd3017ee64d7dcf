"""AWS calls per route: every route of ``/openapi.json`` called once by an allowed caller on realistic
data (``tests/support/route_tour.py``) under moto in this process, with the calls each request makes
counted by service and operation (a botocore hook, ``tests/support/aws_calls.py``), their total, and
the design's goal beside it (3 for a read, 6 for a write).

The tour runs once per ``--background`` size (more submitted processes of the citizen and the organ,
in a fresh moto each time): a count that differs between them is marked ("differs": it grows with
the data, or depends on timing, as a write at most once a minute does). The benchmark's own checks,
printed as FAILED and making it exit 1: a DynamoDB Scan on a request path, a stop that did not answer
2xx (its count would measure a refusal), a route of ``/openapi.json`` the tour misses. A count over its goal is
a figure, not a failure.

    python -m bench aws-calls [--background 0 20]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
RESULTS = BENCH_DIR / "results" / "aws_calls.json"


def _environment() -> None:
    sys.path.insert(0, str(ROOT))
    from tests.support.env import TEST_ENV

    os.environ.pop("AWS_ENDPOINT_URL", None)  # in-process moto intercepts AWS hosts only
    os.environ.pop("AWS_PROFILE", None)
    os.environ.setdefault("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")
    os.environ.update(TEST_ENV)


def run_tour(background: int) -> list[dict[str, Any]]:
    """One tour in a fresh in-process stack: per stop, its status and its calls."""
    from chalice.test import Client

    import app as balcao
    from chalicelib.kernel.settings import get_settings
    from chalicelib.platform import aws
    from local import demo
    from tests.support import aws_calls, faults
    from tests.support.in_process import provisioned
    from tests.support.tour_world import build_world, tour

    get_settings.cache_clear()
    aws_calls.install()
    faults.install()  # the world's processes that need attention fail a step by an injected fault
    aws.reset_clients()
    rows = []
    with provisioned(), Client(balcao.app, stage_name="local") as client:
        demo.seed()
        world = build_world(client, background=background)
        for called in tour(world, around=aws_calls.counting):
            rows.append(
                {
                    "route": called.stop.route,
                    "status": called.status,
                    "calls": {
                        f"{service}.{operation}": n for (service, operation), n in sorted(called.measured.items())
                    },
                    "total": sum(called.measured.values()),
                    "goal": aws_calls.goal(called.stop.route.split(" ", 1)[0]),
                    "scans": aws_calls.scans(called.measured),
                    "answer": called.body[:200] if not 200 <= called.status < 300 else "",
                }
            )
    return rows


def _by_operation(calls: dict[str, int]) -> str:
    return ", ".join(
        f"{name.replace('dynamodb.', 'ddb.')}×{n}" if n > 1 else name.replace("dynamodb.", "ddb.")
        for name, n in calls.items()
    )


def report(runs: dict[int, list[dict[str, Any]]], app_routes: set[str]) -> list[str]:
    """Print the table; return the failures of the benchmark's own checks."""
    sizes = list(runs)
    first = runs[sizes[0]]
    failures: list[str] = []
    header = (
        f"{'route':66} " + " ".join(f"{'@' + str(s):>5}" for s in sizes) + f" {'goal':>4}  {'':6} calls (first run)"
    )
    print("AWS calls per request; @N: the tour with N more submitted processes in the world")
    print(header)
    print("-" * len(header))
    over = 0
    for i, row in enumerate(first):
        totals = [runs[s][i]["total"] for s in sizes]
        mark = "ok" if max(totals) <= row["goal"] else "over"
        over += mark == "over"
        if len(set(totals)) > 1:
            mark += " differs"
        for s in sizes:
            other = runs[s][i]
            if other["scans"]:
                failures.append(f"{other['route']} @{s}: {other['scans']} Scan(s) on a request path")
            if not 200 <= other["status"] < 300:
                failures.append(f"{other['route']} @{s}: answered {other['status']} {other['answer']!r}")
        print(
            f"{row['route']:66} "
            + " ".join(f"{t:5d}" for t in totals)
            + f" {row['goal']:4d}  {mark:6} {_by_operation(row['calls'])}"
        )
    missing = sorted(app_routes - {row["route"] for row in first})
    failures += [f"{route}: not in the tour" for route in missing]
    totals = Counter()
    for row in first:
        for name, n in row["calls"].items():
            totals[name] += n
    reads = [r for r in first if r["goal"] == 3]
    writes = [r for r in first if r["goal"] == 6]
    print(
        f"\n{len(first)} routes: {len(first) - over} within their goal, {over} over; "
        f"reads {sum(r['total'] for r in reads)} calls in {len(reads)} routes "
        f"(mean {sum(r['total'] for r in reads) / max(1, len(reads)):.2f}), "
        f"writes {sum(r['total'] for r in writes)} in {len(writes)} "
        f"(mean {sum(r['total'] for r in writes) / max(1, len(writes)):.2f})"
    )
    print("All calls by operation: " + ", ".join(f"{name} {n}" for name, n in totals.most_common()))
    return failures


def main(argv: Sequence[str] = ()) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench aws-calls", description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--background",
        type=int,
        nargs="+",
        default=[0, 20],
        help="more submitted processes in the world, one tour per size (default: 0 20)",
    )
    args = parser.parse_args(list(argv))
    _environment()
    import logging

    logging.disable(logging.WARNING)  # the tour's refusals and workflows log; the table is the output
    import app as balcao

    runs = {size: run_tour(size) for size in args.background}
    from chalicelib.api.openapi import build

    paths = build(balcao.app)["paths"]
    app_routes = {f"{method.upper()} {path}" for path, methods in paths.items() for method in methods}
    failures = report(runs, app_routes)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(
        json.dumps(
            {
                "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
                "runs": {str(k): v for k, v in runs.items()},
            },
            indent=2,
            ensure_ascii=False,
        )
        + "\n",
        encoding="utf-8",
    )
    if failures:
        print("\nFAILED, the benchmark's own checks:\n  " + "\n  ".join(failures))
        return 1
    print("Checks passed: no Scan on any request path, every stop answered 2xx, every route toured.")
    print(f"Figures written to {RESULTS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
