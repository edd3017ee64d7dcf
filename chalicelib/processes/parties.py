"""Who asks, and how they want to be notified (seeds 001 and 004, "Identificação do requerente/
representante" and "Notificações").

- The requerente is the person, individual (``singular``) or collective (``coletiva``), with standing
  to start the procedure; a collective one says its kind (company, association, festival committee,
  other), each with its own proof of legitimacy (``catalogue.PARTY_SLOTS``).
- A representante acts for the requerente, as legal representative, mandatário, gestor de negócios
  or other (described), with a proof of that quality (except a gestor de negócios, who acts without one).
- Notifications go by post (the default, no consent needed) to the requerente's, the representante's
  or another full address, or electronically only with the explicit consent given for each channel
  (email, phone, ViaCTT electronic mailbox). When nothing is chosen, a request filed online is
  notified the same way (seed 001: "pela mesma via"): through the account that filed it.
"""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from chalicelib.catalogue.service import Service
from chalicelib.kernel.errors import Problems, ValidationFailed
from chalicelib.kernel.identity import normalise_identity_number
from chalicelib.kernel.settings import get_settings

POSTAL_CODES = {"PT": (re.compile(r"^\d{4}-\d{3}$"), "0000-000"), "BR": (re.compile(r"^\d{5}-\d{3}$"), "00000-000")}
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
PHONE = re.compile(r"^\+?[0-9 ]{9,20}$")
CERTIDAO_CODE = re.compile(r"^\d{4}-\d{4}-\d{4}$")  # código de acesso à certidão permanente


