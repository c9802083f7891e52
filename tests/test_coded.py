"""The coded layer (issue 20): incident date, type and channel beside the case number, never printed on the form.

They travel as document properties: docProps/custom.xml in a .docx, the document information and the XMP in a
PDF. Every expectation here is written out (PTU's categories, the property names, the Swedish lines), not taken
from form.py; the files are read back by programs that did not write them: LibreOffice (through UNO and as a
converter), pikepdf/qpdf, mutool and plain zip + lxml.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import subprocess
import zipfile
from pathlib import Path

import openpyxl
import pikepdf
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

import blankett
from blankett.errors import RecordError
from blankett.model import validate
from blankett.pdf.convert import docx_to_pdf
from blankett.readback import OK, VARNING, read_file

from .clients import program
from .forms import save

TYPES = ["trakasserier", "hot", "våld", "skadegörelse", "stöld", "korruptionsförsök", "annat"]
CHANNELS = ["sociala medier", "personligen", "telefon", "e-post", "brev", "sms", "annat"]
#: The document property (custom.xml name, PDF Info key, XMP element) of each coded key.
PROPERTIES = {"diarienummer": "Diarienummer", "handelsedatum": "Handelsedatum", "typ": "Typ", "kanal": "Kanal"}
CODED = {"diarienummer": "KS 2026/0412", "handelsedatum": "2026-03-04", "typ": ["hot", "skadegörelse"],
         "kanal": ["sociala medier", "e-post"]}
#: What the document properties of CODED hold: the lists as their values joined by "; ".
STORED = {"Diarienummer": "KS 2026/0412", "Handelsedatum": "2026-03-04", "Typ": "hot; skadegörelse",
          "Kanal": "sociala medier; e-post"}
ANSWERS = {"utsatt": "Anders Bergström", "polis_kontaktad": "Ja"}
XMP_NS = "urn:blankett:bilaga5/"
CUSTOM_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/custom-properties}"


def _in_order(allowed: list[str]) -> st.SearchStrategy[list[str]]:
    """Any choice of the allowed values, each once, in the declared order (how extract gives them back)."""
    return st.sets(st.sampled_from(allowed)).map(lambda chosen: [v for v in allowed if v in chosen])


CODED_RECORDS = st.fixed_dictionaries({
    "handelsedatum": st.one_of(st.none(), st.dates(dt.date(1990, 1, 1), dt.date(2100, 12, 31)).map(str)),
    "typ": _in_order(TYPES),
    "kanal": _in_order(CHANNELS),
    "utsatt": st.sampled_from(["Anna", "Åsa Öberg"]),
})


def _coded(record: dict) -> dict:
    return {key: record[key] for key in ("diarienummer", "handelsedatum", "typ", "kanal")}


def _custom_properties(docx: bytes | Path) -> dict[str, str]:
    """docProps/custom.xml's properties by name, read with zipfile and lxml."""
    source = docx if isinstance(docx, Path) else io.BytesIO(docx)
    with zipfile.ZipFile(source) as zf:
        if "docProps/custom.xml" not in zf.namelist():
            return {}
        root = etree.fromstring(zf.read("docProps/custom.xml"))
    return {p.get("name"): p[0].text for p in root.iter(f"{CUSTOM_NS}property")}


def _pdf_properties(data: bytes) -> tuple[dict[str, str], dict[str, str]]:
    """The PDF's document information and its XMP properties in blankett's namespace, as pikepdf (qpdf) reads them."""
    with pikepdf.open(io.BytesIO(data)) as pdf:
        info = {str(k)[1:]: str(v) for k, v in pdf.docinfo.items()}
        with pdf.open_metadata() as meta:
            xmp = {k.split("}", 1)[1]: str(v) for k, v in meta.items() if k.startswith(f"{{{XMP_NS}}}")}
    return info, xmp


# --- the model: what it takes, and the one Swedish line for anything else ------------------------------------


