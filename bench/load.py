"""Load on the local stack over loopback: 10 and 30 citizens at once (``--citizens``), each logging in,
filing a generic request with a small PDF (the presigned POST straight to the local S3, then waiting
for its inspection) and submitting it; then a read load, each citizen reading their process's view
``--reads`` times. Prints throughput, p50/p95/p99 per route (and each p50 as a multiple of the
baseline measured in the same run: ``GET /health`` on the idle stack), errors, and checks that every
submission became exactly one process with a number of its own.

The stack is the README's (``./dev up``, in a subprocess, its own moto server): the citizens'
accounts are created straight in its users table, as the demo data is. Every phase is bounded in
time (``--timeout``); what did not finish counts as an error. Figures, not verdicts: only a broken
check (a submission without its one process, a number given twice) makes it exit 1.

    python -m bench load [--citizens 10 30] [--reads 10] [--port P --aws-port P] [--timeout 300]
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import statistics
import sys
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor, wait
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
RESULTS = BENCH_DIR / "results" / "load.json"
PASSWORD = "Carga-de-teste-2026"  # noqa: S105 - the load's citizens' password
GENERIC = {"service_id": "generico", "fields": {"subject": "Licença de ruído", "text": "Peço licença para um arraial."}}


def percentile(samples: list[float], fraction: float) -> float:
    """Nearest-rank percentile (``fraction`` 0.95 for p95)."""
    ordered = sorted(samples)
    return ordered[max(0, min(len(ordered) - 1, int(round(fraction * len(ordered) + 0.5)) - 1))]


class Recorder:
    """Every call's route, seconds and outcome, from every thread."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.samples: dict[str, list[float]] = defaultdict(list)
        self.errors: dict[str, list[str]] = defaultdict(list)

    def call(self, route: str, send: Callable[[], Any], ok: Callable[[Any], bool] = lambda r: r.ok) -> Any:
        started = time.perf_counter()
        try:
            response = send()
        except Exception as error:  # noqa: BLE001 - a failed call is a figure of the load
            with self.lock:
                self.errors[route].append(f"{type(error).__name__}: {error}"[:200])
            raise
        took = time.perf_counter() - started
        with self.lock:
            self.samples[route].append(took)
            if not ok(response):
                self.errors[route].append(f"{response.status_code} {response.text[:160]}")
        return response


def _citizens(aws_port: int, level: int) -> list[str]:
    """``level`` citizens straight in the stack's users table (as the demo's are): their usernames."""
    os.environ.update(
        {
            "AWS_ENDPOINT_URL": f"http://127.0.0.1:{aws_port}",
            "AWS_DEFAULT_REGION": "eu-west-1",
            "AWS_ACCESS_KEY_ID": "local",
            "AWS_SECRET_ACCESS_KEY": "local",
            "BALCAO_STAGE": "local",
            "BALCAO_RESOURCE_PREFIX": "balcao-local",
            "BALCAO_TRACING": "false",
            "AWS_XRAY_SDK_ENABLED": "false",
        }
    )
    from chalicelib.accounts.users import Accounts
    from chalicelib.platform.audit import Actor

    accounts, names = Accounts(), []
    for i in range(level):
        username = f"carga.{level}.{i}"
        accounts.create(
            kind="citizen",
            name=f"Cidadã de Carga {level}-{i}",
            email=f"{username}@example.pt",
            username=username,
            password=PASSWORD,
            actor=Actor("bench-load"),
        )
        names.append(username)
    return names


def _log_in(base: str, http: Any, username: str, record: Recorder, deadline: float) -> Any:
    """As a person does: again after a refusal to wait (429, its Retry-After) or a dropped connection,
    while there is time; each failed try is an error of the figures."""
    for _ in range(10):
        try:
            login = record.call(
                "POST /api/session",
                lambda: http.post(
                    f"{base}/api/session", json={"identifier": username, "password": PASSWORD}, timeout=60
                ),
            )
        except OSError:
            login = None
        if login is not None and login.ok:
            # the cookie is Secure: a browser on http://127.0.0.1 sends it (a secure context), requests does not
            http.headers["cookie"] = f"balcao_session={login.cookies['balcao_session']}"
            return login
        if time.monotonic() > deadline:
            break
        time.sleep(float((login.headers.get("Retry-After") if login is not None else None) or 1))
    raise RuntimeError(f"{username} could not log in")