class _Party(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Address(_Party):
    street: str = Field(min_length=1, max_length=200)
    postal_code: str = Field(min_length=1, max_length=12)
    locality: str = Field(min_length=1, max_length=100)
    country: str = Field("Portugal", max_length=60)

    @field_validator("postal_code")
    @classmethod
    def _postal_code(cls, value: str) -> str:
        pattern, example = POSTAL_CODES[get_settings().country]
        if not pattern.match(value):
            raise ValueError(f"Código postal completo, no formato {example}.")
        return value


class _Person(_Party):
    type: Literal["singular", "coletiva"] = "singular"
    name: str = Field(min_length=1, max_length=200)
    identity_number: str = Field(min_length=1, max_length=20)
    address: Address | None = None
    email: str | None = Field(None, max_length=254)
    phone: str | None = Field(None, max_length=20)

    @field_validator("identity_number")
    @classmethod
    def _identity_number(cls, value: str) -> str:
        try:
            return normalise_identity_number(value, get_settings().country)
        except ValidationFailed as error:
            raise ValueError(error.message) from None


class Requerente(_Person):
    collective_kind: Literal["empresa", "associacao", "comissao_festas", "outra"] | None = None
    collective_kind_other: str | None = Field(None, max_length=200)
    certidao_code: str | None = Field(None, max_length=20, description="código de acesso à certidão permanente")


class Representante(_Person):
    quality: Literal["representante_legal", "mandatario", "gestor_negocios", "outra"]
    quality_other: str | None = Field(None, max_length=200)


class ElectronicChannel(_Party):
    channel: Literal["email", "phone", "viactt"]
    contact: str = Field(min_length=1, max_length=254)
    consent: bool = False


class Notification(_Party):
    postal: Literal["requerente", "representante", "outra"] | None = None
    postal_address: Address | None = None
    electronic: list[ElectronicChannel] = Field(default_factory=list, max_length=3)


def default_requerente(user: Any) -> dict[str, Any]:
    """The logged-in citizen as requerente, from the account (what a simple request needs)."""
    return {
        "type": "singular",
        "name": user.name,
        "identity_number": user.identity_number,
        "address": None,
        "email": user.email,
        "phone": user.phone,
    }


def facts(requerente: dict[str, Any] | None, representante: dict[str, Any] | None) -> dict[str, Any]:
    """What conditions in the catalogue may test about who asks."""
    requerente = requerente or {}
    return {
        "requerente.type": requerente.get("type"),
        "requerente.collective_kind": requerente.get("collective_kind")
        if requerente.get("type") == "coletiva"
        else None,
        "representante.quality": (representante or {}).get("quality"),
    }


def check_for_submission(
    requerente: dict[str, Any] | None,
    representante: dict[str, Any] | None,
    notification: dict[str, Any] | None,
    filer_identity: str | None,
    problems: Problems,
) -> None:
    """The rules between the parts of who asks and how to notify, each problem named by its path."""
    if not requerente:
        problems.add("requerente", "Identifique o requerente.")
        return
    if requerente.get("type") == "coletiva":
        kind = requerente.get("collective_kind")
        if kind is None:
            problems.add(
                "requerente.collective_kind",
                "Indique o tipo de pessoa coletiva: empresa, associação, comissão de festas ou outra.",
            )
        elif kind == "outra" and not requerente.get("collective_kind_other"):
            problems.add("requerente.collective_kind_other", "Indique que tipo de pessoa coletiva é.")
        code = requerente.get("certidao_code")
        if code and not CERTIDAO_CODE.match(code):
            problems.add("requerente.certidao_code", "Código da certidão permanente no formato 0000-0000-0000.")
    if representante:
        if representante.get("quality") == "outra" and not representante.get("quality_other"):
            problems.add("representante.quality_other", "Indique em que qualidade representa o requerente.")
        if representante.get("identity_number") == requerente.get("identity_number"):
            problems.add("representante.identity_number", "O representante não pode ser o próprio requerente.")
    identities = {requerente.get("identity_number"), (representante or {}).get("identity_number")}
    if filer_identity not in identities:
        problems.add(
            "requerente.identity_number",
            "Quem apresenta o pedido tem de ser o requerente ou o seu representante: identifique-se como representante.",
        )

    notification = notification or {}
    postal = notification.get("postal")
    if postal == "requerente" and not requerente.get("address"):
        problems.add("requerente.address", "Indique a morada do requerente para receber as notificações por correio.")
    elif postal == "representante":
        if not representante:
            problems.add("notification.postal", "Não há representante: escolha outra morada para as notificações.")
        elif not representante.get("address"):
            problems.add(
                "representante.address", "Indique a morada do representante para receber as notificações por correio."
            )
    elif postal == "outra" and not notification.get("postal_address"):
        problems.add(
            "notification.postal_address", "Indique a morada completa, com o código postal, para as notificações."
        )
    seen = set()
    for index, channel in enumerate(notification.get("electronic") or []):
        path = f"notification.electronic.{index}"
        if channel["channel"] in seen:
            problems.add(f"{path}.channel", "Cada meio eletrónico só pode ser indicado uma vez.")
        seen.add(channel["channel"])
        if channel.get("consent") is not True:
            problems.add(
                f"{path}.consent",
                "Só é notificado por meios eletrónicos com o seu consentimento prévio: confirme o consentimento para este meio.",
            )
        contact = channel.get("contact", "")
        if channel["channel"] in ("email", "viactt") and not EMAIL.match(contact):
            problems.add(f"{path}.contact", "Indique um endereço eletrónico válido.")
        if channel["channel"] == "phone" and not PHONE.match(contact):
            problems.add(f"{path}.contact", "Indique um número de telefone válido.")


def notification_record(
    notification: dict[str, Any] | None, consented_at: str, source_ip: str | None
) -> dict[str, Any]:
    """The notification choice as kept with the submitted request: each consent with when and from
    where it was given; nothing chosen → the online account, as the request was filed online."""
    notification = dict(notification or {})
    electronic = [
        {**channel, "consented_at": consented_at, "consented_from": source_ip or "-"}
        for channel in notification.get("electronic") or []
    ]
    chosen = notification.get("postal") or electronic
    return {
        "postal": notification.get("postal"),
        "postal_address": notification.get("postal_address"),
        "electronic": electronic,
        "default": None if chosen else "servicos_online",
    }


def recipient_consent(
    record: dict[str, Any], requerente: dict[str, Any] | None, representante: dict[str, Any] | None
) -> dict[str, Any] | None:
    """The submitted choice in the form ``chalicelib.notifications.delivery.recipient_for_process`` reads:
    the consented electronic channels with their contacts, and the postal address as lines. None
    when nothing was chosen (the account's own, as the request was filed online). ViaCTT has no
    sending channel yet: its consent is recorded, and the post covers it."""
    if record.get("default"):
        return None
    consented = {c["channel"]: c["contact"] for c in record.get("electronic") or [] if c.get("consent") is True}
    electronic = [channel for channel, ours in (("email", "email"), ("sms", "phone")) if ours in consented]
    address = {
        "requerente": (requerente or {}).get("address"),
        "representante": (representante or {}).get("address"),
        "outra": record.get("postal_address"),
    }.get(record.get("postal") or "")
    lines = (
        [address["street"], f"{address['postal_code']} {address['locality']}", address.get("country") or ""]
        if address
        else []
    )
    consent: dict[str, Any] = {"electronic": electronic, "postal_address": [line for line in lines if line]}
    if "email" in consented:
        consent["email"] = consented["email"]
    if "phone" in consented:
        consent["phone"] = consented["phone"]
    return consent


def applicable_slots(service: Service, process: dict[str, Any]) -> list[Any]:
    """The document slots that apply to this request, by its fields and who asks."""
    slots = service.applicable_slots(
        {**facts(process.get("requerente"), process.get("representante")), **process.get("fields", {})}
    )
    if (process.get("requerente") or {}).get("certidao_code"):
        # a company may give the permanent certificate's access code instead of the document
        slots = [slot for slot in slots if slot.slot != "legitimidade_empresa"]
    return slots
