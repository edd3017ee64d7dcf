"""Fees of a process: the Multibanco reference issued at submission, the payment recorded by staff or
confirmed by the payment provider's authenticated callback, the emailed payment receipt, and the
workflow's wait for payment (a Step Functions task token) resumed once it is paid.

The payment lives on the process item (``payment`` map; ``payment_reference`` at the top level for
the ``by_payment_reference`` index the provider's callback looks up). Marking it paid is one
conditional write, so a payment is recorded once whatever the retries or a staff member and the
provider racing; the callback answers the same to a repeat of the same notification.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

from chalicelib.accounts.users import STAFF, Session
from chalicelib.catalogue.service import euros, parse_money
from chalicelib.kernel.clock import iso
from chalicelib.kernel.errors import Conflict, Forbidden, NotAuthenticated, NotFound, ValidationFailed
from chalicelib.kernel.settings import get_settings
from chalicelib.platform import aws
from chalicelib.platform.audit import SYSTEM, Actor, AuditTrail
from chalicelib.processes.multibanco import is_valid, make_reference

PENDING = "pendente"
PAID = "pago"
AWAITING_PAYMENT = "a_aguardar_pagamento"
RECORDING_ROLES = ("clerk", "organ_head", "administrator")
METHODS = ("multibanco", "numerario", "cheque", "transferencia")
SIGNATURE_HEADER = "x-balcao-signature"


def sign(secret: str, body: bytes) -> str:
    """The callback's signature: hex HMAC-SHA256 of the raw body with the shared secret."""
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def check_signature(raw_body: bytes, signature: str | None) -> None:
    """The provider proves a notice is its own by signing the raw body with the shared secret."""
    secret = get_settings().payment_callback_secret
    expected = sign(secret.get_secret_value(), raw_body) if secret is not None else None
    if expected is None or not signature or not hmac.compare_digest(expected, signature.strip().lower()):
        raise NotAuthenticated("Assinatura do aviso de pagamento inválida.", field=SIGNATURE_HEADER)


