"""Request bodies of the HTTP API. Unknown fields are refused (422, naming the field)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from chalicelib.kernel.clock import iso
from chalicelib.processes.parties import Notification, Representante, Requerente


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Login(_Body):
    identifier: str = Field(min_length=1, max_length=254)
    password: str = Field(min_length=1, max_length=1024)


class NewRequest(_Body):
    """A new draft. Without ``requerente`` the logged-in citizen is the requerente; without
    ``notification`` a request filed online is notified online (see chalicelib.processes.parties)."""

    service_id: str = Field(min_length=1, max_length=80)
    fields: dict[str, Any] = Field(default_factory=dict)
    requerente: Requerente | None = None
    representante: Representante | None = None
    notification: Notification | None = None


class DraftUpdate(_Body):
    """What changed in a draft; only the parts sent are saved (``representante: null`` removes it)."""

    fields: dict[str, Any] | None = None
    requerente: Requerente | None = None
    representante: Representante | None = None
    notification: Notification | None = None
    # the draft's version the form was filled on (its view's "version"): an older one is a 409
    version: int | None = Field(None, ge=0)


class StaffPayment(_Body):
    amount_eur: str | float | int
    method: Literal["multibanco", "numerario", "cheque", "transferencia"]
    note: str | None = Field(None, max_length=500)


class PaymentNotice(_Body):
    """The payment provider's notice that a Multibanco reference was paid (signed, see payments.py)."""

    entity: str = Field(pattern=r"^\d{5}$")
    reference: str = Field(pattern=r"^\d{9}$")
    amount_eur: str | float | int
    transaction_id: str = Field(min_length=1, max_length=100)
    paid_at: str | None = Field(None, max_length=40)

    @field_validator("paid_at")
    @classmethod
    def _paid_at_is_a_time(cls, value: str | None) -> str | None:
        """When it was paid, as ISO 8601 with its offset (``2026-11-23T09:02:00+00:00``, or ``Z``):
        checked before anything is recorded, and stored in UTC as every time here is."""
        if value is None:
            return None
        try:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
        except ValueError:
            raise ValueError(
                "paid_at: indique a data e hora do pagamento em ISO 8601 (2026-11-23T09:02:00Z)."
            ) from None
        if moment.tzinfo is None:
            raise ValueError("paid_at: indique o fuso horário (2026-11-23T09:02:00Z ou +00:00).")
        return iso(moment.astimezone(UTC))


class UploadSlotRequest(_Body):
    slot: str = Field(min_length=1, max_length=80)
    filename: str = Field(min_length=1, max_length=255)
    content_type: str = Field(min_length=1, max_length=100)
    replaces: str | None = Field(None, min_length=1, max_length=40)  # the document this file is a new version of


class Decision(_Body):
    decision: Literal["deferido", "indeferido"]
    grounds: str = Field(min_length=1, max_length=10000)


class Assignment(_Body):
    assignee_id: str = Field(min_length=1, max_length=80, description="the user_id of a colleague of the organ")


class LoginCode(_Body):
    challenge_id: str = Field(min_length=1, max_length=100)
    code: str = Field(
        pattern=r"^([0-9]{6}|[A-Za-z0-9]{4}(-[A-Za-z0-9]{4}){5})$",
        description="the authenticator app's 6 digits (of the current 30 seconds), a recovery code "
        "(abcd-efgh-jkmn-pqrs-tuvw-xyz2, any case), or at the first login the 6 digits emailed",
    )


class NewApiKey(_Body):
    label: str = Field(min_length=1, max_length=100, description="what the key is for, e.g. 'relatório diário'")
    scope: Literal["read", "act"] = Field(description="read: GET only; act: also actions (never an auditor's)")
    expires_in_days: int = Field(ge=1, le=90, description="the key stops working after this many days (1-90)")


class PlanPreview(_Body):
    fields: dict[str, Any]


# -- accounts (chalicelib/api/accounts.py) -----------------------------------------------------------
class PostalAddress(_Body):
    street: str = Field(min_length=3, max_length=200)
    postal_code: str = Field(min_length=1, max_length=20)
    locality: str = Field(min_length=2, max_length=100)


