"""The form as PDF: one named, labelled field per content control, accessible, filled and read back."""

from __future__ import annotations

import io
import json
import re
import subprocess
import zipfile
from pathlib import Path

import pdfua
import pikepdf
import pikepdf.form
import pymupdf
import pytest
from hypothesis import HealthCheck, given, settings
from lxml import etree
from pypdf import PdfReader, PdfWriter
from pypdf.generic import ArrayObject, DictionaryObject, FloatObject, NameObject, TextStringObject

from blankett.build import blank_bytes
from blankett.fill import fill_record
from blankett.form import FIELDS, Kind, field_for_tag
from blankett.model import to_record, validate
from blankett.pdf import common, convert, layout, mend
from blankett.pdf.blank import SHIPPED
from blankett.readback import read_file

from .clients import program
from .conftest import EXAMPLE, NS, ROOT, W
from .forms import edit, expected, expected_status, save, sdt
from .test_roundtrip import RECORDS

TAGS = [tag for f in FIELDS for tag in f.tags()]
BOXES = [tag for f in FIELDS if f.kind is Kind.JANEJ for tag in f.tags()]


@pytest.fixture(scope="module")
def blank_pdf(soffice, tmp_path_factory) -> Path:
    """The blank form's PDF, made once through LibreOffice."""
    path = tmp_path_factory.mktemp("pdf") / "Bilaga5.pdf"
    path.write_bytes(convert.docx_bytes_to_pdf(blank_bytes(), soffice=soffice))
    return path


@pytest.fixture(scope="module")
def filled(soffice, tmp_path_factory, example_records) -> dict:
    """The first example record filled into a .docx, and its PDF with fields and flattened."""
    folder = tmp_path_factory.mktemp("filled")
    docx = folder / "Bilaga5-1.docx"
    docx.write_bytes(fill_record(example_records[0]))
    flat = folder / "platt"
    flat.mkdir()
    results = convert.docx_to_pdf([(docx, folder / "Bilaga5-1.pdf")], soffice=soffice)
    results += convert.docx_to_pdf([(docx, flat / "Bilaga5-1.pdf")], flatten=True, soffice=soffice)
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
    text = subprocess.run([program("pdftotext", "poppler-utils"), "-layout", str(filled["flat"]), "-"], capture_output=True, text=True,
                          check=True).stdout
    record = example_records[0]
    for key in ("rapporterad_av", "utlosande_faktor", "samtal1_narvarande"):
        assert " ".join(record[key].split()[:3]) in " ".join(text.split()), key
    assert not PdfReader(filled["flat"]).get_fields()



def test_a_flattened_pdf_is_told_in_one_line_by_check_and_read_by_extract_from_its_text(filled, example_records):
    """A PDF without fields (flattened or printed): check says so in one line, not 51 missing fields; extract reads
    its answers from the page text (tests/test_pagetext.py has the corpus), with one warning saying so."""
    from click.testing import CliRunner

    from blankett.cli import main
    from blankett.pdf.read import FROM_PAGE_TEXT

    said = ("Bilaga5-1.pdf: PDF-filen har inga ifyllbara fält (svaren är vanlig text, till exempel efter "
            "fill --flatten eller utskrift till PDF); extract läser svaren från sidornas text")
    checked = CliRunner().invoke(main, ["check", str(filled["flat"])])
    assert (checked.exit_code, checked.output.splitlines()) == (1, ["Fel: " + said])
    result = read_file(filled["flat"])
    assert (result.status, result.messages) == ("varning", [FROM_PAGE_TEXT])
    assert result.record is not None
    assert result.record["rapporterad_av"] == " ".join(example_records[0]["rapporterad_av"].split())


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
    (lambda b: _encrypted(b), "filen är lösenordsskyddad (krypterad) och inget lösenord angavs; ange lösenordet för att läsa den"),
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


def test_a_pdf_too_big_to_read_is_refused_before_it_is_read(tmp_path):
    path = tmp_path / "stor.pdf"
    with open(path, "wb") as fh:
        fh.truncate(common.MAX_PDF + 1)  # sparse: the size is what is checked, before any byte is read
    result = read_file(path)
    assert (result.status, result.record) == ("fel", None)
    assert result.messages == ["PDF-filen är större än 50 MB och läses inte"]


