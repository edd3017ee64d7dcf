"""Notifications: the messages Balcão sends, by the channel the person consented to, and the log that
proves when and how each was sent.

For a municipality a notification is a legal act. So:

- Every notification has one id, derived from what caused it (``key``: e.g. ``process#p_1#decision``),
  and one item in the ``notifications`` table, written with a conditional put before anything is sent.
  Sending the same notification again (a Lambda retried by Step Functions, a staff click repeated)
  finds the item and sends nothing: a retry never sends twice.
- Delivery: email through SES (raw MIME: plain text + HTML, and attachments such as the receipt
  PDF), SMS through SNS (transactional), or, for a process notification to someone who gave no
  electronic consent, a postal letter: a PDF (``chalicelib/notifications/letters.py``) queued for the organ's staff
  to print and post (``/api/staff/letters``).
- Status: ``queued`` → ``sending`` (a short lease, so two workers never send one message) → ``sent``
  (with the provider's message id) | ``temporary_failure`` (throttling, 5xx, network: retried with
  backoff in the same invocation, then later by the ``retry_notifications`` function) |
  ``permanent_failure`` (shown to staff, never retried). A letter is ``queued`` until staff mark it
  posted (``sent``).
- A failed notification never raises into the caller's workflow: it is recorded and answered as such.

The log is read per process and per account (GSIs ``by_process`` and ``by_account``); undelivered
messages keep their values (``payload``) until they are sent or given up, then the payload is removed
(it may hold a code or an activation password).

Consent comes with the process (``process["notifications"]``, recorded with the request) or the
account: ``{"electronic": ["email", "sms"], "email": ..., "phone": ..., "language": "pt",
"postal_address": ["line", ..., "4700-000 Braga"]}``. ``electronic`` empty → letter.
"""

from __future__ import annotations

import json
import time
from typing import Any

from chalicelib.kernel.clock import iso, now
from chalicelib.kernel.inject import Injected
from chalicelib.kernel.settings import get_settings
from chalicelib.notifications.addressing import Attachment, Recipient
from chalicelib.notifications.letters import letter_pdf
from chalicelib.notifications.log import (
    FINAL,
    PERMANENT_FAILURE,
    QUEUED,
    SENT,
    TEMPORARY_FAILURE,
    NotificationLog,
    notification_id_for,
)
from chalicelib.notifications.mime import mime_message
from chalicelib.notifications.templates import EMAIL, LETTER, MESSAGES, SMS, language_of, render_email, render_sms
from chalicelib.platform import aws
from chalicelib.platform.audit import SYSTEM, Actor, AuditTrail
from chalicelib.platform.errors import is_temporary

# Errors worth another try: the provider is busy or briefly down. Anything else (an address SES
# rejects, a phone number SNS refuses, an unverified sender) will fail the same way again.
TEMPORARY_CODES = frozenset(
    {
        "Throttling",
        "ThrottlingException",
        "Throttled",
        "ThrottledException",
        "TooManyRequestsException",
        "RequestLimitExceeded",
        "ServiceUnavailable",
        "ServiceUnavailableException",
        "InternalFailure",
        "InternalError",
        "InternalErrorException",
        "InternalServerError",
        "RequestTimeout",
        "RequestTimeoutException",
        "KMSThrottlingException",
    }
)
MAX_TOTAL_ATTEMPTS = 12  # across invocations; then the notification is given up (permanent failure)


def classify(error: BaseException) -> str:
    """TEMPORARY_FAILURE or PERMANENT_FAILURE for an error from SES or SNS."""
    return TEMPORARY_FAILURE if is_temporary(error, TEMPORARY_CODES) else PERMANENT_FAILURE


