"""The services catalogue: what loading and validating every service file costs (the catalogue list and
search; a request about one service reads only that service's file), and
what one search and one installment-plan preview cost, each beside a baseline measured in the same run
(reading the same files with ``json.loads``; a plain substring scan of the same texts)."""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path

RESULTS = Path(__file__).parent / "results" / "catalogue.json"
QUERIES = ["máquina diversão", "agua divida prestações", "vista processo", "alteração proprietário", "nada"]


def _median_ms(run: Callable[[], object], repeat: int) -> float:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def main(argv: Sequence[str] = ()) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench catalogue", description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=200)
    args = parser.parse_args(list(argv))

    from chalicelib.catalogue import service as catalogue
    from chalicelib.catalogue.installments import plan_for_fields

    files = sorted(catalogue.SERVICES_DIR.glob("*.json"))

    def load() -> None:
        catalogue.load_catalogue.cache_clear()
        catalogue.load_catalogue()

    def build_index() -> None:
        catalogue._index.cache_clear()
        catalogue._index()

    def load_one() -> None:
        catalogue.get_service.cache_clear()
        catalogue.get_service("maquina-diversao-registo")

    def read_json() -> None:
        for path in files:
            json.loads(path.read_text(encoding="utf-8"))

    texts = [path.read_text(encoding="utf-8").lower() for path in files]
    load()
    water = catalogue.get_service("agua-prestacoes")
    fields = {"valor_divida": "1000,01", "numero_prestacoes": 36, "opcao": "b"}
    figures = {
        "services": len(files),
        "load_and_validate_ms": _median_ms(load, args.repeat),
        "baseline_json_loads_ms": _median_ms(read_json, args.repeat),
        "one_service_cold_ms": _median_ms(load_one, args.repeat),
        "search_index_build_ms": _median_ms(build_index, args.repeat),
        "search_ms": _median_ms(lambda: [catalogue.search(q) for q in QUERIES], args.repeat) / len(QUERIES),
        "baseline_substring_scan_ms": _median_ms(lambda: [[t for t in texts if q in t] for q in QUERIES], args.repeat)
        / len(QUERIES),
        "plan_36_installments_ms": _median_ms(lambda: plan_for_fields(water, fields, date(2026, 11, 30)), args.repeat),
    }
    figures["load_ratio_vs_json"] = figures["load_and_validate_ms"] / figures["baseline_json_loads_ms"]
    figures["search_ratio_vs_scan"] = figures["search_ms"] / figures["baseline_substring_scan_ms"]
    for name, value in figures.items():
        print(
            f"catalogue  {name:30} {value:10.3f}" if isinstance(value, float) else f"catalogue  {name:30} {value:10d}"
        )
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(figures, indent=2))
    return 0
