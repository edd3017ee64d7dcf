"""Request bodies of the HTTP API. Unknown fields are refused (422, naming the field)."""

from __future__ import annotations

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
    replaces: str | None = Field(None, min_length=1, max_length=40)  # the document this file is a new version of


class Decision(_Body):
    decision: Literal["deferido", "indeferido"]
    grounds: str = Field(min_length=1, max_length=10000)
