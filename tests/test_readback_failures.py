"""Reading back when it goes wrong late: answers that fail validation after reading, files LibreOffice must convert."""

from __future__ import annotations

import copy
import csv
import os
import subprocess

from click.testing import CliRunner
from lxml import etree
from python_calamine import CalamineWorkbook

from blankett import office
from blankett.cli import main
from blankett.form import list_tag
from blankett.readback import FEL, OK, VARNING, read_files
from blankett.staging import NO_OFFICE

from .clients import program
from .conftest import NS
from .forms import cell_of, edit, filled, run, save, sdt, set_content, unwrap, w


def _list_typed_over_six_lines(record: dict) -> bytes:
    """A form whose list's controls were removed (as a .doc round trip does) and six lines typed in their rows."""
    def change(root):
        cells = []
        for n in range(1, 5):
            control = sdt(root, list_tag("sarbarheter_rutin", n))
            cells.append(cell_of(control))
            unwrap(control)
        for text in ("Fem", "Sex"):
            etree.SubElement(cells[-1], w("p")).append(run(text))

    return edit(filled(record), change)


def test_answers_that_fail_validation_after_reading_are_one_error_naming_the_field(tmp_path):
    bad = save(tmp_path, "sex-rader.docx", _list_typed_over_six_lines(
        {"utsatt": "Bo", "sarbarheter_rutin": ["Ett", "Två", "Tre", "Fyra"]}))
    good = save(tmp_path, "bra.docx", filled({"utsatt": "Eva"}))
    first, second = read_files([bad, good])
    assert (first.status, first.record) == (FEL, None)
    assert first.messages[-1] == 'fältet "sarbarheter_rutin" (Sårbarheter i rutinen): högst 4 punkter får plats, här finns 6'
    assert "lästes från texten vid frågan" in first.messages[0]  # how it was read is still said
    assert (second.status, second.record["utsatt"]) == (OK, "Eva")


def test_odt_and_doc_without_libreoffice_are_one_line_each_and_the_rest_is_read(tmp_path, monkeypatch):
    monkeypatch.setenv(office.ENV_VAR, str(tmp_path / "finns-inte" / "soffice"))
    folder = tmp_path / "inkomna"
    folder.mkdir()
    (folder / "a.odt").write_bytes(b"PK\x03\x04 en odt")
    (folder / "b.doc").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512)
    save(folder, "c.docx", filled({"utsatt": "Bo"}))
    out = tmp_path / "svar.json"
    result = CliRunner().invoke(main, ["extract", str(folder), "-o", str(out)])
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"{folder / 'a.odt'}: {NO_OFFICE}",
        f"{folder / 'b.doc'}: {NO_OFFICE}",
        f"Klart: 1 lästa (varav 0 med varningar), 2 fel. Skrev {out}.",
    ]
    assert "Spara som > Word-dokument (.docx)" in NO_OFFICE and "LibreOffice finns inte" in NO_OFFICE
    assert '"utsatt": "Bo"' in out.read_text(encoding="utf-8")


# A main part found through the relationships, and one that is missing: test_hostile.py (packages that lie).


def test_a_missing_file_and_one_too_big_to_be_a_form_are_one_line_each(tmp_path):
    huge = tmp_path / "stor.docx"
    with open(huge, "wb") as fh:
        fh.truncate(101 * 2**20)  # sparse: takes no disk
    good = save(tmp_path, "bra.docx", filled({"utsatt": "Bo"}))
    missing, big, ok = read_files([tmp_path / "saknas.docx", huge, good])
    assert (missing.status, missing.messages) == (FEL, ["filen finns inte"])
    assert (big.status, big.messages) == (FEL, ["filen är 101 MB, orimligt stor för en ifylld blankett, och läses inte"])
    assert ok.status == OK


def test_an_empty_odt_is_refused_as_empty_without_asking_for_libreoffice(tmp_path, monkeypatch):
    monkeypatch.setenv(office.ENV_VAR, str(tmp_path / "finns-inte" / "soffice"))
    empty = save(tmp_path, "tom.odt", b"")
    good = save(tmp_path, "bra.docx", filled({"utsatt": "Bo"}))
    first, second = read_files([empty, good])
    assert (first.status, first.messages) == (FEL, ["filen är tom"])
    assert second.status == OK


def test_the_stored_date_is_kept_when_the_shown_text_is_no_date(tmp_path):
    from .forms import set_content

    def change(root):
        control = sdt(root, "samtal1_datum")
        set_content(control, run("snart"))

    path = save(tmp_path, "datum.docx", edit(filled({"samtal1_datum": "2026-03-12"}), change))
    (result,) = read_files([path])
    assert (result.status, result.record["samtal1_datum"]) == (OK, "2026-03-12"), result.messages


def _date_control(record: dict, full_date: str) -> bytes:
    """The form with samtal1_datum's stored date set to ``full_date``."""
    from .conftest import NS, W

    def change(root):
        control = sdt(root, "samtal1_datum")
        control.find("w:sdtPr/w:date", NS).set(f"{{{W}}}fullDate", full_date)

    return edit(filled(record), change)


def test_a_stored_date_that_is_no_date_gives_way_to_the_shown_one(tmp_path):
    path = save(tmp_path, "datum.docx", _date_control({"samtal1_datum": "2026-03-12"}, "2026-02-30T00:00:00Z"))
    (result,) = read_files([path])
    assert (result.status, result.record["samtal1_datum"]) == (OK, "2026-03-12"), result.messages