class Notifier:
    """Sends notifications and records each in the log. Every AWS client is optional (tests pass
    their own); ``sleep`` is the backoff's clock."""

    def __init__(
        self,
        ses: Any = None,
        sns: Any = None,
        s3: Any = None,
        log: NotificationLog | None = None,
        audit: AuditTrail | None = None,
        sleep: Any = time.sleep,
    ):
        self._ses = ses
        self._sns = sns
        self._s3 = s3
        self.log = log or NotificationLog()
        self.audit = audit or AuditTrail()
        self._sleep = sleep

    ses = Injected(lambda self: aws.client("ses", max_attempts=1))

    sns = Injected(lambda self: aws.client("sns", max_attempts=1))

    s3 = Injected(lambda self: aws.client("s3"))

    # -- entry points ----------------------------------------------------------------------------
    def notify(
        self,
        recipient: Recipient,
        template: str,
        values: dict[str, Any],
        *,
        key: str,
        process_id: str | None = None,
        organ: str | None = None,
        attachments: tuple[Attachment, ...] = (),
    ) -> list[dict[str, Any]]:
        """Notify ``recipient`` by every channel their consent allows for this message (or by post);
        one log entry per channel. ``key`` names what caused it: the same key never sends twice."""
        if template not in MESSAGES:
            raise LookupError(f"unknown message '{template}'")
        results = []
        for channel in recipient.channels_for(template):
            if channel == EMAIL:
                to = recipient.email
            elif channel == SMS:
                to = recipient.phone
            else:
                to = "\n".join([recipient.name, *recipient.postal_address])
            results.append(
                self.send(
                    channel,
                    to or "",
                    template,
                    values,
                    key=f"{key}#{channel}",
                    language=recipient.language,
                    process_id=process_id,
                    account_id=recipient.account_id,
                    organ=organ,
                    attachments=attachments if channel == EMAIL else (),
                )
            )
        return results

    def email(
        self,
        to: str,
        template: str,
        values: dict[str, Any],
        subject_ref: str,
        *,
        key: str | None = None,
        language: str = "pt",
        attachments: tuple[Attachment, ...] = (),
    ) -> str | None:
        """Email one message; the provider's message id, or None if it could not be sent (yet): the
        log says why. ``subject_ref`` is ``process#<id>`` or ``user#<id>``."""
        item = self.send(
            EMAIL,
            to,
            template,
            values,
            key=key,
            language=language,
            attachments=attachments,
            **_subject_ids(subject_ref),
        )
        return item.get("provider_message_id")

    def sms(
        self,
        phone: str,
        text: str | None,
        subject_ref: str,
        template: str,
        *,
        key: str | None = None,
        values: dict[str, Any] | None = None,
        language: str = "pt",
    ) -> str | None:
        """Send an SMS: the template's ``sms`` block rendered with ``values``, or ``text`` as given."""
        item = self.send(
            SMS, phone, template, values or {}, key=key, language=language, text=text, **_subject_ids(subject_ref)
        )
        return item.get("provider_message_id")

    def send(
        self,
        channel: str,
        to: str,
        template: str,
        values: dict[str, Any],
        *,
        key: str | None = None,
        language: str = "pt",
        process_id: str | None = None,
        account_id: str | None = None,
        organ: str | None = None,
        attachments: tuple[Attachment, ...] = (),
        text: str | None = None,
    ) -> dict[str, Any]:
        """Record, then deliver, one notification; returns its log entry. Idempotent on ``key``."""
        import uuid

        if template not in MESSAGES:
            raise LookupError(f"unknown message '{template}'")
        notification_id = notification_id_for(key or f"once#{uuid.uuid4().hex}")
        language = language_of(language)
        created = iso()
        item: dict[str, Any] = {
            "notification_id": notification_id,
            "channel": channel,
            "recipient": to,
            "template": template,
            "language": language,
            "status": QUEUED,
            "created_at": created,
            "updated_at": created,
            "attempts": 0,
            "process_id": process_id,
            "account_id": account_id,
            "key": key,
        }
        payload: dict[str, Any] = {"values": values}
        if text is not None:
            payload["text"] = text
        if channel == LETTER:
            item["letter_key"] = self._store_letter(notification_id, to, template, language, values)
            item["postal_queue"] = organ or "GERAL"
        elif attachments:
            payload["attachments"] = [self._store_attachment(notification_id, a) for a in attachments]
        if channel != LETTER:
            item["payload"] = json.dumps(payload, ensure_ascii=False, default=str)
        item = {k: v for k, v in item.items() if v is not None}
        stored, created_now = self.log.create(item)
        if channel == LETTER:
            if created_now:
                self._audit(stored, "notification.letter_queued")
            return stored
        if stored["status"] in FINAL:
            return stored
        return self.deliver(notification_id)

    def deliver(self, notification_id: str, max_attempts: int | None = None) -> dict[str, Any]:
        """Try to deliver a recorded notification now: backoff between temporary failures, then the
        outcome recorded. Never raises for a delivery failure."""

        settings = get_settings()
        item = self.log.lease(notification_id)
        if item is None:  # sent, given up, or in another worker's hands
            return self.log.get(notification_id) or {"notification_id": notification_id}
        max_attempts = max_attempts or settings.notification_attempts
        payload = json.loads(item.get("payload") or "{}")
        attempts = 0
        while True:
            attempts += 1
            try:
                message_id = self._deliver_once(item, payload)
            except Exception as error:  # noqa: BLE001 - every failure is recorded; none escapes
                outcome = classify(error)
                total = int(item.get("attempts", 0)) + attempts
                if outcome == TEMPORARY_FAILURE and attempts < max_attempts:
                    self._sleep(settings.notification_backoff_seconds * (2 ** (attempts - 1)))
                    continue
                if outcome == TEMPORARY_FAILURE and total < MAX_TOTAL_ATTEMPTS:
                    retry_at = _later(settings.notification_retry_seconds * (2 ** min(total // max_attempts, 5)))
                    return self.log.finish(notification_id, TEMPORARY_FAILURE, attempts, error=error, retry_at=retry_at)
                finished = self.log.finish(notification_id, PERMANENT_FAILURE, attempts, error=error)
                self._audit(finished, "notification.failed")
                return finished
            finished = self.log.finish(notification_id, SENT, attempts, message_id=message_id)
            self._audit(finished, "notification.sent")
            return finished

    def retry_due(self, limit: int = 25) -> list[dict[str, Any]]:
        """Deliver the notifications whose next attempt is due (the ``retry_notifications`` function)."""
        return [self.deliver(item["notification_id"]) for item in self.log.due_for_retry(iso(), limit)]

    # -- providers -------------------------------------------------------------------------------
    def _deliver_once(self, item: dict[str, Any], payload: dict[str, Any]) -> str:
        template, language, values = item["template"], item["language"], payload.get("values", {})
        if item["channel"] == SMS:
            text = payload.get("text") or render_sms(template, language, values)
            response = self.sns.publish(
                PhoneNumber=item["recipient"],
                Message=text,
                MessageAttributes={"AWS.SNS.SMS.SMSType": {"DataType": "String", "StringValue": "Transactional"}},
            )
            return response["MessageId"]
        settings = get_settings()
        rendered = render_email(template, language, values)
        raw = mime_message(
            settings.municipality,
            settings.sender_email,
            item["recipient"],
            rendered,
            item["notification_id"],
            language,
            [self._load_attachment(a) for a in payload.get("attachments", [])],
        )
        # The recipient is in the To header; SES reads it there (Destinations would add it a second time).
        response = self.ses.send_raw_email(Source=settings.sender_email, RawMessage={"Data": raw})
        return response["MessageId"]

    def _store_attachment(self, notification_id: str, attachment: Attachment) -> dict[str, str]:
        """Attachments are kept in S3 until sent, so that a later retry has them."""
        ref = {"filename": attachment.filename, "content_type": attachment.content_type}
        if attachment.key:
            return {**ref, "bucket": attachment.bucket or aws.bucket_name("documents"), "key": attachment.key}
        key = f"notifications/{notification_id}/{attachment.filename}"
        self.s3.put_object(
            Bucket=aws.bucket_name("documents"),
            Key=key,
            Body=attachment.data or b"",
            ContentType=attachment.content_type,
            ServerSideEncryption="AES256",
        )
        return {**ref, "bucket": aws.bucket_name("documents"), "key": key}

    def _load_attachment(self, ref: dict[str, str]) -> tuple[str, str, bytes]:
        body = self.s3.get_object(Bucket=ref["bucket"], Key=ref["key"])["Body"].read()
        return ref["filename"], ref["content_type"], body

    def _store_letter(
        self, notification_id: str, address: str, template: str, language: str, values: dict[str, Any]
    ) -> str:

        rendered = render_email(template, language, values, letter=True)
        key = f"letters/{notification_id}.pdf"
        body = letter_pdf(address.split("\n"), rendered, language, reference=notification_id)
        self.s3.put_object(
            Bucket=aws.bucket_name("documents"),
            Key=key,
            Body=body,
            ContentType="application/pdf",
            ServerSideEncryption="AES256",
        )
        return key

    def _audit(self, item: dict[str, Any], action: str, actor: Actor = SYSTEM) -> None:
        subject = f"process#{item['process_id']}" if item.get("process_id") else f"user#{item.get('account_id', '-')}"
        self.audit.record(
            actor,
            action,
            subject,
            notification_id=item["notification_id"],
            channel=item["channel"],
            to=item.get("recipient"),
            template=item["template"],
            status=item["status"],
            message_id=item.get("provider_message_id"),
            error=item.get("error_code"),
        )

    def mark_letter_posted(self, notification_id: str, actor: Actor) -> dict[str, Any]:
        item = self.log.mark_posted(notification_id, actor.id)
        self._audit(item, "notification.letter_posted", actor)
        return item


def _subject_ids(subject_ref: str) -> dict[str, str | None]:
    kind, _, ident = subject_ref.partition("#")
    return {"process_id": ident if kind == "process" else None, "account_id": ident if kind == "user" else None}


def _later(seconds: float) -> str:
    from datetime import timedelta

    return iso(now() + timedelta(seconds=seconds))
