"""Balcão's API and Lambda functions. Thin: the routes live in ``chalicelib/api/`` (one blueprint per
area); each Lambda function here translates an event into one domain call."""

from __future__ import annotations

from typing import Any

from chalice import Chalice, Cron, Rate

from chalicelib.api import (
    accounts,
    documents,
    lifecycle,
    messages,
    notifications,
    payments,
    public,
    requests,
    sessions,
    signatures,
    staff,
    staff_keys,
)
from chalicelib.api.http import origin_guard
from chalicelib.workflow.steps import workflow_task

app = Chalice(app_name="balcao")
app.api.cors = False  # the web form is served from the API's own origin


@app.middleware("all")
def log_context(event: Any, get_response: Any) -> Any:
    """Every invocation (HTTP, S3 event, state machine task, schedule) logs under its own ids only."""
    from chalicelib.kernel.log import bind_invocation

    context = getattr(event, "lambda_context", None) or getattr(event, "context", None)
    bind_invocation(None if isinstance(context, dict) else context)
    return get_response(event)


# Behind CloudFront, a request that did not come through it is refused (chalicelib/api/http.py).
app.register_middleware(origin_guard, "http")

for blueprint in (
    public,
    sessions,
    requests,
    documents,
    staff,
    staff_keys,
    notifications,
    payments,
    accounts,
    lifecycle,
    signatures,
    messages,
):
    app.register_blueprint(blueprint.routes)


# -- Lambda functions: S3 events, the state machines' tasks, schedules ---------------------------------
# Each imports only what it runs: its import closure is what its IAM role grants (resources.json),
# a test in tests/architecture/ checks it. The state machines' tasks are ``workflow_task``s: a temporary
# AWS error is raised as TemporaryFailure, which the ASL retries by name (chalicelib/workflow/steps.py).
@app.lambda_function(name="inspect_upload")
def inspect_upload(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """S3 ObjectCreated under the quarantine prefix: inspect each new file."""
    from chalicelib.workflow.s3_events import inspect_upload as inspect

    return inspect(event)


@app.lambda_function(name="inspect_process_documents")
@workflow_task
def inspect_process_documents(event: dict[str, Any], context: Any) -> dict[str, Any]:
    from chalicelib.processes.inspection import DocumentsCheck

    return DocumentsCheck().inspect_documents(event["process_id"])


@app.lambda_function(name="register_decision_task")
@workflow_task
def register_decision_task(event: dict[str, Any], context: Any) -> dict[str, Any]:
    from chalicelib.decision.staff_wait import await_staff

    await_staff(event["process_id"], event["task_token"])
    return {"process_id": event["process_id"]}


@app.lambda_function(name="notify")
@workflow_task
def notify(event: dict[str, Any], context: Any) -> dict[str, Any]:
    from chalicelib.correspondence.notices import notify_about_process

    return notify_about_process(event)


@app.schedule(Rate(5, unit=Rate.MINUTES), name="retry_notifications")
def retry_notifications(event: Any) -> dict[str, Any]:
    """Every 5 minutes: deliver the notifications that failed temporarily and are due again."""
    from chalicelib.notifications.delivery import Notifier

    results = Notifier().retry_due()
    return {"retried": len(results), "sent": sum(1 for r in results if r.get("status") == "sent")}


@app.lambda_function(name="register_payment_task")
@workflow_task
def register_payment_task(event: dict[str, Any], context: Any) -> dict[str, Any]:
    from chalicelib.payments.waiting import await_payment

    return {"process_id": event["process_id"], "already_paid": await_payment(event["process_id"], event["task_token"])}


@app.schedule(Rate(1, unit=Rate.DAYS), name="remind_expiring_drafts")
def remind_expiring_drafts(event: Any) -> dict[str, Any]:
    """Daily: email the citizens whose drafts expire in a few days."""
    from chalicelib.workflow.draft_reminders import remind_expiring_drafts as remind

    return remind()


# -- the account_activation state machine's tasks --------------------------------------------------
@app.lambda_function(name="plan_validation_reminder")
@workflow_task
def plan_validation_reminder(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Seconds to wait for staff before reminding them (at least 1: Step Functions' minimum)."""
    from chalicelib.kernel.clock import seconds_until

    return {"seconds": seconds_until(event["remind_at"])}


@app.lambda_function(name="register_validation_task")
@workflow_task
def register_validation_task(event: dict[str, Any], context: Any) -> dict[str, Any]:
    from chalicelib.accounts.validation_token import await_validation

    await_validation(event["user_id"], event["task_token"])
    return {"user_id": event["user_id"]}


@app.lambda_function(name="remind_validation_staff")
@workflow_task
def remind_validation_staff(event: dict[str, Any], context: Any) -> dict[str, Any]:
    from chalicelib.accounts.validation_wait import ValidationWait

    return ValidationWait().remind_staff(event["user_id"])


@app.lambda_function(name="notify_registration_outcome")
@workflow_task
def notify_registration_outcome(event: dict[str, Any], context: Any) -> dict[str, Any]:
    from chalicelib.accounts.validation_wait import ValidationWait

    return ValidationWait().notify_outcome(event["user_id"], event["outcome"])


@app.lambda_function(name="register_citizen_task")
@workflow_task
def register_citizen_task(event: dict[str, Any], context: Any) -> dict[str, Any]:
    from chalicelib.decision.citizen_wait import await_citizen

    await_citizen(event["process_id"], event["task_id"], event["task_token"])
    return {"process_id": event["process_id"], "task_id": event["task_id"]}


@app.lambda_function(name="expire_citizen_task")
@workflow_task
def expire_citizen_task(event: dict[str, Any], context: Any) -> dict[str, Any]:
    from chalicelib.decision.task_expiry import expire_task

    return {"expired": expire_task(event["process_id"], event["task_id"])}


@app.lambda_function(name="build_data_export")
@workflow_task
def build_data_export(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """The data_export state machine: gather everything held about the person into one zip (or, after
    the retries, record that it failed)."""
    from chalicelib.views.export_build import ExportBuilder

    builder = ExportBuilder()
    if event.get("failed"):
        return builder.failed(event["user_id"], event["export_id"])
    return builder.build(event["user_id"], event["export_id"])


@app.lambda_function(name="record_step_failure")
@workflow_task
def record_step_failure(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """A process workflow's step failed after its retries (the state machine's Catch): the process
    needs attention, and this waits (task token) until staff retry the step."""
    from chalicelib.processes.step_failures import StepFailures

    failure = event.get("failure") or {}
    step, error, cause = event["step"], failure.get("Error"), failure.get("Cause")
    return StepFailures().record(event["process_id"], step, error, cause, event["task_token"])


@app.lambda_function(name="record_registration_failure")
@workflow_task
def record_registration_failure(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """A registration workflow's step failed after its retries: it needs attention, and this waits
    (task token) until staff retry the step."""
    from chalicelib.accounts.workflow_failures import RegistrationStepFailures

    failure = event.get("failure") or {}
    step, error, cause = event["step"], failure.get("Error"), failure.get("Cause")
    return RegistrationStepFailures().record(event["user_id"], step, error, cause, event["task_token"])


@app.schedule(Cron(0, 7, "?", "*", "MON-FRI", "*"), name="watch_deadlines")
def watch_deadlines(event: Any) -> dict[str, Any]:
    """Every working morning: reminders of near decision deadlines, escalation of breached ones (the
    citizen and the organ's heads told)."""
    from chalicelib.workflow.deadline_alerts import watch_deadlines as watch

    return watch()
