"""The input workbook: derived from the form's fields, typed into, filled, every value in its control."""

from __future__ import annotations

import datetime as dt

import openpyxl
import pytest
from click.testing import CliRunner

from blankett.cli import main
from blankett.form import FIELDS, Kind
from blankett.model import CASE_KEY
from blankett.workbook import (
    DATE_FORMAT,
    INSTRUCTIONS,
    NAME_PREFIX,
    SHEET,
    columns,
    key_for,
    match_columns,
    workbook_bytes,
)

from .conftest import docx_xml, sdt_by_tag, sdt_checked
from .forms import assert_filled_as
from .records import full_record
from .sheets import column_letter, typed_workbook


@pytest.fixture(scope="module")
def book(tmp_path_factory):
    path = tmp_path_factory.mktemp("wb") / "Bilaga5-inmatning.xlsx"
    path.write_bytes(workbook_bytes())
    return openpyxl.load_workbook(path)

#: The registration columns before the form's, in this order (issue 20): written out, not taken from form.py.
REGISTERED = [CASE_KEY, "handelsedatum", "typ", "kanal"]


def test_every_key_appears_in_the_workbook(book):
    ws = book[SHEET]
    headers = [c.value for c in ws[1]]
    assert [key_for(h) for h in headers] == REGISTERED + [f.key for f in FIELDS]
    names = set(book.defined_names)
    assert {f"{NAME_PREFIX}{key}" for key in REGISTERED + [f.key for f in FIELDS]} == names


def test_header_is_the_short_label_with_the_question_as_comment(book):
    ws = book[SHEET]
    for cell, f in zip(list(ws[1])[len(REGISTERED):], FIELDS, strict=True):
        assert cell.value == f.column
        assert cell.comment.text == f.question
        assert cell.font.bold
    assert ws.freeze_panes == "B2"
    assert ws.auto_filter.ref.startswith("A1:")


def test_janej_drop_downs_and_date_columns(book):
    ws = book[SHEET]
    lists = [dv for dv in ws.data_validations.dataValidation if dv.type == "list"]
    assert len(lists) == 1 and lists[0].formula1 == '"Ja,Nej"' and lists[0].allow_blank
    covered = {r.split(":")[0] for r in str(lists[0].sqref).split()}
    for f in FIELDS:
        letter = column_letter(f.key)
        assert (f"{letter}2" in covered) == (f.kind is Kind.JANEJ), f.key
        if f.kind is Kind.DATE:
            assert ws.column_dimensions[letter].number_format == DATE_FORMAT
        if f.kind is Kind.TEXT:
            assert ws.column_dimensions[letter].alignment.wrap_text


def test_instructions_sheet_is_swedish_and_lists_every_column(book):
    ws = book[INSTRUCTIONS]
    text = "\n".join(str(c.value) for row in ws.iter_rows() for c in row if c.value)
    assert "blankett fill" in text and "Alt+Enter" in text and "ÅÅÅÅ-MM-DD" in text
    for col in columns():
        assert col.header in text


@pytest.mark.parametrize("header, key", [
    ("polisanmald", "polisanmald"),
    ("Polisanmäld", "polisanmald"),
    ("  POLISANMÄLD ", "polisanmald"),
    ("Samtal  1:\tdatum", "samtal1_datum"),
    ("Har händelsen polisanmälts?", "polisanmald"),
    ("diarienummer", CASE_KEY),
    ("Datum", None),  # the printed label is shared by three fields: ambiguous, not matched
    ("Okänd", None),
])
def test_headers_match_by_key_or_label(header, key):
    assert key_for(header) == key


def test_unknown_and_doubled_columns_are_warned_once():
    m = match_columns(["Polisanmäld", "Extra", "polisanmald", None, "Mer"], source="x.xlsx")
    assert m.keys == {0: "polisanmald"}
    assert m.warnings == ['x.xlsx: okända kolumner lästes inte: "Extra", "Mer"',
                          'x.xlsx: kolumner som förekommer två gånger (den första används): "polisanmald"']


def _excel_row(record: dict) -> dict:
    """A record as a person types it in Excel: real dates, Alt+Enter line breaks, list items on lines."""
    row = {}
    for key, value in record.items():
        if isinstance(value, list):
            value = "\n".join(value)
        elif key.endswith("_datum"):
            value = dt.date.fromisoformat(value)
        row[key] = value
    return row


