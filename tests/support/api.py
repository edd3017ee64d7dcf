"""Calling the app as its web form does, through chalice.test.Client: a caller with its session
cookie, the generic request, uploads to the presigned S3 form, a request submitted with a document."""

from __future__ import annotations

import json
from typing import Any

from tests.support.outbox import staff_login_code

# The water-debt installment request's fields (seed 001), option (a): 24 installments of a 1000,01 € debt.
WATER = {
    "predio_morada": "Rua de Santo António, 12",
    "predio_codigo_postal": "7200-370",
    "codigo_consumidor": "4501234",
    "valor_divida": "1000,01",
    "numero_documentos": 3,
    "opcao": "a",
    "numero_prestacoes": 24,
}
# What the citizen's timeline shows of a water-debt request through the whole decision stage, in order.
WATER_STAGE_TIMELINE = (
    "Pedido submetido",
    "Pendência: os serviços pedem elementos",
    "Pendência respondida",
    "Audiência prévia: projeto de indeferimento",
    "Pronúncia na audiência prévia entregue",
    "Plano de pagamento emitido",
    "Pedida a sua assinatura",
    "Documento assinado",
    "Decisão: deferido",
)
GENERIC = {"service_id": "generico", "fields": {"subject": "Licença de ruído", "text": "Peço licença para um arraial."}}


class Api:
    """A thin JSON helper over chalice.test.Client that keeps one caller's session cookie."""

    def __init__(self, client: Any):
        self.client = client
        self.cookie: str | None = None  # the session's
        self.device: str | None = (
            None  # the known-device cookie a login leaves (chalicelib.accounts.credentials.Devices)
        )

    def call(
        self,
        method: str,
        path: str,
        body: Any = None,
        raw: bytes | str | None = None,
        headers: dict[str, str] | None = None,
        csrf: bool = True,
    ) -> Any:
        # as the web form does: the CSRF header on every request (chalicelib.api.http.check_csrf)
        all_headers = {
            "content-type": "application/json",
            **({"x-balcao-csrf": "1"} if csrf else {}),
            **(headers or {}),
        }
        jar = "; ".join(c for c in (self.cookie, self.device) if c)
        if jar:
            all_headers["cookie"] = jar
        payload = raw if raw is not None else (json.dumps(body) if body is not None else None)
        response = getattr(self.client.http, method.lower())(path, headers=all_headers, body=payload)
        for set_cookie in set_cookies(response):
            if set_cookie.startswith("balcao_device="):
                self.device = set_cookie.split(";", 1)[0]
            else:
                self.cookie = set_cookie.split(";", 1)[0]
        response.data = json.loads(response.body) if response.body else None
        return response

    def login(self, identifier: str, password: str, staff: bool = False) -> Any:
        """Log in; staff answer with their authenticator app's code, or, at their first login, with
        the code the outbox shows was emailed to them, and then set the app up."""
        if not staff:
            response = self.call("POST", "/api/session", {"identifier": identifier, "password": password})
            assert response.status_code == 200, response.body
            return response
        from chalicelib.platform import aws
        from local import outbox
        from tests.support.second_factor import app_code, enrolment_code

        seen = {m["message_id"] for m in outbox.messages()}
        challenge = self.call("POST", "/api/staff/session", {"identifier": identifier, "password": password})
        assert challenge.status_code == 202, challenge.body
        if challenge.data["factor"] == "totp":
            code = app_code(aws.table("users"), identifier)
        else:
            code = staff_login_code(challenge.data, seen)
        response = self.call(
            "POST", "/api/staff/session/code", {"challenge_id": challenge.data["challenge_id"], "code": code}
        )
        assert response.status_code == 200, response.body
        if response.data["scope"] == "enrolment":
            secret = self.call("POST", "/api/staff/second-factor").data["secret"]
            response = self.call("POST", "/api/staff/second-factor/confirmation", {"code": enrolment_code(secret)})
            assert response.status_code == 200, response.body
        return response


def set_cookies(response: Any) -> list[str]:
    """The response's Set-Cookie headers (chalice.test gives one as a string, several as a list)."""
    value = response.headers.get("Set-Cookie") or response.headers.get("set-cookie") or []
    return [value] if isinstance(value, str) else list(value)


def session_set_cookie(response: Any) -> str:
    """The Set-Cookie header of the session cookie, or ''."""
    return next((c for c in set_cookies(response) if c.startswith("balcao_session=")), "")


def staff(make_api: Any, demo: dict[str, Any], username: str) -> Any:
    api = make_api()
    api.login(username, demo["password"], staff=True)
    return api


def upload(slot: dict[str, Any], data: bytes, filename: str = "anexo.pdf") -> int:
    """POST the file to S3 with the presigned form, as a browser would (S3 ObjectCreated follows)."""
    import requests

    from local import lambdas

    files = {"file": (filename, data, slot["upload"]["fields"].get("Content-Type", "application/octet-stream"))}
    response = requests.post(slot["upload"]["url"], data=slot["upload"]["fields"], files=files, timeout=30)
    lambdas.drain()  # its inspection (the S3 event's) done: a file still being inspected cannot be submitted
    return response.status_code


def generic_draft_with_slot(api: Any) -> tuple[str, dict[str, Any]]:
    """A draft of the generic request by ``api``'s citizen and an upload slot for its document."""
    process_id = api.call("POST", "/api/requests", GENERIC).data["process_id"]
    slot = api.call(
        "POST",
        f"/api/requests/{process_id}/documents",
        {"slot": "anexo", "filename": "anexo.pdf", "content_type": "application/pdf"},
    ).data
    return process_id, slot


def submit_generic(api: Any, data: bytes) -> str:
    """The generic request, with ``data`` as its document, submitted by ``api``'s citizen: its process id."""
    process_id, slot = generic_draft_with_slot(api)
    upload(slot, data)
    response = api.call("POST", f"/api/requests/{process_id}/submit")
    assert response.status_code == 200, response.body
    return process_id
