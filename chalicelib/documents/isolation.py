"""Hostile files must not hurt the service, so ``inspect_file`` runs in a child process that sets its own
memory limit (RLIMIT_AS) and CPU limit, and is killed at a wall-clock timeout: a bomb or a looping PDF
costs at most ``Limits.seconds`` and ``Limits.memory_bytes``, and only to its own child; other documents
are inspected by other invocations."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from dataclasses import asdict
from pathlib import Path

from chalicelib.documents.inspection import LIMITS, MIB, Finding, Limits, inspect_file
from chalicelib.kernel.log import logger


def _peak_memory_bytes() -> int | None:
    """This process's peak resident memory. VmHWM, not ru_maxrss: Linux carries ru_maxrss over
    exec, so a child would report its parent's size."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return None


def _child_main(argv: list[str]) -> int:
    """``python -m chalicelib.documents.isolation PATH FILENAME LIMITS_JSON FORMAT...``: limit this process,
    inspect, print the finding as one JSON line."""
    import resource

    path, filename, limits_json, *formats = argv
    limits = Limits(**json.loads(limits_json))
    resource.setrlimit(resource.RLIMIT_AS, (limits.memory_bytes, limits.memory_bytes))
    cpu = int(limits.seconds) + 1
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu))
    resource.setrlimit(resource.RLIMIT_FSIZE, (0, 0))  # a parser has nothing to write
    try:
        finding = inspect_file(path, formats, filename, limits)
    except MemoryError:
        finding = Finding(False, None, "memory")
    finding.peak_memory_bytes = _peak_memory_bytes()
    sys.stdout.write(json.dumps(asdict(finding)) + "\n")
    return 0


def inspect_isolated(path: str | Path, allowed_formats: list[str], filename: str, limits: Limits = LIMITS) -> Finding:
    """``inspect_file`` in a child process held to ``limits``; whatever the file does to the child, the
    answer is a Finding (a timeout or memory exhaustion is a rejection with its reason)."""
    package_root = str(Path(__file__).resolve().parent.parent.parent)
    env = {
        "PYTHONPATH": os.pathsep.join([package_root, *[p for p in sys.path if p]]),
        "PYTHONHASHSEED": "0",
        "PATH": os.defpath,
        "LANG": "C.UTF-8",
    }
    command = [
        sys.executable,
        "-m",
        "chalicelib.documents.isolation",
        str(path),
        filename,
        json.dumps(asdict(limits)),
        *allowed_formats,
    ]
    started = time.monotonic()
    child = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=package_root)
    try:
        out, err = child.communicate(timeout=limits.seconds)
    except subprocess.TimeoutExpired:
        child.kill()
        child.communicate()
        return Finding(
            False,
            None,
            f"A análise do ficheiro excedeu o limite de {limits.seconds:g} s e foi interrompida; "
            "o ficheiro foi recusado. Se é um documento válido, grave-o de novo (por exemplo, "
            "imprimir para PDF) e volte a enviá-lo.",
            seconds=time.monotonic() - started,
        )
    elapsed = time.monotonic() - started
    lines = out.decode("utf-8", "replace").strip().splitlines()
    try:
        finding = Finding(**json.loads(lines[-1]))
    except (IndexError, ValueError, TypeError):
        memory = b"MemoryError" in err or child.returncode in (-9, -6)
        logger.warning(
            "inspection child failed",
            extra={"returncode": child.returncode, "stderr": err[-2000:].decode("utf-8", "replace")},
        )
        finding = Finding(False, None, "memory" if memory else "O ficheiro não pôde ser analisado e foi recusado.")
    if finding.reason == "memory":
        finding.reason = (
            f"A análise do ficheiro excedeu o limite de memória ({limits.memory_bytes // MIB} MB) e foi "
            "interrompida; o ficheiro foi recusado."
        )
    finding.seconds = elapsed
    return finding


if __name__ == "__main__":
    sys.exit(_child_main(sys.argv[1:]))
