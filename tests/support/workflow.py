"""The Step Functions executions under moto: a process's own, and stopping those still running."""

from __future__ import annotations

import time
from typing import Any


def process_execution(process_id: str) -> dict[str, Any]:
    from chalicelib.platform import aws
    from chalicelib.processes.table import Processes

    arn = Processes().get(process_id)["execution_arn"]
    return aws.client("stepfunctions").describe_execution(executionArn=arn)


def stop_workflows() -> None:
    """Stop executions still waiting (e.g. for a decision), so none outlives its test's mock."""
    from chalicelib.platform import aws

    stepfunctions = aws.client("stepfunctions")
    for machine in stepfunctions.list_state_machines()["stateMachines"]:
        running = stepfunctions.list_executions(stateMachineArn=machine["stateMachineArn"], statusFilter="RUNNING")
        for execution in running["executions"]:
            for _ in range(50):
                try:
                    stepfunctions.stop_execution(executionArn=execution["executionArn"])
                    break
                except Exception:  # noqa: BLE001 - moto cannot stop an execution still starting; try again
                    time.sleep(0.1)
