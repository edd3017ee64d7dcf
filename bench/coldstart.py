"""Cold start: the time a new Lambda process takes to import the app and serve its first request.

Balcão is measured beside a hello-world Chalice app that imports boto3 (``bench/hello_app``), in the
same run, runs interleaved so that drift of the machine affects both alike. Each sample is a new
interpreter (``bench/coldstart_child.py``) that imports ``app`` and calls the Chalice app object as
Lambda does, with an API Gateway event; it reports times from its own first line (so interpreter
start-up is not in them), and this process also records the child's whole wall time. Two first requests
are measured for Balcão: ``GET /health`` (nothing lazy runs) and ``GET /api/services`` (the catalogue:
data files and pydantic, no AWS). The goal is Balcão ≤ 1.3 × hello (medians); missing it is reported,
never an error: this is a benchmark, not a test.

    python -m bench coldstart [--runs 15]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
CHILD = BENCH_DIR / "coldstart_child.py"
HELLO_DIR = BENCH_DIR / "hello_app"
RESULTS = BENCH_DIR / "results" / "coldstart.json"

GOAL = 1.3
MARKER = "COLDSTART "  # as in coldstart_child.py
PHASE_MARK = "# coldstart: first request"
FIGURES = ("import_s", "first_request_s", "total_s", "wall_s")

# The environment of a local Lambda: no X-Ray, a region, credentials that are never used.
CHILD_ENV = {
    "BALCAO_STAGE": "local",
    "AWS_XRAY_SDK_ENABLED": "false",
    "AWS_DEFAULT_REGION": "eu-west-1",
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "PYTHONUNBUFFERED": "1",
}


@dataclass(frozen=True)
class Subject:
    key: str
    label: str
    app_dir: Path
    path: str


HELLO = Subject("hello_health", "hello (boto3) GET /health", HELLO_DIR, "/health")
BALCAO_HEALTH = Subject("balcao_health", "Balcão GET /health", ROOT, "/health")
BALCAO_SERVICES = Subject("balcao_services", "Balcão GET /api/services", ROOT, "/api/services")
SUBJECTS = (HELLO, BALCAO_HEALTH, BALCAO_SERVICES)
RATIOS = ((BALCAO_HEALTH, HELLO), (BALCAO_SERVICES, HELLO))


def child_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "BALCAO_"))}
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # Lambda packages may ship no .pyc, but both apps alike: warm caches
    env.pop("PYTHONPROFILEIMPORTTIME", None)
    return {**env, **CHILD_ENV}


def run_child(subject: Subject, importtime: bool = False) -> tuple[dict[str, float], str]:
    """One cold start of ``subject`` in a new interpreter: its figures, and its stderr."""
    command = [
        sys.executable,
        *(["-X", "importtime"] if importtime else []),
        str(CHILD),
        str(subject.app_dir),
        subject.path,
    ]
    started = time.perf_counter()
    done = subprocess.run(command, cwd=subject.app_dir, env=child_env(), capture_output=True, text=True, check=False)
    wall = time.perf_counter() - started
    lines = [line for line in done.stdout.splitlines() if line.startswith(MARKER)]
    if done.returncode != 0 or not lines:
        raise RuntimeError(
            f"{subject.label}: the child failed (exit {done.returncode})\n{done.stdout[-2000:]}\n{done.stderr[-4000:]}"
        )
    result = json.loads(lines[-1][len(MARKER) :])
    if result["status"] != 200:
        raise RuntimeError(
            f"{subject.label}: the first request answered {result['status']}, not 200\n{done.stderr[-4000:]}"
        )
    return {
        "import_s": result["import_s"],
        "first_request_s": result["first_request_s"],
        "total_s": result["total_s"],
        "wall_s": wall,
    }, done.stderr


def summary(values: Sequence[float]) -> dict[str, float]:
    p90 = statistics.quantiles(values, n=10, method="inclusive")[-1] if len(values) > 1 else values[0]
    return {"median": statistics.median(values), "p90": p90, "min": min(values), "max": max(values)}


@dataclass(frozen=True)
class ImportCost:
    module: str
    self_s: float
    cumulative_s: float
    phase: str  # "import" (at cold start) or "first request" (lazy, when the request needed it)


def parse_importtime(stderr: str) -> list[ImportCost]:
    """The lines ``import time: <self us> | <cumulative us> | <module>`` of ``-X importtime``."""
    costs: list[ImportCost] = []
    phase = "import"
    for line in stderr.splitlines():
        if line.startswith(PHASE_MARK):
            phase = "first request"
            continue
        if not line.startswith("import time:"):
            continue
        fields = line[len("import time:") :].split("|")
        if len(fields) != 3 or not fields[0].strip().isdigit():
            continue  # the header line
        costs.append(ImportCost(fields[2].strip(), int(fields[0]) / 1e6, int(fields[1]) / 1e6, phase))
    return costs


def measure(runs: int) -> dict[str, list[dict[str, float]]]:
    """``runs`` rounds, each one cold start per subject, in an order that rotates from round to round."""
    for subject in SUBJECTS:  # a round not counted: bytecode caches written, files in the page cache
        run_child(subject)
    samples: dict[str, list[dict[str, float]]] = {s.key: [] for s in SUBJECTS}
    for i in range(runs):
        order = SUBJECTS[i % len(SUBJECTS) :] + SUBJECTS[: i % len(SUBJECTS)]
        for subject in order:
            samples[subject.key].append(run_child(subject)[0])
        if sys.stderr.isatty():
            print(f"  round {i + 1}/{runs}", end="\r", file=sys.stderr, flush=True)
    return samples


def ms(seconds: float) -> str:
    return f"{seconds * 1000:8.1f}"


def report(runs: int, samples: dict[str, list[dict[str, float]]], imports: list[ImportCost]) -> dict[str, Any]:
    stats = {key: {figure: summary([s[figure] for s in rows]) for figure in FIGURES} for key, rows in samples.items()}

    print(
        f"\nCold start, {runs} run(s) of each, a new process per run (ms; import + first request measured in the child)"
    )
    header = f"{'':28} {'import':>8} {'request':>8} {'total':>8} {'total p90':>9} {'wall':>8} {'wall p90':>8}"
    print(header)
    print("-" * len(header))
    for subject in SUBJECTS:
        s = stats[subject.key]
        print(
            f"{subject.label:28} {ms(s['import_s']['median'])} {ms(s['first_request_s']['median'])} {ms(s['total_s']['median'])}"
            f" {ms(s['total_s']['p90']):>9} {ms(s['wall_s']['median'])} {ms(s['wall_s']['p90'])}"
        )
    print("(medians unless marked p90; wall = the whole child process, interpreter start-up included, seen from here)")

    ratios: dict[str, dict[str, Any]] = {}
    print(f"\nRatio Balcão / hello (medians), goal ≤ {GOAL}×")
    for subject, baseline in RATIOS:
        total = stats[subject.key]["total_s"]["median"] / stats[baseline.key]["total_s"]["median"]
        wall = stats[subject.key]["wall_s"]["median"] / stats[baseline.key]["wall_s"]["median"]
        meets = total <= GOAL
        ratios[subject.key] = {"baseline": baseline.key, "total": total, "wall": wall, "meets_goal": meets}
        verdict = "meets the goal" if meets else "MISSES the goal"
        print(f"  {subject.label:28} {total:5.2f}×  (wall {wall:4.2f}×)  {verdict}")

    top = sorted(imports, key=lambda c: c.cumulative_s, reverse=True)[:10]
    top_self = sorted(imports, key=lambda c: c.self_s, reverse=True)[:10]
    for title, costs in (
        ("cumulative time (a module and what it imports)", top),
        ("self time (the module's own code)", top_self),
    ):
        print(
            f"\nBalcão GET {BALCAO_SERVICES.path}: top 10 imports by {title}; one run with -X importtime, which inflates them"
        )
        print(f"  {'module':48} {'cumul.':>8} {'self':>8}  phase")
        for cost in costs:
            print(f"  {cost.module:48} {ms(cost.cumulative_s)} {ms(cost.self_s)}  {cost.phase}")

    return {
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "runs": runs,
        "goal_ratio": GOAL,
        "subjects": {
            s.key: {"label": s.label, "path": s.path, "app_dir": str(s.app_dir.relative_to(ROOT))} for s in SUBJECTS
        },
        "stats": stats,
        "ratios": ratios,
        "samples": samples,
        "top_imports": {"by_cumulative": [vars(c) for c in top], "by_self": [vars(c) for c in top_self]},
    }


def main(argv: Sequence[str] = ()) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench coldstart", description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=15, help="cold starts per subject (default 15)")
    args = parser.parse_args(list(argv))
    if args.runs < 1:
        parser.error("--runs must be at least 1")

    try:
        samples = measure(args.runs)
        _, stderr = run_child(BALCAO_SERVICES, importtime=True)
    except RuntimeError as error:  # an app that cannot start or answer: no figure to give
        print(f"bench coldstart: {error}", file=sys.stderr)
        return 1
    results = report(args.runs, samples, parse_importtime(stderr))
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"\nFigures written to {RESULTS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