def _journey(base: str, username: str, pdf: bytes, record: Recorder, deadline: float) -> dict[str, Any]:
    """Log in, file the generic request with its PDF, wait for the inspection, submit."""
    import requests

    http = requests.Session()
    headers = {"x-balcao-csrf": "1"}
    _log_in(base, http, username, record, deadline)
    created = record.call(
        "POST /api/requests", lambda: http.post(f"{base}/api/requests", json=GENERIC, headers=headers, timeout=60)
    )
    process_id = created.json()["process_id"]
    slot = record.call(
        "POST /api/requests/{process_id}/documents",
        lambda: http.post(
            f"{base}/api/requests/{process_id}/documents",
            json={"slot": "anexo", "filename": "anexo.pdf", "content_type": "application/pdf"},
            headers=headers,
            timeout=60,
        ),
    ).json()
    upload = slot["upload"]
    record.call(
        "S3 presigned POST (upload)",
        lambda: requests.post(
            upload["url"], data=upload["fields"], files={"file": ("anexo.pdf", pdf, "application/pdf")}, timeout=60
        ),
    )
    document = f"{base}/api/requests/{process_id}/documents/{slot['document_id']}"
    while True:
        status = record.call(
            "GET /api/requests/{process_id}/documents/{document_id}", lambda: http.get(document, timeout=60)
        )
        if status.json().get("status") != "a_aguardar" or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    submitted = record.call(
        "POST /api/requests/{process_id}/submit",
        lambda: http.post(f"{base}/api/requests/{process_id}/submit", headers=headers, timeout=60),
    )
    return {"username": username, "http": http, "process_id": process_id, "number": submitted.json().get("number")}


def _reads(base: str, journey: dict[str, Any], reads: int, record: Recorder, deadline: float) -> None:
    http, process_id = journey["http"], journey["process_id"]
    for _ in range(reads):
        if time.monotonic() > deadline:
            record.errors["GET /api/requests/{process_id}"].append("not done in time")
            return
        record.call("GET /api/requests/{process_id}", lambda: http.get(f"{base}/api/requests/{process_id}", timeout=60))


def _run_all(work: list[Callable[[], Any]], timeout: float, record: Recorder, label: str) -> tuple[list[Any], float]:
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=max(1, len(work))) as pool:
        futures = [pool.submit(job) for job in work]
        done, pending = wait(futures, timeout=timeout)
    results = []
    for future in futures:
        if future in done and future.exception() is None:
            results.append(future.result())
        else:
            record.errors[label].append("not done in time" if future in pending else repr(future.exception())[:200])
    return results, time.perf_counter() - started


def _check(journeys: list[dict[str, Any]], level: int) -> list[str]:
    """Every submission made is exactly one process of its citizen, with a number no one else got (a
    journey that did not get as far as submitting is an error of the figures, not of this check)."""
    problems = []
    numbers = [j["number"] for j in journeys]
    if any(n is None for n in numbers):
        problems.append(f"{sum(n is None for n in numbers)} submissions without a number")
    if len(set(numbers)) != len(numbers):
        problems.append(
            "a process number given twice: " + ", ".join(sorted({n for n in numbers if numbers.count(n) > 1}))
        )
    for journey in journeys:
        listed = journey["http"].get(journey["base"] + "/api/requests", timeout=60).json()["processes"]
        mine = [p for p in listed if p.get("number")]
        if [p.get("number") for p in mine] != [journey["number"]]:
            problems.append(
                f"{journey['username']}: processes {[p.get('number') for p in mine]}, submitted {journey['number']}"
            )
    return problems


