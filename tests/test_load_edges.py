"""Reading input files at their edges, each found by mutation testing (docs/mutation.md): a change to load.py that
no other test noticed. Files are written as the program that makes them writes them (Notepad, Calc, Excel)."""

from __future__ import annotations

import json
import random
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from blankett import office
from blankett.cli import main
from blankett.errors import InputError, UnsafeFileError
from blankett.fill import plan
from blankett.form import FIELDS
from blankett.load import load_rows

from .forms import edit, filled, save, sdt, w
from .sheets import SHEET_PART, column_letter, patch_part, typed_workbook

#: The read size of load._scan_part: a declaration or a formula must be found across its boundary too.
CHUNK = 1 << 20
NOTEPAD_BOM = b"\xef\xbb\xbf"  # Windows Notepad's "UTF-8 med BOM", and CRLF line ends


def planned(path: Path) -> list[tuple]:
    """(where, incident or None, messages) for every row of a file."""
    return [(row.where, inc, msgs) for row, inc, _, msgs in plan(load_rows(path))]


# --- JSON written by Notepad, and blankett extract's own entries -----------------------------------------------


def test_json_saved_by_notepad_with_a_bom_is_read(tmp_path):
    path = tmp_path / "notepad.json"
    path.write_bytes(NOTEPAD_BOM + '[\r\n  {"diarienummer": "KS 1", "utsatt": "Åsa"}\r\n]\r\n'.encode())
    (where, incident, messages), = planned(path)
    assert (where, messages) == ("notepad.json post 1", [])
    assert (incident.diarienummer, incident.utsatt) == ("KS 1", "Åsa")


def test_json_lines_saved_by_notepad_with_a_bom_are_read_from_the_first_line(tmp_path):
    path = tmp_path / "notepad.jsonl"
    path.write_bytes(NOTEPAD_BOM + b'{"utsatt": "A"}\r\n{"utsatt": "B"}\r\n')
    rows = planned(path)
    assert [(where, inc.utsatt, msgs) for where, inc, msgs in rows] == [
        ("notepad.jsonl rad 1", "A", []), ("notepad.jsonl rad 2", "B", [])]


def test_a_form_extract_could_only_partly_read_is_not_filled_from_its_partial_record(tmp_path):
    """extract gives a form missing a question status fel with what it did find; fill must not fill from that."""
    def remove_a_question(root):  # a person deleted the table row of "Vittnen" in Word
        row = next(sdt(root, "vittnen").iterancestors(w("tr")))
        row.getparent().remove(row)

    save(tmp_path, "svar.docx", edit(filled({"utsatt": "Bo", "vittnen": "Ingen"}), remove_a_question))
    runner = CliRunner()
    extracted = runner.invoke(main, ["extract", str(tmp_path / "svar.docx"), "-o", str(tmp_path / "svar.json")])
    (entry,) = json.loads((tmp_path / "svar.json").read_text(encoding="utf-8"))
    assert (entry["status"], entry["record"]["utsatt"]) == ("fel", "Bo"), extracted.output
    result = runner.invoke(main, ["fill", str(tmp_path / "svar.json"), "-o", str(tmp_path / "ut")])
    assert result.exit_code == 1
    assert result.output.splitlines()[0].startswith("svar.json post 1: ")
    assert "kunde inte läsas av blankett extract (status fel) och fylls inte i" in result.output
    assert not (tmp_path / "ut").exists() or not any((tmp_path / "ut").iterdir())


def test_a_null_point_in_a_json_list_is_skipped_and_the_points_after_it_kept(tmp_path):
    key = next(f.key for f in FIELDS if f.kind.value == "list")
    path = tmp_path / "lista.json"
    path.write_text(json.dumps({key: [None, "Första", None, "Andra"]}), encoding="utf-8")
    (_, incident, messages), = planned(path)
    assert messages == [] and getattr(incident, key) == ["Första", "Andra"]


# --- CSV ---------------------------------------------------------------------------------------------------------


def test_an_empty_csv_has_no_rows(tmp_path):
    path = tmp_path / "tom.csv"
    path.write_bytes(b"")  # Notepad's "Spara" of a new file
    assert list(load_rows(path)) == []


def test_a_header_with_as_many_commas_as_semicolons_is_read_as_swedish_excels_semicolons(tmp_path):
    path = tmp_path / "egen.csv"  # Swedish Excel, with a column of the user's own whose name has a comma
    path.write_bytes("Diarienummer;Kommentar, intern\r\nKS 1;ej på blanketten\r\n".encode("cp1252"))
    (where, incident, messages), = planned(path)
    assert where == "egen.csv rad 2" and incident.diarienummer == "KS 1"


