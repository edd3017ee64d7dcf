"""The services catalogue: each service is a data file in ``chalicelib/services/``, validated by
pydantic when loaded and in the tests (a municipality has hundreds of services; they are data, not code).

A service says what it is for, who may ask, its fields (typed, some only under conditions on other
fields), its documents (some only for some options; formats and maximum size), its fee (an amount, or
"to be defined"), its decision deadline, legal basis, contacts and the informative sections the
municipal pages show ("Como realizar", "O que devo saber", "Custo", "Prazo"). Rules a service's data
can express (e.g. an installment plan's limits) are checked here too, on the server.

Besides a service's own documents, every request may need the proofs of who asks: the requerente's
legitimacy when it is a collective person, and the representante's quality (``PARTY_SLOTS``).
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from chalicelib.catalogue.fields import convert_field
from chalicelib.kernel.errors import NotFound, Problems
from chalicelib.kernel.settings import get_settings

SERVICES_DIR = Path(__file__).resolve().parent.parent / "services"
REQUIRED_SECTIONS = ("Como realizar", "O que devo saber", "Custo", "Prazo")
SERVICE_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Condition(_Strict):
    """Applies only when ``field`` has one of ``one_of`` (every condition of a ``when`` list must
    hold). ``field`` is a field of the service, or a fact about who asks: ``requerente.type``,
    ``requerente.collective_kind``, ``representante.quality``."""

    field: str
    one_of: list[str | bool] = Field(min_length=1)


class Option(_Strict):
    value: str
    label: str


class FieldSpec(_Strict):
    name: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    label: str
    type: Literal["text", "textarea", "integer", "money", "date", "choice", "boolean", "postal_code", "nif"]
    required: bool = False
    hint: str | None = None
    max_length: int | None = Field(None, gt=0)
    min: Decimal | None = None
    max: Decimal | None = None
    pattern: str | None = None
    pattern_message: str | None = None
    options: list[Option] = Field(default_factory=list)
    when: list[Condition] = Field(default_factory=list)

    @model_validator(mode="after")
    def _consistent(self) -> FieldSpec:
        if (self.type == "choice") != bool(self.options):
            raise ValueError(f"{self.name}: 'options' is for (and required by) choice fields")
        if (self.min is not None or self.max is not None) and self.type not in ("integer", "money"):
            raise ValueError(f"{self.name}: min/max are for integer and money fields")
        if self.pattern:
            re.compile(self.pattern)
        return self


MIB = 1024 * 1024
DRAWING_FORMATS = ("dwfx", "dwg", "dxf")


class DocumentSlot(_Strict):
    """One document a service asks for. Its size limit is the service's to set; without one, 50 MB,
    or 200 MB where the slot takes drawings (DWFx, DWG, DXF), which are large."""

    slot: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    label: str
    required: bool = False
    hint: str | None = None
    formats: list[Literal["pdf", "dwfx", "dwg", "dxf", "jpeg", "png"]] = Field(min_length=1)
    max_bytes: int = Field(50 * MIB, gt=0, le=200 * MIB)
    when: list[Condition] = Field(default_factory=list)

    @model_validator(mode="before")
    @classmethod
    def _default_size_for_drawings(cls, data: object) -> object:
        if isinstance(data, dict) and "max_bytes" not in data and set(data.get("formats") or ()) & set(DRAWING_FORMATS):
            return {**data, "max_bytes": 200 * MIB}
        return data


class Fees(_Strict):
    """``none``: no fee; ``fixed``: ``amount_eur`` is due (a Multibanco reference is issued at
    submission); ``to_be_defined``: the municipality sets it later ("a definir")."""

    kind: Literal["none", "fixed", "to_be_defined"] = "none"
    amount_eur: Decimal | None = Field(None, gt=0, max_digits=8, decimal_places=2)
    note: str | None = None
    pay_before_decision: bool = False

    @model_validator(mode="after")
    def _consistent(self) -> Fees:
        if (self.kind == "fixed") != (self.amount_eur is not None):
            raise ValueError("fees: a fixed fee has an amount_eur, and only a fixed fee has one")
        if self.pay_before_decision and self.kind != "fixed":
            raise ValueError("fees: only a fixed fee can be required before the decision")
        return self

    @property
    def amount_cents(self) -> int | None:
        return int(self.amount_eur * 100) if self.amount_eur is not None else None


class Deadline(_Strict):
    days: int = Field(gt=0)
    kind: Literal["working", "calendar"]


class InstallmentOption(_Strict):
    label: str
    max_count: int = Field(gt=0, le=120)
    min_amount_eur: Decimal | None = Field(None, gt=0)


class InstallmentRules(_Strict):
    """A debt paid in monthly installments: which fields hold the debt, the number of installments and
    the chosen option, each option's limits, and the day of the month each installment is due by."""

    debt_field: str
    count_field: str
    option_field: str
    due_day: int = Field(ge=1, le=28)
    options: dict[str, InstallmentOption]


