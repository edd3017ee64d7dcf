"""The electronic receipt of a submission ("comprovativo de entrega"): a PDF with the process number,
the date and time of submission, the service, the requerente, the data submitted and each document
with its SHA-256, issued once per process after inspection, stored beside the documents, emailed and
downloadable. Verification recomputes the SHA-256 of every stored document (and of the receipt PDF
itself) and compares them with what the receipt states.
"""

from __future__ import annotations

import hashlib
from typing import Any

from chalicelib.catalogue.service import get_service
from chalicelib.documents.store import Documents
from chalicelib.kernel import pdf as pdf_document
from chalicelib.kernel.clock import iso, local_time_text, parse, zone_label
from chalicelib.kernel.errors import NotFound
from chalicelib.kernel.inject import Injected
from chalicelib.kernel.settings import get_settings
from chalicelib.kernel.vocabulary import DocumentStatus
from chalicelib.platform import aws
from chalicelib.platform.audit import SYSTEM, AuditTrail


def _local(stamp: str) -> str:
    return local_time_text(stamp, seconds=True) + f" ({zone_label()})"


def render_pdf(
    process: dict[str, Any], service: Any, requerente: Any, documents: list[dict[str, Any]], issued_at: str
) -> bytes:
    """The receipt as PDF bytes (fpdf2, imported only when a receipt is made)."""
    settings = get_settings()
    labels = {spec.name: spec.label for spec in service.fields}
    slot_labels = {slot.slot: slot.label for slot in service.documents}
    pdf = pdf_document.a4(
        f"Comprovativo de entrega {process['number']}",
        settings.municipality,
        created=parse(issued_at),
        page_break_margin=18,
    )
    width = pdf.epw

    pdf.set_font(pdf_document.FONT, "B", 16)
    pdf.cell(width, 9, "Comprovativo de entrega", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(pdf_document.FONT, "", 10)
    pdf.cell(width, 6, pdf_document.text(settings.municipality), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)

    def row(label: str, value: Any) -> None:
        pdf.set_font(pdf_document.FONT, "B", 10)
        pdf.cell(45, 6, pdf_document.text(label))
        pdf.set_font(pdf_document.FONT, "", 10)
        pdf.multi_cell(width - 45, 6, pdf_document.text(value or "-"), new_x="LMARGIN", new_y="NEXT")

    row("Processo", process["number"])
    row("Data e hora", _local(process["submitted_at"]))
    row("Serviço", f"{service.title} ({service.id})")
    row("Serviço municipal", process.get("service_organ", ""))
    label = "NIF" if settings.country == "PT" else "CPF/CNPJ"
    identity = f" - {label} {requerente.identity_number}" if requerente and requerente.identity_number else ""
    row("Requerente", (requerente.name if requerente else process["requerente_id"]) + identity)
    if process.get("representante_id"):
        row("Representante", process["representante_id"])

    pdf.ln(3)
    pdf.set_font(pdf_document.FONT, "B", 12)
    pdf.cell(width, 8, "Dados submetidos", new_x="LMARGIN", new_y="NEXT")
    for name, value in process.get("fields", {}).items():
        row(labels.get(name, name), value)

    pdf.ln(3)
    pdf.set_font(pdf_document.FONT, "B", 12)
    pdf.cell(width, 8, "Documentos entregues", new_x="LMARGIN", new_y="NEXT")
    if not documents:
        pdf.set_font(pdf_document.FONT, "", 10)
        pdf.cell(width, 6, "Nenhum documento.", new_x="LMARGIN", new_y="NEXT")
    for number, document in enumerate(documents, start=1):
        pdf.set_font(pdf_document.FONT, "B", 10)
        pdf.multi_cell(
            width,
            6,
            pdf_document.text(
                f"{number}. {slot_labels.get(document['slot'], document['slot'])}: "
                f"{document['filename']} ({int(document['size']):,} bytes)".replace(",", " ")
            ),
            new_x="LMARGIN",
            new_y="NEXT",
        )
        pdf.set_font(pdf_document.MONO, "", 8.5)
        pdf.cell(width, 5, f"SHA-256 {document['sha256']}", new_x="LMARGIN", new_y="NEXT")

    pdf.ln(5)
    pdf.set_font(pdf_document.FONT, "", 8.5)
    pdf.multi_cell(
        width,
        4.5,
        pdf_document.text(
            f"Emitido em {_local(issued_at)}. O SHA-256 identifica cada ficheiro tal como foi recebido: qualquer alteração "
            f"do ficheiro muda-o. A verificação recalcula-os a partir dos ficheiros guardados: "
            f"{settings.public_base_url}/api/requests/{process['process_id']}/receipt/verification"
        ),
        new_x="LMARGIN",
        new_y="NEXT",
    )
    return bytes(pdf.output())


class Receipts:
    def __init__(
        self,
        processes_table: Any = None,
        documents: Documents | None = None,
        s3: Any = None,
        audit: AuditTrail | None = None,
    ):
        self._table = processes_table
        self._s3 = s3
        self.audit = audit or AuditTrail()
        self.documents = documents or Documents(audit=self.audit)

    table = Injected(lambda self: aws.table("processes"))

    s3 = Injected(lambda self: aws.client("s3"))

    def issue(self, process: dict[str, Any], requerente: Any = None) -> dict[str, Any]:
        """The process's receipt (its PDF stored under ``key``), made on the first call and the same on
        every later one (the workflow's task may run more than once)."""
        if process.get("receipt"):
            return process["receipt"]

        service = get_service(process["service_id"])
        order = {slot.slot: i for i, slot in enumerate(service.documents)}
        documents = sorted(
            (
                d
                for d in self.documents.list(process["process_id"], current_only=True)
                if d["status"] == DocumentStatus.ACCEPTED
            ),
            key=lambda d: (order.get(d["slot"], len(order)), d["created_at"]),
        )
        issued_at = iso()
        pdf = render_pdf(process, service, requerente, documents, issued_at)
        sha256 = hashlib.sha256(pdf).hexdigest()
        receipt = {
            "key": f"receipts/{process['process_id']}/{sha256}.pdf",  # by content: concurrent runs never overwrite
            "filename": f"comprovativo-{process['process_id']}.pdf",
            "sha256": sha256,
            "issued_at": issued_at,
            "documents": [{k: d[k] for k in ("document_id", "slot", "filename", "sha256", "size")} for d in documents],
        }
        # The PDF is stored before it is recorded: a recorded receipt always has its file.
        documents_bucket = aws.bucket_name("documents")
        self.s3.put_object(
            Bucket=documents_bucket,
            Key=receipt["key"],
            Body=pdf,
            ContentType="application/pdf",
            Metadata={"sha256": sha256},
        )
        try:
            self.table.update_item(
                Key={"process_id": process["process_id"]},
                UpdateExpression="SET receipt = :receipt",
                ConditionExpression="attribute_exists(process_id) AND attribute_not_exists(receipt)",
                ExpressionAttributeValues={":receipt": receipt},
            )
        except self.table.meta.client.exceptions.ConditionalCheckFailedException:
            self.s3.delete_object(Bucket=documents_bucket, Key=receipt["key"])
            return self.table.get_item(Key={"process_id": process["process_id"]})["Item"][
                "receipt"
            ]  # a concurrent run won
        self.audit.record(SYSTEM, "receipt.issued", f"process#{process['process_id']}", sha256=sha256)
        return receipt

    def _object(self, receipt: dict[str, Any]) -> bytes | None:
        try:
            return self.s3.get_object(Bucket=aws.bucket_name("documents"), Key=receipt["key"])["Body"].read()
        except self.s3.exceptions.NoSuchKey:
            return None

    @staticmethod
    def of(process: dict[str, Any]) -> dict[str, Any]:
        receipt = process.get("receipt")
        if not receipt:
            raise NotFound(
                "O comprovativo ainda não foi emitido: é emitido depois de os documentos serem verificados.",
                field="receipt",
            )
        return receipt

    def download_url(self, receipt: dict[str, Any]) -> str:
        return self.s3.generate_presigned_url(
            "get_object",
            Params={
                "Bucket": aws.bucket_name("documents"),
                "Key": receipt["key"],
                "ResponseContentDisposition": f'attachment; filename="{receipt["filename"]}"',
            },
            ExpiresIn=get_settings().download_url_expiry_seconds,
        )

    def verify(self, process: dict[str, Any]) -> dict[str, Any]:
        """Each document the receipt lists, its SHA-256 recomputed from the stored bytes and compared;
        and the receipt PDF's own SHA-256."""
        receipt = self.of(process)
        results = []
        for listed in receipt["documents"]:
            try:
                stored = self.documents.stored_sha256(self.documents.get(process["process_id"], listed["document_id"]))
            except NotFound:
                stored = None
            results.append(
                {
                    "document_id": listed["document_id"],
                    "filename": listed["filename"],
                    "receipt_sha256": listed["sha256"],
                    "stored_sha256": stored,
                    "matches": stored == listed["sha256"],
                }
            )
        pdf = self._object(receipt)
        pdf_sha256 = hashlib.sha256(pdf).hexdigest() if pdf is not None else None
        return {
            "process_id": process["process_id"],
            "number": process.get("number"),
            "receipt_sha256": receipt["sha256"],
            "receipt_pdf_matches": pdf_sha256 == receipt["sha256"],
            "documents": results,
            "valid": pdf_sha256 == receipt["sha256"] and all(r["matches"] for r in results),
            "verified_at": iso(),
        }
