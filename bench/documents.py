"""Document inspection: how long it takes and how much memory it uses, for scanned PDFs of 1, 10 and
50 MB and for each hostile file of ``tests/support/files.py``, against the limits every inspection is
held to (10 s, 512 MB).

Each sample is what the inspect Lambda does with a file once it is on local disk: the SHA-256 of the
bytes (streamed, in this process) and the parse in its limited child process (``inspect_isolated``).
Time is wall time of both, interpreter start-up of the child included; peak memory is the child's peak
resident set (VmHWM). A file over the slot's maximum is refused from its size before it is read, as
the Lambda refuses it from the object's ContentLength. The baseline, in the same run, is the smallest valid document (a one-page PDF):
the ratio says what a file costs beyond the fixed cost of starting a child. Figures are reported,
never judged as pass or fail.

    python -m bench documents [--runs 3] [--keep DIR]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
RESULTS = BENCH_DIR / "results" / "documents.json"
MIB = 1024 * 1024
SLOT_MAX_BYTES = 50 * MIB  # the default slot's maximum, which the oversize file exceeds by one byte
DRAWING_MAX_BYTES = 200 * MIB  # a drawings slot's


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(MIB):
            digest.update(chunk)
    return digest.hexdigest()


def subjects(directory: Path) -> list[dict[str, Any]]:
    """(label, path, formats, filename) of every file measured, the baseline first."""
    sys.path.insert(0, str(ROOT))
    from tests.support import files

    rows = [
        {
            "label": "baseline: PDF, 1 page",
            "path": files.pdf_with(directory / "baseline.pdf"),
            "formats": ["pdf"],
            "filename": "baseline.pdf",
            "kind": "baseline",
        }
    ]
    for megabytes in (1, 10, 49):  # 49: a 50 MB scan with its PDF overhead is over the slot maximum
        path = files.scanned_pdf(directory / f"scan-{megabytes}mb.pdf", megabytes * MIB)
        rows.append(
            {
                "label": f"PDF {megabytes} MB (scan)",
                "path": path,
                "formats": ["pdf"],
                "filename": path.name,
                "kind": "valid",
            }
        )
    for megabytes in (50, 190):
        path = files.large_dxf(directory / f"drawing-{megabytes}mb.dxf", megabytes * MIB)
        rows.append(
            {
                "label": f"DXF {megabytes} MB (drawing)",
                "path": path,
                "formats": ["dwfx", "dwg", "dxf"],
                "filename": path.name,
                "kind": "valid",
                "max_bytes": DRAWING_MAX_BYTES,
            }
        )
    hostile = files.write_hostile(directory / "hostile")
    for spec in files.HOSTILE:
        rows.append(
            {
                "label": f"hostile: {spec.name}",
                "path": hostile[spec.name],
                "formats": list(spec.formats),
                "filename": spec.filename,
                "kind": "hostile",
            }
        )
    return rows


def measure_one(subject: dict[str, Any]) -> dict[str, Any]:
    from chalicelib.documents.inspect_flow import DocumentInspection
    from chalicelib.documents.isolation import inspect_isolated

    started = time.perf_counter()
    max_bytes = subject.get("max_bytes", SLOT_MAX_BYTES)
    if subject["path"].stat().st_size > max_bytes:  # as the Lambda does: from the object's size, unread
        reason = DocumentInspection._too_big({"max_bytes": max_bytes})
        return {
            "seconds": time.perf_counter() - started,
            "peak_memory_bytes": None,
            "accepted": False,
            "reason": reason,
        }
    _sha256(subject["path"])
    finding = inspect_isolated(subject["path"], subject["formats"], subject["filename"])
    return {
        "seconds": time.perf_counter() - started,
        "peak_memory_bytes": finding.peak_memory_bytes,
        "accepted": finding.accepted,
        "reason": finding.reason,
    }


def main(argv: Sequence[str] = ()) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench documents", description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3, help="inspections of each file (default 3)")
    parser.add_argument("--keep", type=Path, help="write the files here and keep them (default: a temporary directory)")
    args = parser.parse_args(list(argv))
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    sys.path.insert(0, str(ROOT))
    from chalicelib.documents.inspection import LIMITS

    with tempfile.TemporaryDirectory(prefix="bench-documents-") as scratch:
        directory = args.keep or Path(scratch)
        directory.mkdir(parents=True, exist_ok=True)
        rows = subjects(directory)
        for row in rows:
            row["size"] = row["path"].stat().st_size
        measure_one(rows[0])  # not counted: bytecode and the page cache warmed for both sides alike
        for i in range(args.runs):
            for row in rows:
                row.setdefault("samples", []).append(measure_one(row))
            if sys.stderr.isatty():
                print(f"  round {i + 1}/{args.runs}", end="\r", file=sys.stderr, flush=True)

    baseline = statistics.median(s["seconds"] for s in rows[0]["samples"])
    print(
        f"\nDocument inspection, {args.runs} run(s) of each: SHA-256 + parse in the limited child "
        f"(limits {LIMITS.seconds:g} s, {LIMITS.memory_bytes // MIB} MB)"
    )
    header = f"{'file':34} {'size':>10} {'verdict':>9} {'time s':>7} {'max s':>7} {'× base':>7} {'peak MB':>8}  reason"
    print(header)
    print("-" * len(header))
    results = []
    for row in rows:
        seconds = [s["seconds"] for s in row["samples"]]
        peaks = [s["peak_memory_bytes"] for s in row["samples"] if s["peak_memory_bytes"]]
        last = row["samples"][-1]
        median, worst = statistics.median(seconds), max(seconds)
        peak = max(peaks) if peaks else None
        verdict = "aceite" if last["accepted"] else "recusado"
        reason = (last["reason"] or "")[:60]
        peak_text = f"{peak / MIB:8.1f}" if peak else f"{'-':>8}"
        print(
            f"{row['label']:34} {row['size'] / MIB:8.2f}MB {verdict:>9} {median:7.2f} {worst:7.2f} "
            f"{median / baseline:7.1f} {peak_text}  {reason}"
        )
        results.append(
            {
                "label": row["label"],
                "kind": row["kind"],
                "size_bytes": row["size"],
                "verdict": verdict,
                "reason": last["reason"],
                "seconds_median": median,
                "seconds_max": worst,
                "ratio_to_baseline": median / baseline,
                "peak_memory_bytes": peak,
                "within_limits": worst <= LIMITS.seconds and (peak or 0) <= LIMITS.memory_bytes,
            }
        )
    print("\nWorst hostile case per format (time, peak memory of the child):")
    worst_by_format: dict[str, dict[str, Any]] = {}
    for row, result in zip(rows, results, strict=True):
        if row["kind"] != "hostile":
            continue
        kind = row["filename"].rsplit(".", 1)[-1].upper()
        worst = worst_by_format.setdefault(kind, {"seconds": 0.0, "peak": 0, "seconds_of": "", "peak_of": ""})
        if result["seconds_max"] >= worst["seconds"]:
            worst.update(seconds=result["seconds_max"], seconds_of=row["label"].removeprefix("hostile: "))
        if (result["peak_memory_bytes"] or 0) >= worst["peak"]:
            worst.update(peak=result["peak_memory_bytes"] or 0, peak_of=row["label"].removeprefix("hostile: "))
    for kind, worst in worst_by_format.items():
        print(
            f"  {kind:5} {worst['seconds']:6.2f} s ({worst['seconds_of']}), "
            f"{worst['peak'] / MIB:6.1f} MB ({worst['peak_of']})"
        )
    outside = [r["label"] for r in results if not r["within_limits"]]
    print(f"\nBaseline (one-page PDF): {baseline:.2f} s, most of it the child's start-up and pypdf's import.")
    print("Every file within the limits." if not outside else "OUTSIDE the limits: " + ", ".join(outside))

    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(
        json.dumps(
            {
                "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
                "python": sys.version.split()[0],
                "platform": platform.platform(),
                "runs": args.runs,
                "limits": {"seconds": LIMITS.seconds, "memory_bytes": LIMITS.memory_bytes},
                "results": results,
            },
            indent=2,
            ensure_ascii=False,
        )
        + "\n",
        encoding="utf-8",
    )
    print(f"Figures written to {RESULTS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