class Service(_Strict):
    id: str = Field(pattern=SERVICE_ID.pattern)
    title: str
    group: str | None = None
    organ: str
    summary: str
    who_may_ask: str
    keywords: list[str] = Field(default_factory=list)
    fields: list[FieldSpec]
    documents: list[DocumentSlot]
    fees: Fees
    decision_deadline: Deadline
    legal_basis: str
    contacts: dict[str, str]
    sections: dict[str, str]
    installments: InstallmentRules | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Service:
        names = [spec.name for spec in self.fields]
        if len(set(names)) != len(names):
            raise ValueError("two fields share a name")
        slots = [slot.slot for slot in self.documents] + [slot.slot for slot in PARTY_SLOTS]
        if len(set(slots)) != len(slots):
            raise ValueError("two document slots share a name (or reuse a party slot's)")
        specs = {spec.name: spec for spec in self.fields}
        conditions = [(s.name, c) for s in self.fields for c in s.when] + [
            (d.slot, c) for d in self.documents for c in d.when
        ]
        for owner, condition in conditions:
            if condition.field in PARTY_FACTS:
                if not set(condition.one_of) <= set(PARTY_FACTS[condition.field]):
                    raise ValueError(f"{owner}: condition on {condition.field} names an unknown value")
                continue
            target = specs.get(condition.field)
            if target is None or target.type not in ("choice", "boolean"):
                raise ValueError(f"{owner}: condition on unknown or non-choice field {condition.field!r}")
            allowed = {o.value for o in target.options} if target.type == "choice" else {True, False}
            if not set(condition.one_of) <= allowed:
                raise ValueError(f"{owner}: condition on {condition.field} names a value it cannot take")
        missing = [name for name in REQUIRED_SECTIONS if not self.sections.get(name)]
        if missing:
            raise ValueError(f"sections missing: {', '.join(missing)}")
        if self.installments:
            rules = self.installments
            for name, kind in (
                (rules.debt_field, "money"),
                (rules.count_field, "integer"),
                (rules.option_field, "choice"),
            ):
                if name not in specs or specs[name].type != kind:
                    raise ValueError(f"installments: {name} must be a {kind} field")
            if {o.value for o in specs[rules.option_field].options} != set(rules.options):
                raise ValueError("installments: the options must be the option field's values")
        return self

    # -- documents -----------------------------------------------------------------------------
    def all_slots(self) -> list[DocumentSlot]:
        return [*self.documents, *PARTY_SLOTS]

    def slot(self, name: str) -> DocumentSlot:
        for slot in self.all_slots():
            if slot.slot == name:
                return slot
        raise NotFound(f"O serviço não tem o documento '{name}'.", field="slot")

    def applicable_slots(self, facts: dict[str, Any]) -> list[DocumentSlot]:
        """The document slots that apply to a request with these facts (its fields and who asks)."""
        return [slot for slot in self.all_slots() if applies(slot.when, facts)]

    # -- fields --------------------------------------------------------------------------------
    def validate_fields(
        self, values: dict[str, Any], partial: bool = False, facts: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        """The request's fields checked against this service, every error at once (422).

        ``partial``: a draft being filled in: types and limits are checked, missing required fields
        are not, and fields whose condition does not hold are kept (the citizen may switch back).
        Otherwise (submission) required fields must be there and fields that do not apply are dropped.
        """
        problems = Problems()
        known = {spec.name: spec for spec in self.fields}
        for name in values:
            if name not in known:
                problems.add(f"fields.{name}", "Campo desconhecido.")
        clean: dict[str, Any] = {}
        for spec in self.fields:
            value = values.get(spec.name)
            if value is None or (isinstance(value, str) and not value.strip()):
                continue
            try:
                clean[spec.name] = convert_field(spec, value)
            except ValueError as error:
                problems.add(f"fields.{spec.name}", f"{spec.label}: {error}")
        if not partial:
            context = {**(facts or {}), **clean}
            for spec in self.fields:
                if not applies(spec.when, context):
                    clean.pop(spec.name, None)
                elif spec.required and spec.name not in clean and f"fields.{spec.name}" not in dict(problems.errors):
                    problems.add(f"fields.{spec.name}", f"{spec.label}: campo obrigatório.")
        problems.raise_if_any()
        return clean

    def summary_card(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "group": self.group,
            "organ": self.organ,
            "summary": self.summary,
            "fees": self.fees.model_dump(),
            "decision_deadline": self.decision_deadline.model_dump(),
        }

    def public_page(self) -> dict[str, Any]:
        page = self.model_dump(exclude_none=False)
        page["party_documents"] = [slot.model_dump() for slot in PARTY_SLOTS]
        return page


# Facts about who asks that conditions may test, with the values they take.
PARTY_FACTS: dict[str, tuple[str | bool, ...]] = {
    "requerente.type": ("singular", "coletiva"),
    "requerente.collective_kind": ("empresa", "associacao", "comissao_festas", "outra"),
    "representante.quality": ("representante_legal", "mandatario", "gestor_negocios", "outra"),
}

# Proofs of who asks (seeds 001 and 004, "documentos comprovativos da legitimidade" and "da qualidade
# de representante"). An individual authenticated online needs none; a gestor de negócios acts
# without a mandate, so has none to show.
PARTY_SLOTS = [
    DocumentSlot(
        slot="legitimidade_empresa",
        label="Certidão do registo comercial (ou indique o código da certidão permanente)",
        formats=["pdf"],
        required=True,
        when=[Condition(field="requerente.collective_kind", one_of=["empresa"])],
    ),
    DocumentSlot(
        slot="legitimidade_associacao",
        label="Ata de tomada de posse da Direção, ou ata ou declaração com poderes (secções ou grupos)",
        formats=["pdf"],
        required=True,
        when=[Condition(field="requerente.collective_kind", one_of=["associacao"])],
    ),
    DocumentSlot(
        slot="legitimidade_comissao_festas",
        label="Comprovativo da condição de festeiro ou membro da Comissão de Festas",
        formats=["pdf"],
        required=True,
        when=[Condition(field="requerente.collective_kind", one_of=["comissao_festas"])],
    ),
    DocumentSlot(
        slot="legitimidade_outra",
        label="Documento de identificação fiscal da pessoa coletiva e comprovativo de legitimidade",
        formats=["pdf"],
        required=True,
        when=[Condition(field="requerente.collective_kind", one_of=["outra"])],
    ),
    DocumentSlot(
        slot="qualidade_representante",
        label="Documento comprovativo da qualidade de representante (procuração, mandato ou outro)",
        formats=["pdf"],
        required=True,
        when=[Condition(field="representante.quality", one_of=["representante_legal", "mandatario", "outra"])],
    ),
]


def applies(conditions: list[Condition], facts: dict[str, Any]) -> bool:
    return all(facts.get(condition.field) in condition.one_of for condition in conditions)


@lru_cache(maxsize=1)
def load_catalogue() -> dict[str, Service]:
    services = {}
    for path in sorted(SERVICES_DIR.glob("*.json")):
        service = _read(path)
        if service.id != path.stem:
            raise ValueError(f"{path.name}: a service file is named after its id ({service.id}.json)")
        services[service.id] = service
    return services


@lru_cache(maxsize=256)
def get_service(service_id: str) -> Service:
    """One service, reading only its own file (``<id>.json``): a request about one service does not
    pay for validating hundreds."""
    path = SERVICES_DIR / f"{service_id}.json"
    if not SERVICE_ID.match(service_id) or not path.is_file():
        raise NotFound("Serviço desconhecido.", field="service_id")
    return _read(path)


def _read(path: Path) -> Service:
    """A service's file, its organ named as this municipality names it (setting ``organ_codes``)."""
    service = Service.model_validate_json(path.read_text(encoding="utf-8"))
    organ = get_settings().organ_codes.get(service.organ)
    return service.model_copy(update={"organ": organ}) if organ else service


# -- search --------------------------------------------------------------------------------------
def _words(text: str) -> list[str]:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return re.findall(r"[a-z0-9]+", plain)


@lru_cache(maxsize=1)
def _index() -> list[tuple[Service, set[str], set[str]]]:
    index = []
    for service in load_catalogue().values():
        title = set(_words(f"{service.title} {service.group or ''} {' '.join(service.keywords)}"))
        body = set(
            _words(
                " ".join(
                    [
                        service.summary,
                        service.who_may_ask,
                        service.legal_basis,
                        *service.sections.values(),
                        *(spec.label for spec in service.fields),
                        *(slot.label for slot in service.documents),
                    ]
                )
            )
        )
        index.append((service, title, body | title))
    return index


def search(query: str) -> list[Service]:
    """Services matching every word of ``query`` (accents and case ignored; a word matches the start
    of a word, so ``maquina`` finds "máquinas"), those matching in the title first."""
    terms = [term for term in _words(query) if len(term) >= 2]
    if not terms:
        return list(load_catalogue().values())
    ranked = []
    for position, (service, title, everything) in enumerate(_index()):
        if all(any(word.startswith(term) for word in everything) for term in terms):
            in_title = sum(any(word.startswith(term) for word in title) for term in terms)
            ranked.append((-in_title, position, service))
    return [service for _, _, service in sorted(ranked, key=lambda r: (r[0], r[1]))]
