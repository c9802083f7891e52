"""Reading an .ods saved by LibreOffice Calc, without starting Calc: tests/data/calc/incidenter.ods.

The file was typed with openpyxl (:func:`typed_for_calc`) and opened and saved by Calc 25.2, which computed its
formulas; ``test_the_stored_ods_is_what_calc_saves`` makes it again with Calc and reads both. Stored, so that the
many small checks of the .ods reader run without LibreOffice (and in a mutation run, docs/mutation.md).
"""

from __future__ import annotations

from pathlib import Path

import openpyxl

from blankett import office
from blankett.fill import plan
from blankett.load import load_rows

STORED = Path(__file__).parent / "data" / "calc" / "incidenter.ods"


def typed_for_calc(path: Path) -> Path:
    """A sheet of notes first (with an error), a hidden one, "Incidenter" from column B with two formula errors,
    a number in a date and a text column, a gap of empty rows, and a sheet after it with errors on the same rows."""
    wb = openpyxl.Workbook()
    notes = wb.active
    notes.title = "Anteckningar"
    notes.append(["Diarienummer", "Händelse"])
    notes.append(["fel blad", "=1/0"])
    hidden = wb.create_sheet("Dolt")
    hidden.append(["Diarienummer"])
    hidden.append(["dolt blad"])
    hidden.sheet_state = "hidden"
    ws = wb.create_sheet("Incidenter")
    ws.append([None, "Diarienummer", "Händelse", "Polisanmäld", "Samtal 1: datum", "Sårbarheter i rutinen", "Vittnen",
               "Förövare"])
    ws.append([None, "KS 1", "=1/0", "Ja", 20260312, "a\nb", 2.5, "=SQRT(-1)"])
    ws.append([])
    ws.append([])
    ws.append([None, "KS 2", "Hot", "nej", None, None, 3.0, "Okänd"])
    after = wb.create_sheet("Efter")
    after.append(["Diarienummer", "Händelse", "Polisanmäld"])
    after.append(["x", "=1/0", "=1/0"])
    wb.save(path)
    return path


def _rows(path: Path) -> list[tuple]:
    return [(row.where.replace(path.name, "X"), row.data, [p.replace(path.name, "X") for p in row.problems])
            for row in load_rows(path)]


def test_the_incidenter_sheet_of_an_ods_is_read_with_calcs_errors_named_by_cell():
    assert _rows(STORED) == [
        ("X rad 2", {"diarienummer": "KS 1", "polisanmald": "Ja", "samtal1_datum": 20260312,
                     "sarbarheter_rutin": ["a", "b"], "vittnen": "2.5"},
         ['X rad 2, kolumn "Händelse": formeln i cell C2 ger felet #DIV/0!',
          'X rad 2, kolumn "Förövare": formeln i cell H2 ger felet Err:502']),
        ("X rad 5", {"diarienummer": "KS 2", "handelse": "Hot", "polisanmald": "nej", "vittnen": "3",
                     "forovare": "Okänd"}, []),
    ]


def test_an_ods_row_with_a_failed_formula_is_not_filled_and_the_next_row_is():
    (first, incident, _, messages), (second, other, name, _) = plan(load_rows(STORED))
    assert incident is None and len(messages) == 2
    assert (second.where, other.polisanmald, other.vittnen, name) == ("incidenter.ods rad 5", "Nej", "3", "Bilaga5-KS-2")


def test_the_stored_ods_is_what_calc_saves(tmp_path, soffice):
    source = typed_for_calc(tmp_path / "incidenter.xlsx")
    made = office.convert([source], "ods", tmp_path / "calc", soffice=soffice)[source]
    assert made is not None
    assert _rows(made) == _rows(STORED)
