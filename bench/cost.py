"""What 1,000 processes cost in AWS: the generic request and the water-debt installment request (seed
001) run end to end under moto in this process, every AWS call of every function of the app recorded
(``tests/support/aws_calls.recording``), and priced with AWS's public prices for eu-west-1
(``bench/prices.json``, with their date and source; those marked unchecked are another region's).

Per journey: state transitions (the executions' histories), Lambda invocations and GB-seconds (API
and workflow functions; durations measured here, in moto, are an upper bound), DynamoDB request units
(from each call's item sizes: reads by 4 KB, eventually consistent at half, writes by 1 KB, one more
per index a write may touch, transactions twice), S3 requests (the browser's presigned uploads
included), emails, SMS, API Gateway requests, KMS requests (an upper bound: one per S3 object read
or write, as without S3 Bucket Keys, which the buckets have), CloudTrail data events (every DynamoDB
item call and S3 object call, as the trail selects them). Staff logins are left out (one a day serves
many processes). The goal is at most $1 per 1,000 processes.

    python -m bench cost [--runs 1]
"""

from __future__ import annotations

import argparse
import json
import math
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
PRICES = BENCH_DIR / "prices.json"
RESULTS = BENCH_DIR / "results" / "cost.json"
GOAL_USD_PER_1000 = 1.0
PAST_FRIDAY = datetime.fromisoformat("2025-12-19T10:00:00+00:00")  # timers already due (tests/conftest.py)
S3_TIER1 = {"PutObject", "CopyObject", "PostObject", "ListObjectsV2", "ListObjects", "CreateMultipartUpload"}
S3_OBJECT = S3_TIER1 | {"GetObject", "HeadObject", "DeleteObject", "DeleteObjects"}
DYNAMODB_READS = {"GetItem", "Query", "BatchGetItem", "TransactGetItems", "Scan"}
DYNAMODB_WRITES = {"PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems"}


def _size(value: Any) -> int:
    return len(json.dumps(value, default=str, ensure_ascii=False).encode())


def _indexes(table_name: str) -> list[str]:
    """The hash keys of the table's global secondary indexes (resources.json)."""
    from chalicelib.kernel.settings import get_settings
    from chalicelib.platform.resources import load_resources

    for key, spec in load_resources()["tables"].items():
        if get_settings().resource_name(key) == table_name:
            return [index["hash_key"]["name"] for index in spec.get("indexes", {}).values()]
    return []


def _write_units(table: str, item: dict[str, Any] | None, expression: str = "") -> float:
    units = 1.0 if item is None else math.ceil(_size(item) / 1024)
    touched = [name for name in _indexes(table) if (item and name in item) or name in expression]
    return units * (1 + len(touched))


def request_units(call: dict[str, Any]) -> tuple[float, float]:
    """(read units, write units) of one DynamoDB call, from what it sent and got."""
    operation, params, parsed = call["operation"], call["params"] or {}, call["parsed"] or {}
    half = 1.0 if params.get("ConsistentRead") else 0.5
    if operation == "GetItem":
        return math.ceil(max(1, _size(parsed.get("Item", {}))) / 4096) * half, 0.0
    if operation in ("Query", "Scan"):
        return math.ceil(max(1, _size(parsed.get("Items", []))) / 4096) * half, 0.0
    if operation == "BatchGetItem":
        reads = 0.0
        for name, items in parsed.get("Responses", {}).items():
            consistent = params.get("RequestItems", {}).get(name, {}).get("ConsistentRead")
            reads += sum(math.ceil(max(1, _size(i)) / 4096) for i in items) * (1.0 if consistent else 0.5)
        return reads, 0.0
    if operation == "TransactGetItems":
        return 2.0 * len(params.get("TransactItems", [])), 0.0
    if operation == "PutItem":
        return 0.0, _write_units(params["TableName"], params.get("Item"))
    if operation in ("UpdateItem", "DeleteItem"):
        return 0.0, _write_units(params["TableName"], None, params.get("UpdateExpression", ""))
    if operation == "BatchWriteItem":
        return 0.0, sum(
            _write_units(name, (r.get("PutRequest") or {}).get("Item"))
            for name, requests in params.get("RequestItems", {}).items()
            for r in requests
        )
    if operation == "TransactWriteItems":
        units = 0.0
        for entry in params.get("TransactItems", []):
            ((kind, body),) = entry.items()
            if kind != "ConditionCheck":
                units += 2 * _write_units(body["TableName"], body.get("Item"), body.get("UpdateExpression", ""))
        return 0.0, units
    return 0.0, 0.0