# --- .xlsx and .ods written by LibreOffice Calc ------------------------------------------------------------------

_FODS = ('<?xml version="1.0" encoding="UTF-8"?>\n<office:document '
         'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
         'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
         'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.3" '
         'office:mimetype="application/vnd.oasis.opendocument.spreadsheet"><office:body><office:spreadsheet>'
         '{tables}</office:spreadsheet></office:body></office:document>')


def _table(name: str, rows: list[list[str]]) -> str:
    def cell(text: str) -> str:
        paragraphs = "".join(f"<text:p>{line}</text:p>" for line in text.split("\n"))
        return f'<table:table-cell office:value-type="string">{paragraphs}</table:table-cell>'

    body = "".join(f"<table:table-row>{''.join(cell(t) for t in row)}</table:table-row>" for row in rows)
    return f'<table:table table:name="{name}">{body}</table:table>'


def _saved_by_calc(tmp_path: Path, soffice: str, tables: list[str]) -> tuple[Path, Path]:
    """A spreadsheet opened in Calc (a flat .fods) and saved by Calc as .xlsx and as .ods."""
    source = tmp_path / "incidenter.fods"
    source.write_text(_FODS.format(tables="".join(tables)), encoding="utf-8")
    xlsx = office.convert([source], "xlsx", tmp_path / "xlsx", soffice=soffice)[source]
    ods = office.convert([source], "ods", tmp_path / "ods", soffice=soffice)[source]
    assert xlsx is not None and ods is not None
    return xlsx, ods


def test_text_that_looks_like_an_excel_escape_is_read_as_typed(tmp_path, soffice):
    """Calc and Excel store a typed ``_x000D_`` as ``_x005F_x000D_``: it is text, not a carriage return."""
    typed = "Stod _x000D_ i sms:et och _x005F_ i mejlet"
    xlsx, _ = _saved_by_calc(tmp_path, soffice, [_table("Incidenter", [["Händelse"], [typed]])])
    with zipfile.ZipFile(xlsx) as zf:
        assert b"_x005F_x000D_" in zf.read("xl/sharedStrings.xml")  # Calc's escape, not ours
    (_, incident, messages), = planned(xlsx)
    assert messages == [] and incident.handelse == typed


def test_the_incidenter_sheet_is_read_when_it_is_not_the_first(tmp_path, soffice):
    """A person added a sheet of notes before "Incidenter"; the data is still read from "Incidenter"."""
    notes = _table("Anteckningar", [["Diarienummer", "Utsatt person"], ["fel blad", "fel blad"]])
    data = _table("Incidenter", [["Diarienummer", "Utsatt person"], ["KS 7", "Åsa"]])
    for path in _saved_by_calc(tmp_path, soffice, [notes, data]):
        (where, incident, messages), = planned(path)
        assert (where, messages) == (f"{path.name} rad 2", [])
        assert (incident.diarienummer, incident.utsatt) == ("KS 7", "Åsa")


# --- unsafe parts: every XML part is scanned, across the read chunks ---------------------------------------------

DTD = b'<!DOCTYPE x [<!ENTITY a "aaaaaaaa">]>'


def _with_dtd(data: bytes) -> bytes:
    return data.replace(b"?>", b"?>" + DTD, 1) if data.startswith(b"<?xml") else DTD + data


def test_an_entity_declaration_in_a_relationships_part_is_refused(tmp_path):
    path = typed_workbook(tmp_path / "rels.xlsx", [{"handelse": "Hot"}])
    patch_part(path, "xl/_rels/workbook.xml.rels", _with_dtd)
    with pytest.raises(UnsafeFileError, match="entitetsdeklaration"):
        list(load_rows(path))


def test_an_entity_declaration_in_a_vml_drawing_is_refused(tmp_path):
    """Excel keeps a sheet's comment boxes in a VML part, which openpyxl does not read: it is scanned anyway."""
    path = typed_workbook(tmp_path / "vml.xlsx", [{"handelse": "Hot"}])
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/drawings/vmlDrawing1.vml",
                    DTD + b'<xml xmlns:v="urn:schemas-microsoft-com:vml"><v:shape id="_x0000_s1025">&a;</v:shape></xml>')
    with pytest.raises(UnsafeFileError, match="entitetsdeklaration"):
        list(load_rows(path))


