"""Request bodies of the HTTP API. Unknown fields are refused (422, naming the field)."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Login(_Body):
    identifier: str = Field(min_length=1, max_length=254)
    password: str = Field(min_length=1, max_length=1024)


class NewRequest(_Body):
    service_id: str = Field(min_length=1, max_length=80)
    fields: dict[str, Any] = Field(default_factory=dict)


class UploadSlotRequest(_Body):
    slot: str = Field(min_length=1, max_length=80)
    filename: str = Field(min_length=1, max_length=255)
    content_type: str = Field(min_length=1, max_length=100)


class Decision(_Body):
    decision: Literal["deferido", "indeferido"]
    grounds: str = Field(min_length=1, max_length=10000)


class PendingTaskRequest(_Body):
    subject: str = Field(min_length=1, max_length=300)
    description: str = Field("", max_length=10000)
    working_days: int = Field(10, ge=1, le=90)


class SignatureRequest(PendingTaskRequest):
    document_id: str = Field(min_length=1, max_length=80)


class HearingProposal(_Body):
    grounds: str = Field(min_length=1, max_length=10000)


class TaskAttachment(_Body):
    filename: str = Field(min_length=1, max_length=255)
    content_type: str = Field(min_length=1, max_length=100)


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
