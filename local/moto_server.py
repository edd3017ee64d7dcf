"""``python -m local.moto_server --port N``: moto's server alone, with the local stack's fixes
(local.moto_fixes) and nothing provisioned, until SIGINT or SIGTERM. The tests apply Terraform's plan
to it (tests/infra), to compare what Terraform creates with what the local stack provisions."""

from __future__ import annotations

import argparse
import signal
import threading


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m local.moto_server", description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args(argv)

    from moto.core.config import default_user_config
    from moto.moto_server.threaded_moto_server import ThreadedMotoServer

    from local import moto_fixes

    default_user_config.setdefault("lambda", {})["use_docker"] = False
    moto_fixes.install()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=args.port, verbose=False)
    server.start()
    print(f"moto listening on 127.0.0.1:{args.port}", flush=True)
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    stop.wait()
    server.stop()


if __name__ == "__main__":
    main()
