"""Rectification, erasure, restriction and objection (GDPR arts. 16, 17, 18 and 21): the citizen asks
from the account page or the API, with their grounds; the request waits in the municipality's
data-protection queue for its data protection officer (role ``encarregado_dados``), who answers within
one month of receipt, extendable by two more months when justified, the citizen being told of the
extension and its reasons (GDPR art. 12(3)).

The answer (accepted or refused, with its text) always says what the law keeps regardless: the
records of chalicelib/retention.json that a legal basis other than consent requires the municipality
to keep (``kept_by_law``).

Accepted:
- rectification applies the asked changes (name, address, phone) to the account, audited with the
  old and new values, in one transaction with the request's decision;
- restriction marks the account ``restricted``: while it stands, staff may read and keep its
  processes but not act on them (no claim, assignment, pendência, decision);
- objection is recorded and answered (the processing the municipality must do by law goes on);
- erasure cannot be accepted yet (409, the request stays in the queue): carrying it out everywhere the
  data is stored is not built, and a citizen must never be told "deferido" while their data stays.

Restricted means: the account and its processes carry ``restricted``; staff still see them (storage
is allowed, art. 18(2)) but every act on such a process (claim, assignment, pendência, decision,
signature: ``require_staff_act``) is refused with a 403 saying why.
"""

from __future__ import annotations

import calendar
import json
import uuid
from datetime import date
from pathlib import Path
from typing import Any

from boto3.dynamodb.conditions import Key

from chalicelib.kernel.clock import iso, now
from chalicelib.kernel.errors import Conflict, Forbidden, NotFound, ValidationFailed
from chalicelib.kernel.inject import Injected
from chalicelib.kernel.roles import DPO_ROLES, STAFF, holds_any
from chalicelib.notifications.delivery import Notifier
from chalicelib.notifications.templates import EMAIL
from chalicelib.platform import aws
from chalicelib.platform.audit import Actor, AuditTrail

KINDS = {
    "retificacao": "Retificação (RGPD art. 16.º)",
    "apagamento": "Apagamento (RGPD art. 17.º)",
    "limitacao": "Limitação do tratamento (RGPD art. 18.º)",
    "oposicao": "Oposição (RGPD art. 21.º)",
}
OPEN, EXTENDED, ACCEPTED, REFUSED = "aberto", "prorrogado", "deferido", "indeferido"
QUEUE = "rgpd"  # the index partition of requests awaiting an answer
RECTIFIABLE = ("name", "address", "phone")
ADDRESS_FIELDS = ("street", "postal_code", "locality")
MAX_TEXT = 4000
RETENTION = Path(__file__).resolve().parent.parent / "retention.json"


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later, or the month's last day when it has none (31 Jan + 1 = 28/29 Feb)."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def kept_by_law() -> list[dict[str, str]]:
    """What the municipality keeps whatever the answer: every record kind whose legal basis is not the
    limitation of storage alone (drafts, sessions and the like go; processes, documents, audit stay)."""
    records = json.loads(RETENTION.read_text())["records"]
    kept = []
    for kind, record in records.items():
        basis = record["legal_basis"]
        if basis.startswith("RGPD art. 5.º, n.º 1, al. e)") or kind == "exports":
            continue
        kept.append({"kind": kind, "label": record["label"], "legal_basis": basis})
    return kept


def _text(body: dict[str, Any], name: str, what: str) -> str:
    value = body.get(name)
    if not isinstance(value, str) or not value.strip():
        raise ValidationFailed(f"Indique {what}.", field=name)
    if len(value) > MAX_TEXT:
        raise ValidationFailed(f"O texto tem no máximo {MAX_TEXT} caracteres.", field=name)
    return value.strip()


def _changes(body: dict[str, Any]) -> dict[str, Any]:
    changes = body.get("changes")
    if not isinstance(changes, dict) or not changes:
        raise ValidationFailed("Indique os dados a corrigir (nome, morada ou telefone).", field="changes")
    unknown = sorted(set(changes) - set(RECTIFIABLE))
    if unknown:
        raise ValidationFailed(f"Não é possível retificar aqui: {', '.join(unknown)}.", field=f"changes.{unknown[0]}")
    clean: dict[str, Any] = {}
    for name, value in changes.items():
        if name == "address":
            if not isinstance(value, dict) or set(value) - set(ADDRESS_FIELDS):
                raise ValidationFailed("A morada tem rua, código postal e localidade.", field="changes.address")
            for part in ADDRESS_FIELDS:
                if not isinstance(value.get(part), str) or not value[part].strip():
                    raise ValidationFailed("Indique a morada completa.", field=f"changes.address.{part}")
            clean[name] = {part: value[part].strip() for part in ADDRESS_FIELDS}
        elif not isinstance(value, str) or not value.strip() or len(value) > 200:
            raise ValidationFailed("Indique o novo valor.", field=f"changes.{name}")
        else:
            clean[name] = value.strip()
    return clean


