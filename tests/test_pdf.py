"""The form as PDF: one named, labelled field per content control, accessible, filled and read back."""

from __future__ import annotations

import io
import json
import subprocess
from pathlib import Path

import pdfua
import pytest
from pypdf import PdfReader, PdfWriter

from blankett import pdf
from blankett.build import blank_bytes
from blankett.fill import fill_record
from blankett.form import FIELDS, Kind, field_for_tag
from blankett.model import to_record, validate
from blankett.read import read_file

TAGS = [tag for f in FIELDS for tag in f.tags()]


@pytest.fixture(scope="module")
def blank_pdf(soffice, tmp_path_factory) -> Path:
    """The blank form's PDF, made once through LibreOffice."""
    path = tmp_path_factory.mktemp("pdf") / "Bilaga5.pdf"
    path.write_bytes(pdf.docx_bytes_to_pdf(blank_bytes(), soffice=soffice))
    return path


@pytest.fixture(scope="module")
def filled(soffice, tmp_path_factory, example_records) -> dict:
    """The first example record filled into a .docx, and its PDF with fields and flattened."""
    folder = tmp_path_factory.mktemp("filled")
    docx = folder / "Bilaga5-1.docx"
    docx.write_bytes(fill_record(example_records[0]))
    flat = folder / "platt"
    flat.mkdir()
    results = pdf.docx_to_pdf([(docx, folder / "Bilaga5-1.pdf")], soffice=soffice)
    results += pdf.docx_to_pdf([(docx, flat / "Bilaga5-1.pdf")], flatten=True, soffice=soffice)
    assert [r.error for r in results] == ["", ""]
    return {"docx": docx, "pdf": folder / "Bilaga5-1.pdf", "flat": flat / "Bilaga5-1.pdf"}


def _fields(path: Path) -> dict:
    return PdfReader(path).get_fields()


def test_one_field_per_content_control_named_by_its_tag(blank_pdf):
    assert list(_fields(blank_pdf)) == TAGS


def test_field_kinds_and_tooltips(blank_pdf):
    for tag, field in _fields(blank_pdf).items():
        f = field_for_tag(tag)
        assert field["/FT"] == ("/Btn" if f.kind is Kind.JANEJ else "/Tx"), tag
        assert field["/TU"] == f.control_label(tag)


def test_each_janej_is_two_check_boxes_yes_off(blank_pdf):
    reader = PdfReader(blank_pdf)
    boxes = [a.get_object() for p in reader.pages for a in p.get("/Annots", [])
             if a.get_object().get("/FT") == "/Btn"]
    assert len(boxes) == 2 * sum(f.kind is Kind.JANEJ for f in FIELDS)
    for box in boxes:
        assert set(box["/AP"]["/N"].keys()) == {"/Yes", "/Off"} and box["/V"] == "/Off"


def test_blank_fields_are_empty_and_fill_their_cells(blank_pdf):
    reader = PdfReader(blank_pdf)
    for page in reader.pages:
        for annot in (a.get_object() for a in page.get("/Annots", [])):
            if annot.get("/FT") == "/Tx":
                x0, y0, x1, y1 = (float(v) for v in annot["/Rect"])
                assert annot["/V"] == "" and x1 - x0 > 250 and y1 - y0 > 12, annot["/T"]
                assert 0 < x0 < x1 < float(page.mediabox.width)


def test_accessibility_checker_finds_nothing(blank_pdf):
    report = pdfua.validate(str(blank_pdf))
    assert [f"{f.rule_id}: {f.message}" for f in report.findings] == []
    assert len(report.outcomes) - len(report.skipped) >= 10


def test_tagged_pdf_ua_title_language(blank_pdf):
    reader = PdfReader(blank_pdf)
    root = reader.trailer["/Root"]
    assert bool(root["/MarkInfo"]["/Marked"]) and "/StructTreeRoot" in root
    assert root["/Lang"] == "sv-SE" and bool(root["/ViewerPreferences"]["/DisplayDocTitle"])
    xmp = root["/Metadata"].get_data().decode()
    assert "<pdfuaid:part>1</pdfuaid:part>" in xmp and "sv-SE" in xmp
    assert reader.metadata.title.startswith("Incidentrapport och händelsedokumentation")


