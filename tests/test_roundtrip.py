"""fill → extract gives the same record: for any valid record, and after LibreOffice has saved the form again."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from blankett.fill import Template
from blankett.form import FIELDS, LIST_ITEMS, Kind
from blankett.model import CASE_KEY, CASE_MAX, validate
from blankett.office import convert
from blankett.pdf.convert import docx_to_pdf
from blankett.readback import OK, VARNING, read_file, read_files

from .forms import expected, expected_status, filled, save

FORM = Template()


def _xml_char(c: str) -> bool:
    """A character XML 1.0 can hold, CR aside (the model makes CR a line break)."""
    n = ord(c)
    return c in "\t\n" or 0x20 <= n <= 0xD7FF or 0xE000 <= n <= 0xFFFD or n >= 0x10000


CHARS = st.characters(blacklist_categories=("Cs",)).filter(_xml_char)
ONE_LINE = st.text(CHARS.filter(lambda c: c != "\n"), min_size=1, max_size=40).filter(lambda s: s.strip())

KIND_VALUES = {
    Kind.TEXT: st.one_of(st.none(), st.text(CHARS, max_size=80)),
    Kind.JANEJ: st.sampled_from([None, "Ja", "Nej"]),
    Kind.DATE: st.one_of(st.none(), st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2200, 12, 31))),
    Kind.LIST: st.lists(ONE_LINE, max_size=LIST_ITEMS),
}
#: Any case number the model takes: blanks, tabs, line breaks, emoji, markup, up to the longest allowed.
CASE_NUMBERS = st.text(CHARS, min_size=1, max_size=CASE_MAX)
_TYPES = ["trakasserier", "hot", "våld", "skadegörelse", "stöld", "korruptionsförsök", "annat"]
_CHANNELS = ["sociala medier", "personligen", "telefon", "e-post", "brev", "sms", "annat"]
#: Issue 20's coded fields: a date, and any choice of PTU's types and channels in PTU's order (as extract gives them).
CODED = {
    "handelsedatum": KIND_VALUES[Kind.DATE],
    "typ": st.sets(st.sampled_from(_TYPES)).map(lambda chosen: [v for v in _TYPES if v in chosen]),
    "kanal": st.sets(st.sampled_from(_CHANNELS)).map(lambda chosen: [v for v in _CHANNELS if v in chosen]),
}
RECORDS = st.fixed_dictionaries({CASE_KEY: st.one_of(st.none(), CASE_NUMBERS), **CODED,
                                 **{f.key: KIND_VALUES[f.kind] for f in FIELDS}})


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                   HealthCheck.too_slow])
@given(RECORDS)
def test_any_valid_record_round_trips(tmp_path, record):
    incident, _ = validate(record)
    path = save(tmp_path, "svar.docx", FORM.render(incident))
    result = read_file(path)
    assert (result.status, result.messages) == expected_status(record)
    assert result.record == expected(record)


TRICKY = {
    "diarienummer": "  KS 2026/0001 – ”Ö” & <x>\tslut 🙂 ",
    "rapporterad_av": "  Två inledande blanksteg och\ttabb",
    "utsatt": "Åsa Öberg 🙂, rad ett\nrad två\n\nrad fyra efter en tom rad",
    "handelse": "”citat” & <vinkel> 'apostrof' – tankstreck",
    "sakerhetsstrateg_kontaktad": "Ja",
    "polis_kontaktad": "Nej",
    "polisanmald": None,
    "samtal1_datum": "2026-02-28",
    "samtal3_datum": "1999-12-31",
    "sarbarheter_rutin": ["Ett", "Två", "Tre", "Fyra"],
    "sarbarheter_plan": ["Bara en"],
}


@pytest.fixture(scope="module")
def originals(tmp_path_factory, example_records) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("original")
    records = {"exempel1": example_records[0], "exempel2": example_records[1], "svar": TRICKY}
    return {name: save(folder, f"{name}.docx", filled(rec)) for name, rec in records.items()}


@pytest.fixture(scope="module")
def records(example_records) -> dict[str, dict]:
    return {"exempel1": example_records[0], "exempel2": example_records[1], "svar": TRICKY}


def _convert(soffice, files: list[Path], target: str, outdir: Path) -> list[Path]:
    done = convert(files, target, outdir, soffice=soffice)
    assert all(done.values()), done
    return [done[f] for f in files]


@pytest.mark.office
def test_libreoffice_resave_docx_to_docx_keeps_every_answer(soffice, originals, records, tmp_path):
    outs = _convert(soffice, list(originals.values()), "docx:MS Word 2007 XML", tmp_path / "docx")
    for name, out in zip(originals, outs, strict=True):
        result = read_file(out)
        assert (result.status, result.messages) == (OK, []), name
        assert result.record == expected(records[name]), name


@pytest.fixture(scope="module")
def odts(soffice, originals, tmp_path_factory) -> list[Path]:
    """The originals saved as .odt by LibreOffice (once for the module)."""
    return _convert(soffice, list(originals.values()), "odt", tmp_path_factory.mktemp("odt"))


@pytest.mark.office
def test_libreoffice_docx_odt_docx_keeps_every_answer(soffice, odts, originals, records, tmp_path):
    back = _convert(soffice, odts, "docx:MS Word 2007 XML", tmp_path / "back")
    for name, out in zip(originals, back, strict=True):
        result = read_file(out)
        assert (result.status, result.messages) == (OK, []), name
        assert result.record == expected(records[name]), name


@pytest.mark.office
def test_odt_is_read_directly(odts, originals, records):
    for name, result in zip(originals, read_files(odts), strict=True):
        assert result.status == OK, (name, result.messages)
        assert result.record == expected(records[name]), name


@pytest.mark.office
def test_doc_is_read_by_the_question_text(soffice, originals, records, tmp_path):
    """The .doc format has no content controls: every answer is found by its question, with one warning."""
    docs = _convert(soffice, list(originals.values()), "doc", tmp_path / "doc")
    for name, result in zip(originals, read_files(docs), strict=True):
        assert result.status == VARNING, (name, result.messages)
        assert len(result.messages) == 1 and "kontrollera svaren" in result.messages[0]
        assert result.record == expected(records[name]), name


#: Answers with blanks at their ends, in each kind of place an answer has on the form: a question's cell, a
#: comment under its prompt, a follow-up talk's row, a list's rows.
BLANKS = {
    "utsatt": "Anders Bergström  ",
    "handelse": "  Hot via sms.\nSedan ett samtal. ",
    "kommentar_3_1_1": "Ringde 112 ",
    "samtal1_narvarande": " Eva Ek",
    "samtal2_dokumentation": "Mår bättre.   ",
    "sarbarheter_rutin": ["Ingen larmknapp ", "  Otydligt vem som ringer"],
}


@pytest.mark.office
def test_doc_keeps_the_blanks_at_the_ends_of_answers(soffice, tmp_path):
    """Before, the .doc route (answers read by their question) dropped them; .docx, .odt and PDF keep them."""
    form = save(tmp_path, "svar.docx", filled(BLANKS))
    (doc,) = _convert(soffice, [form], "doc", tmp_path / "doc")
    result = read_file(doc)
    assert result.record == expected(BLANKS), result.messages


def test_doc_without_libreoffice_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setenv("BLANKETT_SOFFICE", str(tmp_path / "finns-inte" / "soffice"))
    path = save(tmp_path, "svar.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512)
    result = read_file(path)
    assert result.status == "fel"
    assert "LibreOffice finns inte" in result.messages[0] and "Spara som" in result.messages[0]


# --- the case number: a document property that LibreOffice keeps, and PDF metadata -----------------------


def _case_forms(folder: Path, cases: list[str]) -> list[Path]:
    """One filled form per case number, each with one answer so that the forms differ."""
    folder.mkdir(parents=True, exist_ok=True)
    return [save(folder, f"f{n}.docx", filled({CASE_KEY: case, "utsatt": f"Person {n}"}))
            for n, case in enumerate(cases)]


def _read_cases(paths: list[Path]) -> list[str | None]:
    results = list(read_files(paths))
    assert [r.status for r in results] == [OK] * len(paths), [r.messages for r in results]
    return [r.record[CASE_KEY] for r in results]


# derandomize: the same examples every run. Each example starts LibreOffice, so a run's time (and a failure) repeats.
@pytest.mark.office
@settings(max_examples=4, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow])
@given(st.lists(CASE_NUMBERS, min_size=6, max_size=6))
def test_any_case_number_survives_libreoffice_docx_and_odt(soffice, tmp_path_factory, cases):
    """Re-saved as .docx, read from .odt, and .odt saved back as .docx: the case number is exact in each."""
    folder = tmp_path_factory.mktemp("diarienummer")
    forms = _case_forms(folder / "in", cases)
    want = [validate({CASE_KEY: c})[0].diarienummer for c in cases]
    assert _read_cases(forms) == want
    assert _read_cases(_convert(soffice, forms, "docx:MS Word 2007 XML", folder / "docx")) == want
    odts = _convert(soffice, forms, "odt", folder / "odt")
    assert _read_cases(odts) == want
    assert _read_cases(_convert(soffice, odts, "docx:MS Word 2007 XML", folder / "back")) == want


@pytest.mark.office
@settings(max_examples=2, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow])
@given(st.lists(CASE_NUMBERS, min_size=4, max_size=4))
def test_any_case_number_survives_our_pdf(soffice, tmp_path_factory, cases):
    folder = tmp_path_factory.mktemp("diarienummer-pdf")
    forms = _case_forms(folder, cases)
    pairs = [(f, f.with_suffix(".pdf")) for f in forms]
    assert [r.error for r in docx_to_pdf(pairs, soffice=soffice)] == [""] * len(pairs)
    assert _read_cases([pdf for _, pdf in pairs]) == [validate({CASE_KEY: c})[0].diarienummer for c in cases]


@pytest.mark.office
def test_pdf_round_trip_gives_the_same_record_with_its_case_number(soffice, originals, records, tmp_path):
    pairs = [(docx, tmp_path / f"{name}.pdf") for name, docx in originals.items() if name != "svar"]
    assert [r.error for r in docx_to_pdf(pairs, soffice=soffice)] == [""] * len(pairs)
    for (_, pdf), name in zip(pairs, [n for n in originals if n != "svar"], strict=True):
        result = read_file(pdf)
        assert (result.status, result.messages) == (OK, []), name
        assert result.record == expected(records[name]), name
        assert result.record[CASE_KEY] == records[name][CASE_KEY]


def test_a_form_without_case_number_reads_back_none_and_has_no_property(tmp_path):
    data = filled({"utsatt": "Bo Ek"})
    assert b"Diarienummer" not in b"".join(d for n, d in _parts(data) if n.startswith("docProps/"))
    assert read_file(save(tmp_path, "svar.docx", data)).record[CASE_KEY] is None


def _parts(data: bytes) -> list[tuple[str, bytes]]:
    import io
    import zipfile

    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return [(n, zf.read(n)) for n in zf.namelist()]


def test_only_the_case_number_goes_into_the_document_properties(example_records):
    record = example_records[0]
    props = b"".join(d for n, d in _parts(filled(record)) if n.startswith("docProps/")).decode()
    assert props.count(record[CASE_KEY]) == 1
    for key, value in record.items():
        if key != CASE_KEY and isinstance(value, str) and len(value) > 3:
            assert value not in props, key


@pytest.mark.office
def test_the_published_blank_form_carries_no_case_number(soffice):
    from pypdf import PdfReader

    from blankett.build import blank_bytes
    from blankett.pdf.convert import docx_bytes_to_pdf

    docx = blank_bytes()
    assert not any(n == "docProps/custom.xml" or b"Diarienummer" in d for n, d in _parts(docx) if "docProps" in n)
    reader = PdfReader(__import__("io").BytesIO(docx_bytes_to_pdf(docx, soffice=soffice)))
    assert "/Diarienummer" not in reader.metadata
    assert b"Diarienummer" not in reader.trailer["/Root"]["/Metadata"].get_data()


def test_a_filled_form_used_as_template_passes_on_no_old_case_number(tmp_path):
    # a form with answers is refused as a template (test_inputs); one that only carries a case number is not
    template = Template(filled({CASE_KEY: "KS 1"}))
    for case in (None, "KS 2"):
        data = template.render(validate({CASE_KEY: case})[0])
        assert read_file(save(tmp_path, "svar.docx", data)).record[CASE_KEY] == case
        assert [n for n, _ in _parts(data)].count("docProps/custom.xml") == 1  # replaced, never doubled


@pytest.mark.office
def test_the_pdf_case_number_is_kept_by_other_writers_and_found_in_xmp_alone(soffice, tmp_path):
    """Saved again by pikepdf (qpdf) the case number is still there; with the Info key gone, the XMP gives it."""
    import pikepdf
    from pypdf import PdfReader, PdfWriter

    case = "KS 2026/0412 – ”Ö” & <x>"
    (docx,) = _case_forms(tmp_path, [case])
    pdf = docx.with_suffix(".pdf")
    assert docx_to_pdf([(docx, pdf)], soffice=soffice)[0].error == ""
    with pikepdf.open(pdf) as doc:
        doc.save(tmp_path / "pikepdf.pdf")
    writer = PdfWriter(clone_from=PdfReader(pdf))
    del writer._info.get_object()["/Diarienummer"]
    with open(tmp_path / "bara-xmp.pdf", "wb") as fh:
        writer.write(fh)
    assert "/Diarienummer" not in PdfReader(tmp_path / "bara-xmp.pdf").metadata
    assert PdfReader(tmp_path / "pikepdf.pdf").metadata["/Diarienummer"] == case
    assert _read_cases([tmp_path / "bara-xmp.pdf"]) == [case]


OTHER_PROPERTY = ('<?xml version="1.0"?><Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/'
                  'custom-properties" xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
                  '<property fmtid="{D5CDD505-2E9C-101B-9397-08002B2CF9AE}" pid="5" name="Förvaltning">'
                  '<vt:lpwstr>Kommunledningen</vt:lpwstr></property></Properties>').encode()


def _template_with(replace: dict, add: dict) -> Template:
    from blankett.build import blank_bytes

    from .forms import rezip

    return Template(rezip(blank_bytes(), replace, add))


@pytest.mark.parametrize("how", ["odeklarerad-del", "relation-utan-del"])
def test_a_template_with_its_own_properties_keeps_them_beside_the_case_number(tmp_path, how):
    from blankett.build import blank_bytes

    rels = dict(_parts(blank_bytes()))["_rels/.rels"].decode().replace("</Relationships>", (
        '<Relationship Id="rX" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
        'custom-properties" Target="docProps/egna.xml"/></Relationships>'))
    template = (_template_with({}, {"docProps/custom.xml": OTHER_PROPERTY}) if how == "odeklarerad-del"
                else _template_with({"_rels/.rels": rels.encode()}, {}))
    data = template.render(validate({CASE_KEY: "KS 7"})[0])
    names = [n for n, _ in _parts(data)]
    assert len(names) == len(set(names))
    assert read_file(save(tmp_path, "svar.docx", data)).record[CASE_KEY] == "KS 7"
    if how == "odeklarerad-del":
        assert "Kommunledningen" in dict(_parts(data))["docProps/custom.xml"].decode()
