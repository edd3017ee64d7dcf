"""Messages to citizens: email through SES, SMS through SNS. Each send is audited with the provider's
message id, the first piece of the proof of notification."""

from __future__ import annotations

from string import Template
from typing import Any

from chalicelib import aws
from chalicelib.audit import SYSTEM, AuditTrail
from chalicelib.settings import get_settings

# subject, body; $placeholders filled from the process.
TEMPLATES: dict[str, tuple[str, str]] = {
    "submission_receipt": (
        "Pedido $number recebido",
        "Olá $name,\n\nO seu pedido \"$subject\" ($service) foi recebido e registado com o número "
        "$number em $submitted_at.\nPrazo de decisão: $decision_deadline.\n\n$municipality",
    ),
    "decision": (
        "Decisão sobre o pedido $number: $decision",
        "Olá $name,\n\nO seu pedido $number (\"$subject\") foi $decision.\n\nFundamentação: $grounds\n\n"
        "Pode consultar o processo em $portal.\n\n$municipality",
    ),
}


def render(template: str, values: dict[str, Any]) -> tuple[str, str]:
    subject, body = TEMPLATES[template]
    return Template(subject).substitute(values), Template(body).substitute(values)


class Notifier:
    def __init__(self, ses: Any = None, sns: Any = None, audit: AuditTrail | None = None):
        self._ses = ses
        self._sns = sns
        self.audit = audit or AuditTrail()

    @property
    def ses(self) -> Any:
        return self._ses or aws.client("ses")

    @property
    def sns(self) -> Any:
        return self._sns or aws.client("sns")

    def email(self, to: str, template: str, values: dict[str, Any], subject_ref: str) -> str:
        settings = get_settings()
        subject, body = render(template, {**values, "municipality": settings.municipality, "portal": settings.public_base_url})
        response = self.ses.send_email(
            Source=settings.sender_email,
            Destination={"ToAddresses": [to]},
            Message={"Subject": {"Data": subject, "Charset": "UTF-8"}, "Body": {"Text": {"Data": body, "Charset": "UTF-8"}}},
        )
        self.audit.record(SYSTEM, "notification.sent", subject_ref, channel="email", to=to,
                          template=template, message_id=response["MessageId"])
        return response["MessageId"]

    def sms(self, phone: str, text: str, subject_ref: str, template: str) -> str:
        response = self.sns.publish(
            PhoneNumber=phone,
            Message=text,
            MessageAttributes={"AWS.SNS.SMS.SMSType": {"DataType": "String", "StringValue": "Transactional"}},
        )
        self.audit.record(SYSTEM, "notification.sent", subject_ref, channel="sms", to=phone,
                          template=template, message_id=response["MessageId"])
        return response["MessageId"]