def _padded_to(path: Path, marker: bytes, offset: int, before: bytes = b"") -> None:
    """Put ``before + marker`` into the sheet part after a comment long enough that ``marker`` starts at ``offset``
    of the part: across the scanner's read boundary (a comment after the XML declaration, as any program may write)."""
    def edit(data: bytes) -> bytes:
        head = data[:data.index(b"?>") + 2] if data.startswith(b"<?xml") else b""  # openpyxl writes none
        rest = data[len(head):]
        # where the marker would start behind an empty comment: in ``before``, or in the sheet (a cell's formula)
        at = before.index(marker) if marker in before else len(before) + rest.index(marker)
        start = len(head) + len(b"<!---->") + at
        # text that does not compress (spaces would look like a zip bomb), the same every run
        comment = b"<!--" + random.Random(offset).randbytes(offset).hex()[:offset - start].encode() + b"-->"
        patched = head + comment + before + rest
        assert patched.index(marker) == offset, (patched.index(marker), offset)
        return patched

    patch_part(path, SHEET_PART, edit)


def test_an_entity_declaration_across_the_read_boundary_is_refused(tmp_path):
    path = typed_workbook(tmp_path / "gräns.xlsx", [{"handelse": "Hot"}])
    # the DOCTYPE far from the part's start, its entity declaration cut in two by the 1 MiB read
    _padded_to(path, b"<!ENTITY", CHUNK - 4, b'<!DOCTYPE worksheet [<!ENTITY a "b">]>')
    with pytest.raises(UnsafeFileError, match="entitetsdeklaration"):
        list(load_rows(path))


def test_a_doctype_behind_a_long_comment_is_refused_as_in_a_word_file(tmp_path):
    """An external DTD 8 KB into a sheet part: openpyxl read the workbook and fill wrote forms from it, where the
    same DOCTYPE in a returned .docx is refused; a DTD is refused wherever it stands, as the docx reader does."""
    path = typed_workbook(tmp_path / "sen.xlsx", [{"handelse": "Hot"}])
    _padded_to(path, b"<!DOCTYPE", 8192, b'<!DOCTYPE worksheet SYSTEM "http://127.0.0.1:9/x.dtd">')
    with pytest.raises(UnsafeFileError, match="^sen.xlsx \\(xl/worksheets/sheet1.xml\\) innehåller en DTD"):
        list(load_rows(path))


def test_a_sheet_part_in_utf16_is_refused_by_name_not_as_an_unreadable_file(tmp_path):
    """The billion laughs in UTF-16 spell no ``<!ENTITY`` in ASCII: openpyxl failed on it with "kan inte läsas
    (ValueError)". Excel and Calc write UTF-8 only; a part in another encoding is refused, saying why."""
    path = typed_workbook(tmp_path / "utf16.xlsx", [{"handelse": "Hot"}])
    patch_part(path, SHEET_PART, lambda data: (DTD + data.split(b"?>", 1)[-1]).decode().encode("utf-16"))
    with pytest.raises(UnsafeFileError, match="^utf16.xlsx \\(xl/worksheets/sheet1.xml\\) är inte skriven i UTF-8"):
        list(load_rows(path))


def test_a_formula_across_the_read_boundary_without_a_saved_value_is_named(tmp_path):
    path = typed_workbook(tmp_path / "formel.xlsx", [{"handelse": "Hot", "polisanmald": '=IF(TRUE,"Ja","Nej")'}])
    _padded_to(path, b"<f>", CHUNK - 2)
    (_, incident, messages), = planned(path)
    cell = f"{column_letter('polisanmald')}2"
    assert incident is None
    assert messages == [f'formel.xlsx rad 2, kolumn "Polisanmäld": formeln i cell {cell} saknar sparat värde '
                        "(öppna filen i Excel och spara den igen)"]


# --- each JSON record's row, read in this process (fill reads in worker processes a mutation run cannot see) -------


def _loaded(path: Path) -> list[tuple]:
    return [(row.where, row.error, row.data) for row in load_rows(path)]


