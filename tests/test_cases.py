"""overview.cases: what becomes a case and what becomes one Swedish line, for rows of extract's output and forms
in a .zip, with the progress count a progress bar is given."""

from __future__ import annotations

import datetime as dt
import json
import zipfile
from pathlib import Path

import blankett
from blankett.overview.cases import DateFrom, count_forms, read_cases

from .records import full_record


def _row(n: int, **changes: object) -> dict:
    return dict(full_record(n), **changes)


def test_rows_that_are_no_record_or_invalid_are_one_line_each_and_the_rest_counted(tmp_path):
    """extract's JSON as a person edited it: a number where an entry was, a talk date typed as words."""
    path = tmp_path / "utdata.json"
    rows = [_row(1, handelsedatum="2026-02-03"), 5, _row(3, samtal1_datum="tredje mars"), _row(4)]
    path.write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")
    problems: list[str] = []
    cases = list(read_cases([path], problems))
    assert [c.name for c in cases] == ["KS 2026/00001", "KS 2026/00004"]
    assert (cases[0].date, cases[0].date_from) == (dt.date(2026, 2, 3), DateFrom.CODED)
    assert problems[0] == "utdata.json post 2: posten är inget objekt med fält; räknas inte"
    assert problems[1].startswith("utdata.json post 3: ") and "samtal1_datum" in problems[1]
    assert problems[1].endswith("; räknas inte") and len(problems) == 2


def test_a_coded_list_with_empty_items_keeps_the_rest_without_a_line(tmp_path):
    """"hot,, trakasserier;" as typed in a cell: the empty items are nothing, the two categories are kept."""
    path = tmp_path / "utdata.json"
    path.write_text(json.dumps([_row(1, typ="hot,, trakasserier;", kanal=" ;sms")], ensure_ascii=False),
                    encoding="utf-8")
    problems: list[str] = []
    (case,) = read_cases([path], problems)
    assert problems == []
    assert case.record["typ"] == ["trakasserier", "hot"] and case.record["kanal"] == ["sms"]


def _zip_of_forms(path: Path, damaged: bool = False) -> Path:
    """A .zip as a person sends it: two forms, Word's lock file, a text file and a folder entry."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("svar/", b"")
        zf.writestr("svar/a.docx", blankett.fill_docx(full_record(1)))
        zf.writestr("svar/b.docx", blankett.fill_docx(full_record(2)))
        zf.writestr("svar/~$a.docx", b"lock")
        zf.writestr("svar/las-mig.txt", b"text")
    if damaged:  # one member's packed bytes changed, as a broken download leaves them
        with zipfile.ZipFile(path) as zf:
            info = zf.getinfo("svar/b.docx")
        data = bytearray(path.read_bytes())
        at = info.header_offset + 30 + len(info.filename) + len(info.extra) + 100
        data[at:at + 8] = bytes(8)
        path.write_bytes(bytes(data))
    return path


def test_forms_are_counted_for_the_progress_bar_as_they_are_read(tmp_path):
    """The count a progress bar is given equals the forms read, each told once; a broken .zip counts none."""
    archive = _zip_of_forms(tmp_path / "svar.zip")
    folder = tmp_path / "mapp"
    folder.mkdir()
    (folder / "c.docx").write_bytes(blankett.fill_docx(full_record(3)))
    broken = tmp_path / "trasig.zip"
    broken.write_bytes(b"PK\x03\x04 inget arkiv")
    assert count_forms([archive, folder, broken]) == 3
    told: list[int] = []
    problems: list[str] = []
    cases = list(read_cases([archive, folder, broken], problems, on_form=lambda: told.append(1)))
    assert sorted(c.name for c in cases) == ["KS 2026/00001", "KS 2026/00002", "KS 2026/00003"]
    assert len(told) == 3
    assert problems == ["trasig.zip: filen är trasig eller avkortad (zip-arkivet kan inte läsas); räknas inte"]


def test_a_member_that_cannot_be_unpacked_is_one_line_naming_zip_and_member(tmp_path):
    archive = _zip_of_forms(tmp_path / "svar.zip", damaged=True)
    problems: list[str] = []
    cases = list(read_cases([archive], problems))
    assert [c.name for c in cases] == ["KS 2026/00001"]
    # the zip and the member named once, in the web page's words (before: "svar.zip/svar/b.docx: svar.zip: filen är
    # trasig eller avkortad (svar/b.docx kan inte packas upp); räknas inte")
    assert problems == ["svar.zip/svar/b.docx: filen i zip-arkivet är trasig eller för stor och läses inte; "
                        "räknas inte"]