class Meter:
    """Lambda invocations and their wall time, per function: the API's (Chalice's entry point) and the
    workflow's and S3 events' (local.lambdas.invoke), wrapped while it is on."""

    def __init__(self) -> None:
        self.invocations: Counter[str] = Counter()
        self.seconds: defaultdict[str, float] = defaultdict(float)
        self.on = False

    def wrap(self, name_of: Callable[..., str], original: Callable[..., Any]) -> Callable[..., Any]:
        def timed(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                if self.on:
                    name = name_of(*args, **kwargs)
                    self.invocations[name] += 1
                    self.seconds[name] += time.perf_counter() - started

        return timed


def install_meter() -> Meter:
    from chalice.app import Chalice

    from local import lambdas

    meter = Meter()
    Chalice.__call__ = meter.wrap(lambda *a, **k: "api", Chalice.__call__)
    lambdas.invoke = meter.wrap(lambda name, *a, **k: lambdas.function_key(name), lambdas.invoke)
    return meter


def memory_mb() -> dict[str, int]:
    """Each function's memory in the prod stage (.chalice/config.json); the API handler is ``api``."""
    stage = json.loads((ROOT / ".chalice" / "config.json").read_text())["stages"]["prod"]
    sizes = {
        name: spec.get("lambda_memory_size", stage["lambda_memory_size"])
        for name, spec in stage["lambda_functions"].items()
    }
    sizes["api"] = sizes.pop("api_handler", stage["lambda_memory_size"])
    return defaultdict(lambda: stage["lambda_memory_size"], sizes)


def _wait(predicate: Callable[[], Any], timeout: float = 120) -> Any:
    from tests.support.waiting import wait_for

    return wait_for(predicate, timeout=timeout)


def _process(process_id: str) -> dict[str, Any]:
    from chalicelib.platform import aws

    return aws.table("processes").get_item(Key={"process_id": process_id}, ConsistentRead=True)["Item"]


def _finished(process_id: str) -> None:
    """The process's workflow has ended (the decision notified on the next working day)."""
    from chalicelib.platform import aws

    stepfunctions = aws.client("stepfunctions")
    _wait(
        lambda: (
            stepfunctions.describe_execution(executionArn=_process(process_id)["execution_arn"])["status"] != "RUNNING"
        )
    )


def _awaiting_staff(process_id: str) -> None:
    _wait(lambda: _process(process_id)["status"] == "em_apreciacao" and "decision_task_token" in _process(process_id))


def generic_journey(people: dict[str, Any], pdf: bytes) -> tuple[str, int]:
    """The citizen logs in, files the generic request with one PDF, submits, reads it; staff open the
    queue and the process and decide; the citizen reads the decision. Returns (process id, uploads)."""
    from tests.support.api import generic_draft_with_slot, upload

    citizen, decider = people["citizen"], people["decider"]
    citizen.login("ana.silva", people["password"])
    process_id, slot = generic_draft_with_slot(citizen)
    upload(slot, pdf)
    document = f"/api/requests/{process_id}/documents/{slot['document_id']}"
    _wait(lambda: citizen.call("GET", document).data["status"] != "a_aguardar")
    assert citizen.call("POST", f"/api/requests/{process_id}/submit").status_code == 200
    _awaiting_staff(process_id)
    citizen.call("GET", f"/api/requests/{process_id}")
    decider.call("GET", "/api/staff/processes")
    decider.call("GET", f"/api/staff/processes/{process_id}")
    decided = decider.call(
        "POST", f"/api/staff/processes/{process_id}/decision", {"decision": "deferido", "grounds": "Conforme."}
    )
    assert decided.status_code == 200, decided.body
    _finished(process_id)
    citizen.call("GET", f"/api/requests/{process_id}")
    return process_id, 1


def water_journey(people: dict[str, Any], pdf: bytes) -> tuple[str, int]:
    """Seed 001: the citizen files the installment request; staff issue the payment plan and ask for
    its signature; the citizen signs, the decision-maker signs, and approves; the citizen reads it."""
    from tests.support.api import WATER

    citizen, clerk, decider, password = people["citizen"], people["clerk"], people["decider"], people["password"]
    citizen.login("ana.silva", password)
    process_id = citizen.call("POST", "/api/requests", {"service_id": "agua-prestacoes", "fields": WATER}).data[
        "process_id"
    ]
    assert citizen.call("POST", f"/api/requests/{process_id}/submit").status_code == 200
    _awaiting_staff(process_id)
    staff = f"/api/staff/processes/{process_id}"
    clerk.call("GET", staff)
    plan = clerk.call("POST", f"{staff}/payment-plan").data
    task = clerk.call(
        "POST", f"{staff}/signature-requests", {"subject": "Plano de pagamento", "document_id": plan["document_id"]}
    ).data
    _wait(lambda: _process(process_id)["status"] != "em_apreciacao")
    citizen.call("GET", f"/api/requests/{process_id}")
    signed = citizen.call(
        "POST",
        f"/api/requests/{process_id}/tasks/{task['task_id']}/signature",
        {"password": password, "accept_statement": True},
    ).data
    both = decider.call(
        "POST",
        f"{staff}/documents/{signed['signed_document_id']}/signature",
        {"password": password, "accept_statement": True},
    )
    assert both.status_code == 201, both.body
    _awaiting_staff(process_id)
    decided = decider.call("POST", f"{staff}/decision", {"decision": "deferido", "grounds": "Plano assinado."})
    assert decided.status_code == 200, decided.body
    _finished(process_id)
    citizen.call("GET", f"/api/requests/{process_id}")
    return process_id, 0


def transitions(process_id: str) -> int:
    """State transitions billed for the process's execution: each state entered."""
    from chalicelib.platform import aws

    stepfunctions, arn = aws.client("stepfunctions"), _process(process_id)["execution_arn"]
    events, page = [], {}
    while True:
        response = stepfunctions.get_execution_history(executionArn=arn, maxResults=1000, **page)
        events += response["events"]
        if "nextToken" not in response:
            return sum(1 for e in events if e["type"].endswith("StateEntered"))
        page = {"nextToken": response["nextToken"]}


def usage(ledger: list[dict[str, Any]], meter: Meter, process_id: str, uploads: int) -> dict[str, float]:
    """What one journey used, in the units AWS bills."""
    memory = memory_mb()
    reads = writes = 0.0
    s3 = Counter()
    for call in ledger:
        if call["service"] == "dynamodb":
            r, w = request_units(call)
            reads, writes = reads + r, writes + w
        if call["service"] == "s3":
            s3["tier1" if call["operation"] in S3_TIER1 else "tier2"] += 1
            s3["object"] += call["operation"] in S3_OBJECT
    s3["tier1"] += uploads  # the browser's presigned POST straight to S3
    s3["object"] += uploads
    dynamodb_calls = sum(
        1 for c in ledger if c["service"] == "dynamodb" and c["operation"] in DYNAMODB_READS | DYNAMODB_WRITES
    )
    return {
        "step_functions_transition": transitions(process_id),
        "lambda_request": sum(meter.invocations.values()),
        "lambda_gb_second": sum(seconds * memory[name] / 1024 for name, seconds in meter.seconds.items()),
        "dynamodb_read_request_unit": reads,
        "dynamodb_write_request_unit": writes,
        "s3_tier1_request": s3["tier1"],
        "s3_tier2_request": s3["tier2"],
        "ses_email": sum(1 for c in ledger if c["service"] == "ses" and c["operation"].startswith("Send")),
        "sns_sms_portugal": sum(1 for c in ledger if c["service"] == "sns" and (c["params"] or {}).get("PhoneNumber")),
        "api_gateway_rest_request": meter.invocations["api"],
        "kms_request": s3["object"],
        "cloudtrail_data_event": dynamodb_calls + s3["object"],
    }


def main(argv: Sequence[str] = ()) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench cost", description=__doc__.split("\n\n")[0])
    parser.parse_args(list(argv))
    from bench.aws_calls import _environment

    _environment()
    import logging

    logging.disable(logging.WARNING)
    from chalice.test import Client

    import app as balcao
    from chalicelib.kernel import clock
    from chalicelib.kernel.settings import get_settings
    from chalicelib.platform import aws
    from local import demo
    from tests.support import aws_calls
    from tests.support.api import Api
    from tests.support.files import small_pdf
    from tests.support.in_process import provisioned

    prices = json.loads(PRICES.read_text())
    get_settings.cache_clear()
    aws_calls.install()
    aws.reset_clients()
    meter = install_meter()
    results: dict[str, Any] = {}
    with provisioned(), Client(balcao.app, stage_name="local") as client, clock.travel(PAST_FRIDAY):
        demo.seed()
        people = {name: Api(client) for name in ("citizen", "clerk", "decider")}
        people["password"] = demo.DEMO_PASSWORD
        people["clerk"].login("atendimento", demo.DEMO_PASSWORD, staff=True)  # once a day, for many processes
        people["decider"].login("decisor", demo.DEMO_PASSWORD, staff=True)
        pdf = small_pdf()
        for name, journey in (("generic", generic_journey), ("water-debt", water_journey)):
            meter.invocations.clear()
            meter.seconds.clear()
            meter.on = True
            with aws_calls.recording() as ledger:
                process_id, uploads = journey(people, pdf)
            meter.on = False
            results[name] = usage(ledger, meter, process_id, uploads)
    _print(results, prices)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(
        json.dumps({"usage_per_process": results, "prices": prices}, indent=2, ensure_ascii=False) + "\n"
    )
    print(f"Figures written to {RESULTS.relative_to(ROOT)}")
    return 0


def _print(results: dict[str, dict[str, float]], prices: dict[str, Any]) -> None:
    names = list(results)
    print(f"Cost per 1,000 processes, eu-west-1 prices of {prices['gathered']} (bench/prices.json; * = to be checked)")
    header = f"{'line':30} " + " ".join(f"{n + ' use':>14} {n + ' $':>12}" for n in names)
    print(header)
    print("-" * len(header))
    totals = Counter()
    for line, price in prices["prices"].items():
        cells = []
        for name in names:
            used = results[name][line] * 1000
            usd = used * price["usd"]
            totals[name] += usd
            cells.append(f"{used:14,.1f} {usd:12.4f}")
        mark = "" if price["checked"] else " *"
        print(f"{line + mark:30} " + " ".join(cells))
    print("-" * len(header))
    print(f"{'total':30} " + " ".join(f"{'':14} {totals[n]:12.4f}" for n in names))
    for name in names:
        verdict = "within" if totals[name] <= GOAL_USD_PER_1000 else "OVER"
        print(f"{name}: ${totals[name]:.4f} per 1,000 processes, {verdict} the goal of ${GOAL_USD_PER_1000:.2f}")
