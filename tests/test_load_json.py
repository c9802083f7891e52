"""Reading JSON and JSON Lines for fill: a bad file or a bad record is one Swedish line, the rest is still written."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from blankett.cli import main


def _fill(tmp_path, name: str, data: bytes):
    src = tmp_path / name
    src.write_bytes(data)
    out = tmp_path / "ut"
    return CliRunner().invoke(main, ["fill", str(src), "-o", str(out)]), out


def _written(out) -> list[str]:
    return sorted(p.name for p in out.iterdir()) if out.exists() else []


@pytest.mark.parametrize("name, data, message", [
    ("latin1.json", '[{"utsatt": "Åsa"}]'.encode("latin-1"), "latin1.json: filen är inte UTF-8-kodad"),
    ("latin1.jsonl", '{"utsatt": "Åsa"}\n'.encode("latin-1"), "latin1.jsonl: filen är inte UTF-8-kodad"),
    ("trasig.json", b'[{"utsatt": "A"},\n {"utsatt": }]', "trasig.json: ogiltig JSON på rad 2, kolumn 13 "
                                                          "(ett värde saknas)"),
    ("tal.json", b"42", "tal.json: JSON-filen ska innehålla en post eller en lista med poster"),
    ("djup.json", b"[" * 100_000, "djup.json: ogiltig JSON: JSON-texten är för djupt nästlad"),
    ("oändlig.json", b'[{"diarienummer": Infinity}]', "oändlig.json: ogiltig JSON: Infinity är inget JSON-värde "
                                                        "(skriv värdet som text)"),
    ("nan.json", b'{"diarienummer": NaN}',
     "nan.json: ogiltig JSON: NaN är inget JSON-värde (skriv värdet som text)"),
    ("stort.json", b'{"diarienummer": 1e400}', "stort.json: ogiltig JSON: talet 1e400 är för stort"),
    # Python reads no whole number of more than 4 300 digits, and says so in English (a traceback, before)
    ("siffror.json", b'[{"handelse": ' + b"9" * 5000 + b"}]",
     "siffror.json: ogiltig JSON: talet 99999999999999999999… har 5000 siffror, fler än ett svar kan ha; "
     "skriv det som text"),
    ("anteckningar.txt", b"utsatt: Bo", "anteckningar.txt: okänt filformat; använd .csv, .json, .jsonl, .ods, "
                                        ".xlsm, .xlsx"),
])
def test_a_file_that_cannot_be_read_is_one_line_and_nothing_is_written(tmp_path, name, data, message):
    result, out = _fill(tmp_path, name, data)
    assert result.exit_code == 1
    assert result.output == f"{message}\nKlart: 0 skrivna, 0 hoppade över (finns redan), 1 fel.\n"
    assert _written(out) == []


@pytest.mark.parametrize("data, where_and_why", [  # Python's json module says each of these in English
    (b'[{"utsatt" "Bo"}]', "rad 1, kolumn 12 (ett kolon (:) saknas efter nyckeln)"),
    (b'[{"utsatt": "Bo"}\n {"utsatt": "Al"}]', "rad 2, kolumn 2 (ett kommatecken (,) saknas)"),
    (b'[{"utsatt": "Bo",}]', 'rad 1, kolumn 18 (en nyckel inom citattecken (") väntades, eller ett kommatecken för '
                             "mycket före })"),
    (b'[{"utsatt": "Bo}]', 'rad 1, kolumn 13 (en text som börjar där stängs aldrig med ett citattecken ("))'),
    (b'[{"utsatt": "Bo\nAl"}]', "rad 1, kolumn 16 (ett styrtecken, till exempel en radbrytning, i en text "
                                "(skriv \\n))"),
    (b'[{"utsatt": "C:\\dokument"}]', 'rad 1, kolumn 16 (ett bakstreck (\\) som inte följs av n, t, ", / eller '
                                      "\\ i en text)"),
    (b'[{"utsatt": "\\u00"}]', "rad 1, kolumn 15 (en ogiltig \\u-följd i en text)"),
    (b'[{"utsatt": "Bo"}] [{"utsatt": "Al"}]', "rad 1, kolumn 20 (mer text efter det första JSON-värdet)"),
])
def test_broken_json_is_named_in_swedish_with_its_line_and_column(tmp_path, data, where_and_why):
    result, out = _fill(tmp_path, "trasig.json", data)
    assert result.exit_code == 1
    assert result.output.splitlines() == [f"trasig.json: ogiltig JSON på {where_and_why}",
                                          "Klart: 0 skrivna, 0 hoppade över (finns redan), 1 fel."]
    assert _written(out) == []


def test_json_lines_name_a_line_that_python_reads_but_json_has_not(tmp_path):
    result, out = _fill(tmp_path, "poster.jsonl", b'{"utsatt": "A"}\n{"diarienummer": -Infinity}\n' + b"[" * 100_000)
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        "poster.jsonl rad 2: ogiltig JSON (-Infinity är inget JSON-värde (skriv värdet som text))",
        "poster.jsonl rad 3: ogiltig JSON (JSON-texten är för djupt nästlad)",
        "Klart: 1 skrivna, 0 hoppade över (finns redan), 2 fel."]
    assert _written(out) == ["Bilaga5-rad-0001.docx"]


def test_json_lines_name_a_line_with_a_number_python_will_not_read_and_write_the_others(tmp_path):
    result, out = _fill(tmp_path, "poster.jsonl", b'{"handelse": -' + b"1" * 4301 + b'}\n{"utsatt": "B"}\n'
                        + b'{"handelse": ' + b"7" * 4300 + b"}\n")
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        "poster.jsonl rad 1: ogiltig JSON (talet -1111111111111111111… har 4301 siffror, fler än ett svar kan ha; "
        "skriv det som text)",
        "Klart: 2 skrivna, 0 hoppade över (finns redan), 1 fel."]
    assert _written(out) == ["Bilaga5-rad-0002.docx", "Bilaga5-rad-0003.docx"]  # 4 300 digits: Python's limit, read


REPEATED = ('nyckeln "{}" står två gånger med olika värden, och vilket som gäller går inte att veta; '
            "ta bort det ena")


def test_a_record_giving_a_key_two_values_is_one_line_and_the_other_records_are_written(tmp_path):
    # Python kept the last value and dropped the other unseen: a form was written with half the person's answer
    data = ('[{"diarienummer": "KS 1", "handelse": "Hot på mötet", "handelse": "Hot i brev"},'
            ' {"diarienummer": "KS 2", "diarienummer": "KS 2"},'  # the same value twice: nothing is lost
            ' {"source": "a.docx", "status": "ok", "messages": [], "record": {"utsatt": "Bo", "utsatt": "Al"}},'
            ' {"diarienummer": "KS 4"}]')
    result, out = _fill(tmp_path, "poster.json", data.encode())
    assert result.exit_code == 1
    assert result.output.splitlines() == [f"poster.json post 1: {REPEATED.format('handelse')}",
                                          f"poster.json post 3: {REPEATED.format('utsatt')}",
                                          "Klart: 2 skrivna, 0 hoppade över (finns redan), 2 fel."]
    assert _written(out) == ["Bilaga5-KS-2.docx", "Bilaga5-KS-4.docx"]


def test_json_lines_name_a_line_giving_a_key_two_values(tmp_path):
    result, out = _fill(tmp_path, "poster.jsonl", b'{"utsatt": "A", "utsatt": "B"}\n{"utsatt": "C"}\n')
    assert result.exit_code == 1
    assert result.output.splitlines() == [f"poster.jsonl rad 1: ogiltig JSON ({REPEATED.format('utsatt')})",
                                          "Klart: 1 skrivna, 0 hoppade över (finns redan), 1 fel."]
    assert _written(out) == ["Bilaga5-rad-0002.docx"]


def test_a_bad_value_or_key_is_quoted_on_one_short_line(tmp_path):
    # a 300 kB value was quoted whole, one message of 300 kB; a line break in a key or value split its line in two
    record = {"typ": ["x" * 100_000], "ok\nänt": 1, "polisanmald": "kanske\nja", "handelse": True}
    result, out = _fill(tmp_path, "poster.json", json.dumps([record, {"utsatt": "Bo"}]).encode())
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        f'poster.json post 1, fältet "typ": "{"x" * 60}…" är inget av de tillåtna värdena (trakasserier, hot, '
        "våld, skadegörelse, stöld, korruptionsförsök, annat)",
        'poster.json post 1, fältet "handelse" (Händelse): "true" är ingen text',  # JSON's spelling, not Python's
        'poster.json post 1, fältet "polisanmald" (Polisanmäld): "kanske ja" är inte Ja eller Nej',
        'poster.json post 1, okänt fält "ok änt"',
        "Klart: 1 skrivna, 0 hoppade över (finns redan), 1 fel."]
    assert _written(out) == ["Bilaga5-post-0002.docx"]


def test_one_json_object_is_one_form(tmp_path):
    result, out = _fill(tmp_path, "en.json", b'{"diarienummer": "KS 1", "utsatt": "Bo"}')
    assert result.exit_code == 0, result.output
    assert _written(out) == ["Bilaga5-KS-1.docx"]


def test_json_items_that_are_not_records_are_named_by_number(tmp_path):
    result, out = _fill(tmp_path, "lista.json", b'[{"utsatt": "A"}, "Bo", [1], {"utsatt": "C"}]')
    assert result.exit_code == 1
    assert "lista.json post 2: posten är inget objekt med fält" in result.output
    assert "lista.json post 3: posten är inget objekt med fält" in result.output
    assert _written(out) == ["Bilaga5-post-0001.docx", "Bilaga5-post-0004.docx"]


def test_json_lines_skip_blank_lines_and_name_lines_that_are_not_records(tmp_path):
    result, out = _fill(tmp_path, "poster.jsonl", b'{"utsatt": "A"}\n\n   \n["utsatt"]\n{"utsatt": "B"}\n')
    assert result.exit_code == 1
    assert result.output.splitlines() == ["poster.jsonl rad 4: raden är inget objekt med fält",
                                          "Klart: 2 skrivna, 0 hoppade över (finns redan), 1 fel."]
    assert _written(out) == ["Bilaga5-rad-0001.docx", "Bilaga5-rad-0005.docx"]

