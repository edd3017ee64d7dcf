"""Who is who: the two kinds of account and the staff roles, and which roles may do what. The one
place a role tuple is written; the access rule that applies them to a process is
``chalicelib.processes.access``."""

from __future__ import annotations

from enum import StrEnum


class AccountKind(StrEnum):
    CITIZEN = "citizen"  # a citizen or company (requerente), or their representative
    STAFF = "staff"


class Role(StrEnum):
    CLERK = "clerk"
    DECISION_MAKER = "decision_maker"
    ORGAN_HEAD = "organ_head"
    ADMINISTRATOR = "administrator"
    AUDITOR = "auditor"  # reads everything, acts on nothing
    # The municipality's data protection officer: answers the citizens' GDPR requests.
    DATA_PROTECTION_OFFICER = "encarregado_dados"


CITIZEN = AccountKind.CITIZEN
STAFF = AccountKind.STAFF
STAFF_ROLES = tuple(Role)

# Decide (deferir/indeferir), propose a rejection, sign for the municipality.
DECIDING_ROLES = (Role.DECISION_MAKER, Role.ORGAN_HEAD)
# Instruct a process: ask for documents (pendências), signatures, an installment plan.
INSTRUCTING_ROLES = (Role.CLERK, Role.DECISION_MAKER, Role.ORGAN_HEAD)
# Take a process for oneself; grant view access ("vista") to a process.
CLAIMING_ROLES = INSTRUCTING_ROLES
GRANTING_ROLES = INSTRUCTING_ROLES
# Hand a process to a colleague.
ASSIGNING_ROLES = (Role.ORGAN_HEAD, Role.ADMINISTRATOR)
# Record a payment made at the counter.
RECORDING_ROLES = (Role.CLERK, Role.ORGAN_HEAD, Role.ADMINISTRATOR)
# Retry a workflow step that failed (a process in requer_atencao).
RECOVERING_ROLES = (Role.CLERK, Role.DECISION_MAKER, Role.ORGAN_HEAD, Role.ADMINISTRATOR)
# Answer rectification, erasure, restriction and objection requests (GDPR arts. 16-21).
DPO_ROLES = (Role.DATA_PROTECTION_OFFICER,)
# Validate registrations (proof of address).
VALIDATING_ROLES = (Role.CLERK, Role.DECISION_MAKER, Role.ORGAN_HEAD, Role.ADMINISTRATOR)


def holds_any(roles: tuple[str, ...] | list[str], allowed: tuple[str, ...]) -> bool:
    return bool(set(roles) & set(allowed))
