"""One local origin for the API (the Chalice app, through chalice's own local gateway), the web form
(static files from ``web/``) and the local-only pages (``/_local/outbox``)."""

from __future__ import annotations

import json
import mimetypes
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from chalice.config import Config
from chalice.local import ChaliceRequestHandler, CustomLocalChalice, LocalChalice, LocalDevServer, ThreadedHTTPServer

from local import alarms, outbox

WEB_ROOT = Path(__file__).resolve().parent.parent / "web"
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}


ALLOWED_METHODS = "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS"


class LocalHandler(ChaliceRequestHandler):
    def _dispatch(self) -> None:
        path = unquote(urlsplit(self.path).path)
        if path.startswith("/_local/"):
            return self._local_page(path)
        if self.command in ("GET", "HEAD"):
            static = self._static_file(path)
            if static is not None:
                return self._send(
                    200, static.read_bytes(), mimetypes.guess_type(static.name)[0] or "application/octet-stream"
                )
        return self._generic_handle()

    do_GET = do_PUT = do_POST = do_HEAD = do_DELETE = do_PATCH = do_OPTIONS = _dispatch

    def __getattr__(self, name: str) -> Any:
        # Any other method (TRACE, CONNECT, made-up ones): 405 naming the methods there are, as API
        # Gateway answers, instead of http.server's 501.
        if name.startswith("do_"):
            return self._method_not_allowed
        raise AttributeError(name)

    def _method_not_allowed(self) -> None:
        body = b'{"error": {"code": "metodo_nao_permitido", "message": "M\\u00e9todo n\\u00e3o permitido.", "field": null}}'
        self.send_response(405)
        self.send_header("Allow", ALLOWED_METHODS)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        for name, value in SECURITY_HEADERS.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def _static_file(self, path: str) -> Path | None:
        if path.startswith("/api/") or path in ("/health", "/openapi.json"):
            return None
        relative = path.lstrip("/") or "index.html"
        candidate = (WEB_ROOT / relative).resolve()
        if candidate.is_dir():
            candidate = candidate / "index.html"
        if WEB_ROOT not in candidate.parents or not candidate.is_file():
            return None
        return candidate

    def _local_page(self, path: str) -> None:
        if path == "/_local/outbox":
            return self._send(200, outbox.render_page().encode(), "text/html; charset=utf-8")
        if path == "/_local/alarms":
            return self._send(200, alarms.render_page().encode(), "text/html; charset=utf-8")
        if path == "/_local/alarms.json":
            return self._send(
                200, json.dumps({"alarms": alarms.raised()}, ensure_ascii=False).encode(), "application/json"
            )
        if path == "/_local/outbox.json":
            return self._send(
                200,
                json.dumps({"messages": outbox.messages()}, ensure_ascii=False).encode(),
                "application/json; charset=utf-8",
            )
        if path == "/_local/totp.json":  # the demo staff's authenticator apps, as the outbox is their mail
            from local import demo

            return self._send(200, json.dumps(demo.current_codes()).encode(), "application/json; charset=utf-8")
        return self._send(
            404,
            b'{"error": {"code": "nao_encontrado", "message": "P\\u00e1gina desconhecida.", "field": null}}',
            "application/json",
        )

    def _send(self, status: int, body: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        for name, value in SECURITY_HEADERS.items():
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - BaseHTTPRequestHandler's name
        pass  # the app logs each request itself, as JSON


class _Server(ThreadedHTTPServer):
    # socketserver listens with a queue of 5: 30 citizens arriving at once had connections reset
    # (``./dev bench load``); API Gateway has no such queue, so neither should the local stack
    request_queue_size = 128


def make_server(app: Any, host: str, port: int) -> LocalDevServer:
    config = Config.create(chalice_stage="local", app_name="balcao", lambda_timeout=60, lambda_memory_size=512)
    # As chalice.local.create_local_server does: one current_request per server thread.
    if not isinstance(app, LocalChalice):
        CustomLocalChalice.__bases__ = (LocalChalice, app.__class__)
        app.__class__ = CustomLocalChalice
    return LocalDevServer(app, config, host, port, handler_cls=LocalHandler, server_cls=_Server)
