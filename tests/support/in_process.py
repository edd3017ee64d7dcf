"""The in-process stack: moto in this process as the local stack configures its server, the app's
Lambda functions dispatched in-process, each function's calls checked against its IAM policy, and
every resource provisioned from resources.json (the tests' ``aws_stack`` fixture; the benchmarks)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from tests.support.workflow import stop_workflows


@contextmanager
def provisioned(web_origin: str = "http://127.0.0.1:8000") -> Iterator[None]:
    from moto import mock_aws

    from chalicelib.platform import aws
    from local import alarms, iam, lambdas, moto_fixes, outbox, provision

    iam.install()  # each function's calls checked against its own IAM policy, as in AWS
    aws.reset_clients()  # clients made before the check was installed would skip it
    lambdas.install()
    moto_fixes.install()
    outbox.install()
    outbox.clear()  # messages of an earlier test in this process are not this test's
    alarms.clear()
    with mock_aws(config={"stepfunctions": {"execute_state_machine": True}, "lambda": {"use_docker": False}}):
        provision.provision(web_origin=web_origin)
        yield
        stop_workflows()
        lambdas.drain()
