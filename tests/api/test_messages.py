"""Messages between a citizen and an organ: about a process with attachments, or in general; staff
reply; each new message notified; nobody else reads them."""

from __future__ import annotations

from typing import Any

from tests.support.api import submit_generic, upload
from tests.support.files import small_pdf
from tests.support.outbox import outbox_to


def test_citizen_and_staff_exchange_messages_about_a_process(make_api: Any, demo: dict[str, Any]) -> None:
    from local import lambdas

    citizen = make_api()
    citizen.login("ana.silva", demo["password"])
    process_id = submit_generic(citizen, small_pdf())
    path = f"/api/requests/{process_id}/messages"
    slot = citizen.call("POST", f"{path}/attachments", {"filename": "foto.pdf", "content_type": "application/pdf"})
    assert slot.status_code == 201, slot.body
    upload(slot.data, small_pdf())
    lambdas.drain()
    sent = citizen.call(
        "POST", path, {"text": "Junto a planta que faltava.", "attachments": [slot.data["document_id"]]}
    )
    assert sent.status_code == 201, sent.body
    assert [m for m in outbox_to("geral@municipio-demo.pt") if "Junto a planta" in m["body"]]
    bad = citizen.call("POST", path, {"text": "x", "attachments": ["d_outro"]})
    assert bad.status_code == 422 and bad.data["error"]["field"] == "attachments.0"

    clerk = make_api()
    clerk.login("atendimento", demo["password"], staff=True)
    reply = clerk.call("POST", path, {"text": "Recebido, obrigado."})
    assert reply.status_code == 201, reply.body
    assert [m for m in outbox_to(demo["citizen"]["email"]) if "Recebido, obrigado." in m["body"]]
    thread = citizen.call("GET", path).data["messages"]
    assert [(m["from"], m["text"]) for m in thread] == [
        ("requerente", "Junto a planta que faltava."),
        ("servicos", "Recebido, obrigado."),
    ]
    assert thread[0]["attachments"] == [slot.data["document_id"]]

    auditor = make_api()
    auditor.login("auditor", demo["password"], staff=True)
    assert auditor.call("GET", path).status_code == 200
    assert auditor.call("POST", path, {"text": "x"}).status_code == 403
    assert make_api().call("GET", path).status_code == 401


def test_a_general_message_to_an_organ_and_its_reply(make_api: Any, demo: dict[str, Any]) -> None:
    citizen = make_api()
    me = citizen.login("ana.silva", demo["password"]).json_body["user"]
    asked = citizen.call("POST", "/api/messages/CAMARA", {"text": "Qual o horário do balcão?"})
    assert asked.status_code == 201, asked.body
    assert citizen.call("POST", "/api/messages/NAOEXISTE", {"text": "x"}).data["error"]["field"] == "organ"
    clerk = make_api()
    clerk.login("atendimento", demo["password"], staff=True)
    user_id = me["user_id"]
    assert (
        clerk.call("POST", "/api/messages/CAMARA", {"text": "Das 9h às 16h.", "citizen_id": user_id}).status_code == 201
    )
    thread = citizen.call("GET", "/api/messages/CAMARA").data["messages"]
    assert [m["text"] for m in thread] == ["Qual o horário do balcão?", "Das 9h às 16h."]
    assert clerk.call("GET", f"/api/messages/CAMARA?citizen_id={user_id}").data["messages"] == thread
