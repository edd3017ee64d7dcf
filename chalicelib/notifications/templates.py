"""Every message Balcão sends, and how it is rendered.

The catalogue (``MESSAGES``) names each message, the channels it may go by, who receives it and the
values its templates need (with sample values: the test renders every template with them, and the
local outbox preview uses them). The texts are Jinja2 templates in ``chalicelib/templates/<lang>/``:

- ``<key>.txt``: blocks ``subject``, ``text`` (the plain-text email, also the body of a postal letter)
  and, for messages that may go by SMS, ``sms``. Not escaped: it is plain text.
- ``<key>.html``: the HTML email, extending ``_base.html``; autoescaped, so a value can never inject
  markup into a message.

Languages: ``pt`` (pt-PT, the default) and ``en``. Undefined values raise (``StrictUndefined``): a
template that needs a value its caller does not give fails its test, not in production.

SMS text is folded to the GSM 03.38 alphabet (accents that GSM lacks are dropped: "notificação" →
"notificacao") so that a message fits one 160-character SMS instead of 70 UCS-2 characters.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from chalicelib.kernel.plural import plural
from chalicelib.kernel.roles import CITIZEN, STAFF
from chalicelib.kernel.settings import get_settings
from chalicelib.notifications.gsm import to_gsm

TEMPLATE_DIR = Path(__file__).resolve().parent.parent / "templates"
LANGUAGES = ("pt", "en")
DEFAULT_LANGUAGE = "pt"

EMAIL, SMS, LETTER = "email", "sms", "letter"


@dataclass(frozen=True)
class Message:
    """One kind of message. ``channels``: where it may go (``letter``: a legal notification of a
    process that must reach a requerente without electronic consent by post). ``sample``: a value for
    every variable its templates use."""

    key: str
    description: str
    channels: tuple[str, ...]
    audience: str = CITIZEN
    sample: dict[str, Any] = field(default_factory=dict)


_PROCESS = {
    "name": "Ana Silva",
    "number": "CAMARA 2026/000001",
    "service": "Requerimento genérico",
    "process_url": "http://127.0.0.1:8000/#/processos/p_0123456789abcdef",
}

_TASK = {**_PROCESS, "task": "Envie a planta de localização à escala 1:2000.", "task_deadline": "04/12/2026"}
_STAFF_URL = "http://127.0.0.1:8000/api/staff/processes/CAMARA-2026-000001"
_HEAD = {**{k: _TASK[k] for k in ("number", "service", "task", "task_deadline")}, "name": "Paulo Dirigente"}
_HEAD["staff_url"] = _STAFF_URL

MESSAGES: dict[str, Message] = {
    m.key: m
    for m in (
        # -- accounts (seeds 000, 002, 003) --------------------------------------------------------------
        Message(
            "email_confirmation",
            "Link to confirm the email address given at registration",
            (EMAIL,),
            sample={"name": "Ana Silva", "link": "http://127.0.0.1:8000/confirmar-email?t=abc123", "expires_hours": 24},
        ),
        Message(
            "account_exists",
            "Someone tried to register again with this identity number or email",
            (EMAIL,),
            sample={
                "name": "Ana Silva",
                "login_url": "http://127.0.0.1:8000/entrar",
                "recovery_url": "http://127.0.0.1:8000/recuperar-senha",
            },
        ),
        Message(
            "registration_rejected",
            "Staff rejected a registration, with the reason",
            (EMAIL,),
            sample={"name": "Ana Silva", "reason": "O comprovativo de morada tem mais de 6 meses."},
        ),
        Message(
            "activation_password",
            "Registration validated: username and activation password",
            (EMAIL,),
            sample={
                "name": "Ana Silva",
                "username": "ana.silva",
                "activation_password": "Kx7-pQ2-mW9",
                "login_url": "http://127.0.0.1:8000/entrar",
            },
        ),
        Message(
            "login_code",
            "First-login confirmation code",
            (EMAIL, SMS),
            sample={"name": "Ana Silva", "code": "482913", "minutes": 10},
        ),
        Message(
            "phone_code", "Code confirming a mobile phone number", (SMS,), sample={"code": "731064", "minutes": 10}
        ),
        Message(
            "password_reset",
            "Password recovery link",
            (EMAIL,),
            sample={"name": "Ana Silva", "link": "http://127.0.0.1:8000/nova-senha?t=def456", "expires_minutes": 30},
        ),
        Message(
            "email_change_confirmation",
            "Link confirming a new email address, sent to the new address",
            (EMAIL,),
            sample={"name": "Ana Silva", "link": "http://127.0.0.1:8000/confirmar-email?t=ghi789", "expires_hours": 24},
        ),
        Message(
            "email_changed_notice",
            "The old address is told that the email address changed",
            (EMAIL,),
            sample={"name": "Ana Silva", "new_email": "a***@example.pt"},
        ),
        Message(
            "email_change_requested",
            "The current address is told that a change of email address was asked for",
            (EMAIL,),
            sample={"name": "Ana Silva", "new_email": "a***@example.pt", "expires_hours": 24},
        ),
        Message(
            "staff_password_reset",
            "Staff: an administrator of the organ reset the password; a temporary one to replace",
            (EMAIL,),
            STAFF,
            sample={"name": "Marta Decisora", "temporary_password": "Abcd-Efgh-Jkmn", "expires_days": 3},
        ),
        Message(
            "rights_answer",
            "The data protection officer's answer to a GDPR request, or the extension of its deadline",
            (EMAIL,),
            sample=dict(name="Ana Silva", kind_label="Retificação", filed_on="07/12/2026", outcome="deferido")
            | dict(answer="Corrigida.", due_on=None, kept=[{"label": "Processos", "legal_basis": "CPA"}]),
        ),
        Message(
            "api_key_created",
            "Staff: a personal API key was created for the account",
            (EMAIL,),
            STAFF,
            sample={
                "name": "Marta Decisora",
                "label": "relatório diário",
                "scope": "consulta",
                "expires_on": "07/03/2027",
            },
        ),
        # -- processes (seeds 001, 003, 004) -------------------------------------------------------------
        Message(
            "submission_receipt",
            "Receipt of a submitted request (comprovativo de entrega)",
            (EMAIL, SMS, LETTER),
            sample={
                **_PROCESS,
                "subject": "Ocupação da via pública",
                "submitted_at": "22/11/2026 10:15",
                "decision_deadline": "07/12/2026",
            },
        ),
        Message(
            "payment_reference",
            "Payment reference (Multibanco) for a fee",
            (EMAIL, SMS, LETTER),
            sample={
                **_PROCESS,
                "amount": "86,70 €",
                "entity": "21 312",
                "reference": "123 456 789",
                "due_date": "30/11/2026",
            },
        ),
        Message(
            "payment_receipt",
            "Receipt of a payment",
            (EMAIL, LETTER),
            sample={
                **_PROCESS,
                "amount": "86,70 €",
                "paid_at": "23/11/2026 09:02",
                "description": "Registo de máquina de diversão",
            },
        ),
        Message(
            "draft_expiring",
            "A draft request is about to expire (deleted 30 days after its last save)",
            (EMAIL,),
            sample={
                "name": "Ana Silva",
                "service": "Requerimento genérico",
                "expires_on": "22/12/2026",
                "draft_url": "http://127.0.0.1:8000/#/rascunhos/p_0123456789abcdef",
            },
        ),
        Message(
            "pending_task",
            "Staff ask for documents, information or a signature (pendência)",
            (EMAIL, SMS, LETTER),
            sample={
                **_PROCESS,
                "task": "Envie a planta de localização à escala 1:2000.",
                "task_deadline": "04/12/2026",
            },
        ),
        Message("task_expired", "A pendência expired unanswered: back to staff", (EMAIL, SMS, LETTER), sample=_TASK),
        Message(
            "decision_deadline_passed",
            "The legal decision deadline of the citizen's request passed: the decision is still due",
            (EMAIL, SMS, LETTER),
            sample={**_PROCESS, "decision_deadline": "07/12/2026"},
        ),
        Message(
            "prior_hearing",
            "Proposed rejection: the prior hearing (audiência dos interessados)",
            (EMAIL, SMS, LETTER),
            sample={
                **_PROCESS,
                "grounds": "Falta o comprovativo de insuficiência económica.",
                "hearing_days": 10,
                "hearing_deadline": "09/12/2026",
            },
        ),
        Message(
            "decision",
            "The decision on a request (deferido / indeferido), with grounds",
            (EMAIL, SMS, LETTER),
            sample={
                **_PROCESS,
                "subject": "Ocupação da via pública",
                "decision": "deferido",
                "grounds": "Cumpre todos os requisitos.",
            },
        ),
        Message(
            "signature_request",
            "A document awaits the requerente's signature",
            (EMAIL, SMS, LETTER),
            sample={**_PROCESS, "document_title": "Plano de pagamento em prestações", "sign_deadline": "04/12/2026"},
        ),
        Message(
            "new_message",
            "A new message from a department about a process",
            (EMAIL, SMS, LETTER),
            sample={**_PROCESS, "sender": "Divisão de Águas e Saneamento", "excerpt": "Recebemos a sua resposta e ..."},
        ),
        Message(
            "view_granted",
            "View access (vista) to a process was granted to this citizen",
            (EMAIL,),
            sample={
                "name": "Bruno Costa",
                "number": "CAMARA 2026/000001",
                "service": "Requerimento genérico",
                "until": "31/12/2026",
                "released_url": "http://127.0.0.1:8000/#/processos-liberados/p_0123456789abcdef",
            },
        ),
        # -- staff -----------------------------------------------------------------------------------------
        Message(
            "message_from_citizen",
            "Organ's contact address: a citizen wrote, about a process or in general",
            (EMAIL,),
            STAFF,
            sample={
                "number": "CAMARA 2026/000001",
                "sender": "Ana Silva",
                "about": "processo CAMARA 2026/000001",
                "excerpt": "Junto a planta que faltava.",
                "staff_url": "http://127.0.0.1:8000/api/requests/p_0123456789abcdef/messages",
            },
        ),
        Message(
            "deadline_reminder",
            "Staff: a process's decision deadline is near",
            (EMAIL,),
            STAFF,
            sample={
                "name": "Marta Decisora",
                "number": "CAMARA 2026/000001",
                "service": "Requerimento genérico",
                "decision_deadline": "07/12/2026",
                "working_days_left": 2,
                "staff_url": "http://127.0.0.1:8000/api/staff/processes/CAMARA-2026-000001",
            },
        ),
        Message(
            "deadline_escalation",
            "Organ head: a process's decision deadline was breached",
            (EMAIL,),
            STAFF,
            sample={
                "name": "Paulo Dirigente",
                "number": "CAMARA 2026/000001",
                "service": "Requerimento genérico",
                "decision_deadline": "07/12/2026",
                "working_days_late": 1,
                "assignee": "Marta Decisora",
                "staff_url": "http://127.0.0.1:8000/api/staff/processes/CAMARA-2026-000001",
            },
        ),
        Message("task_expired_staff", "Organ head: a pendência expired unanswered", (EMAIL,), STAFF, sample=_HEAD),
        Message(
            "registration_validation_reminder",
            "Staff: a registration awaits validation",
            (EMAIL,),
            STAFF,
            sample={
                "name": "Rui Atendimento",
                "applicant": "Ana Silva",
                "waiting_working_days": 2,
                "staff_url": "http://127.0.0.1:8000/api/staff/registrations",
            },
        ),
    )
}


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    text: str
    html: str


def common_values(language: str, letter: bool = False) -> dict[str, Any]:
    """What every template may use besides its own values (``letter``: the text goes on paper)."""

    settings = get_settings()
    return {
        "municipality": settings.municipality,
        "portal": settings.public_base_url,
        "lang": language,
        "letter": letter,
    }


@lru_cache(maxsize=1)
def environment() -> Any:
    from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

    env = Environment(
        loader=FileSystemLoader(str(TEMPLATE_DIR)),
        autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False, default=False),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
    )
    # int(): a missing value fails the render (StrictUndefined) instead of reaching plural()
    env.filters["plural"] = lambda count, one, other: plural(int(count), one, other)
    return env


def language_of(value: str | None) -> str:
    """``pt-PT``, ``pt``, ``en-GB``, ``en`` → a language we have; anything else → pt."""
    short = (value or DEFAULT_LANGUAGE).split("-")[0].lower()
    return short if short in LANGUAGES else DEFAULT_LANGUAGE


def _block(template: Any, name: str, values: dict[str, Any]) -> str:
    render = template.blocks.get(name)
    if render is None:
        raise LookupError(f"template {template.name} has no block '{name}'")
    return "".join(render(template.new_context(values))).strip()


def _values(key: str, language: str, values: dict[str, Any], letter: bool = False) -> dict[str, Any]:
    if key not in MESSAGES:
        raise LookupError(f"unknown message '{key}'")
    return {**common_values(language, letter), **values}


def render_email(key: str, language: str, values: dict[str, Any], letter: bool = False) -> RenderedEmail:
    """Subject, plain text and HTML of a message (``letter``: the text without the email's footer)."""
    language = language_of(language)
    context = _values(key, language, values, letter)
    text_template = environment().get_template(f"{language}/{key}.txt")
    subject = " ".join(_block(text_template, "subject", context).split())
    text = _block(text_template, "text", context)
    html = environment().get_template(f"{language}/{key}.html").render({**context, "email_subject": subject})
    return RenderedEmail(subject=subject, text=text + "\n", html=html)


def render_sms(key: str, language: str, values: dict[str, Any]) -> str:
    language = language_of(language)
    template = environment().get_template(f"{language}/{key}.txt")
    return to_gsm(" ".join(_block(template, "sms", _values(key, language, values)).split()))


# -- SMS: the GSM 03.38 alphabet -----------------------------------------------------------------------
