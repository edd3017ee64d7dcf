"""Messages between a citizen and an organ, about one process (``process#<id>``) or in general
(``general#<organ>#<citizen id>``), with attachments (files of the process, uploaded like any other).
Staff of the organ reply. Each new message is notified: to the citizen by email, to the organ at the
service's contact address.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from boto3.dynamodb.conditions import Key

from chalicelib.accounts.users import Accounts
from chalicelib.catalogue.service import DocumentSlot, load_catalogue
from chalicelib.correspondence.recipients import recipient_for_process
from chalicelib.correspondence.values import process_values
from chalicelib.documents.store import Documents
from chalicelib.kernel.clock import iso
from chalicelib.kernel.errors import Forbidden, NotFound, ValidationFailed
from chalicelib.kernel.inject import Injected
from chalicelib.kernel.roles import CITIZEN, STAFF
from chalicelib.kernel.settings import get_settings
from chalicelib.kernel.vocabulary import DocumentStatus, ReservedSlot
from chalicelib.notifications.delivery import Notifier
from chalicelib.platform import aws, process_children
from chalicelib.platform.audit import Actor, AuditTrail
from chalicelib.processes.access import is_auditor, of_organ
from chalicelib.processes.table import Processes

if TYPE_CHECKING:
    from chalicelib.accounts.sessions import Session

PUBLIC_FIELDS = ("message_id", "at", "from", "author_name", "text", "attachments", "organ", "process_id")


def public_message(message: dict[str, Any]) -> dict[str, Any]:
    """What a participant (and staff's view of the process) sees of a stored message."""
    return {k: message[k] for k in PUBLIC_FIELDS if k in message}


def attachment_slot() -> Any:
    return DocumentSlot(slot=ReservedSlot.MESSAGE_ATTACHMENT, label="Anexo de mensagem", formats=["pdf", "png", "jpeg"])


class Messages:
    documents = Injected(lambda self: Documents(audit=self.audit))

    def __init__(
        self,
        table: Any = None,
        processes: Processes | None = None,
        documents: Documents | None = None,
        audit: AuditTrail | None = None,
    ):
        self._table = table
        self._documents = documents
        self.audit = audit or AuditTrail()
        self.processes = processes or Processes(audit=self.audit)

    table = Injected(lambda self: aws.table("messages"))

    def thread(self, thread: str) -> list[dict[str, Any]]:
        return [public_message(m) for m in self.thread_items(thread)]

    def thread_items(self, thread: str) -> list[dict[str, Any]]:
        """The thread's stored messages, oldest first (at most 200)."""
        return self.table.query(KeyConditionExpression=Key("thread").eq(thread), Limit=200)["Items"]

    # -- about a process ---------------------------------------------------------------------------
    def process_thread(self, process_id: str, session: Session) -> list[dict[str, Any]]:
        self.processes.get_for(process_id, session)
        return self.thread(f"process#{process_id}")

    def attachment_upload(
        self, process_id: str, session: Session, filename: str, content_type: str, source_ip: str | None
    ) -> dict[str, Any]:
        process = self._participant(process_id, session)
        return self.documents.upload_slot(
            process["process_id"],
            attachment_slot(),
            filename,
            content_type,
            Actor(session.user_id, source_ip),
            listed_with=process_children.document_link(process["process_id"]),
        )

    def _participant(self, process_id: str, session: Session) -> dict[str, Any]:
        process = self.processes.get_for(process_id, session)
        if session.kind == STAFF and (not of_organ(session, process.get("service_organ")) or is_auditor(session)):
            raise Forbidden("Só os serviços do processo lhe respondem.")
        return process

    def send_about_process(
        self, process_id: str, session: Session, text: str, attachments: list[str], source_ip: str | None
    ) -> dict[str, Any]:
        process = self._participant(process_id, session)
        if not text.strip():
            raise ValidationFailed("Escreva a mensagem.", field="text")
        for index, document_id in enumerate(attachments):
            try:
                document = self.documents.get(process_id, document_id)
            except NotFound:
                raise ValidationFailed("Anexo desconhecido.", field=f"attachments.{index}") from None
            if document["slot"] != ReservedSlot.MESSAGE_ATTACHMENT or document["status"] != DocumentStatus.ACCEPTED:
                raise ValidationFailed(
                    "O anexo não foi aceite ou não pertence a uma mensagem.", field=f"attachments.{index}"
                )
        message = self._store(
            f"process#{process_id}", session, text, attachments, process.get("service_organ"), process_id=process_id
        )
        self.audit.record(
            Actor(session.user_id, source_ip),
            "message.sent",
            f"process#{process_id}",
            message_id=message["message_id"],
            by=message["from"],
        )
        self._notify(message, process, session)
        return message

    # -- in general ----------------------------------------------------------------------------------
    def send_general(
        self, session: Session, organ: str, text: str, source_ip: str | None, citizen_id: str | None = None
    ) -> dict[str, Any]:
        """A citizen writes to an organ (no process); staff of the organ answer in the same thread."""
        if organ not in {s.organ for s in load_catalogue().values()}:
            raise ValidationFailed("Serviço municipal desconhecido.", field="organ")
        if not text.strip():
            raise ValidationFailed("Escreva a mensagem.", field="text")
        if session.kind == STAFF:
            if not of_organ(session, organ) or not citizen_id:
                raise Forbidden("Só os serviços destinatários respondem.")
            citizen = Accounts().get(citizen_id)
            if citizen is None or citizen.kind != CITIZEN:  # a colleague, or nobody: no citizen's thread
                raise ValidationFailed("Não há nenhum cidadão com essa identificação.", field="citizen_id")
        else:
            citizen_id = session.user_id
        thread = f"general#{organ}#{citizen_id}"
        message = self._store(thread, session, text, [], organ)
        self.audit.record(
            Actor(session.user_id, source_ip),
            "message.sent",
            f"user#{citizen_id}",
            message_id=message["message_id"],
            organ=organ,
        )
        self._notify(message, {"requerente_id": citizen_id, "service_organ": organ}, session)
        return message

    def general_thread(self, session: Session, organ: str, citizen_id: str | None = None) -> list[dict[str, Any]]:
        if session.kind == STAFF:
            if not of_organ(session, organ) and not is_auditor(session):
                raise Forbidden("Mensagens de outro serviço.")
            if not citizen_id:
                raise ValidationFailed("Indique o cidadão.", field="citizen_id")
        else:
            citizen_id = session.user_id
        return self.thread(f"general#{organ}#{citizen_id}")

    # ------------------------------------------------------------------------------------------------
    def _store(
        self, thread: str, session: Session, text: str, attachments: list[str], organ: str | None, **extra: Any
    ) -> dict[str, Any]:
        at = iso()
        author = Accounts().get(session.user_id)
        message = {
            "thread": thread,
            "message_id": f"{at}#{uuid.uuid4().hex[:8]}",
            "at": at,
            "from": "servicos" if session.kind == STAFF else "requerente",
            "author_id": session.user_id,
            "author_name": author.name if author else "",
            "text": text.strip(),
            "attachments": list(attachments),
            "organ": organ,
            **extra,
        }
        put = {"Item": message, "ConditionExpression": "attribute_not_exists(message_id)"}
        if extra.get("process_id"):  # listed on its process, in the same transaction
            link = process_children.link(extra["process_id"], "messages", message["message_id"])
            self.table.meta.client.transact_write_items(
                TransactItems=[{"Put": {"TableName": self.table.name, **put}}, link]
            )
        else:
            self.table.put_item(**put)
        return message

    def _notify(self, message: dict[str, Any], process: dict[str, Any], session: Session) -> None:
        """The other side is told: the citizen by the process's consent (``new_message``), the organ
        at its services' contact address (``message_from_citizen``). One notification a message."""
        base = get_settings().public_base_url
        process_id = process.get("process_id")
        number = process.get("number") or "-"
        excerpt = message["text"] if len(message["text"]) <= 280 else message["text"][:277] + "..."
        subject = f"process#{process_id}" if process_id else f"user#{process['requerente_id']}"
        key = f"message#{message['thread']}#{message['message_id']}"
        notifier = Notifier(audit=self.audit)
        if session.kind == STAFF:
            # the account that filed the request (its requerente's or representante's), as the process's notices
            citizen = Accounts().get(process.get("filed_by") or process["requerente_id"])
            if citizen is None:
                return
            if process_id:
                values = {
                    **process_values(process, citizen.name),
                    "sender": message["author_name"] or "Serviços municipais",
                    "excerpt": excerpt,
                }
                notifier.notify(
                    recipient_for_process(process, citizen),
                    "new_message",
                    values,
                    key=key,
                    process_id=process_id,
                    organ=process.get("service_organ"),
                )
            else:
                values = {
                    "name": citizen.name,
                    "number": number,
                    "service": process.get("service_organ", ""),
                    "process_url": base,
                    "sender": message["author_name"] or "Serviços municipais",
                    "excerpt": excerpt,
                }
                notifier.email(citizen.email, "new_message", values, subject, key=key)
            return
        # the process's own service's address first (an organ runs several services, each its own contacts)
        services = list(load_catalogue().values())
        contacts = [s.contacts for s in services if s.id == process.get("service_id")]
        contacts += [s.contacts for s in services if s.organ == process.get("service_organ")]
        address = next((c["email"] for c in contacts if c.get("email")), None)
        if address:
            path = (
                f"/api/requests/{process_id}/messages"
                if process_id
                else f"/api/messages/{process.get('service_organ')}?citizen_id={process['requerente_id']}"
            )
            values = {
                "number": number,
                "sender": message["author_name"],
                "excerpt": excerpt,
                "staff_url": base + path,
                "about": f"processo {number}" if process_id else "mensagem geral",
            }
            notifier.email(address, "message_from_citizen", values, subject, key=key)
