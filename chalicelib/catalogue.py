"""The services catalogue: each service is a data file in ``chalicelib/services/``, validated by
pydantic when loaded (a municipality has hundreds of services; they are data, not code)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from chalicelib.errors import NotFound, ValidationFailed

SERVICES_DIR = Path(__file__).with_name("services")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class FieldSpec(_Strict):
    name: str
    label: str
    type: Literal["text", "textarea", "number", "date", "choice"]
    required: bool = False
    max_length: int | None = None


MIB = 1024 * 1024
DRAWING_FORMATS = ("dwfx", "dwg", "dxf")


class DocumentSlot(_Strict):
    """One document a service asks for. Its size limit is the service's to set; without one, 50 MB,
    or 200 MB where the slot takes drawings (DWFx, DWG, DXF), which are large."""

    slot: str
    label: str
    required: bool = False
    formats: list[Literal["pdf", "dwfx", "dwg", "dxf", "jpeg", "png"]] = Field(min_length=1)
    max_bytes: int = Field(50 * MIB, gt=0, le=200 * MIB)

    @model_validator(mode="before")
    @classmethod
    def _default_size_for_drawings(cls, data: object) -> object:
        if isinstance(data, dict) and "max_bytes" not in data and set(data.get("formats") or ()) & set(DRAWING_FORMATS):
            return {**data, "max_bytes": 200 * MIB}
        return data


class Fees(_Strict):
    amount_eur: float | None = None
    note: str | None = None


class Deadline(_Strict):
    days: int = Field(gt=0)
    kind: Literal["working", "calendar"]


class Service(_Strict):
    id: str
    title: str
    organ: str
    summary: str
    who_may_ask: str
    fields: list[FieldSpec]
    documents: list[DocumentSlot]
    fees: Fees
    decision_deadline: Deadline
    legal_basis: str
    contacts: dict[str, str]
    sections: dict[str, str]

    def slot(self, name: str) -> DocumentSlot:
        for slot in self.documents:
            if slot.slot == name:
                return slot
        raise NotFound(f"O serviço não tem o documento '{name}'.", field="slot")

    def validate_fields(self, values: dict[str, object]) -> dict[str, str]:
        """The request's fields checked against this service: unknown, missing or too long → 422."""
        known = {spec.name: spec for spec in self.fields}
        for name in values:
            if name not in known:
                raise ValidationFailed("Campo desconhecido.", field=f"fields.{name}")
        clean: dict[str, str] = {}
        for spec in self.fields:
            value = values.get(spec.name)
            if value is None or (isinstance(value, str) and not value.strip()):
                if spec.required:
                    raise ValidationFailed(f"{spec.label}: campo obrigatório.", field=f"fields.{spec.name}")
                continue
            if not isinstance(value, str):
                raise ValidationFailed(f"{spec.label}: deve ser texto.", field=f"fields.{spec.name}")
            if spec.max_length and len(value) > spec.max_length:
                raise ValidationFailed(
                    f"{spec.label}: no máximo {spec.max_length} caracteres.", field=f"fields.{spec.name}"
                )
            clean[spec.name] = value.strip()
        return clean


@lru_cache(maxsize=1)
def load_catalogue() -> dict[str, Service]:
    services = {}
    for path in sorted(SERVICES_DIR.glob("*.json")):
        service = Service.model_validate_json(path.read_text(encoding="utf-8"))
        services[service.id] = service
    return services


def get_service(service_id: str) -> Service:
    try:
        return load_catalogue()[service_id]
    except KeyError:
        raise NotFound("Serviço desconhecido.", field="service_id") from None
