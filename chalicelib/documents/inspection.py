"""What a file is, judged from its bytes alone (no AWS here): its magic bytes against its extension and
the formats its slot takes, and for each format what can be read safely: PDFs opened with pypdf within
explicit limits (pages, encryption, JavaScript or launch actions, embedded files, the PDF/A claim in the
XMP metadata, signature fields), images by their declared size, DWFx packages by their zip directory.

``inspect_file`` is the parse itself, pure; hostile files are parsed by it in a child process held to
``Limits`` (``chalicelib.documents.isolation``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

MIB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """The explicit limits of one inspection."""

    seconds: float = 10.0  # wall clock for the whole child, start-up included
    memory_bytes: int = 512 * MIB  # the child's address space (RLIMIT_AS)
    pdf_max_pages: int = 2000
    pdf_max_stream_output: int = 32 * MIB  # the most any one PDF stream may inflate to
    pdf_max_annotations_per_page: int = 500
    image_max_pixels: int = 180_000_000  # an A0 colour scan at 300 dpi is ~140 megapixels
    zip_max_entries: int = 10_000
    zip_max_uncompressed: int = 1024 * MIB
    zip_max_ratio: int = 200  # deflated XML and drawings rarely exceed 20:1; bombs reach 1000:1


LIMITS = Limits()

FORMAT_NAMES = {"pdf": "PDF", "png": "PNG", "jpeg": "JPEG", "dwg": "DWG", "dxf": "DXF", "dwfx": "DWFx"}
EXTENSIONS = {"pdf": "pdf", "png": "png", "jpg": "jpeg", "jpeg": "jpeg", "dwg": "dwg", "dxf": "dxf", "dwfx": "dwfx"}
# Formats no slot takes, named so that the uploader understands what they sent.
OTHER_FORMATS = (
    (b"MZ", "um programa do Windows"),
    (b"\x7fELF", "um programa"),
    (b"PK\x03\x04", "um arquivo ZIP"),
    (b"Rar!", "um arquivo RAR"),
    (b"7z\xbc\xaf", "um arquivo 7-Zip"),
    (b"GIF8", "uma imagem GIF"),
    (b"II*\x00", "uma imagem TIFF"),
    (b"MM\x00*", "uma imagem TIFF"),
    (b"\xd0\xcf\x11\xe0", "um documento do Office antigo"),
)
_DWG = re.compile(rb"AC10[0-3][0-9]")
_DXF_BINARY = b"AutoCAD Binary DXF\r\n\x1a\x00"
_DXF_TEXT = re.compile(rb"\A(?:\xef\xbb\xbf)?\s*(?:999\r?\n[^\n]*\n\s*)*0\r?\nSECTION\r?\n")


@dataclass
class Finding:
    """What inspection found: the verdict, the format the bytes are, the reason for a rejection
    (pt-PT, for the uploader), details worth keeping (pages, PDF/A, signatures), and what the
    inspection itself cost (seconds, peak memory of the child)."""

    accepted: bool
    format: str | None = None
    reason: str | None = None
    details: dict[str, Any] = field(default_factory=dict)
    seconds: float | None = None
    peak_memory_bytes: int | None = None


def _names(formats: list[str] | tuple[str, ...]) -> str:
    return ", ".join(FORMAT_NAMES.get(f, f.upper()) for f in formats)


def sniff_format(head: bytes) -> str | None:
    """The accepted format the first bytes announce (a zip is only a candidate DWFx)."""
    if b"%PDF-" in head[:1024]:  # the PDF header may follow a few bytes of junk
        return "pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if _DWG.match(head):
        return "dwg"
    if head.startswith(_DXF_BINARY) or _DXF_TEXT.match(head):
        return "dxf"
    if head.startswith(b"PK\x03\x04"):
        return "dwfx"
    return None


def _what_else(head: bytes) -> str:
    for prefix, description in OTHER_FORMATS:
        if head.startswith(prefix):
            return description
    return "um formato não reconhecido"


def inspect_file(path: str | Path, allowed_formats: list[str], filename: str, limits: Limits = LIMITS) -> Finding:
    """The verdict on one file. Never raises for a bad file: a rejection carries its reason."""
    path = Path(path)
    size = path.stat().st_size
    if size == 0:
        return Finding(False, None, "O ficheiro está vazio.")
    with path.open("rb") as handle:
        head = handle.read(4096)
    kind = sniff_format(head)
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    declared = EXTENSIONS.get(extension)
    if kind is None:
        return Finding(False, None, f"O conteúdo do ficheiro não é {_names(allowed_formats)}: é {_what_else(head)}.")
    if declared is not None and declared != kind:
        return Finding(
            False,
            kind,
            f"O ficheiro tem a extensão .{extension}, mas o conteúdo é {FORMAT_NAMES[kind]}. "
            "Envie o ficheiro com a extensão certa.",
        )
    if kind not in allowed_formats:
        return Finding(
            False, kind, f"Este documento aceita {_names(allowed_formats)}; o ficheiro enviado é {FORMAT_NAMES[kind]}."
        )
    inspector = {"pdf": _inspect_pdf, "png": _inspect_image, "jpeg": _inspect_image, "dwfx": _inspect_dwfx}.get(kind)
    if inspector is None:  # DWG and DXF: the signature is all that is checked
        details = {"version": _DWG.match(head).group().decode()} if kind == "dwg" else {}  # type: ignore[union-attr]
        return Finding(True, kind, details=details)
    return inspector(path, limits)


# -- PDF -------------------------------------------------------------------------------------------
_PDFA_PART = re.compile(rb"pdfaid:part\s*(?:=\s*[\"']|>)\s*(\d)")
_PDFA_CONFORMANCE = re.compile(rb"pdfaid:conformance\s*(?:=\s*[\"']|>)\s*([A-Za-z])")
_DANGEROUS_ACTIONS = ("/JavaScript", "/Launch")


def _resolve(value: Any) -> Any:
    return value.get_object() if hasattr(value, "get_object") else value


def _action_kind(action: Any) -> str | None:
    action = _resolve(action)
    return str(action.get("/S")) if hasattr(action, "get") else None


def _additional_actions(holder: Any) -> bool:
    """Whether an /AA (additional actions: on open, on close, on focus…) holds JavaScript or a launch."""
    actions = _resolve(holder.get("/AA")) if hasattr(holder, "get") else None
    return hasattr(actions, "values") and any(_action_kind(a) in _DANGEROUS_ACTIONS for a in actions.values())


def _tail_is_complete(path: Path) -> bool:
    """A complete PDF ends with ``%%EOF`` within its last 1 KB (what readers require)."""
    with path.open("rb") as handle:
        handle.seek(max(0, path.stat().st_size - 1024))
        return b"%%EOF" in handle.read()


def _inspect_pdf(path: Path, limits: Limits) -> Finding:
    from pypdf import PdfReader, apply_configuration
    from pypdf.errors import LimitReachedError, PyPdfError

    if not _tail_is_complete(path):
        return Finding(False, "pdf", "O PDF está incompleto (o ficheiro foi cortado). Envie-o de novo.")
    damaged = Finding(
        False,
        "pdf",
        "O PDF está danificado ou não pode ser lido. Grave-o de novo (por exemplo, "
        "imprimir para PDF) e volte a enviá-lo.",
    )
    cap = limits.pdf_max_stream_output
    try:
        with (
            apply_configuration(
                zlib_maximum_output_length=cap,
                lzw_maximum_output_length=cap,
                run_length_maximum_output_length=cap,
                maximum_declared_stream_length=256 * MIB,
                xmp_maximum_input_length=min(cap, 5 * MIB),
                page_tree_maximum_entries=limits.pdf_max_pages * 2,
                page_tree_maximum_depth=50,
                form_fields_maximum_entries=10_000,
            ),
            path.open("rb") as handle,
        ):  # a file object: pypdf reads a path fully into memory
            reader = PdfReader(handle, strict=False, root_object_recovery_limit=1000)
            if reader.is_encrypted:
                return Finding(
                    False, "pdf", "O PDF está protegido (cifrado). Envie-o sem palavra-passe nem restrições."
                )
            pages = len(reader.pages)
            if pages == 0:
                return Finding(False, "pdf", "O PDF não tem páginas.")
            if pages > limits.pdf_max_pages:
                return Finding(False, "pdf", f"O PDF tem {pages} páginas; o máximo é {limits.pdf_max_pages}.")
            root = reader.root_object
            names = _resolve(root.get("/Names")) or {}
            active = (
                _action_kind(root.get("/OpenAction")) in _DANGEROUS_ACTIONS
                or "/JavaScript" in names
                or _additional_actions(root)
            )
            embedded = "/EmbeddedFiles" in names
            for page in reader.pages:
                active = active or _additional_actions(page)
                annotations = _resolve(page.get("/Annots")) or []
                for annotation in list(annotations)[: limits.pdf_max_annotations_per_page]:
                    annotation = _resolve(annotation)
                    if not hasattr(annotation, "get"):
                        continue
                    embedded = embedded or annotation.get("/Subtype") == "/FileAttachment"
                    active = (
                        active
                        or _action_kind(annotation.get("/A")) in _DANGEROUS_ACTIONS
                        or _additional_actions(annotation)
                    )
            if active:
                return Finding(
                    False,
                    "pdf",
                    "O PDF contém JavaScript ou ações automáticas (abrir programas), que não "
                    "são aceites. Grave-o de novo sem elas (por exemplo, imprimir para PDF).",
                )
            if embedded:
                return Finding(
                    False,
                    "pdf",
                    "O PDF contém ficheiros anexados dentro dele. Envie cada documento em separado, sem anexos.",
                )
            details: dict[str, Any] = {"pages": pages, "pdf_version": reader.pdf_header.lstrip("%PDF-")}
            details["pdfa"] = _pdfa_claim(root)
            signature_fields = [f for f in (reader.get_fields() or {}).values() if f.get("/FT") == "/Sig"]
            details["signature_fields"] = len(signature_fields)
            details["signed"] = any(f.get("/V") is not None for f in signature_fields)
    except MemoryError:
        raise
    except LimitReachedError:
        return Finding(
            False,
            "pdf",
            "O PDF contém dados comprimidos que se expandem desproporcionadamente (uma "
            '"bomba de descompressão"); não é aceite.',
        )
    except (
        PyPdfError,
        ValueError,
        KeyError,
        TypeError,
        AttributeError,
        IndexError,
        RecursionError,
        OSError,
        AssertionError,
        ArithmeticError,
    ):
        return damaged
    return Finding(True, "pdf", details=details)


def _pdfa_claim(root: Any) -> str | None:
    """The PDF/A part and conformance the XMP metadata claims (``2B``), or None. A claim, not a
    validation: it says what the producer declared."""
    metadata = _resolve(root.get("/Metadata"))
    if metadata is None or not hasattr(metadata, "get_data"):
        return None
    xmp = metadata.get_data()
    part, conformance = _PDFA_PART.search(xmp), _PDFA_CONFORMANCE.search(xmp)
    if part is None:
        return None
    return part.group(1).decode() + (conformance.group(1).decode().upper() if conformance else "")


# -- images ------------------------------------------------------------------------------------------
def _inspect_image(path: Path, limits: Limits) -> Finding:
    import warnings

    from PIL import Image

    with path.open("rb") as handle:
        kind = "png" if handle.read(1) == b"\x89" else "jpeg"
    Image.MAX_IMAGE_PIXELS = limits.image_max_pixels
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path) as image:  # reads the header only: nothing is decoded
                width, height, mode = image.width, image.height, image.mode
                image.verify()  # chunk structure and checksums, still without decoding pixels
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        return Finding(
            False,
            kind,
            f"A imagem declara mais de {limits.image_max_pixels // 1_000_000} megapíxeis, "
            "mais do que uma digitalização A0 a 300 ppp. Reduza a resolução e volte a enviá-la.",
        )
    except (OSError, SyntaxError, ValueError):
        return Finding(False, kind, "A imagem está danificada ou não pode ser lida.")
    return Finding(
        True, kind, details={"width": width, "height": height, "colour": mode not in ("1", "L", "LA", "I;16")}
    )


# -- DWFx ----------------------------------------------------------------------------------------------
def _inspect_dwfx(path: Path, limits: Limits) -> Finding:
    """A DWFx is an OPC (zip) package. Its directory is checked before anything is inflated (entries,
    total size, compression ratio, overlapping entries), then every part is inflated in bounded chunks
    to check its CRC, so that a directory that lies about sizes is caught too."""
    import zipfile

    bomb = Finding(
        False,
        "dwfx",
        'O desenho DWFx descomprimido seria desproporcionadamente grande (uma "bomba zip"); não é aceite.',
    )
    not_dwfx = Finding(False, "dwfx", "O ficheiro é um arquivo ZIP, mas não um desenho DWFx.")
    try:
        with zipfile.ZipFile(path) as archive:
            entries = archive.infolist()
            if len(entries) > limits.zip_max_entries:
                return Finding(False, "dwfx", f"O desenho DWFx tem mais de {limits.zip_max_entries} partes.")
            if sum(e.file_size for e in entries) > limits.zip_max_uncompressed:
                return bomb
            if any(e.file_size > MIB and e.file_size > limits.zip_max_ratio * max(e.compress_size, 1) for e in entries):
                return bomb
            spans = sorted((e.header_offset, e.header_offset + e.compress_size) for e in entries)
            if any(end > next_start for (_, end), (next_start, _) in zip(spans, spans[1:], strict=False)):
                return bomb  # overlapping entries: the same bytes counted many times
            if "[Content_Types].xml" not in archive.namelist():
                return not_dwfx
            with archive.open("[Content_Types].xml") as types:
                if b"dwf" not in types.read(MIB).lower():
                    return not_dwfx
            inflated = 0
            for entry in entries:
                with archive.open(entry) as part:  # CRC checked by zipfile at the end of each part
                    while chunk := part.read(MIB):
                        inflated += len(chunk)
                        if inflated > limits.zip_max_uncompressed:
                            return bomb
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError, NotImplementedError):
        return Finding(False, "dwfx", "O desenho DWFx está danificado ou não pode ser lido.")
    return Finding(True, "dwfx", details={"parts": len(entries)})
