"""Routes of the messages between citizens and organs, about a process or in general."""

from __future__ import annotations

from typing import Any

from chalicelib.api.common import Routes, data_access, processes
from chalicelib.api.http import json_response

routes = Routes(__name__)


def _messages() -> Any:
    from chalicelib.messages.threads import Messages

    return Messages()


@routes.route("/api/requests/{process_id}/messages", methods=["GET"])
@routes.api
def process_messages(process_id: str) -> Any:
    """The citizen whose process it is, staff of its organ, auditors: the process's messages (a
    reading by staff is recorded for the process's citizens)."""
    session = routes.caller()
    messages = _messages().process_thread(process_id, session)
    from chalicelib.kernel.roles import STAFF

    if session.kind == STAFF:
        data_access().process_read(session, processes().get(process_id), "messages", routes.ip())
    return json_response({"messages": messages})


@routes.route("/api/requests/{process_id}/messages", methods=["POST"])
@routes.api
@routes.idempotent
def send_process_message(process_id: str) -> Any:
    """The citizen whose process it is, or staff of its organ (a reply): a new message, with
    attachments uploaded first; the other side is notified."""
    body = routes.body("NewMessage")
    message = _messages().send_about_process(process_id, routes.caller(), body.text, body.attachments, routes.ip())
    return json_response(message, status=201)


@routes.route("/api/requests/{process_id}/messages/attachments", methods=["POST"])
@routes.api
def message_attachment(process_id: str) -> Any:
    """The citizen whose process it is, or staff of its organ: a presigned POST for one attachment."""
    body = routes.body("MessageAttachment")
    slot = _messages().attachment_upload(process_id, routes.caller(), body.filename, body.content_type, routes.ip())
    return json_response(slot, status=201)


@routes.route("/api/messages/{organ}", methods=["GET"])
@routes.api
def general_messages(organ: str) -> Any:
    """Citizen: my messages with an organ outside any process. Staff of the organ (and auditors):
    one citizen's thread, ``?citizen_id=`` (the reading recorded for that citizen)."""
    session = routes.caller()
    citizen_id = routes.query("citizen_id")
    messages = _messages().general_thread(session, organ, citizen_id)
    data_access().account_read(session, citizen_id, "messages", routes.ip(), organ_thread=organ)
    return json_response({"messages": messages})


@routes.route("/api/messages/{organ}", methods=["POST"])
@routes.api
@routes.idempotent
def send_general_message(organ: str) -> Any:
    """Citizen: write to an organ outside any process. Staff of the organ: reply (``citizen_id``)."""
    body = routes.body("GeneralMessage")
    message = _messages().send_general(routes.caller(), organ, body.text, routes.ip(), citizen_id=body.citizen_id)
    return json_response(message, status=201)
