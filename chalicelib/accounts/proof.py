"""A registration's proof of address (or of employment, for the ECCE flow): a PDF dated at most six
months before registration, showing the NIF, name and address. Its text is pre-checked here for staff
(pypdf, imported when a proof is read); staff decide."""

from __future__ import annotations

import calendar
import re
import unicodedata
from datetime import date, datetime, timedelta
from typing import Any

from chalicelib.accounts.users import Accounts
from chalicelib.documents.store import Documents
from chalicelib.kernel.inject import Injected
from chalicelib.kernel.vocabulary import DocumentStatus
from chalicelib.platform import aws
from chalicelib.platform.audit import SYSTEM, AuditTrail

# Documents of a registration live in the documents table under this owner id (+ the user id).
PROOF_OWNER_PREFIX = "registo-"


def plain_text(text: str) -> str:
    """Lowercase, without accents, single spaces: how names are compared with a PDF's text."""
    decomposed = unicodedata.normalize("NFKD", text)
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).lower().split())


def six_months_before(day: date) -> date:
    month = day.month - 6
    year = day.year + (month - 1) // 12
    month = (month - 1) % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


_MONTHS = {
    m: i + 1
    for i, m in enumerate(
        [
            "janeiro",
            "fevereiro",
            "marco",
            "abril",
            "maio",
            "junho",
            "julho",
            "agosto",
            "setembro",
            "outubro",
            "novembro",
            "dezembro",
        ]
    )
}
_NUMERIC_DATE = re.compile(r"\b(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})\b")
_ISO_DATE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
_WORDS_DATE = re.compile(r"\b(\d{1,2}) de (" + "|".join(_MONTHS) + r") de (\d{4})\b")


def dates_in(text: str) -> list[date]:
    plain = plain_text(text)
    found: list[date] = []
    candidates = [(int(y), int(m), int(d)) for d, m, y in _NUMERIC_DATE.findall(plain)]
    candidates += [(int(y), int(m), int(d)) for y, m, d in _ISO_DATE.findall(plain)]
    candidates += [(int(y), _MONTHS[m], int(d)) for d, m, y in _WORDS_DATE.findall(plain)]
    for year, month, day in candidates:
        try:
            found.append(date(year, month, day))
        except ValueError:
            continue
    return found


def precheck_proof_text(text: str, identity_number: str, name: str, registered_on: date) -> dict[str, Any]:
    """What staff are told about a proof's text: whether the identity number, the name and a date
    within the 6 months before the registration appear. It informs; staff decide."""
    compact = re.sub(r"[\s./-]", "", text)
    plain = plain_text(text)
    name_words = [w for w in plain_text(name).split() if len(w) > 2]
    earliest = six_months_before(registered_on)
    dates = dates_in(text)
    recent = sorted({d for d in dates if earliest <= d <= registered_on + timedelta(days=1)})
    return {
        "identity_number_found": identity_number in compact,
        "name_found": plain_text(name) in plain or (bool(name_words) and all(w in plain.split() for w in name_words)),
        "recent_date_found": bool(recent),
        "recent_dates": [d.isoformat() for d in recent],
        "oldest_date_accepted": earliest.isoformat(),
        "text_found": bool(plain),
    }


def pdf_text(data: bytes, max_pages: int = 5) -> str:
    import io

    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        return "\n".join((page.extract_text() or "") for page in reader.pages[:max_pages])
    except (PyPdfError, ValueError, KeyError, TypeError, RecursionError, OSError):
        return ""


class ProofCheck:
    """After inspection of a proof (the S3 event): its text pre-checked and the result shown on the
    registration (the staff queue reads it from there, in one query)."""

    documents = Injected(lambda self: Documents(audit=self.audit))

    def __init__(
        self, accounts: Accounts | None = None, documents: Documents | None = None, audit: AuditTrail | None = None
    ):
        self.audit = audit or AuditTrail()
        self.accounts = accounts or Accounts(audit=self.audit)
        self._documents = documents

    def proof_inspected(self, document: dict[str, Any]) -> dict[str, Any]:
        """After inspection of a proof: read its text, pre-check it, and show the result on the
        registration (the staff queue reads it from there, in one query)."""
        user_id = document["process_id"][len(PROOF_OWNER_PREFIX) :]
        item = self.accounts.citizen_item(user_id)
        summary: dict[str, Any] = {
            "document_id": document["document_id"],
            "filename": document.get("filename"),
            "status": document["status"],
            "inspected_at": document.get("inspected_at"),
        }
        if document["status"] == DocumentStatus.ACCEPTED:
            data = self.documents.s3.get_object(Bucket=aws.bucket_name("documents"), Key=document["stored_key"])[
                "Body"
            ].read()
            registered_on = datetime.fromisoformat(item["created_at"].replace("Z", "+00:00")).date()
            summary["precheck"] = precheck_proof_text(
                pdf_text(data), item["identity_number"], item["name"], registered_on
            )
            self.documents.table.update_item(
                Key={"process_id": document["process_id"], "document_id": document["document_id"]},
                UpdateExpression="SET precheck = :p",
                ExpressionAttributeValues={":p": summary["precheck"]},
            )
        else:
            summary["reason"] = document.get("reason")
        self.accounts.table.update_item(
            Key={"pk": f"USER#{user_id}"},
            UpdateExpression="SET proof = :p",
            ExpressionAttributeValues={":p": {k: v for k, v in summary.items() if v is not None}},
        )
        self.audit.record(
            SYSTEM,
            "registration.proof_checked",
            f"user#{user_id}",
            document_id=document["document_id"],
            status=document["status"],
            **{k: v for k, v in summary.get("precheck", {}).items() if isinstance(v, bool)},
        )
        return summary
