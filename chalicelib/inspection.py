"""What a file is, judged from its bytes alone (no AWS here): magic bytes against the expected format,
SHA-256, and for PDFs what pypdf can read within explicit limits. Pure, so it is tested directly."""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass, field
from typing import Any

MAX_PDF_PAGES = 2000

# The first bytes each accepted format starts with.
MAGIC = {
    "pdf": (b"%PDF-",),
    "png": (b"\x89PNG\r\n\x1a\n",),
    "jpeg": (b"\xff\xd8\xff",),
    "dwg": (b"AC10",),
    "dwfx": (b"PK\x03\x04",),
}


@dataclass
class Finding:
    accepted: bool
    format: str | None
    sha256: str
    size: int
    reason: str | None = None
    details: dict[str, Any] = field(default_factory=dict)


def sniff_format(data: bytes) -> str | None:
    head = data[:1024]
    if b"%PDF-" in head:  # the PDF header may follow a few bytes of junk
        return "pdf"
    for name, prefixes in MAGIC.items():
        if any(data.startswith(prefix) for prefix in prefixes):
            return name
    return None


def inspect_bytes(data: bytes, allowed_formats: list[str]) -> Finding:
    digest = hashlib.sha256(data).hexdigest()
    size = len(data)
    if size == 0:
        return Finding(False, None, digest, size, "O ficheiro está vazio.")
    kind = sniff_format(data)
    if kind is None or kind not in allowed_formats:
        wanted = ", ".join(f.upper() for f in allowed_formats)
        return Finding(False, kind, digest, size, f"O conteúdo do ficheiro não é {wanted}.")
    if kind == "pdf":
        return _inspect_pdf(data, digest)
    return Finding(True, kind, digest, size)


def _inspect_pdf(data: bytes, digest: str) -> Finding:
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    size = len(data)
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            return Finding(False, "pdf", digest, size, "O PDF está protegido por palavra-passe.")
        pages = len(reader.pages)
        if pages == 0:
            return Finding(False, "pdf", digest, size, "O PDF não tem páginas.")
        if pages > MAX_PDF_PAGES:
            return Finding(False, "pdf", digest, size, f"O PDF tem mais de {MAX_PDF_PAGES} páginas.")
        root = reader.trailer["/Root"].get_object()
        names = root.get("/Names", {})
        names = names.get_object() if hasattr(names, "get_object") else names
        open_action = root.get("/OpenAction")
        open_action = open_action.get_object() if open_action is not None else None
        action_kind = open_action.get("/S") if isinstance(open_action, dict) else None
        if "/JavaScript" in names or action_kind in ("/JavaScript", "/Launch"):
            return Finding(False, "pdf", digest, size, "O PDF contém JavaScript ou ações automáticas, que não são aceites.")
        details = {"pages": pages, "embedded_files": "/EmbeddedFiles" in names}
    except (PyPdfError, ValueError, KeyError, TypeError, RecursionError, OSError):
        return Finding(False, "pdf", digest, size, "O PDF está danificado ou não pode ser lido.")
    return Finding(True, "pdf", digest, size, details=details)
