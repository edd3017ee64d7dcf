"""The CloudWatch alarms of infra/terraform/alarms.tf, as the local stack can raise them: a function
that raised (``<prefix>-<function>-errors``, from local.lambdas) and a workflow that ended badly
(``<prefix>-<machine>-ExecutionsFailed`` / ``ExecutionsTimedOut`` / ``ExecutionsAborted``, found by
polling Step Functions). Each alarm is printed on the stack's console and listed at /_local/alarms;
in AWS the same names notify the alarm topic (var.alarm_emails)."""

from __future__ import annotations

import html
import sys
import threading
from typing import Any

from chalicelib.kernel.clock import iso
from chalicelib.kernel.settings import get_settings
from chalicelib.platform.resources import load_resources

# What Step Functions calls an execution's end, and the metric alarms.tf watches for it.
ENDINGS = {"FAILED": "ExecutionsFailed", "TIMED_OUT": "ExecutionsTimedOut", "ABORTED": "ExecutionsAborted"}

_lock = threading.Lock()
_raised: list[dict[str, Any]] = []
_seen_executions: set[str] = set()


def raise_alarm(alarm: str, reason: str, **details: Any) -> dict[str, Any]:
    entry = {"alarm": f"{get_settings().resource_prefix}-{alarm}", "reason": reason, "at": iso(), **details}
    with _lock:
        _raised.append(entry)
    print(f"ALARM {entry['alarm']}: {reason}", file=sys.stderr, flush=True)
    return entry


def raised() -> list[dict[str, Any]]:
    with _lock:
        return list(_raised)


def clear() -> None:
    with _lock:
        _raised.clear()
        _seen_executions.clear()


def check_executions(stepfunctions: Any) -> None:
    """Raise the workflow alarm of every execution that ended badly since the last check."""
    settings = get_settings()
    for machine in load_resources()["state_machines"]:
        arn = settings.state_machine_arn(machine)
        for status, metric in ENDINGS.items():
            listed = stepfunctions.list_executions(stateMachineArn=arn, statusFilter=status)["executions"]
            for execution in listed:
                if execution["executionArn"] in _seen_executions:
                    continue
                _seen_executions.add(execution["executionArn"])
                described = stepfunctions.describe_execution(executionArn=execution["executionArn"])
                reason = f"{machine} workflow {execution['name']} ended {status}: {described.get('error') or '-'}"
                raise_alarm(f"{machine}-{metric}", reason, execution=execution["executionArn"])


def watch(stop: threading.Event, interval: float = 5.0) -> threading.Thread:
    from chalicelib.platform import aws

    def loop() -> None:
        while not stop.wait(interval):
            try:
                check_executions(aws.client("stepfunctions"))
            except Exception as error:  # noqa: BLE001 - the watch must outlive a moto hiccup
                print(f"balcão: the alarm watch could not read Step Functions: {error}", file=sys.stderr)

    thread = threading.Thread(target=loop, name="alarms", daemon=True)
    thread.start()
    return thread


def render_page() -> str:
    rows = "".join(
        f"<tr><td>{html.escape(a['at'])}</td><td>{html.escape(a['alarm'])}</td><td>{html.escape(a['reason'])}</td></tr>"
        for a in reversed(raised())
    )
    body = (
        f"<table><thead><tr><th scope='col'>Quando</th><th scope='col'>Alarme</th><th scope='col'>Motivo</th></tr>"
        f"</thead><tbody>{rows}</tbody></table>"
        if rows
        else "<p>Nenhum alarme.</p>"
    )
    return (
        "<!doctype html><html lang='pt'><head><meta charset='utf-8'><title>Alarmes — Balcão local</title>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        "<style>body{font-family:system-ui,sans-serif;margin:2rem;max-width:60rem}table{border-collapse:collapse;width:100%}"
        "th,td{border:1px solid #888;padding:.4rem;text-align:left;vertical-align:top}</style></head><body>"
        "<h1>Alarmes</h1><p>Os alarmes do CloudWatch que a pilha local levanta: uma função que falhou, "
        "um fluxo de trabalho que terminou mal. Na AWS, os mesmos alarmes avisam o tópico de alarmes.</p>"
        f"{body}</body></html>"
    )
