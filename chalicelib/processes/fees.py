"""A process's fee: the Multibanco reference issued at submission (``chalicelib.processes.multibanco``
makes its check digits), due within ``payment_due_days``. Recording the payment is
``chalicelib.payments``."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from chalicelib.kernel.clock import iso, today
from chalicelib.kernel.money import euros
from chalicelib.kernel.settings import get_settings
from chalicelib.kernel.vocabulary import PaymentStatus
from chalicelib.platform.dynamo import next_value
from chalicelib.processes.multibanco import make_reference


def new_reference(counters: Any, amount_cents: int) -> dict[str, Any]:
    """A fresh Multibanco reference for ``amount_cents`` (the sequence is one atomic counter), as the
    process's ``payment``."""
    settings = get_settings()
    entity = settings.multibanco_entity
    reference = make_reference(entity, next_value(counters, f"multibanco#{entity}"), amount_cents)
    due = today() + timedelta(days=settings.payment_due_days)
    return {
        "status": PaymentStatus.PENDING,
        "due_date": due.isoformat(),
        "method": "multibanco",
        "entity": reference.entity,
        "reference": reference.reference,
        "reference_text": reference.formatted(),
        "amount_cents": amount_cents,
        "amount_text": euros(amount_cents),
        "issued_at": iso(),
    }