def test_a_box_ticked_only_in_its_appearance_and_broken_metadata_still_read(blank_pdf, tmp_path):
    """Some programs set a check box's /AS alone, without /V; a broken /Info loses the case number, not the answers."""
    path = tmp_path / "ifylld.pdf"
    with pikepdf.open(blank_pdf) as doc:
        for field in doc.Root.AcroForm.Fields:
            if str(field.T) == "polisanmald=Ja":
                del field.V
                field.AS = pikepdf.Name("/Yes")
        doc.trailer.Info = pikepdf.Array([1])
        doc.save(path)
    result = read_file(path)
    assert result.status == "ok", result.messages
    assert result.record == dict(expected({"polisanmald": "Ja"}), diarienummer=None)


def test_a_pdf_form_that_is_not_ours(filled, tmp_path):
    """Another form's PDF (fields, but none of ours by name) is not Bilaga 5."""
    other = tmp_path / "annan-blankett.pdf"
    with pikepdf.open(filled["pdf"]) as doc:
        for n, field in enumerate(doc.Root.AcroForm.Fields):
            field.T = pikepdf.String(f"annat_{n}")
        doc.save(other)
    result = read_file(other)
    assert (result.status, result.record) == ("fel", None)
    assert result.messages == ["dokumentet är inte blanketten Bilaga 5 (inga av blankettens fält hittades)"]


def test_export_target_asks_for_tagged_pdf_ua_with_fields():
    target = convert.export_target(True)
    assert target.startswith("pdf:writer_pdf_Export:")
    options = json.loads(target.split(":", 2)[2])
    assert options["UseTaggedPDF"]["value"] == options["PDFUACompliance"]["value"] == "true"
    assert options["ExportFormFields"]["value"] == "true" and options["DisplayPDFDocumentTitle"]["value"] == "true"
    assert json.loads(convert.export_target(False).split(":", 2)[2])["ExportFormFields"]["value"] == "false"


def test_fill_pdf_writes_a_pdf_beside_each_docx(soffice, tmp_path):
    from click.testing import CliRunner

    from blankett.cli import main

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
        _qpdf_check(docx.with_suffix(".pdf"))
        assert len(_mupdf_widgets(docx.with_suffix(".pdf"))) == 51


def test_fill_format_pdf_writes_only_pdfs_and_flatten_takes_the_fields_away(soffice, tmp_path):
    from click.testing import CliRunner

    from blankett.cli import main

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


# --- strict readers: qpdf, pikepdf, MuPDF -------------------------------------------------


def _qpdf_check(path: Path) -> None:
    """``qpdf --check`` finds nothing: no error, no warning (exit 0; 3 would mean warnings)."""
    run = subprocess.run([program("qpdf", "qpdf"), "--check", str(path)], capture_output=True, text=True, check=False)
    assert run.returncode == 0 and "WARNING" not in run.stdout + run.stderr, run.stdout + run.stderr
    assert "No syntax or stream encoding errors found" in run.stdout


def _pikepdf_fields(path: Path) -> list[pikepdf.Dictionary]:
    with pikepdf.open(path) as doc:
        fields = list(doc.Root.AcroForm.Fields)
        assert all(isinstance(f, pikepdf.Dictionary) for f in fields), "pikepdf reads a field as null"
        return [(str(f.T), str(f.FT)) for f in fields]


def _mupdf_widgets(path: Path) -> list[tuple[str, int]]:
    with pymupdf.open(path) as doc:
        return [(w.field_name, w.field_type) for page in doc for w in page.widgets()]


@pytest.mark.office
@pytest.mark.parametrize("which", ["blank", "pdf", "flat"])
def test_strict_readers_open_our_pdfs(blank_pdf, filled, which):
    path = blank_pdf if which == "blank" else filled[which]
    _qpdf_check(path)
    assert path.read_bytes().startswith(b"%PDF-1.7\n")  # LibreOffice's version, not pypdf's default 1.3
    if which == "flat":
        return
    assert _pikepdf_fields(path) == [(t, "/Btn" if t in BOXES else "/Tx") for t in TAGS]
    widgets = _mupdf_widgets(path)
    assert [name for name, _ in widgets] == TAGS
    assert [name for name, kind in widgets if kind == pymupdf.PDF_WIDGET_TYPE_CHECKBOX] == BOXES
    assert len(TAGS) == 51 and len(BOXES) == 18