def test_every_line_of_a_json_lines_file_is_its_own_row_or_its_own_error(tmp_path):
    path = tmp_path / "poster.jsonl"
    path.write_bytes(b'{"utsatt": "A"}\n\n{"utsatt": }\n{"diarienummer": -Infinity}\n[1]\n'
                     b'{"source": "a.docx", "status": "fel", "messages": [], "record": {"utsatt": "B"}}\n'
                     b'{"source": "b.docx", "status": "ok", "messages": [], "record": {"utsatt": "C"}}\n'
                     b'{"utsatt": "D"}\n')
    fel = "kunde inte läsas av blankett extract (status fel) och fylls inte i; rätta blanketten och läs den igen"
    assert _loaded(path) == [
        ("poster.jsonl rad 1", None, {"utsatt": "A"}),
        ("poster.jsonl rad 3", "poster.jsonl rad 3: ogiltig JSON i kolumn 12 (ett värde saknas)", {}),
        ("poster.jsonl rad 4", "poster.jsonl rad 4: ogiltig JSON (-Infinity är inget JSON-värde (skriv värdet som "
                               "text))", {}),
        ("poster.jsonl rad 5", "poster.jsonl rad 5: raden är inget objekt med fält", {}),
        ("poster.jsonl rad 6", f"poster.jsonl rad 6: a.docx {fel}", {}),
        ("poster.jsonl rad 7", None, {"utsatt": "C"}),
        ("poster.jsonl rad 8", None, {"utsatt": "D"}),
    ]


def test_every_item_of_a_json_list_is_a_record_an_extract_entry_or_an_error(tmp_path):
    path = tmp_path / "poster.json"
    path.write_text(json.dumps([
        {"status": "fel", "messages": ["x"], "record": None},
        {"source": "c.docx", "status": "ok", "record": "inte ett objekt"},
        {"source": "d.docx", "status": "varning", "messages": [], "record": {"utsatt": "E"}},
        {"record": {"utsatt": "F"}, "utsatt": "G"},  # not an entry of extract: a record with a field named record
        {"status": "fel"},  # no record: a record with an unknown field, for the model to name
        5,
    ]), encoding="utf-8")
    fel = "kunde inte läsas av blankett extract (status fel) och fylls inte i; rätta blanketten och läs den igen"
    assert _loaded(path) == [
        ("poster.json post 1", f"poster.json post 1: blanketten {fel}", {}),
        ("poster.json post 2", f"poster.json post 2: c.docx {fel}", {}),
        ("poster.json post 3", None, {"utsatt": "E"}),
        ("poster.json post 4", None, {"record": {"utsatt": "F"}, "utsatt": "G"}),
        ("poster.json post 5", None, {"status": "fel"}),
        ("poster.json post 6", "poster.json post 6: posten är inget objekt med fält", {}),
    ]


@pytest.mark.parametrize("name, data, message", [
    ("stort.json", b'{"diarienummer": 1e400}', "stort.json: ogiltig JSON: talet 1e400 är för stort"),
    ("litet.json", b'{"diarienummer": -1e400}', "litet.json: ogiltig JSON: talet -1e400 är för stort"),
    ("trasig.json", b'[{"utsatt": "A"},\n {"utsatt": }]',
     "trasig.json: ogiltig JSON på rad 2, kolumn 13 (ett värde saknas)"),
    ("tal.json", b"42", "tal.json: JSON-filen ska innehålla en post eller en lista med poster"),
    ("latin1.json", '{"utsatt": "Åsa"}'.encode("latin-1"), "latin1.json: filen är inte UTF-8-kodad"),
    ("latin1.jsonl", '{"utsatt": "Åsa"}\n'.encode("latin-1"), "latin1.jsonl: filen är inte UTF-8-kodad"),
    ("trasig.csv", b"Diarienummer;H\x81ndelse\r\nKS 1;x\r\n",
     'trasig.csv: filen är varken UTF-8 eller Windows-1252; spara den som CSV med teckenkodningen UTF-8 (i Excel '
     '"CSV UTF-8 (kommaavgränsad)", i LibreOffice Calc teckenuppsättningen "Unicode (UTF-8)")'),
])
def test_a_file_that_cannot_be_read_is_one_swedish_line_read_here(tmp_path, name, data, message):
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(InputError) as err:
        list(load_rows(path))
    assert str(err.value) == message


def test_a_windows_1252_csv_is_read_with_a_note_on_its_first_row(tmp_path):
    path = tmp_path / "ansi.csv"
    path.write_bytes("Diarienummer;Utsatt person\r\nKS 1;Åsa\r\nKS 2;Öberg\r\n".encode("cp1252"))
    rows = list(load_rows(path))
    assert [(r.where, r.data) for r in rows] == [("ansi.csv rad 2", {"diarienummer": "KS 1", "utsatt": "Åsa"}),
                                                ("ansi.csv rad 3", {"diarienummer": "KS 2", "utsatt": "Öberg"})]
    assert len(rows[0].notes) == 1 and "Windows-1252" in rows[0].notes[0] and rows[1].notes == []
