"""File inspection without AWS: each accepted format, what a PDF's inspection reports, and every
hostile file rejected with its reason by the limited child process."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from chalicelib.documents.inspection import Limits
from chalicelib.documents.isolation import inspect_isolated
from tests.support import files
from tests.support.files import HOSTILE, MIB


@pytest.mark.parametrize("hostile", [h for h in HOSTILE if h.name != "oversize_pdf"], ids=lambda h: h.name)
def test_each_hostile_file_is_rejected_with_its_reason(hostile: Any, hostile_files: dict[str, Path]) -> None:
    # The oversize file is refused before any parse, from the object's size: see tests/api/test_documents.py.
    finding = inspect_isolated(hostile_files[hostile.name], list(hostile.formats), hostile.filename)
    assert not finding.accepted
    assert hostile.reason in (finding.reason or ""), finding.reason


def test_a_scanned_pdf_is_accepted_with_its_pages(tmp_path: Path) -> None:
    finding = inspect_isolated(files.scanned_pdf(tmp_path / "scan.pdf", 3 * MIB), ["pdf"], "scan.pdf")
    assert finding.accepted, finding.reason
    assert finding.details["pages"] == 3
    assert finding.details["pdfa"] is None and finding.details["signed"] is False


def test_the_pdfa_claim_and_the_signature_are_reported(tmp_path: Path) -> None:
    finding = inspect_isolated(files.signed_pdfa(tmp_path / "assinado.pdf"), ["pdf"], "assinado.pdf")
    assert finding.accepted, finding.reason
    assert finding.details["pdfa"] == "2B"
    assert finding.details["signature_fields"] == 1 and finding.details["signed"] is True


@pytest.mark.parametrize(
    ("write", "words"),
    [
        (files.javascript_pdf, "JavaScript"),
        (files.launch_pdf, "abrir programas"),
        (files.embedded_file_pdf, "ficheiros anexados"),
        (files.encrypted_pdf, "cifrado"),
    ],
    ids=["javascript", "launch", "embedded", "encrypted"],
)
def test_active_or_closed_pdfs_are_rejected(tmp_path: Path, write: Any, words: str) -> None:
    finding = inspect_isolated(write(tmp_path / "x.pdf"), ["pdf"], "x.pdf")
    assert not finding.accepted
    assert words in (finding.reason or "")


@pytest.mark.parametrize(
    ("write", "name", "formats", "details"),
    [
        (files.dwg, "planta.dwg", ["dwfx", "dwg", "dxf"], {"version": "AC1032"}),
        (files.dxf, "planta.dxf", ["dwfx", "dwg", "dxf"], {}),
        (files.dwfx, "planta.dwfx", ["dwfx", "dwg", "dxf"], {"parts": 3}),
        (files.png, "foto.png", ["pdf", "png", "jpeg"], {"width": 64, "height": 48, "colour": True}),
    ],
    ids=["dwg", "dxf", "dwfx", "png"],
)
def test_drawings_and_images_are_accepted_where_the_slot_takes_them(
    tmp_path: Path, write: Any, name: str, formats: list[str], details: dict
) -> None:
    finding = inspect_isolated(write(tmp_path / name), formats, name)
    assert finding.accepted, finding.reason
    assert details.items() <= finding.details.items()


def _bytes(data: bytes) -> Any:
    def write(path: Path) -> Path:
        path.write_bytes(data)
        return path

    return write


@pytest.mark.parametrize(
    ("write", "name", "formats", "words"),
    [
        (files.dwg, "planta.dwg", ["pdf"], "aceita PDF; o ficheiro enviado é DWG"),
        (files.dwg, "planta.pdf", ["pdf", "dwg"], "extensão .pdf, mas o conteúdo é DWG"),
        (_bytes(b""), "vazio.pdf", ["pdf"], "vazio"),
        (_bytes(b"<html>ola</html>"), "pagina.pdf", ["pdf"], "não é PDF"),
        (_bytes(b"PK\x03\x04" + bytes(100)), "planta.dwfx", ["dwfx"], "danificado"),
    ],
    ids=["wrong-format", "wrong-extension", "empty", "html", "broken-zip"],
)
def test_files_that_are_not_what_the_slot_takes_are_rejected(
    tmp_path: Path, write: Any, name: str, formats: list[str], words: str
) -> None:
    finding = inspect_isolated(write(tmp_path / name), formats, name)
    assert not finding.accepted
    assert words in (finding.reason or ""), finding.reason


def test_a_zip_that_is_not_a_dwfx_is_rejected(tmp_path: Path) -> None:
    import zipfile

    path = tmp_path / "planta.dwfx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("leia-me.txt", "ola")
    finding = inspect_isolated(path, ["dwfx"], "planta.dwfx")
    assert not finding.accepted and "não um desenho DWFx" in (finding.reason or "")


def test_a_parse_past_the_time_limit_is_stopped_and_rejected(tmp_path: Path) -> None:
    path = files.scanned_pdf(tmp_path / "scan.pdf", MIB)
    finding = inspect_isolated(path, ["pdf"], "scan.pdf", Limits(seconds=0.01))
    assert not finding.accepted
    assert "excedeu o limite de 0.01 s" in (finding.reason or "")


def test_a_parse_past_the_memory_limit_is_stopped_and_rejected(hostile_files: dict[str, Path]) -> None:
    # With pypdf's own inflate cap lifted, the bomb meets the child's address-space limit instead.
    limits = Limits(memory_bytes=256 * MIB, pdf_max_stream_output=2 * 1024 * MIB)
    finding = inspect_isolated(hostile_files["pdf_decompression_bomb"], ["pdf"], "bomba.pdf", limits)
    assert not finding.accepted
    assert "limite de memória (256 MB)" in (finding.reason or ""), finding.reason


# -- structure, not only signatures ---------------------------------------------------------------------
@pytest.mark.parametrize(
    ("write", "name", "details"),
    [
        (files.dxf_binary, "planta.dxf", {}),
        (files.dwg_r2000, "planta.dwg", {"version": "AC1015", "release": "AutoCAD 2000"}),
        (files.dwg, "planta.dwg", {"version": "AC1032", "release": "AutoCAD 2018"}),
    ],
    ids=["binary-dxf", "dwg-2000", "dwg-2018"],
)
def test_drawings_whose_structure_holds_are_accepted(tmp_path: Path, write: Any, name: str, details: dict) -> None:
    finding = inspect_isolated(write(tmp_path / name), ["dwfx", "dwg", "dxf"], name)
    assert finding.accepted, finding.reason
    assert details.items() <= finding.details.items()


def _dwfx_without_its_document(path: Path) -> Path:
    import zipfile

    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("[Content_Types].xml", files.DWFX_CONTENT_TYPES)
        archive.writestr("_rels/.rels", files.DWFX_RELS)
    return path


def _edited(write: Any, old: bytes, new: bytes) -> Any:
    def edit(path: Path) -> Path:
        write(path)
        data = path.read_bytes()
        assert old in data
        path.write_bytes(data.replace(old, new, 1))
        return path

    return edit


@pytest.mark.parametrize(
    ("write", "name", "words"),
    [
        (_edited(files.dxf, b" 10\r\n0.0", b" 10\r\nzero"), "planta.dxf", "código 10 devia ser um número"),
        (_edited(files.dxf, b"  0\r\nEOF\r\n", b""), "planta.dxf", "falta o marcador final EOF"),
        (
            _edited(files.dxf, b"  0\r\nEOF\r\n", b"  0\r\nEOF\r\n999\r\nrm -rf ~\r\n"),
            "planta.dxf",
            "depois do seu fim",
        ),
        (_edited(files.dxf, b"  0\r\nEOF\r\n", b"  0\r\nEOF\r\nrm -rf ~\r\n"), "planta.dxf", "código de grupo"),
        (_edited(files.dxf_binary, b"ENDSEC\x00", b"ENDSEC"), "planta.dxf", "código de grupo inválido"),
        (_edited(files.dwg_r2000, bytes.fromhex("95a04e28"), b"#!/b"), "planta.dwg", "cabeçalho danificado"),
        (_edited(files.dwg, b"AC1032", b"AC1009"), "planta.dwg", "anterior a R13"),
        (_dwfx_without_its_document, "planta.dwfx", "uma parte que falta"),
    ],
    ids=[
        "dxf-bad-value",
        "dxf-no-eof",
        "dxf-comment-after-eof",
        "dxf-script-after-eof",
        "binary-dxf-cut",
        "dwg-no-sentinel",
        "dwg-r12",
        "dwfx",
    ],
)
def test_drawings_with_a_signature_but_not_the_structure_are_rejected(
    tmp_path: Path, write: Any, name: str, words: str
) -> None:
    finding = inspect_isolated(write(tmp_path / name), ["dwfx", "dwg", "dxf"], name)
    assert not finding.accepted
    assert words in (finding.reason or ""), finding.reason


def test_a_pdf_after_white_space_is_read_and_its_version_recorded(tmp_path: Path) -> None:
    path = tmp_path / "espaco.pdf"
    path.write_bytes(b"\r\n  " + files.small_pdf())
    finding = inspect_isolated(path, ["pdf"], "espaco.pdf")
    assert finding.accepted, finding.reason
    assert finding.details["pdf_version"] == files.small_pdf()[5:8].decode()


def test_many_streams_within_the_budget_are_accepted(tmp_path: Path) -> None:
    # 20 streams of 2 MB of zeros (40 MB in all from a few KB): under the floor the ratio is no reason.
    forms = [files.zlib_zero_bomb(2 * MIB)] * 20
    path = files.pdf_with(
        tmp_path / "formularios.pdf",
        extra_objects=[
            b"<< /Type /XObject /Subtype /Form /BBox [0 0 1 1] /Filter /FlateDecode /Length %d >>\nstream\n" % len(f)
            + f
            + b"\nendstream"
            for f in forms
        ],
    )
    finding = inspect_isolated(path, ["pdf"], "formularios.pdf")
    assert finding.accepted, finding.reason
