"""``python -m bench [NAME] [options]``: run one benchmark by name, or all of them without a name.

Options after the name go to that benchmark (``python -m bench coldstart --runs 7``); without a name,
they go to every benchmark. Exits non-zero only if a benchmark could not run, never because of a figure.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence

from bench import aws_calls, catalogue, clients, coldstart, cost, documents, load, notifications, passwords

BENCHMARKS: dict[str, Callable[[Sequence[str]], int]] = {
    "coldstart": coldstart.main,
    "documents": documents.main,
    "notifications": notifications.main,
    "catalogue": catalogue.main,
    "passwords": passwords.main,
    "clients": clients.main,
    "aws-calls": aws_calls.main,
    "load": load.main,
    "cost": cost.main,
}


def main(argv: Sequence[str]) -> int:
    if argv and argv[0] in ("-h", "--help"):
        print(f"usage: python -m bench [{'|'.join(BENCHMARKS)}] [options]   (options: python -m bench NAME --help)")
        return 0
    if argv and not argv[0].startswith("-"):
        name, rest = argv[0], list(argv[1:])
        if name not in BENCHMARKS:
            print(f"bench: no benchmark named {name!r}; there are: {', '.join(BENCHMARKS)}", file=sys.stderr)
            return 2
        return BENCHMARKS[name](rest)
    status = 0
    for run in BENCHMARKS.values():
        status = max(status, run(list(argv)))
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
