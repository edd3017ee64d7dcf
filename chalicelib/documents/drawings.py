"""Drawings judged by their structure, not only their signature (a signature is a few bytes anyone can
put in front of a script): a DXF by a parse of every group code and value, a DWG by its file header
(version, section locators and sentinel, or the R2004+ encrypted header), a DWFx by its OPC package
(content types, relationships and the parts they point at).

Each check returns None for a drawing that holds together, or the reason (pt-PT) naming what was found.
Pure: no AWS, run in the inspection's limited child.
"""

from __future__ import annotations

import re
import struct
from pathlib import Path
from typing import BinaryIO

MIB = 1024 * 1024

# -- DXF ----------------------------------------------------------------------------------------------
DXF_BINARY_SENTINEL = b"AutoCAD Binary DXF\r\n\x1a\x00"
_SECTIONS = {b"HEADER", b"CLASSES", b"TABLES", b"BLOCKS", b"ENTITIES", b"OBJECTS", b"THUMBNAILIMAGE", b"ACDSDATA"}
# Value types of the group codes (AutoCAD's DXF reference, "Group Code Value Types").
_FLOAT_CODES = (*range(10, 60), *range(110, 150), *range(210, 240), *range(460, 470), *range(1010, 1060))
_INT16_CODES = (*range(60, 80), *range(170, 180), *range(270, 290), *range(370, 390), *range(400, 410))
_INT16_CODES = (*_INT16_CODES, *range(1060, 1071))
_INT32_CODES = (*range(90, 100), *range(420, 430), *range(440, 460), 1071)
_INT64_CODES = tuple(range(160, 170))
_BOOL_CODES = tuple(range(290, 300))
_BINARY_CODES = (*range(310, 320), 1004)
_VALUE_TYPE: dict[int, str] = {}
for _codes, _kind in (
    (_FLOAT_CODES, "float"),
    (_INT16_CODES, "int"),
    (_INT32_CODES, "int"),
    (_INT64_CODES, "int"),
    (_BOOL_CODES, "int"),
    (_BINARY_CODES, "hex"),
):
    _VALUE_TYPE.update(dict.fromkeys(_codes, _kind))
_KNOWN_CODE = re.compile(rb"-?\d{1,4}")
_CONTROL = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_HEX = re.compile(rb"[0-9A-Fa-f]*")


class _DxfError(Exception):
    """Where a DXF stops being one: a line of a text DXF, a byte of a binary one (negative offsets)."""

    def __init__(self, at: int | None, what: str):
        where = "" if at is None else f" (byte {-at})" if at < 0 else f" (linha {at})"
        super().__init__(what + where)


def _dxf_grammar(pairs: object) -> int:
    """Walk (line, code, value) pairs through DXF's grammar: sections of group codes, then EOF.
    Returns the number of sections."""
    sections, inside = 0, False
    for line, code, value in pairs:  # type: ignore[attr-defined]
        if code == 999:
            continue  # a comment
        if code != 0:
            if not inside:
                raise _DxfError(line, f"código de grupo {code} fora de uma secção")
            continue
        if value == b"SECTION":
            if inside:
                raise _DxfError(line, "secção aberta dentro de outra")
            inside = True
            name_line, code, name = next(pairs)  # type: ignore[call-overload]
            if code != 2 or name not in _SECTIONS:
                raise _DxfError(name_line, "secção sem nome conhecido")
            sections += 1
        elif value == b"ENDSEC":
            if not inside:
                raise _DxfError(line, "fim de secção sem secção aberta")
            inside = False
        elif value == b"EOF":
            if inside:
                raise _DxfError(line, "o ficheiro termina dentro de uma secção")
            return sections
        elif not inside:
            raise _DxfError(line, f"entidade {value[:40].decode('latin-1')!r} fora de uma secção")
    raise _DxfError(None, "falta o marcador final EOF")


_DXF_LINE_MAX = 4096  # a DXF value is at most 2049 characters


