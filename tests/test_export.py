"""Exports of read-back results: JSON, JSON Lines, CSV and Excel; never a formula; owner-only; back to fill."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import stat

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

import blankett
from blankett.cli import main
from blankett.errors import OutputExistsError
from blankett.export import EXTRA_HEADERS, export
from blankett.load import load_rows
from blankett.readback import FEL, OK, Result
from blankett.workbook import columns, guard, unguard

from .forms import expected, filled, save

HOSTILE = {
    "utsatt": "=HYPERLINK(\"http://example.com\";\"klicka\")",
    "handelse": "+46 70 123 45 67",
    "vittnen": "-2+3",
    "forovare": "@SUM(A1:A2)",
    "forovare_grupp": "\tflik först",
    "utlosande_faktor": "\n=HYPERLINK(\"http://example.com\")",  # a line break first: Excel may trim it away
    "polisanmald": "Ja",
    "polis_kontaktad": "Nej",
    "samtal1_datum": "2026-03-12",
    "sarbarheter_rutin": ["Ett", "=1+1"],
}


@pytest.fixture
def results(example_records) -> list[Result]:
    return [
        Result("inkomna/a.docx", OK, [], expected(example_records[0])),
        Result("inkomna/b.docx", OK, [], expected(HOSTILE)),
        Result("inkomna/c.docx", FEL, ["filen är tom"], None),
    ]


@pytest.mark.parametrize("guarded, text", [("'=1+1", "=1+1"), ("'+4670", "+4670"), ("'-x", "-x"), ("'@a", "@a"),
                                           ("'\tx", "\tx"), ("'\rx", "\rx"), ("'\n=1+1", "\n=1+1"),
                                           ("'\r\n=1+1", "\r\n=1+1"), ("'\nHej", "\nHej"), ("Åsa", "Åsa"), ("", "")])
def test_guard(guarded, text):
    assert guard(text) == guarded
    assert unguard(guarded) == text


@settings(max_examples=200, deadline=None)
@given(st.text(st.sampled_from(["=", "+", "-", "@", "\t", "\r", "\n", "'", " ", "a", "Å", "1"]), max_size=6))
def test_no_guarded_cell_starts_a_formula_and_unguard_gives_the_text_back(text):
    guarded = guard(text)
    assert not guarded.startswith(("=", "+", "-", "@", "\t", "\r", "\n"))
    if not (text.startswith("'") and guard(text[1:]) != text[1:]):  # "'=x" as typed: the README's one exception
        assert unguard(guarded) == text


def test_unguard_keeps_an_apostrophe_that_guards_nothing():
    assert unguard("'hej") == "'hej" and unguard("''=x") == "''=x"


def test_extracted_csv_gives_answers_that_look_like_formulas_back_as_written(tmp_path):
    record = {"handelse": "=HYPERLÄNK(\"x\")", "utsatt": "+46 70 123 45 67", "tid_och_plats": "-5 grader, @torget",
              "sarbarheter_rutin": ["@larm", "vanlig punkt"]}
    sheet = tmp_path / "svar.csv"
    path = save(tmp_path, "a.docx", filled(record))
    assert CliRunner().invoke(main, ["extract", str(path), "-o", str(sheet)]).exit_code == 0
    assert "'=HYPERLÄNK" in sheet.read_text(encoding="utf-8-sig")  # guarded in the file Excel opens
    summary = blankett.fill_files([sheet], tmp_path / "igen")
    assert summary.written and len(summary.written) == 1
    again = CliRunner().invoke(main, ["extract", str(summary.written[0])])
    assert json.loads(again.stdout)[0]["record"] == expected(record)


def test_json_is_utf8_unescaped_list_of_results(tmp_path, results):
    out = tmp_path / "svar.json"
    export(results, out)
    text = out.read_text(encoding="utf-8")
    assert "Bergström" in text and "\\u00f6" not in text
    data = json.loads(text)
    assert [d["status"] for d in data] == ["ok", "ok", "fel"]
    assert data[1]["record"] == expected(HOSTILE)
    assert data[2] == {"source": "inkomna/c.docx", "status": "fel", "messages": ["filen är tom"], "record": None}


def test_jsonl_is_one_result_per_line(tmp_path, results):
    out = tmp_path / "svar.jsonl"
    export(results, out)
    lines = out.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 3 and json.loads(lines[0])["record"] == results[0].record


def test_json_to_stdout_when_no_output(results, capsys):
    export(results)
    assert json.loads(capsys.readouterr().out)[1]["record"]["polisanmald"] == "Ja"


def test_csv_bom_semicolon_columns_and_formula_guard(tmp_path, results):
    out = tmp_path / "svar.csv"
    export(results, out)
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline=""), delimiter=";"))
    header = rows[0]
    assert header == [c.header for c in columns()] + list(EXTRA_HEADERS)
    row = dict(zip(header, rows[2], strict=True))
    assert row["Utsatt person"] == "'" + HOSTILE["utsatt"]
    assert row["Händelse"] == "'+46 70 123 45 67"
    assert row["Vittnen"] == "'-2+3"
    assert row["Förövare"] == "'@SUM(A1:A2)"
    assert row["Grupp/falang"] == "'\tflik först"
    assert row["Utlösande faktor"] == "'\n=HYPERLINK(\"http://example.com\")"
    assert row["Polisanmäld"] == "Ja" and row["Polis kontaktad"] == "Nej" and row["Initialt stöd"] == ""
    assert row["Samtal 1: datum"] == "2026-03-12"
    assert row["Sårbarheter i rutinen"] == "Ett\n=1+1"
    assert dict(zip(header, rows[3], strict=True))["Status"] == "fel"
    first = dict(zip(header, rows[1], strict=True))
    assert first["Händelse"] == results[0].record["handelse"]  # multi-line text stays one cell


def test_xlsx_same_columns_text_never_formula_real_dates(tmp_path, results):
    out = tmp_path / "svar.xlsx"
    export(results, out)
    ws = load_workbook(out).active
    header = [c.value for c in ws[1]]
    assert header == [c.header for c in columns()] + list(EXTRA_HEADERS)
    row = {h: c for h, c in zip(header, ws[3], strict=True)}
    for name in ("Utsatt person", "Händelse", "Vittnen", "Förövare", "Sårbarheter i rutinen"):
        assert row[name].data_type == "s", name
    assert row["Utsatt person"].value == HOSTILE["utsatt"]
    assert row["Sårbarheter i rutinen"].value == "Ett\n=1+1"
    assert row["Polisanmäld"].value == "Ja" and row["Polis kontaktad"].value == "Nej"
    assert row["Initialt stöd"].value is None
    assert row["Samtal 1: datum"].value == dt.datetime(2026, 3, 12) and row["Samtal 1: datum"].is_date
    assert row["Fil"].value == "inkomna/b.docx" and row["Status"].value == "ok"
    failed = {h: c.value for h, c in zip(header, ws[4], strict=True)}
    assert failed["Status"] == "fel" and failed["Meddelanden"] == "filen är tom"


def test_xlsx_has_no_formula_anywhere(tmp_path, results):
    out = tmp_path / "svar.xlsx"
    export(results, out)
    import zipfile

    with zipfile.ZipFile(out) as zf:
        sheet = next(n for n in zf.namelist() if n.startswith("xl/worksheets/sheet"))
        assert b"<f>" not in zf.read(sheet) and b"<f " not in zf.read(sheet)


@pytest.mark.parametrize("suffix", [".json", ".jsonl", ".csv", ".xlsx", ".ods"])
def test_outputs_are_owner_only_and_never_overwritten(tmp_path, results, suffix):
    out = tmp_path / f"svar{suffix}"
    export(results, out)
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    before = out.read_bytes()
    with pytest.raises(OutputExistsError):
        export(results, out)
    assert out.read_bytes() == before
    export(results, out, force=True)
    assert [p.name for p in tmp_path.iterdir()] == [out.name]  # no temporary file left behind


def test_extracted_xlsx_can_be_filled_again(tmp_path, example_records):
    forms = tmp_path / "inkomna"
    forms.mkdir()
    for n, record in enumerate(example_records):
        save(forms, f"{n}.docx", filled(record))
    sheet = tmp_path / "svar.xlsx"
    assert CliRunner().invoke(main, ["extract", str(forms), "-o", str(sheet)]).exit_code == 0
    rows = list(load_rows(sheet))
    assert [row.error for row in rows] == [None, None]
    assert not any("okända kolumner" in note for row in rows for note in row.notes)  # Fil/Status/Meddelanden
    summary = blankett.fill_files([sheet], tmp_path / "igen")
    assert len(summary.written) == 2 and not summary.failed
    again = CliRunner().invoke(main, ["extract", str(tmp_path / "igen")])
    records = [d["record"] for d in json.loads(again.stdout)]
    assert records == [expected(r) for r in example_records]


def test_extracted_csv_can_be_filled_again(tmp_path, example_records):
    path = save(tmp_path, "a.docx", filled(example_records[0]))
    sheet = tmp_path / "svar.csv"
    assert CliRunner().invoke(main, ["extract", str(path), "-o", str(sheet)]).exit_code == 0
    rows = list(load_rows(sheet))
    assert rows[0].error is None
    summary = blankett.fill_files([sheet], tmp_path / "igen")
    assert len(summary.written) == 1 and not summary.failed


def test_an_answer_longer_than_an_excel_cell_is_cut_at_32767_characters_with_a_note(tmp_path):
    long = "Lång berättelse. " * 2_500  # 42 500 characters: more than an Excel cell holds
    folder = tmp_path / "inkomna"
    folder.mkdir()
    save(folder, "lang.docx", filled({"handelse": long, "utsatt": "Bo"}))
    out = tmp_path / "svar.xlsx"
    result = CliRunner().invoke(main, ["extract", str(folder), "-o", str(out)])
    assert result.exit_code == 0, result.output
    ws = load_workbook(out, read_only=True).active
    header, row = [[c.value for c in r] for r in ws.iter_rows(max_row=2)]
    cells = dict(zip(header, row, strict=True))
    assert cells["Händelse"] == long[:32_767] and cells["Utsatt person"] == "Bo"
    assert cells["Meddelanden"] == ('"Händelse" var längre än Excel tillåter (32767 tecken) '
                                    "och kortades av i kalkylbladet")
    json_out = tmp_path / "svar.json"
    assert CliRunner().invoke(main, ["extract", str(folder), "-o", str(json_out)]).exit_code == 0
    assert json.loads(json_out.read_text(encoding="utf-8"))[0]["record"]["handelse"] == long  # only Excel cuts


# --- .ods: Calc's own format ---------------------------------------------------------------------------


def test_extract_writes_an_ods_that_calc_opens_with_the_answers(tmp_path, example_records, soffice):
    """Before: "okänt utdataformat" for svar.ods. Calc opens it and saves it as CSV: the answers are there."""
    from blankett import office

    forms = tmp_path / "inkomna"
    forms.mkdir()
    save(forms, "a.docx", filled(example_records[0]))
    save(forms, "b.docx", filled(HOSTILE))
    sheet = tmp_path / "svar.ods"
    result = CliRunner().invoke(main, ["extract", str(forms), "-o", str(sheet)])
    assert result.exit_code == 0, result.output
    assert stat.S_IMODE(sheet.stat().st_mode) == 0o600
    target = "csv:Text - txt - csv (StarCalc):59,34,76,1"  # ; separated, " quoted, UTF-8, from row 1
    saved = office.convert([sheet], target, tmp_path / "calc", soffice=soffice)[sheet]
    assert saved is not None
    rows = list(csv.reader(io.StringIO(saved.read_text(encoding="utf-8")), delimiter=";"))
    assert rows[0] == [c.header for c in columns()] + list(EXTRA_HEADERS)
    by_file = {row[-3]: dict(zip(rows[0], row, strict=True)) for row in rows[1:]}
    first, hostile = by_file[str(forms / "a.docx")], by_file[str(forms / "b.docx")]
    assert first["Händelse"] == example_records[0]["handelse"]  # several lines, one cell
    assert first["Rapporterad av"] == example_records[0]["rapporterad_av"] and first["Status"] == "ok"
    assert hostile["Utsatt person"] == HOSTILE["utsatt"]  # text, not a formula Calc computed
    assert hostile["Sårbarheter i rutinen"] == "Ett\n=1+1"
    assert hostile["Samtal 1: datum"] == "2026-03-12" and hostile["Polisanmäld"] == "Ja"


def test_an_extracted_ods_is_filled_again_to_the_same_answers(tmp_path, example_records):
    forms = tmp_path / "inkomna"
    forms.mkdir()
    for n, record in enumerate(example_records):
        save(forms, f"{n}.docx", filled(record))
    sheet = tmp_path / "svar.ods"
    assert CliRunner().invoke(main, ["extract", str(forms), "-o", str(sheet)]).exit_code == 0
    rows = list(load_rows(sheet))
    assert [row.error for row in rows] == [None, None]
    summary = blankett.fill_files([sheet], tmp_path / "igen")
    assert len(summary.written) == 2 and not summary.failed
    again = CliRunner().invoke(main, ["extract", str(tmp_path / "igen")])
    assert [d["record"] for d in json.loads(again.stdout)] == [expected(r) for r in example_records]


@settings(max_examples=40, deadline=None)
@given(texts=st.lists(st.text(st.characters(blacklist_categories=("Cs", "Cc")) | st.sampled_from("\n=+-@'\t"),
                              min_size=1, max_size=30).filter(lambda t: t.strip() and t == t.strip()),
                      min_size=1, max_size=4))
def test_any_answer_written_to_an_ods_is_read_back_as_written(tmp_path_factory, texts):
    out = tmp_path_factory.mktemp("ods") / "svar.ods"
    export([Result(f"{n}.docx", OK, [], {"utsatt": text}) for n, text in enumerate(texts)], out)
    rows = list(load_rows(out))
    assert [row.data["utsatt"] for row in rows] == texts