def test_the_logo_is_a_figure_with_alt_text_once(blank_pdf):
    reader = PdfReader(blank_pdf)
    tree = reader.trailer["/Root"]["/StructTreeRoot"]
    todo, figures = [tree], []
    while todo:
        element = todo.pop().get_object()
        kids = element.get("/K")
        kids = kids.get_object() if kids is not None else []
        for kid in kids if isinstance(kids, list) else [kids]:
            kid = kid.get_object()
            if hasattr(kid, "get") and "/S" in kid:
                (figures if kid["/S"] == "/Figure" else todo).append(kid)
    assert [str(f["/Alt"]) for f in figures] == ["Oxelösunds kommuns logotyp (platshållare)"]
    marked = reader.pages[0].get_contents().get_data()
    mcid = int(figures[0]["/K"])
    assert f"/Figure <</MCID {mcid}>> BDC".encode() in marked
    assert figures[0]["/Pg"].get_object() == reader.pages[0].get_object()


def test_no_program_version_or_path_in_metadata(blank_pdf):
    reader = PdfReader(blank_pdf)
    info = {k: str(v) for k, v in reader.metadata.items()}
    assert info["/Producer"] == info["/Creator"] == "blankett"
    assert "/Author" not in info
    data = blank_pdf.read_bytes()
    assert b"LibreOffice" not in reader.trailer["/Root"]["/Metadata"].get_data()
    assert b"/tmp/" not in data and b"blankett-pdf-" not in data and b"file://" not in data


def test_a_pdf_filled_with_pypdf_reads_back_to_the_same_record(blank_pdf, tmp_path):
    writer = PdfWriter(clone_from=PdfReader(blank_pdf))
    values = {
        "rapporterad_av": "Testa Testsson\nandra raden", "handelse": "Hot, våld – ”citat”",
        "polisanmald=Ja": "/Yes", "polis_kontaktad=Nej": "/Yes", "samtal1_datum": "2026-03-12",
        "sarbarheter_rutin#1": "Punkt ett", "sarbarheter_rutin#3": "Punkt tre",
    }
    for page in writer.pages:
        writer.update_page_form_field_values(page, values, auto_regenerate=False)
    path = tmp_path / "ifylld.pdf"
    writer.write(path)
    result = read_file(path)
    assert result.status == "ok", result.messages
    expected = to_record(validate({
        "rapporterad_av": "Testa Testsson\nandra raden", "handelse": "Hot, våld – ”citat”",
        "polisanmald": "Ja", "polis_kontaktad": "Nej", "samtal1_datum": "2026-03-12",
        "sarbarheter_rutin": ["Punkt ett", "Punkt tre"],
    })[0])
    assert result.record == expected


def test_both_boxes_ticked_is_a_warning(blank_pdf, tmp_path):
    writer = PdfWriter(clone_from=PdfReader(blank_pdf))
    for page in writer.pages:
        writer.update_page_form_field_values(page, {"polisanmald=Ja": "/Yes", "polisanmald=Nej": "/Yes"},
                                             auto_regenerate=False)
    writer.write(tmp_path / "b.pdf")
    result = read_file(tmp_path / "b.pdf")
    assert result.status == "varning" and result.record["polisanmald"] is None
    assert any("både Ja och Nej" in m for m in result.messages)


def test_pdf_list_with_more_lines_than_rows_and_a_swedish_date_read_as_in_word(blank_pdf, tmp_path):
    writer = PdfWriter(clone_from=PdfReader(blank_pdf))
    values = {"sarbarheter_plan#1": "Ett\nTvå", "sarbarheter_plan#4": "Tre\nFyra\nFem",
              "samtal2_datum": "12 mars 2026"}
    for page in writer.pages:
        writer.update_page_form_field_values(page, values, auto_regenerate=False)
    writer.write(tmp_path / "rader.pdf")
    result = read_file(tmp_path / "rader.pdf")
    assert result.status == "varning"
    assert result.record["sarbarheter_plan"] == ["Ett", "Två", "Tre", "Fyra; Fem"]
    assert result.record["samtal2_datum"] == "2026-03-12"
    assert any("5 rader" in m for m in result.messages)


def test_filled_form_pdf_reads_back_like_its_docx(filled):
    from_pdf, from_docx = read_file(filled["pdf"]), read_file(filled["docx"])
    assert from_pdf.status == "ok", from_pdf.messages
    assert from_pdf.record == from_docx.record


def test_filled_form_fields_hold_the_values(filled, example_records):
    fields = _fields(filled["pdf"])
    record = example_records[0]
    assert fields["rapporterad_av"]["/V"] == record["rapporterad_av"]
    assert list(fields) == TAGS


def test_flattened_pdf_shows_the_values_as_text(filled, example_records):
    text = subprocess.run(["pdftotext", "-layout", str(filled["flat"]), "-"], capture_output=True, text=True,
                          check=True).stdout
    record = example_records[0]
    for key in ("rapporterad_av", "utlosande_faktor", "samtal1_narvarande"):
        assert " ".join(record[key].split()[:3]) in " ".join(text.split()), key
    assert not PdfReader(filled["flat"]).get_fields()


