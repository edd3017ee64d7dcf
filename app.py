"""Balcão's API and Lambda functions. Thin: the routes live in ``chalicelib/api/`` (one blueprint per
area); each Lambda function here translates an event into one domain call."""

from __future__ import annotations

from typing import Any

from chalice import Chalice, Rate

from chalicelib.api import documents, notifications, public, requests, sessions, staff

app = Chalice(app_name="balcao")
app.api.cors = False  # the web form is served from the API's own origin

for blueprint in (public, sessions, requests, documents, staff, notifications):
    app.register_blueprint(blueprint.routes)


# -- Lambda functions: S3 events and the state machines' tasks -----------------------------------
@app.lambda_function(name="inspect_upload")
def inspect_upload(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """S3 ObjectCreated under the quarantine prefix: inspect each new file."""
    from chalicelib.documents import Documents

    documents = Documents()
    results = []
    for record in event.get("Records", []):
        document = documents.inspect_key(record["s3"]["object"]["key"])
        if document is not None:
            results.append({"document_id": document["document_id"], "status": document["status"]})
    return {"inspected": results}


@app.lambda_function(name="inspect_process_documents")
def inspect_process_documents(event: dict[str, Any], context: Any) -> dict[str, Any]:
    from chalicelib import workflow

    return workflow.inspect_process_documents(event)


@app.lambda_function(name="register_decision_task")
def register_decision_task(event: dict[str, Any], context: Any) -> dict[str, Any]:
    from chalicelib import workflow

    return workflow.register_decision_task(event)


@app.lambda_function(name="notify")
def notify(event: dict[str, Any], context: Any) -> dict[str, Any]:
    from chalicelib import workflow

    return workflow.notify(event)


@app.schedule(Rate(5, unit=Rate.MINUTES), name="retry_notifications")
def retry_notifications(event: Any) -> dict[str, Any]:
    """Every 5 minutes: deliver the notifications that failed temporarily and are due again."""
    from chalicelib.notifications import Notifier

    results = Notifier().retry_due()
    return {"retried": len(results), "sent": sum(1 for r in results if r.get("status") == "sent")}
