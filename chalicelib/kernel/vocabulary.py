"""The words Balcão stores: the statuses of processes, tasks, documents, accounts and payments, the
task kinds, and the slot names the platform reserves. Each is a ``StrEnum`` whose values are the
strings stored in DynamoDB and sent to the web form, so a member is its stored string (``==``,
``json.dumps`` and boto3 all see a ``str``) and nothing stored changes shape.

One name, one meaning: ``"pendente"`` is a process waiting on a pendência (``ProcessStatus.PENDING_TASK``),
a Multibanco reference not yet paid (``PaymentStatus.PENDING``) and the key of the registrations
waiting for staff (``VALIDATION_QUEUE``); each has its own name here.
"""

from __future__ import annotations

from enum import StrEnum


class ProcessStatus(StrEnum):
    """rascunho → submetido → [a_aguardar_pagamento →] em_apreciacao ⇄ (pendente | em_audiencia |
    a_aguardar_assinatura) → deferido | indeferido; documentos_rejeitados when the submitted
    documents fail inspection. From any step of the workflow, requer_atencao when the step failed
    after its retries: the workflow waits there until staff retry the step, and the process goes
    back to the status it had (``attention.status_before``)."""

    DRAFT = "rascunho"
    SUBMITTED = "submetido"
    AWAITING_PAYMENT = "a_aguardar_pagamento"
    AWAITING_DECISION = "em_apreciacao"
    PENDING_TASK = "pendente"  # a pendência: staff asked the citizen for documents or information
    IN_HEARING = "em_audiencia"  # audiência prévia of a proposed rejection
    AWAITING_SIGNATURE = "a_aguardar_assinatura"
    APPROVED = "deferido"
    REJECTED = "indeferido"
    DOCUMENTS_REJECTED = "documentos_rejeitados"
    NEEDS_ATTENTION = "requer_atencao"  # a workflow step failed: staff retry it (processes/step_failures.py)


class TaskKind(StrEnum):
    """What the decision stage asks of the citizen while the workflow waits."""

    PENDENCIA = "pendencia"  # documents or information
    AUDIENCIA = "audiencia"  # audiência dos interessados: the answer to a proposed rejection
    ASSINATURA = "assinatura"  # a signature with the system's electronic signature


class TaskStatus(StrEnum):
    OPEN = "aberta"
    ANSWERED = "respondida"
    EXPIRED = "expirada"


class DocumentStatus(StrEnum):
    AWAITING = "a_aguardar"  # slot issued; the file is not there or not yet inspected
    ACCEPTED = "aceite"
    REJECTED = "rejeitado"


class AccountStatus(StrEnum):
    AWAITING_EMAIL = "aguarda_confirmacao_email"
    AWAITING_VALIDATION = "aguarda_validacao"
    REJECTED = "rejeitado"
    ACTIVE = "ativo"
    LOCKED = "bloqueado"


class SessionScope(StrEnum):
    """What a session lets its holder do: everything, only follow and complete a registration
    awaiting validation, only ask for and enter the first-login code, or (staff at their first login)
    only set up their authenticator app."""

    FULL = "full"
    REGISTRATION = "registration"
    CODE = "code"
    ENROLMENT = "enrolment"


class RegistrationOutcome(StrEnum):
    """What staff decide of a registration (the account_activation workflow's ``outcome``)."""

    APPROVED = "aprovado"
    REJECTED = "rejeitado"


class PaymentStatus(StrEnum):
    PENDING = "pendente"
    PAID = "pago"


class ExportStatus(StrEnum):
    """A download of everything held about a person (access and portability, GDPR arts. 15 and 20)."""

    PREPARING = "a_preparar"
    READY = "pronto"
    FAILED = "falhou"


def export_key(user_id: str, export_id: str) -> str:
    """Where an export's zip is kept in the exports bucket (written by its builder, offered by the API)."""
    return f"exportacoes/{user_id}/{export_id}.zip"


class ReservedSlot(StrEnum):
    """Document slots the platform fills itself, beside the service's own slots."""

    MESSAGE_ATTACHMENT = "mensagem"
    SIGNED = "assinado"
    PAYMENT_PLAN = "plano_pagamento"


# The key of the sparse index of registrations waiting for staff (users.validation_queue).
VALIDATION_QUEUE = "pendente"

DECISIONS = (ProcessStatus.APPROVED, ProcessStatus.REJECTED)

# The process's status while the workflow waits for the citizen on each kind of task.
TASK_PROCESS_STATUS = {
    TaskKind.PENDENCIA: ProcessStatus.PENDING_TASK,
    TaskKind.AUDIENCIA: ProcessStatus.IN_HEARING,
    TaskKind.ASSINATURA: ProcessStatus.AWAITING_SIGNATURE,
}
TASK_STATUSES = tuple(TASK_PROCESS_STATUS.values())

# In course: submitted and not decided (staff may claim or assign these).
OPEN_STATUSES = (
    ProcessStatus.SUBMITTED,
    ProcessStatus.AWAITING_PAYMENT,
    ProcessStatus.AWAITING_DECISION,
    *TASK_STATUSES,
    ProcessStatus.NEEDS_ATTENTION,
    ProcessStatus.DOCUMENTS_REJECTED,
)
# The workflow still runs towards a decision (a process whose documents were refused has stopped).
WORKFLOW_RUNNING = tuple(s for s in OPEN_STATUSES if s != ProcessStatus.DOCUMENTS_REJECTED)
# The legal decision deadline is watched (reminders, escalation) once the fee, if any, is paid.
DEADLINE_WATCHED = tuple(s for s in WORKFLOW_RUNNING if s != ProcessStatus.AWAITING_PAYMENT)


def organ_status(organ: str, status: str) -> str:
    """The staff queue index's key (``by_organ_status_deadline``) for a process of ``organ`` in ``status``."""
    return f"{organ}#{status}"
