"""The system's electronic signature (seed 003): the signer enters their password again and accepts a
responsibility statement; the signed PDF is the original with one more page naming the signer, the
time and the SHA-256 of the document signed. Each signed PDF is recorded by its own SHA-256, so that
anyone holding a PDF can check whether it is the one signed (``verify``).

Signing again a signed PDF (the second party of a payment plan) adds a second page; each signature is
its own record. The same signer signing the same PDF twice in one second would make the very same signed
PDF: the second is a 409, and its copy is not kept.
"""

from __future__ import annotations

import hashlib
import io
import uuid
from typing import Any

from chalicelib.accounts.passwords import verify_password
from chalicelib.accounts.users import Accounts
from chalicelib.documents.store import Documents
from chalicelib.kernel import pdf as pdf_document
from chalicelib.kernel.clock import iso, local, now
from chalicelib.kernel.errors import Conflict, NotFound, ValidationFailed
from chalicelib.kernel.inject import Injected
from chalicelib.kernel.settings import get_settings
from chalicelib.kernel.vocabulary import DocumentStatus, ReservedSlot
from chalicelib.platform import aws, process_children
from chalicelib.platform.audit import Actor, AuditTrail

STATEMENT = (
    "Declaro que li o documento que assino, que os dados que contém são verdadeiros e que assumo a "
    "responsabilidade por esta assinatura eletrónica, com o mesmo valor da assinatura manuscrita."
)


def add_signature_page(pdf: bytes, lines: list[str]) -> bytes:
    """The PDF with a page appended that carries ``lines`` (the Unicode font of ``kernel.pdf``: any
    signer's name prints as written)."""
    from pypdf import PdfReader, PdfWriter

    page = pdf_document.a4("Assinatura eletrónica", get_settings().municipality, margin=20)
    page.set_font(pdf_document.FONT, "", 11)
    for line in lines:
        page.multi_cell(0, 6, pdf_document.text(line) or " ", new_x="LMARGIN", new_y="NEXT")
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    writer.append(PdfReader(io.BytesIO(bytes(page.output()))))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _format(document: dict[str, Any]) -> str | None:
    """What the document is: the format inspection found in an upload, else (documents Balcão made:
    payment plans, signed copies) what it was stored as."""
    found = (document.get("inspection") or {}).get("format")
    return found or ("pdf" if document.get("content_type") == "application/pdf" else None)


