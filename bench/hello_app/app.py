"""The cold-start baseline: the smallest Chalice app a Lambda on AWS would realistically be, one that
imports boto3 (as any app talking to AWS does) and answers one route. Not deployed; see bench/coldstart.py."""

import boto3  # noqa: F401  (imported for its cost: that is the baseline)
from chalice import Chalice

app = Chalice(app_name="hello")


@app.route("/health", methods=["GET"])
def health() -> dict[str, str]:
    return {"status": "ok"}