def test_a_date_control_showing_its_placeholder_is_not_answered_whatever_date_it_stored(tmp_path):
    path = save(tmp_path, "tom-datum.docx", _date_control({"utsatt": "Bo"}, "2026-03-12T00:00:00Z"))
    (result,) = read_files([path])
    assert (result.status, result.record["samtal1_datum"]) == (OK, None), result.messages


def test_file_names_with_bytes_that_are_not_utf8_or_a_newline_are_read_and_shown_on_one_line(tmp_path):
    # Linux names are bytes: a name from an old zip (Latin-1 "ö") is a lone surrogate in Python's text. The
    # guarded worker died answering with it (the form was "too big"), and every output format was a traceback.
    folder = tmp_path / "inkomna"
    folder.mkdir()
    latin = os.fsdecode(b"hot-mot-f\xf6rtroendevald.docx")
    save(folder, latin, filled({"utsatt": "Bo"}))
    (folder / "rad\nbrytning.docx").write_bytes(b"PK\x03\x04 avkortad")
    runner = CliRunner()
    for out in (tmp_path / "svar.json", tmp_path / "svar.csv", tmp_path / "svar.xlsx"):
        result = runner.invoke(main, ["extract", str(folder), "-o", str(out)])
        assert result.exit_code == 1, result.output
        assert result.stderr.splitlines() == [
            f"{folder}/rad\ufffdbrytning.docx: filen är trasig eller avkortad (zip-arkivet kan inte läsas)",
            f"Klart: 1 lästa (varav 0 med varningar), 1 fel. Skrev {out}."]
    # read back by programs that did not write them, which take only UTF-8: jq, Python's csv, calamine
    jq = subprocess.run([program("jq", "jq"), "-r", ".[] | .source + \" \" + .status + \" \" + (.record.utsatt // \"-\")",
                         str(tmp_path / "svar.json")], capture_output=True, check=True, timeout=30)
    assert jq.stdout.decode("utf-8").splitlines() == [
        f"{folder}/hot-mot-f\ufffdrtroendevald.docx ok Bo", f"{folder}/rad\ufffdbrytning.docx fel -"]
    with (tmp_path / "svar.csv").open(encoding="utf-8", newline="") as fh:
        assert [(row["Fil"], row["Status"]) for row in csv.DictReader(fh, delimiter=";")] == [
            (f"{folder}/hot-mot-f\ufffdrtroendevald.docx", "ok"), (f"{folder}/rad\ufffdbrytning.docx", "fel")]
    sheet = CalamineWorkbook.from_path(str(tmp_path / "svar.xlsx")).get_sheet_by_index(0).to_python()
    assert f"{folder}/hot-mot-f\ufffdrtroendevald.docx" in sheet[1]


def _copied(tag: str, change) -> bytes:
    """The filled form with the control ``tag`` copied right after itself, and ``change`` made to the copy."""
    def edit_copy(root):
        control = sdt(root, tag)
        twin = copy.deepcopy(control)
        control.addnext(twin)
        change(twin)

    return edit(filled({"utsatt": "Bo", "handelse": "Hot på mötet.", "polisanmald": "Nej"}), edit_copy)


def _ticked(control) -> None:
    control.find("w:sdtPr/w14:checkbox/w14:checked", NS).set(f"{{{NS['w14']}}}val", "1")


def test_a_control_there_twice_with_another_answer_is_a_warning_and_the_same_answer_twice_is_not(tmp_path):
    # the second one's answer was dropped without a word (Writer makes such a copy: test_uno)
    texts = save(tmp_path, "text.docx", _copied("handelse", lambda c: set_content(c, run("Hot i brev."))))
    boxes = save(tmp_path, "ruta.docx", _copied("polisanmald=Ja", _ticked))
    same = save(tmp_path, "samma.docx", _copied("handelse", lambda c: None))
    first, second, third = read_files([texts, boxes, same])
    assert (first.status, first.record["handelse"], first.messages) == (VARNING, "Hot på mötet.", [
        '"Händelse": fältet finns två gånger i blanketten med olika svar (en kopierad ruta?); bara det första '
        "lästes – kontrollera blanketten"])
    assert (second.status, second.record["polisanmald"], second.messages) == (VARNING, "Nej", [
        '"Polisanmäld": fältet finns två gånger i blanketten med olika svar (en kopierad ruta?); bara det första '
        "lästes – kontrollera blanketten"])
    assert (third.status, third.messages) == (OK, [])


def test_a_mistyped_folder_is_said_not_to_exist_and_the_other_paths_are_read(tmp_path):
    # a path with no ending that is not there was "okänt filformat", as if the folder were a file of a strange kind
    folder = tmp_path / "inkomna"
    folder.mkdir()
    save(folder, "a.docx", filled({"utsatt": "Bo"}))
    (tmp_path / "anteckning").write_text("inte en blankett", encoding="utf-8")
    result = CliRunner().invoke(main, ["extract", str(tmp_path / "inkomma"), str(folder), str(tmp_path / "anteckning"),
                                       "-o", str(tmp_path / "svar.json")])
    assert result.exit_code == 1
    assert result.stderr.splitlines()[:2] == [
        f"{tmp_path / 'inkomma'}: filen eller mappen finns inte",
        f"{tmp_path / 'anteckning'}: okänt filformat; blanketter läses från .doc, .docm, .docx, .jpeg, .jpg, .odt, "
        ".pdf, .png, .tif, .tiff"]
    assert '"utsatt": "Bo"' in (tmp_path / "svar.json").read_text(encoding="utf-8")