@pytest.mark.parametrize("given_, expected", [
    ({"typ": "Hot"}, {"typ": ["hot"]}),
    ({"typ": "VÅLD; hot,trakasserier"}, {"typ": ["trakasserier", "hot", "våld"]}),
    ({"typ": ["Hot", "hot", "Annat"]}, {"typ": ["hot", "annat"]}),
    ({"kanal": "E-post\nSMS"}, {"kanal": ["e-post", "sms"]}),
    ({"kanal": " Sociala medier ; "}, {"kanal": ["sociala medier"]}),
    ({"typ": "", "kanal": None}, {"typ": [], "kanal": []}),
    ({"handelsedatum": "4 mars 2026"}, {"handelsedatum": "2026-03-04"}),
    ({"handelsedatum": "20260304"}, {"handelsedatum": "2026-03-04"}),
])
def test_the_coded_fields_take_any_case_and_separator_and_keep_ptus_order(given_, expected):
    record = blankett.validate(given_)[0]
    assert {k: record[k] for k in expected} == expected


@pytest.mark.parametrize("given_, line", [
    ({"typ": "mord"}, 'fältet "typ": "mord" är inget av de tillåtna värdena (trakasserier, hot, våld, '
                      "skadegörelse, stöld, korruptionsförsök, annat)"),
    ({"kanal": ["e-post", "brevduva"]}, 'fältet "kanal": "brevduva" är inget av de tillåtna värdena (sociala medier, '
                                        "personligen, telefon, e-post, brev, sms, annat)"),
    ({"kanal": 5}, 'fältet "kanal": värdet är ingen lista'),
    ({"typ": [["hot"]]}, 'fältet "typ": varje värde i listan ska vara en text'),
    ({"handelsedatum": "31/2-2026"}, 'fältet "handelsedatum": "31/2-2026" är inget giltigt datum (skriv ÅÅÅÅ-MM-DD)'),
])
def test_a_bad_coded_value_is_one_swedish_line_naming_the_field(given_, line):
    with pytest.raises(RecordError) as err:
        validate(given_)
    assert err.value.messages == [line]


def test_the_schema_lists_ptus_categories_as_the_allowed_items():
    props = blankett.schema()["properties"]
    assert props["typ"]["items"]["enum"] == TYPES and props["kanal"]["items"]["enum"] == CHANNELS
    assert props["typ"]["type"] == props["kanal"]["type"] == "array"
    assert props["handelsedatum"]["anyOf"][0] == {"format": "date", "type": "string"}
    assert [props[k]["title"] for k in ("handelsedatum", "typ", "kanal")] == ["Händelsedatum", "Typ av händelse",
                                                                               "Kanal"]


# --- written into the files and read back exactly ------------------------------------------------------------