def test_workbook_typed_into_and_filled_gives_every_value_in_its_control(tmp_path):
    records = [full_record(1), full_record(2)]
    path = typed_workbook(tmp_path / "incidenter.xlsx", [_excel_row(r) for r in records])
    result = CliRunner().invoke(main, ["fill", str(path), "-o", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert "Klart: 2 skrivna, 0 hoppade över (finns redan), 0 fel." in result.output
    for record in records:
        name = "Bilaga5-" + record[CASE_KEY].replace(" ", "-").replace("/", "-") + ".docx"
        assert_filled_as((tmp_path / "out" / name).read_bytes(), record)


def test_renamed_column_still_maps_through_its_defined_name(tmp_path):
    path = typed_workbook(tmp_path / "omdöpt.xlsx", [{"polisanmald": "Ja"}])
    wb = openpyxl.load_workbook(path)
    wb[SHEET][f"{column_letter('polisanmald')}1"] = "Anmält till polisen?"
    wb.save(path)
    result = CliRunner().invoke(main, ["fill", str(path), "-o", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert "okända kolumner" not in result.output
    sdts = sdt_by_tag(docx_xml(tmp_path / "out" / "Bilaga5-rad-0002.docx"))
    assert sdt_checked(sdts["polisanmald=Ja"])


def test_workbook_command_writes_a_public_file_and_never_overwrites(tmp_path):
    out = tmp_path / "Bilaga5-inmatning.xlsx"
    result = CliRunner().invoke(main, ["workbook", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert out.stat().st_mode & 0o777 == 0o644  # no answers in it: readable by all
    again = CliRunner().invoke(main, ["workbook", "-o", str(out)])
    assert again.exit_code == 1 and "--force" in again.output


def test_a_workbook_made_with_records_fills_them_back(tmp_path):
    records = [full_record(1), full_record(2)]
    path = tmp_path / "ifylld.xlsx"
    path.write_bytes(workbook_bytes(records))
    ws = openpyxl.load_workbook(path)[SHEET]
    assert ws[f"{column_letter('samtal1_datum')}2"].value == dt.datetime(2026, 1, 2)  # a real Excel date
    result = CliRunner().invoke(main, ["fill", str(path), "-o", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    for record in records:
        name = "Bilaga5-" + record[CASE_KEY].replace(" ", "-").replace("/", "-") + ".docx"
        assert_filled_as((tmp_path / "out" / name).read_bytes(), record)


# --- the keys the instructions name, pressed in LibreOffice Calc ---------------------------------------------

#: How the instructions spell a key, as LibreOffice's UI-test service takes it.
_UITEST_KEYS = {"Ctrl": "CTRL", "Alt": "ALT", "Shift": "SHIFT", "Enter": "RETURN"}


@pytest.mark.office
def test_the_new_line_key_the_instructions_give_for_calc_makes_a_new_line_in_calc(office, tmp_path):
    """Calc reads the instructions, and the key they name for Calc, typed in a cell, makes a line break there.

    Before, they named only Alt+Enter (Excel's key; in Calc it fills a selected range and ends the edit).
    """
    import re

    from .uno_office import props

    path = tmp_path / "Bilaga5-inmatning.xlsx"
    path.write_bytes(workbook_bytes())
    doc = office.desktop.loadComponentFromURL(path.as_uri(), "_blank", 0, props(Hidden=False))
    try:
        sheets = doc.getSheets()
        used = sheets.getByName(INSTRUCTIONS).getCellRangeByName("A1:C60").getDataArray()
        text = "\n".join(str(c) for row in used for c in row if c)
        named = re.findall(r"([\w+]+\+Enter) i (?:LibreOffice )?Calc", text)
        assert named, "the instructions name no key for a new line in Calc"
        sheet = sheets.getByName(SHEET)
        doc.getCurrentController().setActiveSheet(sheet)
        cell = sheet.getCellRangeByName(f"{column_letter('utsatt')}2")
        doc.getCurrentController().select(cell)
        grid = office.ui_test.getTopFocusWindow().getChild("grid_window")
        grid.executeAction("TYPE", props(TEXT="Rad ett"))
        key = "+".join(_UITEST_KEYS[part] for part in named[0].split("+"))
        grid.executeAction("TYPE", props(KEYCODE=key))
        grid.executeAction("TYPE", props(TEXT="Rad två"))
        grid.executeAction("TYPE", props(KEYCODE="RETURN"))
        assert cell.getString() == "Rad ett\nRad två", set(named)
    finally:
        doc.close(True)