def _pdf_values(record: dict) -> dict[str, object]:
    """A record as the values a person puts into the PDF's fields: text, or True for a ticked box."""
    values: dict[str, object] = {}
    for f in FIELDS:
        value = record.get(f.key)
        if value is None or value == []:
            continue
        if f.kind is Kind.JANEJ:
            values[f"{f.key}={value}"] = True
        elif f.kind is Kind.LIST:
            values.update((f"{f.key}#{n}", item) for n, item in enumerate(value, 1))
        else:
            values[f.key] = str(value)
    return values


def _fill_with_pikepdf(blank: Path, target: Path, values: dict[str, object]) -> None:
    with pikepdf.open(blank) as doc:
        fields = dict(pikepdf.form.Form(doc).items())
        for name, value in values.items():
            if value is True:
                fields[name].checked = True
            else:
                fields[name].value = value
        doc.save(target)


def _fill_with_mupdf(blank: Path, target: Path, values: dict[str, object]) -> None:
    with pymupdf.open(blank) as doc:
        for page in doc:
            for widget in page.widgets():
                if widget.field_name in values:
                    value = values[widget.field_name]
                    widget.field_value = widget.on_state() if value is True else value
                    widget.update()
        doc.save(target)


SWEDISH = {
    "rapporterad_av": "Åsa Öberg, nämndsekreterare\nandra raden", "handelse": "Hot, våld – ”citat” … 5 €",
    "polisanmald": "Ja", "polis_kontaktad": "Nej", "samtal2_datum": "2026-03-12",
    "sarbarheter_rutin": ["Punkt ett", "Punkt två"], "upplevelse": "Skrämmande ☒ emoji 🙂",
    "samtal3_dokumentation": "0\x7f",  # MuPDF stores it as bytes that are no PDFDocEncoding (0x7f has no character)
    # pikepdf (qpdf) stores this as PDFDocEncoding bytes, the replacement character as 0x9F, which has no character
    # there: pypdf gave the string up as bytes, and it was read as "\x80 ett \x9f två" (the bullet lost too)
    "vittnen": "• ett \ufffd två",
}


@pytest.mark.office
@pytest.mark.parametrize("fill", [_fill_with_pikepdf, _fill_with_mupdf], ids=["pikepdf", "pymupdf"])
def test_a_pdf_filled_and_saved_by_another_library_reads_back(blank_pdf, tmp_path, fill):
    path = tmp_path / "ifylld.pdf"
    fill(blank_pdf, path, _pdf_values(SWEDISH))
    result = read_file(path)
    assert result.status == "ok", result.messages
    assert result.record == expected(SWEDISH)


@pytest.mark.office
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(record=RECORDS)
def test_any_record_filled_with_pikepdf_or_pymupdf_reads_back(blank_pdf, tmp_path, record):
    values = _pdf_values(to_record(validate(record)[0]))
    for fill in (_fill_with_pikepdf, _fill_with_mupdf):
        path = tmp_path / f"{fill.__name__}.pdf"
        fill(blank_pdf, path, values)
        result = read_file(path)
        assert (result.status, result.messages) == expected_status(record), fill.__name__
        # the case number and the coded fields live in the metadata of a PDF we fill; the blank PDF another
        # program fills has none
        assert result.record == dict(expected(record), diarienummer=None, handelsedatum=None, typ=[], kanal=[]), \
            fill.__name__


# --- every answer drawn in its field ----------------------------------------------------------

LONG = {
    "diarienummer": "KS 2026/0999",
    "rapporterad_av": "Åsa Öberg, nämndsekreterare – ”Ärendet gäller ÅÄÖ och åäö” (“tredje” ‘försöket’)",
    "utsatt": "Örjan Ågren\nledamot i kommunstyrelsen\n\nordförande i tekniska nämnden",
    "handelse": "\n".join(f"Rad {n}: något hände i Göteborg och Malmö – ”citat” … 5 € § 4" for n in range(12)),
    "vittnen": " ".join(f"Vittne{n}" for n in range(250)),
    "kommentar_3_1_1": "MycketlångtordutanmellanslagsomintefårplatspåenradienrutaåäöÅÄÖ" * 3,
    "samtal1_datum": "2026-03-12",
    "sarbarheter_rutin": ["Ett mycket långt listsvar som inte ryms på en rad i sin ruta " * 3, "kort"],
}