def test_filled_pdf_metadata_carries_no_personal_data(filled, example_records):
    reader = PdfReader(filled["pdf"])
    meta = json.dumps({k: str(v) for k, v in reader.metadata.items()}, ensure_ascii=False)
    meta += reader.trailer["/Root"]["/Metadata"].get_data().decode()
    for key, value in example_records[0].items():
        if key != "diarienummer" and isinstance(value, str) and len(value) > 3:
            assert value not in meta
    assert meta.count(example_records[0]["diarienummer"]) == 2  # the case number only: in Info and in XMP
    assert filled["pdf"].stat().st_mode & 0o777 == 0o600


def _encrypted(blank_pdf: Path) -> bytes:
    writer = PdfWriter(clone_from=PdfReader(blank_pdf))
    writer.encrypt("hemligt")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.mark.parametrize("make, message", [
    (lambda b: _encrypted(b), "PDF-filen är lösenordsskyddad (krypterad); spara den utan lösenord"),
    (lambda b: b.read_bytes()[:2000], "PDF-filen är trasig och kan inte läsas"),
    (lambda b: b"%PDF-1.7\n" + b"\x00" * 500, "PDF-filen är trasig och kan inte läsas"),
    (lambda b: b"", "filen är tom"),
    (lambda b: b"<html>inte en pdf</html>", "filen är ingen PDF"),
])
def test_hostile_pdfs_give_one_swedish_line(blank_pdf, tmp_path, make, message):
    path = tmp_path / "inkommen.pdf"
    path.write_bytes(make(blank_pdf))
    result = read_file(path)
    assert result.status == "fel" and result.record is None
    assert result.messages == [message]


def test_a_pdf_that_is_not_our_form(filled):
    result = read_file(filled["flat"])
    assert result.status == "fel"
    assert result.messages == ["dokumentet är inte blanketten Bilaga 5 (inga av blankettens fält hittades)"]


def test_export_target_asks_for_tagged_pdf_ua_with_fields():
    target = pdf.export_target(True)
    assert target.startswith("pdf:writer_pdf_Export:")
    options = json.loads(target.split(":", 2)[2])
    assert options["UseTaggedPDF"]["value"] == options["PDFUACompliance"]["value"] == "true"
    assert options["ExportFormFields"]["value"] == "true" and options["DisplayPDFDocumentTitle"]["value"] == "true"
    assert json.loads(pdf.export_target(False).split(":", 2)[2])["ExportFormFields"]["value"] == "false"


def test_fill_pdf_writes_a_pdf_beside_each_docx(soffice, tmp_path):
    from click.testing import CliRunner

    from blankett.cli import main
    from tests.conftest import EXAMPLE

    out = tmp_path / "ut"
    result = CliRunner().invoke(main, ["fill", str(EXAMPLE), "-o", str(out), "--pdf", "--soffice", soffice])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1] == "PDF: 2 skrivna, 0 hoppade över (finns redan), 0 fel."
    names = sorted(p.name for p in out.iterdir())
    assert names == ["Bilaga5-KS-2026-0412.docx", "Bilaga5-KS-2026-0412.pdf",
                     "Bilaga5-KS-2026-0587.docx", "Bilaga5-KS-2026-0587.pdf"]
    assert all(p.stat().st_mode & 0o777 == 0o600 for p in out.iterdir())
    for docx in out.glob("*.docx"):
        assert read_file(docx.with_suffix(".pdf")).record == read_file(docx).record


def test_fill_format_pdf_writes_only_pdfs_and_flatten_takes_the_fields_away(soffice, tmp_path):
    from click.testing import CliRunner

    from blankett.cli import main
    from tests.conftest import EXAMPLE

    out = tmp_path / "ut"
    args = ["fill", str(EXAMPLE), "-o", str(out), "--format", "pdf", "--flatten", "--soffice", soffice]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == ["Klart: 2 skrivna, 0 hoppade över (finns redan), 0 fel."]
    assert sorted(p.suffix for p in out.iterdir()) == [".pdf", ".pdf"]
    assert all(not PdfReader(p).get_fields() for p in out.iterdir())
    again = CliRunner().invoke(main, args)
    assert again.output.splitlines()[-1] == "Klart: 0 skrivna, 2 hoppade över (finns redan), 0 fel."


@pytest.mark.parametrize("which", ["pdf", "flat"])
def test_filled_pdfs_pass_the_accessibility_checker_too(filled, which):
    report = pdfua.validate(str(filled[which]))
    assert [f"{f.rule_id}: {f.message}" for f in report.findings] == []
