"""Staff routes about notifications: the log of a process or an account (the proof of notification)
and the postal queue (letters for those who gave no electronic consent, to print and post)."""

from __future__ import annotations

from typing import Any

from chalicelib.api.common import Routes, data_access, processes
from chalicelib.api.http import json_response

routes = Routes(__name__)


def _notifier() -> Any:
    from chalicelib.notifications.delivery import Notifier

    return Notifier()


@routes.route("/api/staff/processes/{process_id}/notifications", methods=["GET"])
@routes.api
def process_notifications(process_id: str) -> Any:
    """Staff of the process's organ and auditors: every notification of the process, newest first,
    with channel, recipient, template, status, times and the provider's message id."""
    from chalicelib.notifications.log import public_entry

    session = routes.staff()
    process = processes().get_for(process_id, session)  # 404 for anyone else
    entries = _notifier().log.for_process(process_id)
    data_access().process_read(session, process, "notifications", routes.ip())
    return json_response({"notifications": [public_entry(e) for e in entries]})


@routes.route("/api/staff/accounts/{user_id}/notifications", methods=["GET"])
@routes.api
def account_notifications(user_id: str) -> Any:
    """Auditors, and administrators of the account (citizens' accounts and their own organ's staff):
    every notification sent to an account, newest first. Each read is audited."""
    from chalicelib.notifications.log import public_entry
    from chalicelib.platform.audit import AuditTrail
    from chalicelib.processes.access import is_auditor

    session = routes.staff()
    if not is_auditor(session):
        from chalicelib.accounts.administration import Administration

        Administration().target(session, user_id)
    entries = _notifier().log.for_account(user_id)
    # the audit of the reading and its record for the citizen, in one call
    read = AuditTrail.event(routes.actor(session), "account.notifications_read", f"user#{user_id}", count=len(entries))
    data_access().account_read(session, user_id, "notifications", routes.ip(), also=(read,))
    return json_response({"notifications": [public_entry(e) for e in entries]})


@routes.route("/api/staff/letters", methods=["GET"])
@routes.api
def postal_queue() -> Any:
    """Staff of an organ: the letters of the organ awaiting print and post, oldest first, each with a
    short-lived link to its PDF. Each letter read is recorded for the account it is addressed to
    ("who saw my data": a letter holds a name and an address)."""
    from chalicelib.kernel.errors import Forbidden
    from chalicelib.kernel.settings import get_settings
    from chalicelib.notifications.log import public_entry
    from chalicelib.platform import aws

    session = routes.staff()
    if not session.organ:
        raise Forbidden("A sua conta não está associada a um serviço.")
    notifier = _notifier()
    letters = []
    for item in notifier.log.postal_queue(session.organ):
        entry = public_entry(item)
        entry["pdf_url"] = notifier.s3.generate_presigned_url(
            "get_object",
            Params={
                "Bucket": aws.bucket_name("documents"),
                "Key": item["letter_key"],
                "ResponseContentDisposition": f'attachment; filename="carta-{item["notification_id"]}.pdf"',
            },
            ExpiresIn=get_settings().download_url_expiry_seconds,
        )
        letters.append(entry)
        if item.get("account_id"):
            data_access().account_read(
                session, item["account_id"], "letter", routes.ip(), process_id=item.get("process_id")
            )
    return json_response({"letters": letters})


@routes.route("/api/staff/letters/{notification_id}/posted", methods=["POST"])
@routes.api
@routes.idempotent
def letter_posted(notification_id: str) -> Any:
    """Staff of the letter's organ (not auditors): the letter was printed and posted; its status
    becomes ``sent``, with who and when. A second time is a 409."""
    from chalicelib.kernel.errors import Forbidden, NotFound
    from chalicelib.notifications.log import public_entry
    from chalicelib.notifications.templates import LETTER

    session = routes.staff()
    from chalicelib.processes.access import is_auditor

    if is_auditor(session) or not session.organ:
        raise Forbidden("Só os serviços do processo dão uma carta como enviada.")
    notifier = _notifier()
    item = notifier.log.get(notification_id)
    if item is None or item.get("channel") != LETTER or item.get("postal_queue", session.organ) != session.organ:
        raise NotFound("Carta desconhecida.", field="notification_id")
    if item.get("process_id"):
        processes().get_for(item["process_id"], session)
    return json_response(public_entry(notifier.mark_letter_posted(notification_id, routes.actor(session))))
