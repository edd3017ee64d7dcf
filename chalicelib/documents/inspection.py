"""What a file is, judged from its bytes alone (no AWS here): its magic bytes against its extension and
the formats its slot takes, and for each format what can be read safely: PDFs opened with pypdf within
explicit limits (header at the start, every stream inflated under one budget (``pdf_streams``),
encryption, JavaScript or launch actions, embedded files, the PDF/A claim, signature fields), images by
their declared size, drawings by their structure (``drawings``: DXF group codes, DWG header, DWFx package).

``inspect_file`` is the parse itself, pure; hostile files are parsed by it in a child process held to
``Limits`` (``chalicelib.documents.isolation``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from chalicelib.documents.drawings import DWG_VERSIONS, DXF_BINARY_SENTINEL, check_dwfx_package, check_dwg, check_dxf
from chalicelib.documents.pdf_streams import Bomb, decode_every_stream

MIB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """The explicit limits of one inspection."""

    seconds: float = 10.0  # wall clock for the whole child, start-up included
    memory_bytes: int = 512 * MIB  # the child's address space (RLIMIT_AS)
    pdf_max_pages: int = 2000
    pdf_max_stream_output: int = 32 * MIB  # the most any one PDF stream may inflate to
    # Every stream of a PDF is inflated once, one at a time, under one budget: in all at most this many
    # bytes, and no more than this many times the file's size once past the floor (text and drawings
    # inflate 5-20:1; a blank page drawn as an uncompressed image up to ~1000:1, hence the floor).
    pdf_max_decoded_total: int = 512 * MIB
    pdf_max_expansion: int = 200
    pdf_expansion_floor: int = 64 * MIB
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
# Text formats an attacker puts in front of a PDF's header (a polyglot), named for the reason.
OTHER_TEXT_FORMATS = (
    (re.compile(rb"\s*<(?:!doctype\s+html|html|head|body|script|svg)", re.I), "uma página HTML"),
    (re.compile(rb"#!"), "um script"),
    (re.compile(rb"\s*<\?xml", re.I), "um documento XML"),
)
_DWG = re.compile(rb"AC10[0-3][0-9]")
_DXF_TEXT = re.compile(rb"\A(?:\xef\xbb\xbf)?\s*(?:999\r?\n[^\n]*\n\s*)*0\r?\nSECTION\r?\n")
# What may come before "%PDF-": nothing but PDF white space.
_PDF_HEADER = re.compile(rb"\A[\x00\t\n\x0c\r ]*%PDF-(\d\.\d)")


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
    if head.lstrip(b"\x00\t\n\x0c\r ").startswith(b"%PDF-"):  # only white space before the header
        return "pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if _DWG.match(head):
        return "dwg"
    if head.startswith(DXF_BINARY_SENTINEL) or _DXF_TEXT.match(head):
        return "dxf"
    if head.startswith(b"PK\x03\x04"):
        return "dwfx"
    return None


def _what_else(head: bytes) -> str:
    for prefix, description in OTHER_FORMATS:
        if head.startswith(prefix):
            return description
    for pattern, description in OTHER_TEXT_FORMATS:
        if pattern.match(head):
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
    if kind is None and b"%PDF-" in head:
        return Finding(
            False,
            "pdf",
            f"O ficheiro não começa pelo cabeçalho de um PDF: antes dele há {_what_else(head)}. "
            "Um PDF verdadeiro começa por %PDF-; grave-o de novo (por exemplo, imprimir para PDF).",
        )
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
    inspector = {
        "pdf": _inspect_pdf,
        "png": _inspect_image,
        "jpeg": _inspect_image,
        "dwfx": _inspect_dwfx,
        "dwg": _inspect_dwg,
        "dxf": _inspect_dxf,
    }[kind]
    return inspector(path, limits)


# -- DWG and DXF ---------------------------------------------------------------------------------------
def _inspect_dwg(path: Path, limits: Limits) -> Finding:
    version, reason = check_dwg(path)
    if reason:
        return Finding(False, "dwg", reason)
    return Finding(True, "dwg", details={"version": version, "release": DWG_VERSIONS[version or ""]})


def _inspect_dxf(path: Path, limits: Limits) -> Finding:
    reason = check_dxf(path)
    return Finding(False, "dxf", reason) if reason else Finding(True, "dxf")


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


def _tail(path: Path) -> bytes:
    """The last 1 KB: a complete PDF's ``%%EOF`` is there (what readers require)."""
    with path.open("rb") as handle:
        handle.seek(max(0, path.stat().st_size - 1024))
        return handle.read()


_PDF_WHITE_SPACE = b"\x00\t\n\x0c\r "


def _inspect_pdf(path: Path, limits: Limits) -> Finding:
    from pypdf import PdfReader, apply_configuration
    from pypdf.errors import LimitReachedError, PyPdfError

    with path.open("rb") as handle:
        header = _PDF_HEADER.match(handle.read(1024))
    if header is None:
        return Finding(False, "pdf", "O cabeçalho do PDF (%PDF-) não indica a versão: o ficheiro não é um PDF válido.")
    tail = _tail(path)
    if b"%%EOF" not in tail:
        return Finding(False, "pdf", "O PDF está incompleto (o ficheiro foi cortado). Envie-o de novo.")
    after = tail.rsplit(b"%%EOF", 1)[1].strip(_PDF_WHITE_SPACE)
    if after:
        return Finding(
            False,
            "pdf",
            f"Depois do fim do PDF (%%EOF) há outro conteúdo ({_what_else(after)}): o ficheiro não é só um PDF. "
            "Grave-o de novo (por exemplo, imprimir para PDF) e volte a enviá-lo.",
        )
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
            decode_every_stream(reader, path.stat().st_size, limits)
            details: dict[str, Any] = {"pages": pages, "pdf_version": header.group(1).decode()}
            details["pdfa"] = _pdfa_claim(root)
            signature_fields = [f for f in (reader.get_fields() or {}).values() if f.get("/FT") == "/Sig"]
            details["signature_fields"] = len(signature_fields)
            details["signed"] = any(f.get("/V") is not None for f in signature_fields)
    except MemoryError:
        raise
    except (LimitReachedError, Bomb) as error:
        where = f", {error.where}" if isinstance(error, Bomb) else ""
        return Finding(
            False,
            "pdf",
            "O PDF contém dados comprimidos que se expandem desproporcionadamente (uma "
            f'"bomba de descompressão"{where}); não é aceite.',
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
    total size, compression ratio, overlapping entries), then its package structure (content types,
    relationships), then every part is inflated in bounded chunks to check its CRC, so that a directory
    that lies about sizes is caught too."""
    import zipfile

    bomb = Finding(
        False,
        "dwfx",
        'O desenho DWFx descomprimido seria desproporcionadamente grande (uma "bomba zip"); não é aceite.',
    )
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
            structure = check_dwfx_package(archive)
            if structure:
                return Finding(False, "dwfx", structure)
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