def _text_pairs(handle: BinaryIO) -> object:
    """(line, code, value) of a text DXF, checking each code is a number and each value fits its code."""
    number = 0

    def line() -> bytes | None:
        nonlocal number
        raw = handle.readline(_DXF_LINE_MAX)
        if not raw:
            return None
        number += 1
        if len(raw) == _DXF_LINE_MAX and not raw.endswith(b"\n"):
            raise _DxfError(number, "linha demasiado longa")
        return raw

    while (raw_code := line()) is not None:
        code_text = raw_code.strip()
        if number == 1:
            code_text = code_text.removeprefix(b"\xef\xbb\xbf").strip()
        if not _KNOWN_CODE.fullmatch(code_text):
            shown = code_text[:40].decode("latin-1", "replace")
            raise _DxfError(number, f"esperava-se um código de grupo e encontrou-se texto ({shown!r})")
        code = int(code_text)
        raw_value = line()
        if raw_value is None:
            raise _DxfError(number, "código de grupo sem valor")
        value = raw_value.rstrip(b"\r\n")
        if _CONTROL.search(value):
            raise _DxfError(number, "carateres de controlo num valor")
        kind = _VALUE_TYPE.get(code)
        stripped = value.strip()
        try:
            if kind == "float":
                float(stripped)
            elif kind == "int":
                int(stripped)
        except ValueError:
            raise _DxfError(number, f"o valor do código {code} devia ser um número") from None
        if kind == "hex" and not _HEX.fullmatch(stripped):
            raise _DxfError(number, f"o valor do código {code} devia ser hexadecimal")
        yield number - 1, code, stripped if code in (0, 2) else value


def _binary_pairs(data: bytes) -> object:
    """(offset, code, value) of a binary DXF (R13 and later: 2-byte group codes)."""
    at = len(DXF_BINARY_SENTINEL)
    sizes = {"float": 8, "int16": 2, "int32": 4, "int64": 8, "bool": 1}
    while at < len(data):
        if at + 2 > len(data):
            raise _DxfError(-at, "código de grupo cortado")
        (code,) = struct.unpack_from("<h", data, at)
        at += 2
        if code in _FLOAT_CODES:
            size = sizes["float"]
        elif code in _INT16_CODES:
            size = sizes["int16"]
        elif code in _INT32_CODES:
            size = sizes["int32"]
        elif code in _INT64_CODES:
            size = sizes["int64"]
        elif code in _BOOL_CODES:
            size = sizes["bool"]
        elif code in _BINARY_CODES:
            if at >= len(data):
                raise _DxfError(-at, "dados binários cortados")
            size = 1 + data[at]
        elif 0 <= code <= 1071:
            end = data.find(b"\x00", at)
            if end < 0:
                raise _DxfError(-at, "texto sem terminação")
            value = data[at:end]
            if _CONTROL.search(value.replace(b"\x00", b"")):
                raise _DxfError(-at, "carateres de controlo num valor")
            yield -at, code, value
            at = end + 1
            continue
        else:
            raise _DxfError(-at, f"código de grupo inválido ({code})")
        if at + size > len(data):
            raise _DxfError(-at, "valor cortado")
        at += size
        yield -at, code, b""


def check_dxf(path: Path) -> str | None:
    with path.open("rb") as handle:
        binary = handle.read(len(DXF_BINARY_SENTINEL)) == DXF_BINARY_SENTINEL
        handle.seek(0)
        try:
            if binary:
                sections = _dxf_grammar(iter(_binary_pairs(handle.read())))  # type: ignore[call-overload]
                rest = b""
            else:
                sections = _dxf_grammar(iter(_text_pairs(handle)))  # type: ignore[call-overload]
                rest = handle.read(MIB)
        except _DxfError as error:
            return f"O ficheiro começa como um desenho DXF, mas não tem a estrutura de um: {error}."
    if sections == 0:
        return "O desenho DXF não tem nenhuma secção (cabeçalho, entidades…)."
    if rest.strip():
        return "O desenho DXF tem outro conteúdo depois do seu fim (EOF); não é aceite."
    return None


# -- DWG -----------------------------------------------------------------------------------------------
DWG_VERSIONS = {
    "AC1012": "R13",
    "AC1014": "R14",
    "AC1015": "AutoCAD 2000",
    "AC1018": "AutoCAD 2004",
    "AC1021": "AutoCAD 2007",
    "AC1024": "AutoCAD 2010",
    "AC1027": "AutoCAD 2013",
    "AC1032": "AutoCAD 2018",
}
_R13_SENTINEL = bytes.fromhex("95a04e2899821ae55e41e05f9d3a4d00")
_R2004_ID = b"AcFssFcAJMB\x00"


def _r2004_header(encrypted: bytes) -> bytes:
    """The 0x6C bytes at 0x80 of an R2004+ DWG, decrypted (XOR with the format's own LCG)."""
    seed, out = 1, bytearray(len(encrypted))
    for i, byte in enumerate(encrypted):
        seed = (seed * 0x343FD + 0x269EC3) & 0xFFFFFFFF
        out[i] = byte ^ ((seed >> 16) & 0xFF)
    return bytes(out)