@pytest.fixture(scope="module")
def long_pdf(soffice, tmp_path_factory) -> Path:
    """A form with long, multi-line Swedish answers, through LibreOffice and finish()."""
    folder = tmp_path_factory.mktemp("lang")
    docx = folder / "lang.docx"
    docx.write_bytes(fill_record(LONG))
    (result,) = convert.docx_to_pdf([(docx, folder / "lang.pdf")], soffice=soffice)
    assert result.error == "" and result.warnings == []
    return folder / "lang.pdf"


def _poppler_words(path: Path, page: int, rect: list[float], height: float) -> list[str]:
    """The words poppler draws inside ``rect`` (PDF space) of a page: pdftotext cropped to it."""
    x0, y0, x1, y1 = rect
    args = [program("pdftotext", "poppler-utils"), "-f", str(page), "-l", str(page), "-x", str(int(x0)), "-y", str(int(height - y1)),
            "-W", str(int(x1 - x0) + 1), "-H", str(int(y1 - y0) + 1), str(path), "-"]
    return subprocess.run(args, capture_output=True, text=True, check=True).stdout.split()


def _drawn_answers(path: Path) -> list[tuple[str, str, list[str], str]]:
    """Each filled text field: its name, its value, the words poppler draws in its box and the text MuPDF draws."""
    out = []
    with pymupdf.open(path) as doc:
        for page in doc:
            height = page.rect.height
            for widget in page.widgets():
                if widget.field_type != pymupdf.PDF_WIDGET_TYPE_TEXT or not widget.field_value:
                    continue
                r = widget.rect  # MuPDF's rect: top-left origin
                rect = [r.x0, height - r.y1, r.x1, height - r.y0]
                out.append((widget.field_name, widget.field_value, _poppler_words(path, page.number + 1, rect, height),
                            page.get_text("text", clip=r)))
    return out


@pytest.mark.office
@pytest.mark.parametrize("which", ["filled", "long"])
def test_every_answer_is_drawn_whole_inside_its_field_by_poppler_and_mupdf(filled, long_pdf, example_records,
                                                                          which):
    path, record = (filled["pdf"], example_records[0]) if which == "filled" else (long_pdf, LONG)
    answers = _drawn_answers(path)
    texts = {k for k, v in _pdf_values(to_record(validate(record)[0])).items() if v is not True}
    assert sorted(name for name, *_ in answers) == sorted(texts)
    for name, value, poppler, mupdf in answers:
        want = "".join(value.split())  # words may be broken inside (a word wider than its box); none is lost
        assert "".join(poppler) == want, (name, "poppler")
        assert "".join(mupdf.split()) == want, (name, "mupdf")
        if field_for_tag(name).kind is Kind.TEXT:  # each line of a multi-line answer starts a line on the page
            starts = iter(line.split()[0] for line in mupdf.splitlines() if line.split())
            assert all(any(p.split()[0].startswith(start) for start in starts)  # a too long word is broken
                       for p in value.split("\n") if p.split()), name


@pytest.mark.office
def test_every_filled_field_carries_its_own_appearance(filled, long_pdf):
    for path in (filled["pdf"], long_pdf):
        with pikepdf.open(path) as doc:
            assert "/NeedAppearances" not in doc.Root.AcroForm
            for field in doc.Root.AcroForm.Fields:
                if field.FT == "/Tx":
                    drawn = field.AP.N.read_bytes()
                    assert drawn.startswith(b"/Tx BMC") and (b" Tj" in drawn) == bool(str(field.get("/V", ""))), \
                        str(field.T)
                    assert str(field.DA) == "0 g /LiSa 0 Tf"  # auto size: another tool shrinks a long answer
                    sizes = [float(s) for s in re.findall(rb"/LiSa ([\d.]+) Tf", drawn)]
                    assert all(layout.MIN_FONT_SIZE <= size <= layout.FONT_SIZE for size in sizes)


def test_layout_widths_match_the_embedded_font_as_mupdf_reads_it_for_every_winansi_character():
    with pikepdf.open(SHIPPED) as doc:
        program = doc.Root.AcroForm.DR.Font[common.FONT].FontDescriptor.FontFile2.read_bytes()
    helv = pymupdf.Font(fontbuffer=program)  # the Liberation Sans subset the answers are drawn in
    for byte in range(32, 256):
        try:
            ch = bytes([byte]).decode("cp1252")
        except UnicodeDecodeError:
            continue
        if layout.winansi(ch) != (ch, False):  # DEL, the C1 controls: never drawn
            assert ch == "\x7f"
            continue
        assert layout.text_width(ch, 1000) == pytest.approx(helv.text_length(ch, 1000), abs=0.6), repr(ch)


