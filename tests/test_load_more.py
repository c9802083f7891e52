"""load: a folder where a file was named, a decimal number kept, and each JSON record's own password taken
out of the record before it is filled; one Swedish line each, naming the file."""

from __future__ import annotations

import json

import pytest

from blankett.errors import InputError
from blankett.load import load_rows

from .records import full_record


def test_a_folder_named_as_an_input_file_is_named_as_a_folder(tmp_path):
    folder = tmp_path / "poster.json"
    folder.mkdir()
    with pytest.raises(InputError) as refused:
        list(load_rows(folder))
    assert str(refused.value) == f"{folder}: det är en mapp, inte en fil"


def test_an_ordinary_decimal_number_is_kept_as_the_number_it_is(tmp_path):
    """Only what a double cannot hold is refused (1e400, tested in test_load_json); 0.1 and -2.5e3 stay numbers."""
    path = tmp_path / "poster.json"
    path.write_text('{"diarienummer": 0.1, "utsatt": -2.5e3}', encoding="utf-8")
    (row,) = load_rows(path)
    assert row.data == {"diarienummer": 0.1, "utsatt": -2500.0}


def test_each_json_records_password_is_taken_out_of_it_before_it_is_a_field(tmp_path):
    """``--password-column`` on JSON: the key matched as a header is (case and spaces aside); a number is its
    digits, as a sheet's cell; a record without one has none; the key is never left as an unknown field."""
    path = tmp_path / "poster.json"
    records = [dict(full_record(1), **{" LÖSENORD ": 123456}), full_record(2),
               dict(full_record(3), **{"lösenord": "Hemligt 3"})]
    path.write_text(json.dumps(records, ensure_ascii=False), encoding="utf-8")
    rows = list(load_rows(path, password_column="Lösenord"))
    assert [row.password for row in rows] == ["123456", None, "Hemligt 3"]
    assert [row.data for row in rows] == [full_record(1), full_record(2), full_record(3)]


def test_excels_day_zero_is_openpyxls():
    from openpyxl.utils.datetime import WINDOWS_EPOCH

    from blankett.load import EXCEL_EPOCH

    assert EXCEL_EPOCH == WINDOWS_EPOCH


def test_commands_the_server_and_a_json_input_start_without_openpyxl(tmp_path):
    """openpyxl (and numpy, which it loads where installed) took 100-140 ms of every command's and server's start;
    it is loaded when a workbook is read or written, and then reads one as before."""
    from .fresh import in_new_python

    (tmp_path / "in.json").write_text(json.dumps([{"utsatt": "Ann Ek"}]), encoding="utf-8")
    script = ("import json, sys\n"
              "import blankett.cli, blankett.web.app\n"
              "from blankett.load import load_rows\n"
              "rows = list(load_rows(__import__('pathlib').Path(sys.argv[1])))\n"
              "before = sorted({'openpyxl', 'numpy'} & set(sys.modules))\n"
              "import blankett\n"
              "open(sys.argv[2], 'wb').write(blankett.workbook_xlsx())\n"
              "print(json.dumps([before, rows[0].data['utsatt'], blankett.count_records(sys.argv[2])]))\n")
    assert in_new_python(script, tmp_path / "in.json", tmp_path / "tom.xlsx") == [[], "Ann Ek", 0]
