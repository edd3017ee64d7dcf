""" "Who saw my data": every reading by staff of a citizen's process, its documents, messages and
notifications, or of their account, is written to the audit trail under the citizen's own subject
(``reads#user#<id>``, one event per citizen the data is about: the requerente, the representante, the
filer), so that the citizen lists them on the account page, and per process on the process page, with
one Query. Who is named by role and organ (the staff member's own name stays in the audit trail, for
the auditors); what by a code and its words.

Kept apart from the process's own subject (``process#<id>``) so that readings never crowd the steps of
a process out of its timeline.
"""

from __future__ import annotations

from typing import Any

from boto3.dynamodb.conditions import Key

from chalicelib.kernel.inject import Injected
from chalicelib.kernel.roles import STAFF
from chalicelib.platform.audit import Actor, AuditTrail
from chalicelib.processes.access import citizens_of

READ_ACTION = "data.read"
READS_PREFIX = "reads#user#"
LISTED = 200

# What was read, in the citizen's words.
WHAT_LABELS = {
    "process": "Dados do processo (pedido, partes, documentos, histórico)",
    "document": "Documento",
    "document_data": "Dados de um documento",
    "receipt": "Comprovativo de submissão",
    "messages": "Mensagens do processo",
    "notifications": "Notificações enviadas",
    "letter": "Carta a enviar pelo correio (nome e morada)",
    "registration": "Dados do registo e comprovativo de morada",
    "registration_queue": "Lista de registos a validar (nome, identificação, contactos)",
}
ROLE_LABELS = {
    "clerk": "Técnico(a)",
    "decision_maker": "Decisor(a)",
    "organ_head": "Dirigente",
    "administrator": "Administrador(a)",
    "auditor": "Auditor(a)",
}


def reads_subject(user_id: str) -> str:
    return f"{READS_PREFIX}{user_id}"


class DataAccessLog:
    def __init__(self, audit: AuditTrail | None = None):
        self._audit = audit

    audit = Injected(lambda self: AuditTrail())

    def process_read(
        self,
        session: Any,
        process: dict[str, Any],
        what: str,
        source_ip: str | None,
        also: tuple[dict[str, Any], ...] = (),
        **details: Any,
    ) -> None:
        """A staff member read ``what`` of ``process``: one event for each citizen it is about, written
        with the events ``also`` (``AuditTrail.event``) in one call. Citizens reading their own process
        are not recorded here."""
        citizens = sorted(citizens_of(process))
        ids = {"process_id": process["process_id"], "number": process.get("number")}
        self.accounts_read(session, citizens, what, source_ip, also, **ids, **details)

    def account_read(
        self,
        session: Any,
        user_id: str,
        what: str,
        source_ip: str | None,
        also: tuple[dict[str, Any], ...] = (),
        **details: Any,
    ) -> None:
        self.accounts_read(session, [user_id], what, source_ip, also, **details)

    def accounts_read(
        self,
        session: Any,
        user_ids: list[str],
        what: str,
        source_ip: str | None,
        also: tuple[dict[str, Any], ...] = (),
        **details: Any,
    ) -> None:
        """A staff member read ``what`` of these citizens' data: one event for each, written with the
        events ``also`` in one call (only ``also`` for a citizen's own reading)."""
        readings = [self._event(session, u, what, source_ip, **details) for u in user_ids if session.kind == STAFF]
        self.audit.record_all([*also, *readings])

    def _event(self, session: Any, citizen_id: str, what: str, source_ip: str | None, **details: Any) -> dict:
        return self.audit.event(
            Actor(session.user_id, source_ip),
            READ_ACTION,
            reads_subject(citizen_id),
            what=what,
            roles=sorted(session.roles),
            organ=session.organ,
            **details,
        )

    def for_citizen(self, user_id: str, process_id: str | None = None) -> list[dict[str, Any]]:
        """Who read this citizen's data (of one process, with ``process_id``), newest first."""
        items = self.audit.table.query(
            KeyConditionExpression=Key("subject").eq(reads_subject(user_id)), ScanIndexForward=False, Limit=LISTED
        )["Items"]
        return [
            public_read(item)
            for item in items
            if process_id is None or item.get("details", {}).get("process_id") == process_id
        ]


def public_read(event: dict[str, Any]) -> dict[str, Any]:
    """A reading as the citizen sees it: when, which role of which organ, what; never who by name nor
    from where."""
    details = event.get("details", {})
    roles = [r for r in details.get("roles", []) if r in ROLE_LABELS]
    entry = {
        "at": event["at"],
        "roles": roles,
        "role_label": ", ".join(ROLE_LABELS[r] for r in roles) or "Serviços municipais",
        "organ": details.get("organ"),
        "what": details.get("what"),
        "what_label": WHAT_LABELS.get(details.get("what"), details.get("what")),
    }
    for key in ("process_id", "number", "filename"):
        if details.get(key):
            entry[key] = details[key]
    return entry
