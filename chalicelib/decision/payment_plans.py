"""The payment plan of an installment request (seed 001: "on approval ... both parties sign the
payment plan") as a PDF document of the process: the installments recorded at submission
(``installment_plan``), each with its due date and amount. Staff issue it once (document
``d_plano_pagamento``, slot ``plano_pagamento``), then ask the citizen to sign it
(``signature-requests``) and sign it for the municipality (``chalicelib.decision.signatures``).
"""

from __future__ import annotations

import hashlib
from datetime import date
from typing import Any

from chalicelib.catalogue.service import get_service
from chalicelib.documents.store import Documents
from chalicelib.kernel import pdf as pdf_document
from chalicelib.kernel.clock import iso, parse
from chalicelib.kernel.errors import Conflict, NotFound
from chalicelib.kernel.inject import Injected
from chalicelib.kernel.money import euros
from chalicelib.kernel.plural import plural
from chalicelib.kernel.settings import get_settings
from chalicelib.kernel.vocabulary import DocumentStatus, ReservedSlot
from chalicelib.platform import aws, process_children
from chalicelib.platform.audit import Actor

PLAN_DOCUMENT_ID = "d_plano_pagamento"


def render_pdf(process: dict[str, Any], service: Any, issued_at: str) -> bytes:
    plan = process["installment_plan"]
    pdf = pdf_document.a4(
        f"Plano de pagamento {process.get('number', '')}", get_settings().municipality, created=parse(issued_at)
    )
    width = pdf.epw
    pdf.set_font(pdf_document.FONT, "B", 15)
    pdf.cell(width, 9, pdf_document.text("Acordo de pagamento em prestações"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(pdf_document.FONT, "", 10)
    requerente = (process.get("requerente") or {}).get("name", "")
    fields = process.get("fields", {})
    for line in (
        get_settings().municipality,
        f"Processo {process.get('number', '')} - {service.title}",
        f"Requerente: {requerente}",
        f"Código de consumidor: {fields.get('codigo_consumidor', '-')}",
        f"Dívida total: {euros(sum(int(i['amount_cents']) for i in plan))} em {plural(len(plan), 'prestação', 'prestações')}",
    ):
        pdf.multi_cell(width, 6, pdf_document.text(line), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    pdf.set_font(pdf_document.FONT, "B", 10)
    for label, cell in (("N.º", 20), ("Vencimento", 50), ("Valor", 50)):
        pdf.cell(cell, 6, pdf_document.text(label), border=1)
    pdf.ln()
    pdf.set_font(pdf_document.FONT, "", 10)
    for item in plan:
        pdf.cell(20, 6, str(item["number"]), border=1)
        pdf.cell(50, 6, date.fromisoformat(item["due_date"]).strftime("%d/%m/%Y"), border=1)
        pdf.cell(50, 6, pdf_document.text(item["amount_text"]), border=1)
        pdf.ln()
    pdf.ln(4)
    pdf.multi_cell(
        width,
        5,
        pdf_document.text(
            "Cada prestação é paga até ao dia indicado. A falta de pagamento de uma prestação implica o vencimento "
            "das seguintes. Assinam o requerente e o Município."
        ),
        new_x="LMARGIN",
        new_y="NEXT",
    )
    return bytes(pdf.output())


class PaymentPlans:
    def __init__(self, documents: Documents | None = None, s3: Any = None):
        self.documents = documents or Documents()
        self._s3 = s3

    s3 = Injected(lambda self: aws.client("s3"))

    def issue(self, process: dict[str, Any], actor: Actor) -> dict[str, Any]:
        """The plan's PDF as an accepted document of the process, made once (the same on a retry)."""
        if not process.get("installment_plan"):
            raise Conflict("Este processo não tem um plano de prestações.", field="process_id")
        try:
            return self.documents.get(process["process_id"], PLAN_DOCUMENT_ID)
        except NotFound:
            pass
        issued_at = iso()
        pdf = render_pdf(process, get_service(process["service_id"]), issued_at)
        sha256 = hashlib.sha256(pdf).hexdigest()
        filename = f"plano-pagamento-{process['process_id']}.pdf"
        key = f"{process['process_id']}/{PLAN_DOCUMENT_ID}/{sha256}/{filename}"  # by content: never overwritten
        self.s3.put_object(
            Bucket=aws.bucket_name("documents"),
            Key=key,
            Body=pdf,
            ContentType="application/pdf",
            Metadata={"sha256": sha256},
        )
        document = {
            "process_id": process["process_id"],
            "document_id": PLAN_DOCUMENT_ID,
            "slot": ReservedSlot.PAYMENT_PLAN,
            "filename": filename,
            "content_type": "application/pdf",
            "status": DocumentStatus.ACCEPTED,
            "stored_key": key,
            "sha256": sha256,
            "size": len(pdf),
            "created_at": issued_at,
            "inspected_at": issued_at,
            "uploaded_by": actor.id,
            "version": 1,
        }
        client = self.documents.table.meta.client
        try:
            client.transact_write_items(
                TransactItems=[
                    {
                        "Put": {
                            "TableName": self.documents.table.name,
                            "Item": document,
                            "ConditionExpression": "attribute_not_exists(document_id)",
                        }
                    },
                    process_children.link(process["process_id"], "documents", PLAN_DOCUMENT_ID),
                    self.documents.audit.put(
                        actor,
                        "payment_plan.issued",
                        f"process#{process['process_id']}",
                        document_id=PLAN_DOCUMENT_ID,
                        sha256=sha256,
                    ),
                ]
            )
        except client.exceptions.TransactionCanceledException:
            return self.documents.get(process["process_id"], PLAN_DOCUMENT_ID)  # a concurrent call won
        return document