class Registration(_Body):
    person_type: Literal["individual", "company"]
    identity_number: str = Field(min_length=1, max_length=30)
    name: str = Field(min_length=2, max_length=200)
    email: str = Field(min_length=3, max_length=254)
    phone: str = Field(min_length=6, max_length=30)
    address: PostalAddress
    password: str = Field(min_length=1, max_length=1024)
    accept_terms: bool
    terms_version: str = Field(min_length=1, max_length=40)
    # what the proof shows: address (Amarante) or employment (ECCE's access request), and why
    proof_kind: Literal["morada", "funcoes"] = "morada"
    reason: str | None = Field(None, max_length=500)


class LinkToken(_Body):
    token: str = Field(min_length=10, max_length=200)


class EmailAddress(_Body):
    email: str = Field(min_length=1, max_length=254)


class Identifier(_Body):
    identifier: str = Field(min_length=1, max_length=254)


class ProofUpload(_Body):
    filename: str = Field(min_length=1, max_length=255)
    content_type: str = Field(min_length=1, max_length=100)


class Activation(_Body):
    identifier: str = Field(min_length=1, max_length=254)
    activation_password: str = Field(min_length=1, max_length=1024)
    new_password: str = Field(min_length=1, max_length=1024)


class CodeChannel(_Body):
    channel: Literal["email", "sms"]


class Code(_Body):
    code: str = Field(min_length=1, max_length=12)


class PasswordChange(_Body):
    current_password: str = Field(min_length=1, max_length=1024)
    new_password: str = Field(min_length=1, max_length=1024)


class PasswordReset(_Body):
    token: str = Field(min_length=10, max_length=200)
    new_password: str = Field(min_length=1, max_length=1024)


class SessionsEnding(_Body):
    password: str = Field(min_length=1, max_length=1024, description="the account's current password, again")
    session_id: str | None = Field(
        None, pattern=r"^[0-9a-f]{12}$", description="only this one (from GET /api/account/sessions); else all others"
    )


class EmailChange(_Body):
    password: str = Field(min_length=1, max_length=1024)
    new_email: str = Field(min_length=1, max_length=254)


class PhoneChange(_Body):
    phone: str = Field(min_length=1, max_length=30)


class RoleChange(_Body):
    roles: list[Literal["clerk", "decision_maker", "organ_head", "administrator", "auditor"]] = Field(
        min_length=1, max_length=5, description="the staff member's roles from now on"
    )


class Reason(_Body):
    reason: str = Field(min_length=1, max_length=2000)


class StaffPasswordReset(Reason):
    remove_second_factor: bool = Field(False, description="also remove the authenticator app (a lost phone)")


# -- decision stage, signatures, messages, view access -------------------------------------------------
class PendingTaskRequest(_Body):
    subject: str = Field(min_length=1, max_length=300)
    description: str = Field("", max_length=10000)
    working_days: int = Field(10, ge=1, le=90)


class SignatureRequest(PendingTaskRequest):
    document_id: str = Field(min_length=1, max_length=80)


class HearingProposal(_Body):
    grounds: str = Field(min_length=1, max_length=10000)


class MessageAttachment(_Body):
    filename: str = Field(min_length=1, max_length=255)
    content_type: str = Field(min_length=1, max_length=100)


class TaskAttachment(MessageAttachment):
    # a service's slot instead of the task's own, or the document this file is a new version of
    slot: str | None = Field(None, min_length=1, max_length=80)
    replaces: str | None = Field(None, min_length=1, max_length=40)


class TaskAnswer(_Body):
    text: str = Field("", max_length=20000)
    document_ids: list[str] = Field(default_factory=list, max_length=20)


class SignatureConsent(_Body):
    password: str = Field(min_length=1, max_length=1024)
    accept_statement: bool


class NewMessage(_Body):
    text: str = Field(min_length=1, max_length=20000)
    attachments: list[str] = Field(default_factory=list, max_length=20)


class GeneralMessage(_Body):
    text: str = Field(min_length=1, max_length=20000)
    citizen_id: str | None = Field(None, max_length=80)


class ViewGrant(_Body):
    identifier: str = Field(min_length=1, max_length=254)
    until: date | None = None


class RightsRequest(_Body):
    """A GDPR request (arts. 16-21): its kind, its grounds, and for a rectification the new values."""

    kind: Literal["retificacao", "apagamento", "limitacao", "oposicao"]
    grounds: str = Field(min_length=1, max_length=4000)
    changes: dict[str, Any] | None = None


class RightsExtension(_Body):
    justification: str = Field(min_length=1, max_length=4000)


class RightsAnswer(_Body):
    accepted: bool
    answer: str = Field(min_length=1, max_length=4000)
