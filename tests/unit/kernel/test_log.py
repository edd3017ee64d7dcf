"""Log context is per invocation: a background invocation never logs an HTTP request's route or id."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from types import SimpleNamespace

from chalicelib.kernel.log import bind_invocation, bind_request, logger


def test_another_thread_does_not_log_this_requests_route() -> None:
    bind_request("req-http", route="/api/requests/{process_id}/documents")
    seen: dict[str, object] = {}

    def background() -> None:
        seen.update(logger.thread_safe_get_current_keys())

    thread = threading.Thread(target=background)
    thread.start()
    thread.join()
    assert "route" not in seen and seen.get("request_id") != "req-http"
    assert logger.thread_safe_get_current_keys()["route"] == "/api/requests/{process_id}/documents"


def test_an_invocation_on_a_reused_thread_drops_what_the_last_one_bound() -> None:
    def http_request() -> None:
        bind_request("req-http", route="/api/session", user_id="u_1")

    def inspection() -> dict[str, object]:
        bind_invocation(SimpleNamespace(function_name="balcao-local-inspect_upload", aws_request_id="req-s3"))
        return logger.thread_safe_get_current_keys()

    with ThreadPoolExecutor(max_workers=1) as pool:  # one thread: the second job runs where the first did
        pool.submit(http_request).result()
        keys = pool.submit(inspection).result()
    assert keys == {"function": "balcao-local-inspect_upload", "request_id": "req-s3"}
