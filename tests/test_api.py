"""The library's front door: ``import blankett`` and each job is one call, on real files."""

from __future__ import annotations

import io
import json

import openpyxl
import pytest
from pypdf import PdfReader

import blankett

from .conftest import EXAMPLE, docx_xml, sdt_by_tag, sdt_checked, sdt_text

RECORD = {
    "diarienummer": "KS-2026-0099",
    "rapporterad_av": "Åsa Öberg, nämndsekreterare",
    "handelse": "Hot via sms.\nTvå meddelanden.",
    "polisanmald": "ja",
    "samtal1_datum": "2026-03-12",
    "sarbarheter_rutin": ["Ingen jour", "Oklart ansvar"],
}


def test_the_public_names_are_the_package_surface():
    assert sorted(blankett.__all__) == sorted(set(blankett.__all__))
    for name in blankett.__all__:
        assert getattr(blankett, name) is not None, name
    # nothing but the chosen names (and the version) is public at the top
    public = {n for n in dir(blankett) if not n.startswith("_")}
    modules = {n for n in public if type(getattr(blankett, n)).__name__ == "module"}
    assert public - modules == set(blankett.__all__)


def test_the_statuses_are_public_and_compare_to_the_words_in_the_exports(tmp_path):
    back = blankett.extract(blankett.fill_docx(RECORD), "svar.docx")
    assert back.status is blankett.ExtractStatus.OK and back.status == "ok"
    assert blankett.extract(b"hej", "fel.docx").status is blankett.ExtractStatus.FAILED
    first, again = blankett.fill_files([EXAMPLE], tmp_path), blankett.fill_files([EXAMPLE], tmp_path)
    assert first.counts[blankett.FillStatus.WRITTEN] == 2 and again.counts[blankett.FillStatus.EXISTS] == 2
    assert blankett.FillStatus.EXISTS == "finns redan"



def test_a_fill_summary_keeps_errors_apart_from_notes(tmp_path):
    """A caller (the web page) shows what must be fixed apart from what is only worth knowing."""
    rows = tmp_path / "in.csv"
    rows.write_text("Diarienummer;Polisanmäld;Anteckning\nA1;Ja;x\nA2;kanske;y\n", encoding="utf-8")
    summary = blankett.fill_files([rows, tmp_path / "saknas.csv"], tmp_path / "ut")
    assert summary.notes == ['in.csv: okända kolumner lästes inte: "Anteckning"']
    assert sorted(summary.errors) == sorted([f"{tmp_path / 'saknas.csv'}: filen finns inte",
                                             'in.csv rad 3, kolumn "Polisanmäld": "kanske" är inte Ja eller Nej'])
    assert sorted(summary.problems) == sorted(summary.notes + summary.errors)  # all of them, as the command prints

def test_fill_docx_writes_the_answers_into_the_controls():
    root = docx_xml(blankett.fill_docx(RECORD))
    ctl = sdt_by_tag(root)
    assert sdt_text(ctl["rapporterad_av"]) == "Åsa Öberg, nämndsekreterare"
    assert sdt_text(ctl["handelse"]) == "Hot via sms.\nTvå meddelanden."
    assert sdt_checked(ctl["polisanmald=Ja"]) and not sdt_checked(ctl["polisanmald=Nej"])
    assert sdt_text(ctl["sarbarheter_rutin#2"]) == "Oklart ansvar"


def test_fill_then_extract_bytes_gives_the_validated_record():
    expected, _ = blankett.validate(RECORD)
    result = blankett.extract(blankett.fill_docx(RECORD), "inkommen.docx")
    assert result.status == "ok", result.messages
    assert result.source == "inkommen.docx"
    for key, value in expected.items():
        if key != "diarienummer":  # whether the case number travels is tested in test_roundtrip
            assert result.record[key] == value, key


def test_a_bad_record_names_each_field_in_its_problems():
    with pytest.raises(blankett.RecordError) as err:
        blankett.fill_docx({"polisanmald": "kanske", "samtal1_datum": "i går", "personnummer": "x"})
    by_field = {p.field: p.message for p in err.value.problems}
    assert set(by_field) == {"polisanmald", "samtal1_datum", "personnummer"}
    assert '"kanske" är inte Ja eller Nej' in by_field["polisanmald"]
    assert "okänt fält" in by_field["personnummer"]
    assert len(err.value.messages) == 3
    # the same without the field's name, for a form that shows it beside the field
    texts = {p.field: p.text for p in err.value.problems}
    assert texts["polisanmald"] == '"kanske" är inte Ja eller Nej'
    assert by_field["polisanmald"] == 'fältet "polisanmald" (Polisanmäld): "kanske" är inte Ja eller Nej'
    assert texts["personnummer"] == by_field["personnummer"] == 'okänt fält "personnummer"'


def test_extract_of_bytes_that_are_no_form_is_a_fel_result_not_an_exception():
    result = blankett.extract(b"not a zip at all", "trasig.docx")
    assert result.status == "fel" and result.record is None and result.messages
    assert result.source == "trasig.docx"


def test_export_bytes_is_what_export_results_writes(tmp_path):
    results = [blankett.extract(blankett.fill_docx(RECORD), "a.docx")]
    for fmt in ("json", "jsonl", "csv", "xlsx"):
        path = tmp_path / f"svar.{fmt}"
        blankett.export_results(results, path)
        data = blankett.export_bytes(results, fmt)
        if fmt != "xlsx":  # an .xlsx holds its write time: compare the cells instead
            assert data == path.read_bytes(), fmt
    rows = list(openpyxl.load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True))
    assert len(rows) == 2 and "Åsa Öberg, nämndsekreterare" in rows[1]


def test_fill_files_and_extract_files_on_the_example_data(tmp_path, example_records):
    summary = blankett.fill_files([EXAMPLE], tmp_path / "ut")
    assert not summary.failed and summary.counts["skriven"] == len(example_records)
    results = list(blankett.extract_files([tmp_path / "ut"]))
    assert [r.status for r in results] == ["ok"] * len(example_records)


def test_blank_form_schema_and_workbook(tmp_path):
    path = tmp_path / "Bilaga5.docx"
    path.write_bytes(blankett.blank_docx())
    assert blankett.check_form(path) == []
    props = list(blankett.schema()["properties"])
    assert props == ["diarienummer", "handelsedatum", "typ", "kanal"] + [f.key for f in blankett.FIELDS]
    wb = openpyxl.load_workbook(io.BytesIO(blankett.workbook_xlsx()))
    assert "Incidenter" in wb.sheetnames
    json.dumps(blankett.schema())  # JSON-ready


@pytest.mark.office
def test_blank_pdf_is_a_fillable_pdf(soffice):
    reader = PdfReader(io.BytesIO(blankett.blank_pdf(soffice=soffice)))
    names = set(reader.get_fields() or {})
    assert {"rapporterad_av", "polisanmald=Ja", "sarbarheter_plan#4"} <= names