def test_winansi_keeps_swedish_and_typographic_characters_and_replaces_the_rest():
    assert layout.winansi("Åsa Öberg – ”citat” … 5 € äöå ÄÖÅ é ü") == ("Åsa Öberg – ”citat” … 5 € äöå ÄÖÅ é ü", False)
    assert layout.winansi("Łódź ☒ 🙂\tş") == ("?ódz ? ? s", True)


@pytest.mark.parametrize("text, width, height, size, fits", [
    ("Kort svar", 300, 14, 10, True),
    ("ett två tre " * 8, 300, 14, 8, True),       # one line only: made smaller to fit
    ("ett två tre " * 12, 300, 14, 7, False),     # not even in 7 pt: cut, and warned about
    ("ett två tre " * 8, 300, 40, 10, True),      # wraps in a taller box
    ("ett två tre " * 20, 300, 40, 9.5, True),    # wraps, and is made smaller to fit
    ("rad\n" * 12, 300, 40, 7, False),            # line breaks kept: 12 lines cannot fit
])
def test_layout_wraps_shrinks_to_a_readable_minimum_and_says_when_it_cannot_fit(text, width, height, size, fits):
    shown = layout.layout(text, width, height, multiline=True)
    assert (shown.size, shown.fits) == (size, fits)
    assert all(layout.text_width(line, shown.size) <= width - 4 for line in shown.lines)
    if fits:
        assert " ".join(shown.lines).split() == text.split()


@pytest.mark.office
def test_fill_pdf_tells_which_answer_cannot_be_shown_whole(soffice, tmp_path):
    from click.testing import CliRunner

    from blankett.cli import main

    record = {"diarienummer": "KS 2026/0001", "rapporterad_av": "Kryss ☒ i texten", "samtal1_datum": "2026-03-12"}
    source = tmp_path / "in.json"
    source.write_text(json.dumps([record], ensure_ascii=False), encoding="utf-8")
    result = CliRunner().invoke(main, ["fill", str(source), "-o", str(tmp_path / "ut"), "--format", "pdf",
                                       "--soffice", soffice])
    assert result.exit_code == 0, result.output
    assert ("Bilaga5-KS-2026-0001.pdf: fältet ”Vem rapporterar incidenten?”: tecken som PDF:ens typsnitt saknar "
            "visas som ? på sidan (svaret i fältet är oförändrat)") in result.output
    assert "☒" not in result.output  # the answer itself is not logged
    assert read_file(tmp_path / "ut" / "Bilaga5-KS-2026-0001.pdf").record["rapporterad_av"] == "Kryss ☒ i texten"


def test_an_answer_that_cannot_fit_is_warned_about_by_its_place(tmp_path):
    writer = PdfWriter()
    page = writer.add_blank_page(300, 300)
    widget = DictionaryObject({
        NameObject("/Type"): NameObject("/Annot"), NameObject("/Subtype"): NameObject("/Widget"),
        NameObject("/FT"): NameObject("/Tx"), NameObject("/T"): TextStringObject("samtal2_datum"),
        NameObject("/V"): TextStringObject("2026-03-12 " * 10),
        NameObject("/Rect"): ArrayObject(FloatObject(v) for v in (10, 10, 110, 24)),
    })
    ref = writer._add_object(widget)
    page[NameObject("/Annots")] = ArrayObject([ref])
    font = writer._add_object(mend._standard_font("/Helvetica", "/WinAnsiEncoding"))
    writer._root_object[NameObject("/AcroForm")] = DictionaryObject({
        NameObject("/Fields"): ArrayObject([ref]),
        NameObject("/DR"): DictionaryObject({NameObject("/Font"): DictionaryObject(
            {NameObject(common.FONT): font})}),
    })
    assert mend.text_appearances(writer) == [
        ("fältet ”Uppföljningssamtal 2: Datum”: svaret får inte plats i sin ruta i PDF:en ens med 7 punkters text "
         "och syns bara delvis på sidan (hela svaret finns kvar i fältet)")]


# --- PDF/UA: Form elements, spoken names -----------------------------------------------------