def check_dwg(path: Path) -> tuple[str | None, str | None]:
    """(version, None) for a DWG whose header holds together, or (version, reason)."""
    size = path.stat().st_size
    with path.open("rb") as handle:
        head = handle.read(0x100)
    version = head[:6].decode("latin-1")
    damaged = f"O desenho DWG ({DWG_VERSIONS.get(version, version)}) tem o cabeçalho danificado ou não é um DWG."
    if version not in DWG_VERSIONS:
        return version, (
            f"O desenho DWG é de uma versão que não é aceite ({version}, anterior a R13). "
            "Grave-o numa versão mais recente do AutoCAD e volte a enviá-lo."
        )
    if version in ("AC1012", "AC1014", "AC1015"):
        if len(head) < 0x19:
            return version, damaged
        (records,) = struct.unpack_from("<I", head, 0x15)
        end = 0x19 + 9 * records
        if not 1 <= records <= 10 or head[end + 2 : end + 18] != _R13_SENTINEL:
            return version, damaged
        for i in range(records):
            _, seeker, length = struct.unpack_from("<BII", head, 0x19 + 9 * i)
            if seeker + length > size:
                return version, damaged
        return version, None
    if head[6:11] != bytes(5) or len(head) < 0x80 + 0x6C:
        return version, damaged
    if version == "AC1021":  # R2007's header is Reed-Solomon coded: its fixed part is what is checked
        return version, None if size >= 0x480 else damaged
    header = _r2004_header(head[0x80 : 0x80 + 0x6C])
    (marker,) = struct.unpack_from("<I", head, 0x28)
    (section_map,) = struct.unpack_from("<Q", header, 0x54)
    if marker != 0x80 or header[:12] != _R2004_ID or section_map + 0x100 > size:
        return version, damaged
    return version, None


# -- DWFx ----------------------------------------------------------------------------------------------
_OPC_TYPES = "{http://schemas.openxmlformats.org/package/2006/content-types}"
_OPC_RELS = "{http://schemas.openxmlformats.org/package/2006/relationships}"


def _xml(archive: object, name: str) -> object:
    """Parse a small XML part of the package (at most 1 MB), refusing DTDs (entity expansion) outright."""
    from xml.etree import ElementTree

    with archive.open(name) as part:  # type: ignore[attr-defined]
        data = part.read(MIB + 1)
    if len(data) > MIB or b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        raise ValueError(name)
    return ElementTree.fromstring(data)  # noqa: S314 (no DTD, so no entity of any kind to expand)


def check_dwfx_package(archive: object) -> str | None:
    """An OPC package as a DWFx is one: every part name safe, every part with a content type, and the
    package's relationships pointing at parts that are there, one of them the DWF document sequence."""
    not_dwfx = "O ficheiro é um arquivo ZIP, mas não um desenho DWFx"
    names = archive.namelist()  # type: ignore[attr-defined]
    if len(set(names)) != len(names):
        return f"{not_dwfx}: tem partes repetidas."
    for name in names:
        if name.startswith("/") or "\\" in name or ".." in name.split("/") or ":" in name:
            return f"{not_dwfx}: tem uma parte com um nome inválido ({name[:60]!r})."
    if "[Content_Types].xml" not in names:
        return f"{not_dwfx}: falta [Content_Types].xml."
    if "_rels/.rels" not in names:
        return f"{not_dwfx}: faltam as relações do pacote (_rels/.rels)."
    try:
        types = _xml(archive, "[Content_Types].xml")
        relationships = _xml(archive, "_rels/.rels")
    except (ValueError, SyntaxError):
        return f"{not_dwfx}: a descrição do pacote não é XML válido."
    if types.tag != f"{_OPC_TYPES}Types" or relationships.tag != f"{_OPC_RELS}Relationships":  # type: ignore[attr-defined]
        return f"{not_dwfx}: a descrição do pacote não é a de um pacote OPC."
    defaults = {e.get("Extension", "").lower() for e in types.iter(f"{_OPC_TYPES}Default")}  # type: ignore[attr-defined]
    overrides = {e.get("PartName", "").lower() for e in types.iter(f"{_OPC_TYPES}Override")}  # type: ignore[attr-defined]
    parts = {n for n in names if n != "[Content_Types].xml" and not n.endswith("/")}
    for name in parts:
        extension = name.rsplit(".", 1)[-1].lower() if "." in name.rsplit("/", 1)[-1] else ""
        if extension not in defaults and f"/{name}".lower() not in overrides:
            return f"{not_dwfx}: a parte {name[:60]!r} não tem tipo de conteúdo declarado."
    targets = [
        (r.get("Type", ""), r.get("Target", ""))
        for r in relationships.iter(f"{_OPC_RELS}Relationship")  # type: ignore[attr-defined]
        if r.get("TargetMode") != "External"
    ]
    if not any("dwf" in kind.lower() for kind, _ in targets):
        return f"{not_dwfx}: não tem a relação para a sequência de documentos DWF."
    for _, target in targets:
        if target.lstrip("/") not in parts:
            return f"{not_dwfx}: as relações apontam para uma parte que falta ({target[:60]!r})."
    return None