class Signatures:
    def __init__(self, table: Any = None, documents: Any = None, s3: Any = None, audit: AuditTrail | None = None):
        self._table = table
        self._s3 = s3
        self.audit = audit or AuditTrail()
        self.documents = documents or Documents(audit=self.audit)

    table = Injected(lambda self: aws.table("signatures"))

    s3 = Injected(lambda self: aws.client("s3"))

    def sign(
        self,
        process: dict[str, Any],
        document_id: str,
        signer: Any,
        password: str,
        accept_statement: bool,
        actor: Actor,
    ) -> dict[str, Any]:
        """Sign an accepted PDF of the process as ``signer`` (an accounts.User), who typed their password
        again and accepted the statement; returns the new, signed document."""
        if not accept_statement:
            raise ValidationFailed("Para assinar, aceite a declaração de responsabilidade.", field="accept_statement")
        item = Accounts().table.get_item(Key={"pk": f"USER#{signer.user_id}"}).get("Item") or {}
        if not verify_password(item.get("password_hash", ""), password):
            raise ValidationFailed("Palavra-passe incorreta: a assinatura não foi feita.", field="password")
        source = self.documents.get(process["process_id"], document_id)
        if source["status"] != DocumentStatus.ACCEPTED or _format(source) != "pdf":
            raise ValidationFailed("Só se assina um documento PDF aceite.", field="document_id")
        bucket = aws.bucket_name("documents")
        original = self.s3.get_object(Bucket=bucket, Key=source["stored_key"])["Body"].read()
        original_sha256 = hashlib.sha256(original).hexdigest()
        signed_at = now()
        local_time = local(signed_at).strftime("%d/%m/%Y %H:%M:%S %Z")
        lines = [
            "Assinatura eletrónica - Balcão",
            "",
            f"Assinado por: {signer.name}",
            f"Data e hora: {local_time}",
            f"Processo: {process.get('number', '')}",
            f"Documento: {source['filename']}",
            "SHA-256 do documento assinado:",
            original_sha256,
            "",
            "Declaração aceite pelo signatário:",
            STATEMENT,
        ]
        signed = add_signature_page(original, lines)
        signed_sha256 = hashlib.sha256(signed).hexdigest()
        new_id = f"d_{uuid.uuid4().hex}"
        base = source["filename"].rsplit(".", 1)[0]
        filename = f"{base}-assinado.pdf"
        key = f"{process['process_id']}/{new_id}/{filename}"
        self.s3.put_object(
            Bucket=bucket, Key=key, Body=signed, ContentType="application/pdf", Metadata={"sha256": signed_sha256}
        )
        document = {
            "process_id": process["process_id"],
            "document_id": new_id,
            "slot": ReservedSlot.SIGNED,
            "filename": filename,
            "content_type": "application/pdf",
            "status": DocumentStatus.ACCEPTED,
            "stored_key": key,
            "sha256": signed_sha256,
            "size": len(signed),
            "created_at": iso(signed_at),
            "inspected_at": iso(signed_at),
            "uploaded_by": signer.user_id,
            "signed_from": document_id,
        }
        record = {
            "sha256": signed_sha256,
            "process_id": process["process_id"],
            "number": process.get("number"),
            "document_id": new_id,
            "source_document_id": document_id,
            "source_sha256": original_sha256,
            "signer_id": signer.user_id,
            "signer_name": signer.name,
            "signed_at": iso(signed_at),
            "statement": STATEMENT,
        }
        client = self.documents.table.meta.client
        try:
            client.transact_write_items(
                TransactItems=[
                    {"Put": {"TableName": self.documents.table.name, "Item": document}},
                    process_children.link(process["process_id"], "documents", new_id),
                    {
                        "Put": {
                            "TableName": self.table.name,
                            "Item": record,
                            "ConditionExpression": "attribute_not_exists(sha256)",
                        }
                    },
                ]
            )
        except client.exceptions.TransactionCanceledException:
            # The same signer, the same document, the same second (a retry, or the session and an API
            # key at once): the very same signed PDF is already recorded. The copy just written is
            # nobody's: it goes, and the caller is told which signature stands.
            self.s3.delete_object(Bucket=bucket, Key=key)
            existing = self.table.get_item(Key={"sha256": signed_sha256}).get("Item") or {}
            raise Conflict(
                "Este documento acabou de ser assinado por si: a assinatura já está registada.",
                field="document_id",
                current={k: existing.get(k) for k in ("document_id", "signer_name", "signed_at")},
            ) from None
        self.audit.record(
            actor,
            "signature.signed",
            f"process#{process['process_id']}",
            document_id=new_id,
            source_document_id=document_id,
            sha256=signed_sha256,
            source_sha256=original_sha256,
        )
        return document

    def verify(self, sha256: str) -> dict[str, Any]:
        """Whether the PDF with this SHA-256 is one signed here, and by whom, when."""
        digest = sha256.strip().lower()
        if len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest):
            raise ValidationFailed("Indique o SHA-256 do PDF (64 algarismos hexadecimais).", field="sha256")
        record = self.table.get_item(Key={"sha256": digest}).get("Item")
        if record is None:
            raise NotFound(
                "Este PDF não é um documento assinado no Balcão (ou foi alterado depois de assinado).", field="sha256"
            )
        return {"valid": True, **{k: record[k] for k in ("number", "signer_name", "signed_at", "source_sha256")}}