def _structure(doc: pikepdf.Pdf) -> list[pikepdf.Dictionary]:
    """Every structure element, walked from the root with pikepdf."""
    out, todo = [], [doc.Root.StructTreeRoot]
    while todo:
        element = todo.pop()
        kids = element.get("/K")
        for kid in (kids if isinstance(kids, pikepdf.Array) else [kids] if kids is not None else []):
            if isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
                out.append(kid)
                todo.append(kid)
    return out


@pytest.mark.office
@pytest.mark.parametrize("which", ["blank", "pdf"])
def test_each_form_element_holds_exactly_one_widget_reference(blank_pdf, filled, which):
    path = blank_pdf if which == "blank" else filled[which]
    with pikepdf.open(path) as doc:
        forms = [e for e in _structure(doc) if e.S == "/Form"]
        widgets = {a.objgen for page in doc.pages for a in page.get("/Annots", []) if a.Subtype == "/Widget"}
        held = []
        for form in forms:
            kids = form.K if isinstance(form.K, pikepdf.Array) else [form.K]
            assert len(kids) == 1 and isinstance(kids[0], pikepdf.Dictionary), repr(kids)
            assert kids[0].Type == "/OBJR" and "/MCID" not in kids[0]
            held.append(kids[0].Obj.objgen)
        assert sorted(held) == sorted(widgets) and len(held) == 51
        for page in doc.pages:  # every marked content left still has its structure element
            content = b"".join(s.read_bytes() for s in ([page.Contents] if isinstance(page.Contents, pikepdf.Stream)
                                                         else page.Contents))
            assert b"/Form<<" not in content.replace(b" ", b"")
            nums = doc.Root.StructTreeRoot.ParentTree.Nums
            marked = dict(zip([int(k) for k in nums[0::2]], nums[1::2], strict=True))[int(page.StructParents)]
            for mcid in map(int, re.findall(rb"/MCID\s+(\d+)", content)):
                assert isinstance(marked[mcid], pikepdf.Dictionary), mcid


def _aliases(docx: bytes) -> list[str]:
    with zipfile.ZipFile(io.BytesIO(docx)) as zf:
        root = etree.fromstring(zf.read("word/document.xml"))
    return [a.get(f"{{{W}}}val") for a in root.iterfind(".//w:sdt/w:sdtPr/w:alias", NS)]


@pytest.mark.office
def test_every_control_has_a_unique_spoken_name_that_says_where_it_is(blank_pdf):
    with pikepdf.open(blank_pdf) as doc:
        spoken = [str(f.TU) for f in doc.Root.AcroForm.Fields]
    for names in (spoken, _aliases(blank_bytes()), _aliases((ROOT / "templates" / "Bilaga5.docx").read_bytes())):
        assert len(names) == len(set(names)) == 51
        assert names == [field_for_tag(t).control_label(t) for t in TAGS]
    for name in ("Uppföljningssamtal 1-2 veckor efter händelse: Datum", "Uppföljningssamtal 2: Datum",
                 "Uppföljningssamtal 3: Närvarande", "3.1.1: Kommentar", "3.1.2–3.1.3: Kommentar",
                 "3.1.2–3.1.3: Har händelsen polisanmälts? – Ja",
                 "Uppföljningssamtal 2: Dokumentation av nuläge och behov av fortsatt stöd till den utsatte"):
        assert name in spoken


def test_an_answer_under_the_placeholder_flag_is_kept_in_the_pdf(soffice, tmp_path):
    """LibreOffice keeps the placeholder flag on pasted text: the PDF must show and hold the answer all the same."""
    def flag(root: etree._Element) -> None:
        pr = sdt(root, "rapporterad_av").find("w:sdtPr", NS)
        pr.append(etree.Element(f"{{{W}}}showingPlcHdr"))

    docx = save(tmp_path, "inklistrad.docx", edit(fill_record({"rapporterad_av": "Åsa Öberg, nämndsekreterare"}), flag))
    target = tmp_path / "inklistrad.pdf"
    (result,) = convert.docx_to_pdf([(docx, target)], soffice=soffice)
    assert result.error == ""
    with pikepdf.open(target) as doc:  # another library than the one that wrote it
        values = {name: str(field.value) for name, field in pikepdf.form.Form(doc).items() if field.is_text}
    assert values["rapporterad_av"] == "Åsa Öberg, nämndsekreterare"
    assert values["utsatt"] == ""  # a placeholder that is only a placeholder is still no answer
    assert read_file(target).record["rapporterad_av"] == "Åsa Öberg, nämndsekreterare"
