"""Who may see a process and who may act on it: the one rule.

- See: the account that filed it, its requerente's and its representante's accounts, staff of its
  organ, auditors (every organ). Anyone else gets the same 404 as for a process that does not exist.
- Act (staff): staff of its organ holding one of the roles the act needs (``chalicelib.kernel.roles``);
  403 otherwise, and auditors never act.
"""

from __future__ import annotations

from typing import Any

from chalicelib.kernel.errors import Forbidden, NotFound
from chalicelib.kernel.roles import STAFF, Role, holds_any


def filer(process: dict[str, Any]) -> str | None:
    """The account that filed the request (the requerente's, or the representante's)."""
    return process.get("filed_by", process.get("requerente_id"))


def citizens_of(process: dict[str, Any]) -> set[str]:
    return {who for who in (filer(process), process.get("requerente_id"), process.get("representante_id")) if who}


def is_auditor(session: Any) -> bool:
    return session.kind == STAFF and Role.AUDITOR in session.roles


def of_organ(session: Any, organ: str | None) -> bool:
    """Staff of ``organ``."""
    return session.kind == STAFF and bool(session.organ) and session.organ == organ


def may_see(process: dict[str, Any], session: Any) -> bool:
    if session.kind == STAFF:
        return is_auditor(session) or of_organ(session, process.get("service_organ"))
    return session.user_id in citizens_of(process)


def require_visible(process: dict[str, Any], session: Any) -> dict[str, Any]:
    if not may_see(process, session):
        raise NotFound("Processo desconhecido.", field="process_id")
    return process


def require_staff_act(
    process: dict[str, Any], session: Any, roles: tuple[str, ...], action: str, roles_message: str | None = None
) -> dict[str, Any]:
    """``action`` names the act in the 403's message (``O seu perfil não permite {action}.``)."""
    if not of_organ(session, process.get("service_organ")):
        raise Forbidden("Este processo pertence a outro serviço.")
    if not holds_any(session.roles, roles):
        raise Forbidden(roles_message or f"O seu perfil não permite {action}.")
    if process.get("restricted"):
        raise Forbidden(
            "O titular dos dados pediu a limitação do tratamento (RGPD art. 18.º), deferida: o processo "
            "pode ser consultado, não tratado, até o encarregado de proteção de dados a levantar."
        )
    return process