def main(argv: Sequence[str] = ()) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench load", description=__doc__.split("\n\n")[0])
    parser.add_argument("--citizens", type=int, nargs="+", default=[10, 30], help="citizens at once, one phase each")
    parser.add_argument("--reads", type=int, default=10, help="process views each citizen reads (default 10)")
    parser.add_argument("--port", type=int, help="the stack's API port (default: a free one)")
    parser.add_argument("--aws-port", type=int, help="the stack's moto port (default: a free one)")
    parser.add_argument("--timeout", type=float, default=300, help="seconds each phase may take (default 300)")
    args = parser.parse_args(list(argv))
    sys.path.insert(0, str(ROOT))
    import requests

    from tests.support.files import small_pdf
    from tests.support.stack import free_port, start_stack

    port, aws_port = args.port or free_port(), args.aws_port or free_port()
    print(f"Starting the local stack (./dev up --port {port} --aws-port {aws_port})…", flush=True)
    stack = start_stack(port, aws_port, timeout=180)
    pdf, report, failures = small_pdf(), {}, []
    try:
        health: list[float] = []
        for _ in range(50):
            started = time.perf_counter()
            requests.get(f"{stack.base}/health", timeout=10).raise_for_status()
            health.append(time.perf_counter() - started)
        baseline = statistics.median(health)
        print(f"Baseline: GET /health on the idle stack, p50 {baseline * 1000:.1f} ms (50 calls)\n")
        for level in args.citizens:
            names = _citizens(aws_port, level)
            record = Recorder()
            deadline = time.monotonic() + args.timeout
            journeys, filing = _run_all(
                [functools.partial(_journey, stack.base, n, pdf, record, deadline) for n in names],
                args.timeout,
                record,
                "journey",
            )
            for journey in journeys:
                journey["base"] = stack.base
            read_deadline = time.monotonic() + args.timeout
            _, reading = _run_all(
                [functools.partial(_reads, stack.base, j, args.reads, record, read_deadline) for j in journeys],
                args.timeout,
                record,
                "reads",
            )
            problems = _check(journeys, level)
            failures += [f"{level} citizens: {p}" for p in problems]
            report[level] = _print_level(level, record, filing, reading, len(journeys), args.reads, baseline, problems)
    finally:
        stack.stop()
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(
        json.dumps({"measured_at": datetime.now(UTC).isoformat(timespec="seconds"), "levels": report}, indent=2) + "\n"
    )
    print(f"Figures written to {RESULTS.relative_to(ROOT)}")
    if failures:
        print("FAILED, the benchmark's own checks:\n  " + "\n  ".join(failures))
        return 1
    return 0


def _print_level(
    level: int,
    record: Recorder,
    filing: float,
    reading: float,
    journeys: int,
    reads: int,
    baseline: float,
    problems: list[str],
) -> dict[str, Any]:
    calls = sum(len(s) for s in record.samples.values())
    print(
        f"== {level} citizens at once: {journeys} of {level} submitted in {filing:.1f} s ({journeys / filing:.2f} submissions/s); "
        f"{journeys * reads} process views in {reading:.1f} s ({journeys * reads / max(reading, 1e-9):.1f} reads/s)"
    )
    header = f"  {'route':58} {'calls':>6} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'p50/base':>9} {'errors':>6}"
    print(header)
    routes = {}
    for route, samples in record.samples.items():
        p50, p95, p99 = (percentile(samples, f) for f in (0.5, 0.95, 0.99))
        errors = len(record.errors.get(route, []))
        print(
            f"  {route:58} {len(samples):6d} {p50 * 1000:8.1f} {p95 * 1000:8.1f} {p99 * 1000:8.1f} {p50 / baseline:9.1f} {errors:6d}"
        )
        routes[route] = {"calls": len(samples), "p50": p50, "p95": p95, "p99": p99, "errors": errors}
    for route, errors in record.errors.items():
        kinds = Counter(error[:48] for error in errors)  # a status or an exception, and the start of its text
        for kind, count in kinds.most_common():
            print(f"  errors {route}: {count} × {kind}…")
    verdict = "every submission is one process with its own number" if not problems else "; ".join(problems)
    print(f"  {calls} calls; check: {verdict}\n")
    return {
        "filing_seconds": filing,
        "reading_seconds": reading,
        "journeys": journeys,
        "baseline_health_p50": baseline,
        "routes": routes,
        "problems": problems,
    }


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
