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
_DXF_CHUNK = 4 * MIB
# A text DXF's pairs as one regular expression, so that a chunk of the file is checked in one pass of
# the regex engine (a 200 MB drawing within the time limit): each code a number, each value of the type
# its code says (AutoCAD's "group code value types"), no control characters, no line too long.
_SP = rb"[ \t]*+"
_FLOAT_CODE = rb"(?:[1-5][0-9]|1[1-4][0-9]|2[1-3][0-9]|46[0-9]|10[1-5][0-9])"
_INT_CODE = rb"(?:[679][0-9]|1[67][0-9]|2[7-9][0-9]|3[78][0-9]|4[0245][0-9]|106[0-9]|107[01])"
_HEX_CODE = rb"(?:31[0-9]|1004)"
_END = rb"[ \t\r]*+\n"
_PAIR = (
    rb"(?:" + _SP + rb"(?:"
    rb"" + _FLOAT_CODE + _SP + rb"\r?\n" + _SP + rb"[-+]?+(?:\d++\.?+\d*+|\.\d++)(?:[eE][-+]?+\d++)?+" + _END + rb"|"
    rb"" + _INT_CODE + _SP + rb"\r?\n" + _SP + rb"[-+]?+\d++" + _END + rb"|"
    rb"" + _HEX_CODE + _SP + rb"\r?\n" + _SP + rb"[0-9A-Fa-f]*+" + _END + rb"|"
    rb"(?!(?:" + _FLOAT_CODE + rb"|" + _INT_CODE + rb"|" + _HEX_CODE + rb")" + _SP + rb"\r?\n)"
    rb"-?[0-9]{1,4}" + _SP + rb"\r?\n[^\x00-\x08\n\x0b\x0c\x0e-\x1f\x7f]{0,4096}+\n"
    rb"))"
)
_PAIRS = re.compile(_PAIR + rb"*+")
_ONE_PAIR = re.compile(rb"[ \t]*+(-?[0-9]{1,4})[ \t]*+\r?\n([^\n]*+)\n")
_MARKER_WORDS = (b"SECTION", b"ENDSEC", b"EOF")


def _markers(data: bytes, end: int) -> list[tuple[int, int]]:
    """(start, end) of each ``0`` + SECTION/ENDSEC/EOF pair in ``data[:end]``, found by plain search
    (fast) and confirmed as whole lines. The "0" can only be a code: a code line is never text, so no
    alignment to pairs is needed."""
    found = []
    for word in _MARKER_WORDS:
        at = data.find(word, 0, end)
        while at >= 0:
            line_start = data.rfind(b"\n", 0, at) + 1
            line_end = data.find(b"\n", at, end)
            if (
                line_start
                and line_end >= 0
                and not data[line_start:at].strip()
                and not data[at + len(word) : line_end].strip()
            ):
                code_start = data.rfind(b"\n", 0, line_start - 1) + 1
                if data[code_start : line_start - 1].strip() == b"0":
                    found.append((code_start, line_end + 1))
            at = data.find(word, at + len(word), end)
    return found


_TYPE_WORDS = {"float": "um número", "int": "um número inteiro", "hex": "hexadecimal"}


def _diagnosis(data: bytes, at: int, line: int) -> _DxfError:
    """Why the pair at ``at`` (line ``line``) is not one."""
    code_line, _, rest = data[at:].partition(b"\n")
    code_text = code_line.strip()
    if not _KNOWN_CODE.fullmatch(code_text):
        shown = code_text[:40].decode("latin-1", "replace")
        return _DxfError(line, f"esperava-se um código de grupo e encontrou-se texto ({shown!r})")
    value, newline, _ = rest.partition(b"\n")
    if len(value) > _DXF_LINE_MAX:
        return _DxfError(line + 1, "linha demasiado longa")
    if not newline:
        return _DxfError(line, "código de grupo sem valor")
    if _CONTROL.search(value):
        return _DxfError(line + 1, "carateres de controlo num valor")
    code = int(code_text)
    return _DxfError(line + 1, f"o valor do código {code} devia ser {_TYPE_WORDS.get(_VALUE_TYPE.get(code, ''), '')}")


def _text_pairs(handle: BinaryIO) -> object:
    """The pairs of a text DXF the grammar needs, (line, code, value): the first, each section marker
    (``0 SECTION``, ``0 ENDSEC``, ``0 EOF``) and the pair after each; every other pair is checked on
    the way (``_PAIRS``) and not yielded."""
    size = Path(handle.name).stat().st_size
    first_line, pending, want_next = 1, b"", True
    while True:
        data = pending + handle.read(_DXF_CHUNK)
        last = handle.tell() >= size
        if first_line == 1:
            data = data.removeprefix(b"\xef\xbb\xbf")
        if last:
            data = data.rstrip(b" \t\r\n") + b"\n"
        end = _PAIRS.match(data).end()  # type: ignore[union-attr]
        if end < len(data) and (last or len(data) - end > 2 * _DXF_LINE_MAX + 16):
            raise _diagnosis(data, end, first_line + data.count(b"\n", 0, end))
        counted, line = 0, first_line
        starts = [0] if want_next else []
        want_next = False
        for marker_start, marker_end in _markers(data, end):
            starts += (marker_start, marker_end)
        for start in sorted(set(starts)):
            if start >= end:
                want_next = True
                continue
            pair = _ONE_PAIR.match(data, start)
            line += data.count(b"\n", counted, start)
            counted = start
            yield line, int(pair.group(1)), pair.group(2).strip()  # type: ignore[union-attr]
        first_line += data.count(b"\n", 0, end)
        pending = data[end:]
        if last:
            return


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
                pairs = iter(_text_pairs(handle))  # type: ignore[call-overload]
                sections = _dxf_grammar(pairs)
                rest = b"".join(value for _, _, value in pairs)
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
