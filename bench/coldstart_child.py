"""One cold start, run by bench/coldstart.py in a new interpreter: ``python coldstart_child.py APP_DIR PATH``.

Imports ``app`` from APP_DIR, then serves one GET PATH the way Lambda would (the Chalice app object is
the handler: ``app.app(event, context)``), and prints one line ``COLDSTART {json}`` with the times
measured here, from the first line of this script, so the interpreter's own start-up is not in them.
Writes ``# coldstart: first request`` to stderr between the two phases (for ``-X importtime``).
"""

import sys
import time

T0 = time.perf_counter()

MARKER = "COLDSTART "
PHASE_MARK = "# coldstart: first request"


class LambdaContext:
    """What the Lambda runtime hands a handler, as far as Chalice and the app read it."""

    function_name = "coldstart"
    function_version = "$LATEST"
    invoked_function_arn = "arn:aws:lambda:eu-west-1:123456789012:function:coldstart"
    memory_limit_in_mb = 512
    aws_request_id = "00000000-0000-4000-8000-000000000000"
    log_group_name = "/aws/lambda/coldstart"
    log_stream_name = "coldstart"

    def get_remaining_time_in_millis(self) -> int:
        return 30_000


def api_gateway_event(path: str) -> dict:
    """An API Gateway (REST, proxy integration) event for ``GET path``, a route without parameters."""
    return {
        "resource": path,
        "path": path,
        "httpMethod": "GET",
        "headers": {"accept": "application/json", "host": "localhost", "user-agent": "bench/coldstart"},
        "multiValueHeaders": {"accept": ["application/json"], "host": ["localhost"], "user-agent": ["bench/coldstart"]},
        "queryStringParameters": None,
        "multiValueQueryStringParameters": None,
        "pathParameters": None,
        "stageVariables": {},
        "requestContext": {
            "resourcePath": path,
            "httpMethod": "GET",
            "path": f"/api{path}",
            "stage": "api",
            "requestId": "coldstart-request",
            "identity": {"sourceIp": "127.0.0.1"},
        },
        "body": None,
        "isBase64Encoded": False,
    }


def main(app_dir: str, path: str) -> None:
    sys.path[0] = app_dir  # instead of this script's directory: `import app` finds APP_DIR/app.py
    import app as module  # the cold start proper

    t_import = time.perf_counter()
    print(PHASE_MARK, file=sys.stderr, flush=True)
    response = module.app(api_gateway_event(path), LambdaContext())
    t_request = time.perf_counter()

    import json

    result = {
        "import_s": t_import - T0,
        "first_request_s": t_request - t_import,
        "total_s": t_request - T0,
        "status": response.get("statusCode"),
    }
    print(MARKER + json.dumps(result), flush=True)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