@settings(max_examples=25, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(CODED_RECORDS, st.sampled_from(["KS 1", None, "Dnr 2026/17 – ”Ö” & <x>"]))
def test_any_coded_record_comes_back_from_the_docx_and_the_direct_pdf(tmp_path, record, case):
    record = record | {"diarienummer": case}
    docx = save(tmp_path, "svar.docx", blankett.fill_docx(record))
    pdf = save(tmp_path, "svar.pdf", blankett.fill_pdf(record))
    for path in (docx, pdf):
        result = read_file(path)
        assert (result.status, result.messages) == (OK, []), path.name
        assert _coded(result.record) == _coded(record), path.name


def test_the_docx_carries_them_as_custom_document_properties_and_not_on_the_page():
    data = blankett.fill_docx(CODED | ANSWERS)
    assert _custom_properties(data) == STORED
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        body = zf.read("word/document.xml").decode()
    for text in ("2026-03-04", "hot; skadegörelse", "sociala medier", "KS 2026/0412"):
        assert text not in body


def test_no_coded_field_is_passed_on_by_a_used_template_nor_carried_by_the_published_blanks():
    """A filled form used as template leaves no old coded field in the next form; the blanks carry none."""
    used = blankett.Template(blankett.fill_docx(CODED))
    assert _custom_properties(blankett.fill_docx({"diarienummer": "KS 1", "utsatt": "Anna"}, used)) == {
        "Diarienummer": "KS 1"}
    assert _custom_properties(blankett.fill_docx({"utsatt": "Anna"}, used)) == {}
    assert _custom_properties(blankett.blank_docx()) == {}
    for pdf in (blankett.blank_pdf(), blankett.fill_pdf({"utsatt": "Anna"})):
        info, xmp = _pdf_properties(pdf)
        assert not set(PROPERTIES.values()) & (set(info) | set(xmp))


@pytest.mark.parametrize("flatten", [False, True])
def test_pikepdf_and_mutool_see_the_coded_fields_of_the_direct_pdf(tmp_path, flatten):
    data = blankett.fill_pdf(CODED | ANSWERS, flatten=flatten)
    info, xmp = _pdf_properties(data)
    assert {k: info[k] for k in STORED} == STORED and xmp == STORED
    path = save(tmp_path, "svar.pdf", data)
    shown = subprocess.run([program("mutool", "mupdf-tools"), "show", str(path), "trailer/Info"],
                           capture_output=True, text=True, timeout=60, check=True).stdout
    assert "/Handelsedatum (2026-03-04)" in shown and "/Diarienummer (KS 2026/0412)" in shown
    assert "/Typ" in shown and "/Kanal" in shown
    result = read_file(path)
    assert _coded(result.record) == CODED


@pytest.mark.office
def test_libreoffices_pdf_and_the_archive_copy_carry_them(soffice, tmp_path):
    docx = save(tmp_path, "svar.docx", blankett.fill_docx(CODED | ANSWERS))
    pdf = tmp_path / "svar.pdf"
    assert docx_to_pdf([(docx, pdf)], soffice=soffice)[0].error == ""
    archive = save(tmp_path, "arkiv.pdf", blankett.fill_pdfa(CODED | ANSWERS, soffice=soffice))
    for path in (pdf, archive):
        info, xmp = _pdf_properties(path.read_bytes())
        assert {k: info[k] for k in STORED} == STORED and xmp == STORED, path.name
        result = read_file(path)
        assert result.status == OK and _coded(result.record) == CODED, (path.name, result.messages)


@pytest.mark.office
def test_a_form_answered_in_libreoffice_and_saved_as_docx_odt_and_doc_keeps_them(office, tmp_path):
    """Opened in Writer, an answer typed, saved as .docx, .odt and Word 97 .doc: extract gives the coded fields
    back from each (the .odt and .doc through LibreOffice's conversion)."""
    from .uno_office import props

    filled = save(tmp_path, "ifylld.docx", blankett.fill_docx(CODED | ANSWERS))
    form = office.open(filled)
    try:
        form.click("vittnen")
        form.type("Eva Ek")
        saved = [form.save(tmp_path / "sparad.docx"), form.save(tmp_path / "sparad.odt")]
        form.doc.storeToURL((tmp_path / "sparad.doc").as_uri(), props(FilterName="MS Word 97", Overwrite=True))
        saved.append(tmp_path / "sparad.doc")
    finally:
        form.close()
    assert _custom_properties(saved[0]) == STORED
    for path in saved:
        result = read_file(path)
        # Word 97 keeps no content controls: the answers are read beside their questions, with one warning
        assert result.status == (VARNING if path.suffix == ".doc" else OK), (path.name, result.messages)
        assert result.record["vittnen"] == "Eva Ek" and result.record["utsatt"] == "Anders Bergström"
        assert _coded(result.record) == CODED, path.name


# --- columns: the fill workbook, extract's outputs -----------------------------------------------------------


def test_the_workbook_has_the_coded_columns_with_their_values_as_help(tmp_path):
    wb = openpyxl.load_workbook(io.BytesIO(blankett.workbook_xlsx()))
    ws = wb["Incidenter"]
    assert [c.value for c in ws[1]][:4] == ["Diarienummer", "Händelsedatum", "Typ av händelse", "Kanal"]
    prompts = {str(v.sqref): v.prompt for v in ws.data_validations.dataValidation if v.prompt}
    assert prompts == {"C2:C1048576": "trakasserier, hot, våld, skadegörelse, stöld, korruptionsförsök, annat. "
                                      "Flera: skilj dem åt med semikolon.",
                       "D2:D1048576": "sociala medier, personligen, telefon, e-post, brev, sms, annat. "
                                      "Flera: skilj dem åt med semikolon."}
    dates = [str(v.sqref) for v in ws.data_validations.dataValidation if v.type == "date"]
    assert any(ref.startswith("B2:") for ref in " ".join(dates).split())


def test_a_workbook_row_fills_a_form_whose_extract_gives_the_coded_fields_in_every_format(tmp_path):
    book = openpyxl.load_workbook(io.BytesIO(blankett.workbook_xlsx()))
    ws = book["Incidenter"]
    ws.append(["KS 9", dt.date(2026, 3, 4), "Hot; Skadegörelse", "E-post\nsociala medier", None, "Anna"])
    book.save(tmp_path / "in.xlsx")
    summary = blankett.fill_files([tmp_path / "in.xlsx"], tmp_path / "ut")
    assert summary.problems == [] and len(summary.written) == 1
    results = list(blankett.extract_files(summary.written))
    want = {"diarienummer": "KS 9", "handelsedatum": "2026-03-04", "typ": ["hot", "skadegörelse"],
            "kanal": ["sociala medier", "e-post"]}
    assert _coded(results[0].record) == want
    for ending in ("json", "csv", "xlsx"):
        blankett.export_results(results, tmp_path / f"svar.{ending}")
    assert _coded(json.loads((tmp_path / "svar.json").read_text("utf-8"))[0]["record"]) == want
    csv_text = (tmp_path / "svar.csv").read_text("utf-8-sig")
    assert csv_text.startswith("Diarienummer;Händelsedatum;Typ av händelse;Kanal;")
    assert "KS 9;2026-03-04;hot; skadegörelse;sociala medier; e-post;" not in csv_text  # quoted, not split
    row = list(openpyxl.load_workbook(tmp_path / "svar.xlsx").active.iter_rows(min_row=2, values_only=True))[0]
    assert row[:4] == ("KS 9", dt.datetime(2026, 3, 4), "hot; skadegörelse", "sociala medier; e-post")
    back = blankett.fill_files([tmp_path / "svar.xlsx"], tmp_path / "igen", check=True)
    assert (back.counts[blankett.FillStatus.CHECKED], back.errors) == (1, [])  # extract's workbook is fill's input


# --- the web page and the API ---------------------------------------------------------------------------------


@pytest.fixture()
def web():
    from starlette.testclient import TestClient

    from blankett.web.app import create_app

    token = "t" * 32
    with TestClient(create_app(token), base_url="http://127.0.0.1") as client:
        client.headers.update({"Authorization": f"Bearer {token}"})
        yield client


def test_the_one_form_page_has_a_date_and_two_labelled_checkbox_groups(web):
    html = web.get("/fyll-i/blankett").text
    assert '<input type="date" id="f-handelsedatum" name="handelsedatum"' in html
    for key, legend, values in (("typ", "Typ av händelse", TYPES), ("kanal", "Kanal", CHANNELS)):
        start = html.index(f'<fieldset class="field choices" id="f-{key}"')
        group = html[start:html.index("</fieldset>", start)]
        assert f"<legend>{legend}</legend>" in group
        for n, value in enumerate(values, 1):
            assert (f'<input type="checkbox" id="f-{key}-{n}" name="{key}#{n}" value="{value}">'
                    f'<label for="f-{key}-{n}">{value}</label>') in group


def test_ticked_boxes_on_the_page_come_back_from_the_filled_form(web):
    typed = {"diarienummer": "KS 3", "handelsedatum": "2026-03-04", "typ#2": "hot", "typ#4": "skadegörelse",
             "kanal#1": "sociala medier", "kanal#4": "e-post", "utsatt": "Anna", "format": "docx"}
    r = web.post("/fyll-i/blankett", data=typed)
    assert r.status_code == 200
    assert _custom_properties(r.content) == STORED | {"Diarienummer": "KS 3"}
    wrong = web.post("/fyll-i/blankett", data=typed | {"typ#2": "mord"})
    assert wrong.status_code == 422
    assert 'id="e-typ"' in wrong.text and "&quot;mord&quot; är inget av de tillåtna värdena" in wrong.text
    assert 'id="f-typ-4" name="typ#4" value="skadegörelse" checked' in wrong.text  # what was ticked is kept


def test_the_api_fills_and_validates_the_coded_fields(web):
    r = web.post("/api/fill", json=CODED | ANSWERS)
    assert r.status_code == 200
    assert _custom_properties(r.content) == STORED
    bad = web.post("/api/fill", json={"kanal": ["brevduva"]})
    assert bad.status_code == 422 and "brevduva" in bad.text
    schema = web.get("/api/openapi.json").json()["components"]["schemas"]["Incident"]["properties"]
    assert schema["typ"]["items"]["enum"] == TYPES and schema["kanal"]["items"]["enum"] == CHANNELS
