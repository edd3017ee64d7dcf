"""``python -m local``: start Balcão's local stack in the foreground until Ctrl-C.

moto's server on 127.0.0.1 with Step Functions execution on, the app's Lambda functions dispatched
in-process, every resource from resources.json, demo data, and the API + web form + outbox on one
origin.
"""

from __future__ import annotations

import argparse
import errno
import logging
import os
import signal
import socket
import sys
import threading
from pathlib import Path

HOST = "127.0.0.1"


def _port_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((HOST, port))
        except OSError as error:
            if error.errno == errno.EADDRINUSE:
                return False
            raise
    return True


def _fail(message: str) -> None:
    print(f"balcão: {message}", file=sys.stderr)
    raise SystemExit(2)


def _day(value: str) -> str:
    from datetime import date

    try:
        return date.fromisoformat(value).isoformat()
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {value!r}") from None


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="balcao-local", description=__doc__)
    parser.add_argument(
        "--port",
        type=int,
        default=int(os.environ.get("BALCAO_PORT", "8000")),
        help="port of the API and web form (default 8000, or $BALCAO_PORT)",
    )
    parser.add_argument(
        "--aws-port",
        type=int,
        default=int(os.environ.get("BALCAO_AWS_PORT", "4566")),
        help="port of the local AWS, moto's server (default 4566, or $BALCAO_AWS_PORT)",
    )
    parser.add_argument(
        "--today",
        type=_day,
        default=os.environ.get("BALCAO_DEMO_TODAY") or None,
        help="the demo clock: run as if today were this date (YYYY-MM-DD), shown in every page's footer, "
        "so that deadlines, hearings and next-working-day notices can be watched (or $BALCAO_DEMO_TODAY)",
    )
    parser.add_argument(
        "--country",
        choices=("PT", "BR"),
        default=os.environ.get("BALCAO_COUNTRY", "PT"),
        help="the deployment's country: its demo data, identity numbers, holidays and time zone "
        "(default PT, or $BALCAO_COUNTRY)",
    )
    parser.add_argument(
        "--fresh",
        action="store_true",
        help="start empty: forget the data kept from earlier runs (by default every account, process, file "
        "and message is kept on disk, in --data, across Ctrl-C and crashes)",
    )
    parser.add_argument(
        "--data",
        default=os.environ.get("BALCAO_LOCAL_DATA", str(Path(__file__).resolve().parents[1] / ".local-data")),
        help="where the stack keeps its data (default .local-data/ in the project, or $BALCAO_LOCAL_DATA)",
    )
    args = parser.parse_args(argv)
    for port, what in ((args.port, "--port"), (args.aws_port, "--aws-port")):
        if not _port_free(port):
            _fail(f"port {port} on {HOST} is already in use; stop what uses it or choose another with {what}.")

    origin = f"http://{HOST}:{args.port}"
    aws_endpoint = f"http://{HOST}:{args.aws_port}"
    # Everything the app reads, set before anything creates a boto3 client or reads settings.
    os.environ.update(
        {
            "AWS_ENDPOINT_URL": aws_endpoint,
            "AWS_ACCESS_KEY_ID": "local",
            "AWS_SECRET_ACCESS_KEY": "local",
            "AWS_DEFAULT_REGION": os.environ.get("BALCAO_REGION", "eu-west-1"),
            "MOTO_PORT": str(args.aws_port),  # moto's Step Functions interpreter calls back here
            "AWS_XRAY_SDK_ENABLED": "false",
            "BALCAO_STAGE": "local",
            "BALCAO_RESOURCE_PREFIX": "balcao-local",
            "BALCAO_PUBLIC_BASE_URL": origin,
            "BALCAO_TRACING": "false",
            # The demo shows decisions in the outbox at once instead of on the next working day.
            "BALCAO_DECISION_NOTICE": os.environ.get("BALCAO_DECISION_NOTICE", "at_once"),
            # the demo payment provider's shared secret (see the README's "Fees" section)
            "BALCAO_PAYMENT_CALLBACK_SECRET": os.environ.get(
                "BALCAO_PAYMENT_CALLBACK_SECRET", "local-demo-callback-secret"
            ),
            "BALCAO_COUNTRY": args.country,
        }
    )
    if args.today:
        os.environ["BALCAO_DEMO_TODAY"] = args.today
    from local.demo import DEMOS

    for key, value in DEMOS[args.country].environment.items():
        os.environ.setdefault(key, value)

    from moto.moto_server.threaded_moto_server import ThreadedMotoServer

    from local import alarms, demo, iam, lambdas, moto_fixes, outbox, persistence, provision
    from local.resume import resume_workflows
    from local.server import make_server

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # moto's server: one line a request
    iam.install()  # each function's calls checked against its own IAM policy, as in AWS
    lambdas.install()
    moto_fixes.install()
    outbox.install()
    moto_server = ThreadedMotoServer(ip_address=HOST, port=args.aws_port, verbose=False)
    moto_server.start()
    data = Path(args.data)
    kept = None
    try:
        provision.provision(web_origin=origin)
        if args.fresh:
            persistence.erase(data)
        if persistence.has_data(data):
            kept = persistence.load(data)
            logins = demo.logins()
            resumed = resume_workflows()
        else:
            logins = demo.seed()
            persistence.save(data)
        import app as balcao_app

        http = make_server(balcao_app.app, HOST, args.port)
    except BaseException:
        moto_server.stop()
        raise

    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    server_thread = threading.Thread(target=http.server.serve_forever, name="http", daemon=True)
    server_thread.start()
    lambdas.run_schedules(stop)  # e.g. retry_notifications, every 5 minutes as in AWS
    persistence.keep_saving(data, stop)  # every few seconds: a crash loses at most those
    alarms.watch(stop)  # the workflow alarms of alarms.tf, on the console and at /_local/alarms

    print(
        f"Balcão local stack is up.\n"
        f"  web form and API : {origin}/\n"
        f"  outbox (emails, SMS): {origin}/_local/outbox\n"
        f"  alarms           : {origin}/_local/alarms\n"
        f"  local AWS (moto) : {aws_endpoint}\n"
        f"  data kept in     : {data}"
        + (
            f" (loaded: {kept['items']} items, {kept['objects']} files; {len(resumed)} workflows resumed;"
            " ./dev up --fresh starts empty)"
            if kept
            else " (empty: demo data created)"
        )
        + "\nDemo logins:",
        flush=True,
    )
    for who, login, password in logins:
        print(f"  {who:32} {login:32} {password}", flush=True)
    from chalicelib.kernel.settings import get_settings

    settings = get_settings()
    print(f"  ({settings.municipality}, {settings.country}, {settings.timezone})", flush=True)
    if args.today:
        print(f"Demo clock: today is {args.today} (shown in the footer of every page).", flush=True)
    print(
        "  (staff: then the code of an authenticator app holding the TOTP secret, e.g. "
        f"python3 -c \"import pyotp; print(pyotp.TOTP('SECRET').now())\"; API: {origin}/openapi.json)",
        flush=True,
    )
    print("Press Ctrl-C to stop.", flush=True)

    stop.wait()
    print("Stopping…", flush=True)
    lambdas.drain(timeout=10)
    persistence.save(data)  # everything, as it is now: the next ./dev up starts from here
    http.server.shutdown()
    http.server.server_close()
    moto_server.stop()
    print("Stopped.", flush=True)
    # moto runs each Step Functions execution in a thread of its own: one waiting for a callback that
    # will never come (a pendência's 10 working days) would keep the interpreter from exiting. The
    # data is on disk (the workflows are re-created from it at the next start): leave now.
    os._exit(0)


if __name__ == "__main__":
    main()
