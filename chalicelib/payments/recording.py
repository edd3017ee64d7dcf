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
from typing import TYPE_CHECKING, Any

from boto3.dynamodb.conditions import Key

from chalicelib.correspondence.notices import notify_about_process
from chalicelib.kernel.clock import iso
from chalicelib.kernel.errors import Conflict, NotAuthenticated, NotFound, ValidationFailed
from chalicelib.kernel.inject import Injected
from chalicelib.kernel.money import cents, euros
from chalicelib.kernel.roles import RECORDING_ROLES
from chalicelib.kernel.settings import get_settings
from chalicelib.kernel.vocabulary import PaymentStatus
from chalicelib.notifications.delivery import Notifier
from chalicelib.platform import aws
from chalicelib.platform.audit import SYSTEM, Actor, AuditTrail
from chalicelib.platform.dynamo import condition_failed
from chalicelib.platform.task_tokens import resume
from chalicelib.processes.access import require_staff_act
from chalicelib.processes.multibanco import is_valid

if TYPE_CHECKING:
    from chalicelib.accounts.sessions import Session

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
    table = Injected(lambda self: aws.table("processes"))
    stepfunctions = Injected(lambda self: aws.client("stepfunctions"))
    notifier = Injected(lambda self: Notifier(audit=self.audit))

    def __init__(
        self, table: Any = None, stepfunctions: Any = None, audit: AuditTrail | None = None, notifier: Any = None
    ):
        self._table = table
        self._stepfunctions = stepfunctions
        self._notifier = notifier
        self.audit = audit or AuditTrail()

    # -- recording a payment -------------------------------------------------------------------
    def record_by_staff(
        self, process_id: str, session: Session, amount_eur: Any, method: str, note: str | None, source_ip: str | None
    ) -> dict[str, Any]:
        process = require_staff_act(
            self._process(process_id),
            session,
            RECORDING_ROLES,
            "registar pagamentos",
            "Só o atendimento, a chefia ou a administração do serviço registam pagamentos.",
        )
        payment = process.get("payment")
        if not payment:
            raise Conflict("Este processo não tem pagamento a registar.", field="payment")
        try:
            paid_cents = cents(amount_eur)
        except ValueError as error:
            raise ValidationFailed(f"Valor pago: {error}", field="amount_eur") from None
        if paid_cents != int(payment["amount_cents"]):
            raise ValidationFailed(f"O valor devido é {euros(int(payment['amount_cents']))}.", field="amount_eur")
        return self._mark_paid(process, Actor(session.user_id, source_ip), method=method, note=note, by="staff")

    def confirm_by_provider(self, notice: dict[str, Any]) -> dict[str, Any]:
        """The payment provider's notice (its signature already checked, ``check_signature``): the
        entity, reference and amount must be one issued and still due (or already paid by this same
        notice, which is then answered as before)."""
        try:
            paid_cents = cents(notice["amount_eur"])
        except ValueError as error:
            raise ValidationFailed(f"Valor: {error}", field="amount_eur") from None
        entity, reference = notice["entity"], notice["reference"]
        if entity != get_settings().multibanco_entity or not is_valid(entity, reference, paid_cents):
            raise ValidationFailed("Referência Multibanco inválida para esta entidade e valor.", field="reference")
        items = self.table.query(
            IndexName="by_payment_reference", KeyConditionExpression=Key("payment_reference").eq(reference), Limit=10
        )["Items"]
        matches = [
            item
            for item in items
            if int(item["payment"]["amount_cents"]) == paid_cents and item["payment"]["entity"] == entity
        ]
        if not matches:
            raise NotFound("Nenhum pagamento pendente com esta referência e valor.", field="reference")
        process = sorted(matches, key=lambda item: item["payment"]["issued_at"])[-1]
        if process["payment"]["status"] == PaymentStatus.PAID:
            if process["payment"].get("transaction_id") == notice["transaction_id"]:
                return process  # the provider repeated its notice
            raise Conflict("Este pagamento já foi registado.", field="reference")
        return self._mark_paid(
            process,
            Actor("system:payment-provider"),
            method="multibanco",
            note=None,
            by="provider",
            transaction_id=notice["transaction_id"],
            paid_at=notice.get("paid_at"),
        )

    def _process(self, process_id: str) -> dict[str, Any]:
        item = self.table.get_item(Key={"process_id": process_id}).get("Item")
        if item is None:
            raise NotFound("Processo desconhecido.", field="process_id")
        return item

    def _mark_paid(
        self,
        process: dict[str, Any],
        actor: Actor,
        method: str,
        note: str | None,
        by: str,
        transaction_id: str | None = None,
        paid_at: str | None = None,
    ) -> dict[str, Any]:
        process_id = process["process_id"]
        values = {
            ":paid": PaymentStatus.PAID,
            ":pending": PaymentStatus.PENDING,
            ":at": paid_at or iso(),
            ":method": method,
            ":by": actor.id,
            ":recorded": iso(),
            ":how": by,
        }
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
                "payment.recorded_by = :by, payment.recorded_at = :recorded, payment.confirmed_by = :how"
                + extra
                + " REMOVE payment_task_token",
                ConditionExpression="payment.#status = :pending",
                ExpressionAttributeNames={"#status": "status"},
                ExpressionAttributeValues=values,
                ReturnValues="ALL_OLD",
            )["Attributes"]
        except condition_failed(self.table):
            raise Conflict("Este pagamento já foi registado.", field="payment") from None
        self.audit.record(
            actor,
            "process.payment_recorded",
            f"process#{process_id}",
            method=method,
            by=by,
            amount_cents=int(process["payment"]["amount_cents"]),
            transaction_id=transaction_id,
        )
        token = old.get("payment_task_token")
        if token:
            self._resume_paid(process_id, token)
        paid = self._process(process_id)
        self._email_receipt(paid)
        return paid

    def _resume_paid(self, process_id: str, token: str) -> None:
        if not resume(token, {"paid": True}, stepfunctions=self.stepfunctions):
            # The workflow no longer waits (stopped or timed out): the payment stands, staff see it.
            self.audit.record(SYSTEM, "process.payment_resume_failed", f"process#{process_id}")

    def _email_receipt(self, process: dict[str, Any]) -> None:
        """The payment receipt, by the channels the requerente chose (once: the notification's key)."""
        notify_about_process(
            {"process_id": process["process_id"], "template": "payment_receipt"}, notifier=self.notifier
        )