class DataRights:
    table = Injected(lambda self: aws.table("rights_requests"))
    users = Injected(lambda self: aws.table("users"))

    def __init__(self, table: Any = None, users: Any = None, audit: AuditTrail | None = None):
        self._table, self._users = table, users
        self.audit = audit or AuditTrail()

    # The citizen's side ------------------------------------------------------------------------

    def file(self, user_id: str, body: dict[str, Any], source_ip: str | None = None) -> dict[str, Any]:
        kind = body.get("kind")
        if kind not in KINDS:
            raise ValidationFailed(f"Escolha o direito a exercer: {', '.join(KINDS)}.", field="kind")
        grounds = _text(body, "grounds", "os fundamentos do pedido")
        moment = now()
        item: dict[str, Any] = {
            "request_id": uuid.uuid4().hex,
            "user_id": user_id,
            "kind": kind,
            "grounds": grounds,
            "status": OPEN,
            "filed_at": iso(moment),
            "due_on": add_months(moment.date(), 1).isoformat(),
            "queue": QUEUE,
        }
        if kind == "retificacao":
            item["changes"] = _changes(body)
        self.table.meta.client.transact_write_items(
            TransactItems=[
                {"Put": {"TableName": self.table.name, "Item": item}},
                self.audit.put(
                    Actor(user_id, source_ip),
                    "rights.requested",
                    f"rights#{user_id}",
                    request_id=item["request_id"],
                    kind=kind,
                ),
            ]
        )
        return public(item)

    def of(self, user_id: str) -> list[dict[str, Any]]:
        items = self.table.query(
            IndexName="by_user", KeyConditionExpression=Key("user_id").eq(user_id), ScanIndexForward=False
        )["Items"]
        return [public(item) for item in items]

    # The data protection officer's side ---------------------------------------------------------

    def _officer(self, session: Any) -> None:
        if session.kind != STAFF or not holds_any(session.roles, DPO_ROLES):
            raise Forbidden("Só o encarregado de proteção de dados responde a estes pedidos.")

    def queue(self, session: Any) -> list[dict[str, Any]]:
        """Requests awaiting an answer, the nearest deadline first."""
        self._officer(session)
        items = self.table.query(IndexName="by_queue", KeyConditionExpression=Key("queue").eq(QUEUE))["Items"]
        return [public(item, staff=True) for item in items]

    def _open(self, request_id: str) -> dict[str, Any]:
        item = self.table.get_item(Key={"request_id": request_id}, ConsistentRead=True).get("Item")
        if item is None:
            raise NotFound("Pedido não encontrado.")
        if item["status"] not in (OPEN, EXTENDED):
            raise Conflict("Este pedido já foi respondido.", current=public(item, staff=True))
        return item

    def extend(self, session: Any, request_id: str, body: dict[str, Any], source_ip: str | None = None) -> dict:
        """Two more months (art. 12(3)), once, with the reasons the citizen is told."""
        self._officer(session)
        justification = _text(body, "justification", "a justificação da prorrogação")
        item = self._open(request_id)
        if item["status"] == EXTENDED:
            raise Conflict("O prazo deste pedido já foi prorrogado (no máximo dois meses).", field="justification")
        due = add_months(date.fromisoformat(item["due_on"]), 2).isoformat()
        self.audit.with_change(
            {
                "Key": {"request_id": request_id},
                "UpdateExpression": "SET #s = :extended, due_on = :due, extension = :why",
                "ConditionExpression": "#s = :open",
                "ExpressionAttributeNames": {"#s": "status"},
                "ExpressionAttributeValues": {":extended": EXTENDED, ":due": due, ":why": justification, ":open": OPEN},
            },
            self.table,
            self.audit.put(
                Actor(session.user_id, source_ip), "rights.extended", f"rights#{item['user_id']}", request_id=request_id
            ),
        )
        extended = {**public(item), "status": EXTENDED, "due_on": due, "extension": justification}
        self._tell(item, "prorrogado o prazo", justification, due_on=due)
        return extended

    def decide(self, session: Any, request_id: str, body: dict[str, Any], source_ip: str | None = None) -> dict:
        self._officer(session)
        accepted = body.get("accepted")
        if not isinstance(accepted, bool):
            raise ValidationFailed("Indique se o pedido é deferido (true) ou indeferido (false).", field="accepted")
        answer = _text(body, "answer", "a resposta ao cidadão")
        item = self._open(request_id)
        if accepted and item["kind"] == "apagamento":
            # Never tell a citizen "deferido" while their data stays: until erasure is carried out by
            # the app, an erasure request stays in the queue (or is refused with its reasons).
            raise Conflict(
                "O apagamento ainda não é executado pelo balcão: o pedido continua na fila até o ser.",
                field="accepted",
            )
        decided = {
            "status": ACCEPTED if accepted else REFUSED,
            "answer": answer,
            "answered_at": iso(now()),
            "kept_by_law": kept_by_law(),
        }
        actor = Actor(session.user_id, source_ip)
        client = self.table.meta.client
        writes: list[dict[str, Any]] = [
            {
                "Update": {
                    "TableName": self.table.name,
                    "Key": {"request_id": request_id},
                    "UpdateExpression": "SET #s = :s, answer = :a, answered_at = :t, kept_by_law = :k REMOVE #q",
                    "ConditionExpression": "#s IN (:open, :extended)",
                    "ExpressionAttributeNames": {"#s": "status", "#q": "queue"},
                    "ExpressionAttributeValues": {
                        ":s": decided["status"],
                        ":a": answer,
                        ":t": decided["answered_at"],
                        ":k": decided["kept_by_law"],
                        ":open": OPEN,
                        ":extended": EXTENDED,
                    },
                }
            },
            self.audit.put(
                actor, "rights.answered", f"rights#{item['user_id']}", request_id=request_id, accepted=accepted
            ),
        ]
        if accepted:
            writes.extend(self._carry_out(item, actor))
        client.transact_write_items(TransactItems=writes)
        if accepted and item["kind"] == "limitacao":
            self._restrict_processes(item["user_id"])
        self._tell(item, decided["status"], answer, kept=decided["kept_by_law"])
        return {**public(item), **decided}

    def _restrict_processes(self, user_id: str) -> None:
        """Mark the citizen's processes (as requerente or representante: one Query per index) so that
        staff may read them but not act on them (``chalicelib.processes.access.require_staff_act``)."""
        processes = aws.table("processes")
        for index, attribute in (("by_requerente", "requerente_id"), ("by_representante", "representante_id")):
            query = {"IndexName": index, "KeyConditionExpression": Key(attribute).eq(user_id)}
            while True:
                page = processes.query(**query)
                for process in page["Items"]:
                    processes.update_item(
                        Key={"process_id": process["process_id"]},
                        UpdateExpression="SET restricted = :yes",
                        ExpressionAttributeValues={":yes": True},
                    )
                if "LastEvaluatedKey" not in page:
                    break
                query["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def _tell(self, item: dict[str, Any], outcome: str, answer: str, **extra: Any) -> None:
        account = self.users.get_item(Key={"pk": f"USER#{item['user_id']}"}).get("Item") or {}
        if not account.get("email"):
            return
        Notifier().send(
            EMAIL,
            account["email"],
            "rights_answer",
            {
                "name": account.get("name", ""),
                "kind_label": KINDS[item["kind"]],
                "filed_on": item["filed_at"][:10],
                "outcome": outcome,
                "answer": answer,
                "due_on": extra.get("due_on"),
                "kept": extra.get("kept", []),
            },
            key=f"rights#{item['request_id']}#{outcome}",
            account_id=item["user_id"],
        )

    def _carry_out(self, item: dict[str, Any], actor: Actor) -> list[dict[str, Any]]:
        user_key = {"pk": f"USER#{item['user_id']}"}
        users = self.users
        if item["kind"] == "retificacao":
            account = users.get_item(Key=user_key, ConsistentRead=True).get("Item") or {}
            changes = item["changes"]
            names = {f"#{k}": k for k in changes}
            values = {f":{k}": v for k, v in changes.items()}
            return [
                {
                    "Update": {
                        "TableName": users.name,
                        "Key": user_key,
                        "UpdateExpression": "SET " + ", ".join(f"#{k} = :{k}" for k in changes),
                        "ConditionExpression": "attribute_exists(pk)",
                        "ExpressionAttributeNames": names,
                        "ExpressionAttributeValues": values,
                    }
                },
                self.audit.put(
                    actor,
                    "account.rectified",
                    f"user#{item['user_id']}",
                    request_id=item["request_id"],
                    before={k: account.get(k) for k in changes},
                    after=changes,
                ),
            ]
        if item["kind"] == "limitacao":
            return [
                {
                    "Update": {
                        "TableName": users.name,
                        "Key": user_key,
                        "UpdateExpression": "SET restricted = :yes, restricted_since = :t",
                        "ConditionExpression": "attribute_exists(pk)",
                        "ExpressionAttributeValues": {":yes": True, ":t": iso(now())},
                    }
                }
            ]
        return []


def public(item: dict[str, Any], staff: bool = False) -> dict[str, Any]:
    shown = {
        k: item[k]
        for k in (
            "request_id",
            "kind",
            "grounds",
            "status",
            "filed_at",
            "due_on",
            "extension",
            "changes",
            "answer",
            "answered_at",
            "kept_by_law",
        )
        if k in item
    }
    shown["kind_label"] = KINDS[item["kind"]]
    if staff:
        shown["user_id"] = item["user_id"]
    return shown