class Payments:
    def __init__(self, table: Any = None, counters: Any = None, stepfunctions: Any = None,
                 audit: AuditTrail | None = None, notifier: Any = None):
        self._table = table
        self._counters = counters
        self._stepfunctions = stepfunctions
        self._notifier = notifier
        self.audit = audit or AuditTrail()

    @property
    def table(self) -> Any:
        return self._table or aws.table("processes")

    @property
    def counters(self) -> Any:
        return self._counters or aws.table("counters")

    @property
    def stepfunctions(self) -> Any:
        return self._stepfunctions or aws.client("stepfunctions")

    @property
    def notifier(self) -> Any:
        if self._notifier is None:
            from chalicelib.notifications.delivery import Notifier

            self._notifier = Notifier(audit=self.audit)
        return self._notifier

    # -- at submission -------------------------------------------------------------------------
    def new_reference(self, amount_cents: int) -> dict[str, Any]:
        """A fresh Multibanco reference for ``amount_cents`` (the sequence is one atomic counter)."""
        entity = get_settings().multibanco_entity
        result = self.counters.update_item(
            Key={"counter": f"multibanco#{entity}"},
            UpdateExpression="ADD #value :one",
            ExpressionAttributeNames={"#value": "value"},
            ExpressionAttributeValues={":one": 1},
            ReturnValues="UPDATED_NEW",
        )
        reference = make_reference(entity, int(result["Attributes"]["value"]), amount_cents)
        from datetime import timedelta

        from chalicelib.kernel.clock import today

        due = today() + timedelta(days=get_settings().payment_due_days)
        return {"status": PENDING, "due_date": due.isoformat(), "method": "multibanco", "entity": reference.entity, "reference": reference.reference,
                "reference_text": reference.formatted(), "amount_cents": amount_cents, "amount_text": euros(amount_cents),
                "issued_at": iso()}

    # -- recording a payment -------------------------------------------------------------------
    def record_by_staff(self, process_id: str, session: Session, amount_eur: Any, method: str, note: str | None,
                        source_ip: str | None) -> dict[str, Any]:
        process = self._process(process_id)
        if session.kind != STAFF or session.organ != process.get("service_organ"):
            raise Forbidden("Este processo pertence a outro serviço.")
        if not set(session.roles) & set(RECORDING_ROLES):
            raise Forbidden("Só o atendimento, a chefia ou a administração do serviço registam pagamentos.")
        payment = process.get("payment")
        if not payment:
            raise Conflict("Este processo não tem pagamento a registar.", field="payment")
        try:
            cents = int(parse_money(amount_eur) * 100)
        except ValueError as error:
            raise ValidationFailed(f"Valor pago: {error}", field="amount_eur") from None
        if cents != int(payment["amount_cents"]):
            raise ValidationFailed(f"O valor devido é {euros(int(payment['amount_cents']))}.", field="amount_eur")
        return self._mark_paid(process, Actor(session.user_id, source_ip), method=method, note=note, by="staff")

    def confirm_by_provider(self, notice: dict[str, Any]) -> dict[str, Any]:
        """The payment provider's notice (its signature already checked, ``check_signature``): the
        entity, reference and amount must be one issued and still due (or already paid by this same
        notice, which is then answered as before)."""
        try:
            cents = int(parse_money(notice["amount_eur"]) * 100)
        except ValueError as error:
            raise ValidationFailed(f"Valor: {error}", field="amount_eur") from None
        entity, reference = notice["entity"], notice["reference"]
        if entity != get_settings().multibanco_entity or not is_valid(entity, reference, cents):
            raise ValidationFailed("Referência Multibanco inválida para esta entidade e valor.", field="reference")
        from boto3.dynamodb.conditions import Key

        items = self.table.query(IndexName="by_payment_reference", KeyConditionExpression=Key("payment_reference").eq(reference),
                                 Limit=10)["Items"]
        matches = [item for item in items if int(item["payment"]["amount_cents"]) == cents and item["payment"]["entity"] == entity]
        if not matches:
            raise NotFound("Nenhum pagamento pendente com esta referência e valor.", field="reference")
        process = sorted(matches, key=lambda item: item["payment"]["issued_at"])[-1]
        if process["payment"]["status"] == PAID:
            if process["payment"].get("transaction_id") == notice["transaction_id"]:
                return process  # the provider repeated its notice
            raise Conflict("Este pagamento já foi registado.", field="reference")
        return self._mark_paid(process, Actor("system:payment-provider"), method="multibanco", note=None, by="provider",
                               transaction_id=notice["transaction_id"], paid_at=notice.get("paid_at"))

    def _process(self, process_id: str) -> dict[str, Any]:
        item = self.table.get_item(Key={"process_id": process_id}).get("Item")
        if item is None:
            raise NotFound("Processo desconhecido.", field="process_id")
        return item

    def _mark_paid(self, process: dict[str, Any], actor: Actor, method: str, note: str | None, by: str,
                   transaction_id: str | None = None, paid_at: str | None = None) -> dict[str, Any]:
        process_id = process["process_id"]
        values = {":paid": PAID, ":pending": PENDING, ":at": paid_at or iso(), ":method": method, ":by": actor.id,
                  ":recorded": iso(), ":how": by}
        extra = ""
        if note:
            extra += ", payment.note = :note"
            values[":note"] = note
        if transaction_id:
            extra += ", payment.transaction_id = :tx"
            values[":tx"] = transaction_id
        try:
            old = self.table.update_item(
                Key={"process_id": process_id},
                UpdateExpression="SET payment.#status = :paid, payment.paid_at = :at, payment.paid_method = :method, "
                "payment.recorded_by = :by, payment.recorded_at = :recorded, payment.confirmed_by = :how" + extra
                + " REMOVE payment_task_token",
                ConditionExpression="payment.#status = :pending",
                ExpressionAttributeNames={"#status": "status"},
                ExpressionAttributeValues=values,
                ReturnValues="ALL_OLD",
            )["Attributes"]
        except self.table.meta.client.exceptions.ConditionalCheckFailedException:
            raise Conflict("Este pagamento já foi registado.", field="payment") from None
        self.audit.record(actor, "process.payment_recorded", f"process#{process_id}", method=method, by=by,
                          amount_cents=int(process["payment"]["amount_cents"]), transaction_id=transaction_id)
        token = old.get("payment_task_token")
        if token:
            self._resume(process_id, token)
        paid = self._process(process_id)
        self._email_receipt(paid)
        return paid

    def _resume(self, process_id: str, token: str) -> None:
        try:
            self.stepfunctions.send_task_success(taskToken=token, output='{"paid": true}')
        except self.stepfunctions.exceptions.ClientError:
            # The workflow no longer waits (stopped or timed out): the payment stands, staff see it.
            self.audit.record(SYSTEM, "process.payment_resume_failed", f"process#{process_id}")

    def _email_receipt(self, process: dict[str, Any]) -> None:
        """The payment receipt, by the channels the requerente chose (once: the notification's key)."""
        from chalicelib.workflow.process_tasks import notify

        notify({"process_id": process["process_id"], "template": "payment_receipt"}, notifier=self.notifier)

    # -- the workflow's wait -------------------------------------------------------------------
    def register_payment_task(self, process_id: str, task_token: str) -> bool:
        """The workflow waits for the payment: keep its token, unless it is paid already, in which
        case resume it at once. Returns whether it was already paid."""
        from chalicelib.processes.table import organ_status

        organ = self._process(process_id)["service_organ"]
        try:
            self.table.update_item(
                Key={"process_id": process_id},
                # organ_status with status: the staff queue's index (chalicelib.processes.table)
                UpdateExpression="SET payment_task_token = :token, #status = :awaiting, organ_status = :organ_status",
                ConditionExpression="payment.#pstatus = :pending",
                ExpressionAttributeNames={"#status": "status", "#pstatus": "status"},
                ExpressionAttributeValues={":token": task_token, ":pending": PENDING, ":awaiting": AWAITING_PAYMENT,
                                           ":organ_status": organ_status(organ, AWAITING_PAYMENT)},
            )
        except self.table.meta.client.exceptions.ConditionalCheckFailedException:
            self._resume(process_id, task_token)
            return True
        self.audit.record(SYSTEM, "process.awaiting_payment", f"process#{process_id}")
        return False


