"""Every stream of a PDF inflated once, under one budget: what a decompression bomb is found by,
wherever in the file it hides (a page's content, an XObject, a font, an object stream, the metadata,
or an object nothing refers to). Run in the inspection's limited child."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from chalicelib.documents.inspection import Limits

_IMAGE_CODECS = {"/DCTDecode", "/DCT", "/JPXDecode", "/JBIG2Decode", "/CCITTFaxDecode", "/CCF", "/Crypt"}


def _stream_kind(stream: Any) -> str:
    """What a stream is, in words for the uploader."""
    kind, subtype = stream.get("/Type"), stream.get("/Subtype")
    if subtype == "/Image":
        return "numa imagem"
    if subtype == "/Form":
        return "num desenho embutido (XObject)"
    if kind == "/Metadata":
        return "nos metadados (XMP)"
    if kind == "/ObjStm":
        return "num fluxo de objetos"
    if kind == "/XRef":
        return "na tabela de referências"
    if kind == "/EmbeddedFile":
        return "num ficheiro embutido"
    if "/Length1" in stream or "/Length2" in stream or subtype in ("/Type1C", "/CIDFontType0C", "/OpenType"):
        return "numa fonte"
    return "no conteúdo de uma página"


class Bomb(Exception):
    def __init__(self, where: str):
        super().__init__(where)
        self.where = where


def decode_every_stream(reader: Any, file_size: int, limits: Limits) -> int:
    """Inflate every stream of the file (content, XObjects, fonts, object streams, metadata...), one at a
    time and discarded, through pypdf's own decoders (each capped at ``pdf_max_stream_output``), under
    one budget for the whole file. The image codecs (JPEG, JPEG 2000, JBIG2, CCITT) are where the chain
    stops: pypdf never expands them, and neither does anything that reads the PDF as a document.
    Returns the bytes inflated; raises ``Bomb`` naming the stream that broke the budget."""
    from pypdf.errors import LimitReachedError
    from pypdf.filters import ASCII85Decode, ASCIIHexDecode, FlateDecode, LZWDecode, RunLengthDecode
    from pypdf.generic import ArrayObject, IndirectObject, StreamObject

    decoders = {
        "/FlateDecode": FlateDecode,
        "/Fl": FlateDecode,
        "/LZWDecode": LZWDecode,
        "/LZW": LZWDecode,
        "/RunLengthDecode": RunLengthDecode,
        "/RL": RunLengthDecode,
        "/ASCIIHexDecode": ASCIIHexDecode,
        "/AHx": ASCIIHexDecode,
        "/ASCII85Decode": ASCII85Decode,
        "/A85": ASCII85Decode,
    }
    references = [(number, generation) for generation, numbers in reader.xref.items() for number in numbers]
    references += [(number, 0) for number in reader.xref_objStm]
    total = 0
    for number, generation in references:
        stream = reader.get_object(IndirectObject(number, generation, reader))
        if not isinstance(stream, StreamObject):
            continue
        filters = stream.get("/Filter") or []
        filters = filters.get_object() if hasattr(filters, "get_object") else filters
        filters = list(filters) if isinstance(filters, ArrayObject | list) else [filters]
        data = stream._data  # the stream's bytes as stored in the file
        where = f"{_stream_kind(stream)}, objeto {number}"
        try:
            for name in filters:
                if name in _IMAGE_CODECS:
                    break
                decoder = decoders.get(str(name))
                if decoder is None:
                    raise ValueError(f"unknown filter {name}")
                data = decoder.decode(data)
        except LimitReachedError:
            raise Bomb(where) from None
        total += len(data)
        del data
        over_budget = total > limits.pdf_max_decoded_total
        if over_budget or (total > limits.pdf_expansion_floor and total > limits.pdf_max_expansion * file_size):
            raise Bomb(where)
    return total
