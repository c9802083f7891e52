"""Read back: filled forms, and forms as people really return them, to records."""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile

import pytest
from click.testing import CliRunner
from docx import Document
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from blankett import controls, ooxml
from blankett.build import blank_bytes
from blankett.check import check_file
from blankett.cli import main
from blankett.form import FIELDS, PLACEHOLDER, Kind
from blankett.readback import FEL, MACRO_NOTE, OK, VARNING, read_file

from .conftest import NS
from .forms import cell_of, edit, expected, filled, run, save, sdt, set_content, unwrap, w

RECORD = {
    "utsatt": "Anders Bergström",
    "handelse": "Hot via sms.\nSedan ett samtal.",
    "polisanmald": "Nej",
    "samtal1_datum": "2026-03-12",
    "kommentar_3_1_1": "Kontaktad.",
    "sarbarheter_rutin": ["Ett", "Två"],
}


def _read(tmp_path, data: bytes, name: str = "svar.docx"):
    return read_file(save(tmp_path, name, data))


@pytest.mark.parametrize("n", [0, 1])
def test_example_records_read_back(tmp_path, example_records, n):
    result = _read(tmp_path, filled(example_records[n]))
    assert (result.status, result.messages) == (OK, [])
    assert result.record == expected(example_records[n])


def test_blank_form_reads_as_empty_with_a_warning_that_nothing_was_answered(tmp_path):
    """A form sent back untouched is read (an empty row) but flagged: the registrar should look at it."""
    result = _read(tmp_path, blank_bytes())
    assert (result.status, result.messages) == (VARNING, ["blanketten är inte ifylld: inga svar hittades"])
    assert all(v in (None, []) for v in result.record.values())
    one = _read(tmp_path, filled({"polisanmald": "Nej"}))  # a single answer is an answer
    assert (one.status, one.messages) == (OK, [])


def test_result_is_json_with_source_status_messages_record(tmp_path):
    result = _read(tmp_path, filled(RECORD))
    data = json.loads(json.dumps(result.as_dict()))
    assert set(data) == {"source", "status", "messages", "record"}
    assert data["source"].endswith("svar.docx")


def test_tracked_changes_insertions_count_deletions_do_not(tmp_path):
    def change(root):
        ins = etree.Element(w("ins"), {w("id"): "1", w("author"): "A", w("date"): "2026-03-04T00:00:00Z"})
        ins.append(run("Berg"))
        deleted = etree.Element(w("del"), {w("id"): "2", w("author"): "A", w("date"): "2026-03-04T00:00:00Z"})
        r = etree.SubElement(deleted, w("r"))
        etree.SubElement(r, w("delText")).text = "Lund"
        set_content(sdt(root, "utsatt"), run("Anders "), ins, deleted, run("ström"))

    result = _read(tmp_path, edit(filled(RECORD), change))
    assert result.record["utsatt"] == "Anders Bergström"
    assert result.status == OK


def test_comments_bookmarks_proofing_and_split_runs_are_ignored(tmp_path):
    def change(root):
        ref = etree.Element(w("r"))
        etree.SubElement(ref, w("commentReference"), {w("id"): "0"})
        set_content(
            sdt(root, "handelse"),
            etree.Element(w("bookmarkStart"), {w("id"): "0", w("name"): "mark"}),
            run("Hot ", b=""),
            etree.Element(w("commentRangeStart"), {w("id"): "0"}),
            etree.Element(w("proofErr"), {w("type"): "spellStart"}),
            run("v", i=""), run("ia", b=""),
            etree.Element(w("proofErr"), {w("type"): "spellEnd"}),
            etree.Element(w("commentRangeEnd"), {w("id"): "0"}),
            ref,
            run(" sms"),
            etree.Element(w("bookmarkEnd"), {w("id"): "0"}),
        )

    result = _read(tmp_path, edit(filled(RECORD), change))
    assert result.record["handelse"] == "Hot via sms"
    assert result.status == OK


def test_answer_typed_beside_an_empty_control_is_read_with_a_warning(tmp_path):
    def change(root):
        cell = cell_of(sdt(root, "vittnen"))
        p = etree.SubElement(cell, w("p"))
        p.append(run("Maken såg det."))

    result = _read(tmp_path, edit(filled(RECORD), change))
    assert result.record["vittnen"] == "Maken såg det."
    assert result.status == VARNING
    assert any("Vittnen" in m and "utanför" in m for m in result.messages)


def test_answer_kept_when_the_control_was_removed(tmp_path):
    result = _read(tmp_path, edit(filled(RECORD), lambda root: unwrap(sdt(root, "handelse"))))
    assert result.record["handelse"] == RECORD["handelse"]
    assert result.status == VARNING and "Händelse" in result.messages[-1]


def test_comment_answer_read_when_its_control_was_removed(tmp_path):
    result = _read(tmp_path, edit(filled(RECORD), lambda root: unwrap(sdt(root, "kommentar_3_1_1"))))
    assert result.record["kommentar_3_1_1"] == "Kontaktad."
    assert result.record["kommentar_3_1_3"] is None


def test_date_and_list_read_when_their_controls_were_removed(tmp_path):
    def change(root):
        for tag in ("samtal1_datum", *[f"sarbarheter_rutin#{n}" for n in range(1, 5)]):
            unwrap(sdt(root, tag))

    result = _read(tmp_path, edit(filled(RECORD), change))
    assert result.record["samtal1_datum"] == "2026-03-12"
    assert result.record["sarbarheter_rutin"] == ["Ett", "Två"]
    assert result.record["samtal2_datum"] is None  # the second "Datum" is another field


@pytest.mark.parametrize("mark", ["X", "x", "☒", "✓"])
def test_box_ticked_by_typing_where_the_checkbox_was_deleted(tmp_path, mark):
    def change(root):
        for answer in ("Ja", "Nej"):
            box = sdt(root, f"polis_kontaktad={answer}")
            parent = box.getparent()
            parent.replace(box, run(f" {mark}" if answer == "Ja" else " "))

    result = _read(tmp_path, edit(filled(RECORD), change))
    assert result.record["polis_kontaktad"] == "Ja"
    assert result.status == VARNING and "Polis kontaktad" in result.messages[-1]


def test_box_ticked_by_typing_beside_an_unticked_checkbox(tmp_path):
    def change(root):
        box = sdt(root, "initialt_stod=Nej")
        box.addnext(run("X"))

    result = _read(tmp_path, edit(filled(RECORD), change))
    assert result.record["initialt_stod"] == "Nej"
    assert result.status == VARNING


def test_both_boxes_ticked_is_a_warning_and_not_answered(tmp_path):
    def change(root):
        box = sdt(root, "polisanmald=Ja").find("w:sdtPr/w14:checkbox/w14:checked", NS)
        box.set(f"{{{NS['w14']}}}val", "1")

    result = _read(tmp_path, edit(filled(RECORD), change))
    assert result.record["polisanmald"] is None
    assert result.status == VARNING
    assert any("både Ja och Nej" in m for m in result.messages)


def test_checkbox_state_counts_not_the_glyph(tmp_path):
    def change(root):
        for t in sdt(root, "polisanmald=Ja").iterfind(".//w:t", NS):
            t.text = "☒"  # the glyph says ticked, the state does not

    result = _read(tmp_path, edit(filled(RECORD), change))
    assert result.record["polisanmald"] == "Nej"


def _typed_date(text: str):
    def change(root):
        control = sdt(root, "samtal1_datum")
        control.find("w:sdtPr/w:date", NS).attrib.pop(w("fullDate"), None)
        set_content(control, run(text))

    return change


@pytest.mark.parametrize("text, date", [("12 mars 2026", "2026-03-12"), ("den 3 april 2026", "2026-04-03"),
                                        ("12/3-2026", "2026-03-12"), ("2026-03-12", "2026-03-12"),
                                        ("12.3.2026", "2026-03-12")])
def test_date_typed_as_text_in_swedish(tmp_path, text, date):
    result = _read(tmp_path, edit(filled(RECORD), _typed_date(text)))
    assert result.record["samtal1_datum"] == date


def test_date_typed_as_unreadable_text_is_kept_in_a_warning(tmp_path):
    result = _read(tmp_path, edit(filled(RECORD), _typed_date("i början av mars")))
    assert result.record["samtal1_datum"] is None
    assert result.status == VARNING
    assert any("i början av mars" in m and "Samtal 1: datum" in m for m in result.messages)


def test_shown_date_wins_over_a_stale_stored_date(tmp_path):
    def change(root):
        set_content(sdt(root, "samtal1_datum"), run("2026-03-13"))

    result = _read(tmp_path, edit(filled(RECORD), change))
    assert result.record["samtal1_datum"] == "2026-03-13"
    assert result.status == VARNING


def test_another_document_is_not_bilaga_5(tmp_path):
    doc = Document()
    doc.add_paragraph("Ett helt annat dokument.")
    buf = io.BytesIO()
    doc.save(buf)
    result = _read(tmp_path, buf.getvalue())
    assert result.status == FEL and result.record is None
    assert "inte blanketten Bilaga 5" in result.messages[0]


def test_an_edited_template_missing_a_question_lists_what_is_missing(tmp_path):
    def change(root):
        row = next(sdt(root, "vittnen").iterancestors(w("tr")))
        row.getparent().remove(row)

    result = _read(tmp_path, edit(filled(RECORD), change))
    assert result.status == FEL
    assert "saknar 1 av" in result.messages[0] and "Vittnen" in result.messages[0]
    assert result.record["utsatt"] == "Anders Bergström"  # what was there is still given


def test_docm_is_read_and_its_macros_noted(tmp_path):
    data = filled(RECORD)
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        parts = {i.filename: zf.read(i) for i in zf.infolist()}
    parts["word/vbaProject.bin"] = b"\xd0\xcf\x11\xe0 not really VBA"
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        for name, member in parts.items():
            zf.writestr(name, member)
    result = _read(tmp_path, out.getvalue(), "svar.docm")
    assert result.status == VARNING and MACRO_NOTE in result.messages
    assert result.record == expected(RECORD)


def _two_lines_in(tag: str, first: str, second: str):
    """An edit that writes two lines (a Shift+Enter line break) into one list row."""
    def change(root):
        r = run(first)
        etree.SubElement(r, w("br"))
        r.append(run(second).find(w("t")))
        set_content(sdt(root, tag), r)
    return change


def test_list_item_with_two_lines_gives_two_items(tmp_path):
    result = _read(tmp_path, edit(filled(RECORD), _two_lines_in("sarbarheter_plan#1", "Ett", "Tre")))
    assert result.record["sarbarheter_plan"] == ["Ett", "Tre"]


def test_more_list_lines_than_rows_are_kept_joined_with_a_warning(tmp_path):
    change = _two_lines_in("sarbarheter_plan#4", "Fyra", "Fem")
    record = {"sarbarheter_plan": ["Ett", "Två", "Tre", "Fyra"]}
    result = _read(tmp_path, edit(filled(record), change))
    assert result.status == VARNING
    assert result.record["sarbarheter_plan"] == ["Ett", "Två", "Tre", "Fyra; Fem"]
    assert any("5 rader" in m and "Sårbarheter i planen" in m for m in result.messages)


# --- blankett check -------------------------------------------------------------------


def test_check_template_is_complete(tmp_path):
    path = save(tmp_path, "Bilaga5.docx", blank_bytes())
    assert check_file(path) == []
    result = CliRunner().invoke(main, ["check", str(path)])
    assert result.exit_code == 0 and "komplett" in result.output


def test_check_lists_missing_and_wrong_controls(tmp_path):
    def change(root):
        unwrap(sdt(root, "utsatt"))
        checkbox = sdt(root, "polisanmald=Ja").find("w:sdtPr/w14:checkbox", NS)
        checkbox.getparent().replace(checkbox, etree.Element(w("text")))

    path = save(tmp_path, "ändrad.docx", edit(blank_bytes(), change))
    problems = check_file(path)
    assert problems == ['"Utsatt person" (tagg utsatt): innehållskontrollen saknas',
                        '"Polisanmäld" (tagg polisanmald=Ja): fel sorts innehållskontroll (väntade checkbox)']
    result = CliRunner().invoke(main, ["check", str(path)])
    assert result.exit_code == 1 and "inte en komplett Bilaga 5" in result.output


def test_check_refuses_a_broken_file_in_one_line(tmp_path):
    path = save(tmp_path, "trasig.docx", b"not a zip")
    result = CliRunner().invoke(main, ["check", str(path)])
    assert result.exit_code != 0 and "Traceback" not in result.output
    assert result.output.strip().count("\n") == 0 and "trasig.docx" in result.output


# --- blankett extract -------------------------------------------------------------------


def test_extract_folder_to_stdout_json_with_summary_and_exit_code(tmp_path, example_records):
    folder = tmp_path / "inkomna"
    folder.mkdir()
    save(folder, "a.docx", filled(example_records[0]))
    save(folder, "b.docx", filled(example_records[1]))
    save(folder, "c.docx", b"")
    save(folder, "anteckning.txt", b"not a form")
    result = CliRunner().invoke(main, ["extract", str(folder)])
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert [_name(d["source"]) for d in data] == ["a.docx", "b.docx", "c.docx"]
    assert [d["status"] for d in data] == ["ok", "ok", "fel"]
    assert data[0]["record"] == expected(example_records[0])
    assert "Klart: 2 lästa (varav 0 med varningar), 1 fel." in result.stderr
    assert "c.docx: filen är tom" in result.stderr


def _name(source: str) -> str:
    """The file name of a result's source, on any system."""
    return source.replace("\\", "/").rsplit("/", 1)[-1]


def test_extract_all_ok_exits_zero_and_keeps_swedish_letters(tmp_path):
    path = save(tmp_path, "a.docx", filled(RECORD))
    result = CliRunner().invoke(main, ["extract", str(path)])
    assert result.exit_code == 0
    assert "Bergström" in result.stdout


def test_extract_never_overwrites_without_force(tmp_path):
    path = save(tmp_path, "a.docx", filled(RECORD))
    out = save(tmp_path, "svar.json", b"old")
    result = CliRunner().invoke(main, ["extract", str(path), "-o", str(out)])
    assert result.exit_code != 0 and out.read_bytes() == b"old"
    assert CliRunner().invoke(main, ["extract", str(path), "-o", str(out), "--force"]).exit_code == 0
    assert json.loads(out.read_text(encoding="utf-8"))[0]["status"] == "ok"


def test_extract_refuses_an_unknown_output_format(tmp_path):
    path = save(tmp_path, "a.docx", filled(RECORD))
    result = CliRunner().invoke(main, ["extract", str(path), "-o", str(tmp_path / "svar.txt")])
    assert result.exit_code != 0 and "okänt utdataformat" in result.output


def test_unknown_file_kind_is_one_error(tmp_path):
    result = read_file(save(tmp_path, "a.txt", b"x"))
    assert result.status == FEL and "okänt filformat" in result.messages[0]


def test_date_record_value_is_iso_text(tmp_path):
    result = _read(tmp_path, filled({"samtal2_datum": dt.date(2026, 1, 2)}))
    assert result.record["samtal2_datum"] == "2026-01-02"


def test_worker_processes_give_the_same_results_in_order(tmp_path, example_records):
    from blankett.readback import read_files

    paths = [save(tmp_path, f"{n:03d}.docx", filled(example_records[n % 2])) for n in range(70)]
    paths.insert(35, save(tmp_path, "trasig.docx", b"PK\x03\x04 trasig"))
    one = [r.as_dict() for r in read_files(paths, workers=1)]
    two = [r.as_dict() for r in read_files(paths, workers=2)]
    assert one == two and len(two) == 71 and two[35]["status"] == FEL


def test_messages_are_one_line_even_when_the_typed_text_is_not(tmp_path):
    def change(root):
        control = sdt(root, "samtal1_datum")
        control.find("w:sdtPr/w:date", NS).attrib.pop(w("fullDate"), None)
        r = run("i början")
        etree.SubElement(r, w("br"))
        r.append(run("av mars").find(w("t")))
        set_content(control, r)

    result = _read(tmp_path, edit(filled(RECORD), change))
    assert result.status == VARNING and all("\n" not in m for m in result.messages)
    assert any("i början av mars" in m for m in result.messages)


# --- the placeholder flag is a hint: text that is not the placeholder is an answer ---------------------

_FLAG_TEXT = "Skriv svaret här."  # the grey hints of forms sent out before, written out here, not taken from blankett
_FLAG_DATE = "Välj datum (ÅÅÅÅ-MM-DD)."
_FLAG_ITEM = "Skriv en punkt här."
_BLANK = "\u2007" * 20  # today's placeholder: twenty figure spaces
_WORD_BLANK = "\u00a0" * 5  # Word's own when a control emptied by hand names none (ECMA-376 §17.5.2.25)
_PLACEHOLDERS = (_FLAG_TEXT, _FLAG_DATE, _FLAG_ITEM, _BLANK, _WORD_BLANK)


def _flag(control) -> None:
    """Put the placeholder flag back on a control, as LibreOffice leaves it after a paste."""
    pr = control.find("w:sdtPr", NS)
    if pr.find("w:showingPlcHdr", NS) is None:
        etree.SubElement(pr, w("showingPlcHdr"))


def _answered_under_flag(record: dict):
    """Every answered text, date and list control flagged as showing its placeholder; the fields concerned."""
    fields = [f for f in FIELDS if f.kind is not Kind.JANEJ and record.get(f.key) not in (None, "", [])]

    def change(root):
        for f in fields:
            for tag in f.tags():
                _flag(sdt(root, tag))

    return change, fields


def test_the_placeholder_texts_here_are_the_forms(tmp_path):
    assert set(PLACEHOLDER.values()) == {_BLANK}
    root = etree.fromstring(zipfile.ZipFile(io.BytesIO(blank_bytes())).read("word/document.xml"))
    shown = {"".join(t.text for t in c.iterfind(".//w:sdtContent//w:t", NS))
             for c in root.iterfind(".//w:sdt", NS) if c.find("w:sdtPr/w:showingPlcHdr", NS) is not None}
    assert shown == {_BLANK}


@pytest.mark.parametrize("flagged", [False, True])
@pytest.mark.parametrize("shown", [_FLAG_TEXT, _FLAG_DATE, _FLAG_ITEM, _BLANK, _WORD_BLANK])
def test_every_placeholder_a_returned_form_may_show_is_no_answer(tmp_path, flagged, shown):
    """Today's blanks, Word's own (a control emptied in Word) and the grey hints of forms sent out before."""
    def change(root):
        for tag in ("utsatt", "samtal1_datum", "sarbarheter_plan#1"):
            control = sdt(root, tag)
            set_content(control, run(shown))
            if flagged:
                _flag(control)

    result = _read(tmp_path, edit(filled({"polisanmald": "Ja"}), change))
    assert (result.record["utsatt"], result.record["samtal1_datum"], result.record["sarbarheter_plan"]) == (
        None, None, [])
    assert (result.status, result.messages) == (OK, [])


@pytest.mark.parametrize("flagged", [False, True])
@pytest.mark.parametrize("cut", [0, 1, 11, 19, 20])
def test_typing_into_the_blank_placeholder_reads_what_was_typed_silently(tmp_path, flagged, cut):
    """The blanks around what was typed print as nothing (Writer types where the cursor is, without replacing)."""
    typed = " Anna Lind, nämndsekreterare "

    def change(root):
        control = sdt(root, "forovare")
        set_content(control, run(_BLANK[:cut] + typed + _BLANK[cut:]))
        if flagged:
            _flag(control)

    result = _read(tmp_path, edit(filled({"polisanmald": "Ja"}), change))
    assert (result.record["forovare"], result.status, result.messages) == (typed, OK, [])


ANSWER = st.text(st.characters(blacklist_categories=("Cs", "Cc")).filter(lambda c: c not in "\ufffe\uffff"),
                 min_size=1, max_size=40).filter(lambda s: s.strip() and not any(p in s for p in _PLACEHOLDERS))
FLAGGED_RECORDS = st.fixed_dictionaries({
    "utsatt": ANSWER,
    "handelse": st.one_of(st.none(), st.lists(ANSWER.filter(lambda s: "\n" not in s), min_size=1, max_size=3)
                          .map("\n".join)),
    "samtal1_datum": st.one_of(st.none(), st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2200, 1, 1))),
    "sarbarheter_rutin": st.lists(ANSWER.filter(lambda s: "\n" not in s), max_size=4),
    "polisanmald": st.sampled_from([None, "Ja", "Nej"]),
})


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(FLAGGED_RECORDS)
def test_an_answer_under_a_left_placeholder_flag_is_kept_silently(tmp_path, record):
    """LibreOffice saves every pasted answer with the placeholder flag left on: the flag alone is no warning."""
    change, _ = _answered_under_flag(record)
    result = _read(tmp_path, edit(filled(record), change))
    assert result.record == expected(record), result.messages
    assert (result.status, result.messages) == (OK, [])


@pytest.mark.parametrize("flagged", [False, True])
@pytest.mark.parametrize("tag, column, hint", [("forovare", "Förövare", _FLAG_TEXT),
                                               ("sarbarheter_plan#2", None, _FLAG_ITEM)])
def test_typing_into_the_middle_of_the_hint_is_kept_as_written_with_a_warning(tmp_path, flagged, tag, column, hint):
    """The hint cut in two by typed text cannot be told from the answer: kept as it stands, to be checked."""
    written = hint[:6] + "Anna" + hint[6:]

    def change(root):
        control = sdt(root, tag)
        set_content(control, run(written))
        if flagged:
            _flag(control)

    result = _read(tmp_path, edit(filled(RECORD), change))
    field = next(f for f in FIELDS if tag in f.tags())
    assert result.status == VARNING
    assert result.messages == [f'"{column or field.column}": svaret har platshållartexten "{hint}" insprängd; '
                               "texten lästes som den står – kontrollera den"]
    assert written == result.record[field.key] or written in result.record[field.key]  # the text, or a list item


@pytest.mark.parametrize("where", ["before", "after", "both", "own run"])
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(typed=ANSWER.map(str.strip).filter(bool))
def test_placeholder_text_left_beside_typed_text_is_removed(tmp_path, where, typed):
    def change(root):
        control = sdt(root, "forovare")
        if where == "own run":  # the grey run kept, the typed run added after it (Word, LibreOffice)
            set_content(control, run(_FLAG_TEXT, rStyle=""), run(typed))
        else:
            text = {"before": _FLAG_TEXT + typed, "after": typed + _FLAG_TEXT,
                    "both": f"{_FLAG_TEXT} {typed} {_FLAG_TEXT}"}[where]
            set_content(control, run(text))

    result = _read(tmp_path, edit(filled(RECORD), change))
    assert result.record["forovare"] == typed
    assert (result.status, result.messages) == (OK, [])


@pytest.mark.parametrize("tag, text", [("forovare", _FLAG_TEXT), ("samtal2_datum", _FLAG_DATE),
                                       ("sarbarheter_plan#1", _FLAG_ITEM), ("forovare", f"  {_FLAG_TEXT}\n")])
def test_placeholder_text_alone_is_no_answer_with_or_without_its_flag(tmp_path, tag, text):
    for flagged in (False, True):
        def change(root, flagged=flagged):
            control = sdt(root, tag)
            set_content(control, run(text))
            if flagged:
                _flag(control)

        result = _read(tmp_path, edit(filled(RECORD), change))
        assert (result.status, result.messages) == (OK, []), flagged
        assert result.record == expected(RECORD)


def test_a_date_stored_behind_the_placeholder_text_is_no_answer(tmp_path):
    def change(root):
        control = sdt(root, "samtal1_datum")
        set_content(control, run(_FLAG_DATE))
        _flag(control)  # fullDate (2026-03-12) stays stored

    result = _read(tmp_path, edit(filled(RECORD), change))
    assert result.record["samtal1_datum"] is None
    assert (result.status, result.messages) == (OK, [])


def test_a_typed_date_under_the_flag_is_read_silently(tmp_path):
    def change(root):
        _typed_date("12 mars 2026")(root)
        _flag(sdt(root, "samtal1_datum"))

    result = _read(tmp_path, edit(filled(RECORD), change))
    assert result.record["samtal1_datum"] == "2026-03-12"
    assert (result.status, result.messages) == (OK, [])


@pytest.mark.parametrize("value, want", [(f"Anna{_FLAG_TEXT}", "Anna"), (_FLAG_TEXT, None), ("Anna", "Anna")])
def test_pdf_fields_follow_the_same_placeholder_rule(value, want):
    """A PDF's fields are read by the same readers: the form's placeholder text left in a field is no answer."""
    read = {tag: ooxml.Control(None, "checkbox" if f.kind is Kind.JANEJ else f.kind.value if f.kind is Kind.DATE
                               else "text", False, None, "") for f in FIELDS for tag in f.tags()}
    read["utsatt"] = ooxml.Control(None, "text", False, None, value)
    values, warnings = controls.read_fields(read)
    assert (values["utsatt"], warnings) == (want, [])


# --- reading a control's text: the one-loop path and the walk give the same text --------------------

_WML = f'xmlns:w="{NS["w"]}"'
_PIECES = {
    "t": lambda text: f"<w:t xml:space=\"preserve\">{text}</w:t>",
    "br": lambda _text: "<w:br/>",
    "page": lambda _text: '<w:br w:type="page"/>',
    "tab": lambda _text: "<w:tab/>",
    "cr": lambda _text: "<w:cr/>",
    "hyphen": lambda _text: "<w:noBreakHyphen/>",
    "rpr": lambda _text: "<w:rPr><w:b/></w:rPr>",
    "box": lambda text: ('<w:drawing><w:txbxContent><w:p><w:r><w:t>' + text
                         + '</w:t></w:r></w:p><w:p><w:r><w:t>två</w:t></w:r></w:p></w:txbxContent></w:drawing>'),
}
_text = st.text(alphabet="abcåäö ÅÖ", min_size=0, max_size=5)
_run = st.lists(st.tuples(st.sampled_from(sorted(_PIECES)), _text), max_size=4).map(
    lambda parts: "<w:r>" + "".join(_PIECES[kind](text) for kind, text in parts) + "</w:r>")
_child = st.one_of(_run, _run.map(lambda r: f"<w:p>{r}</w:p>"), st.just("<w:del><w:r><w:delText>bort</w:delText></w:r></w:del>"))


@settings(max_examples=300, deadline=None)
@given(st.lists(_child, max_size=5))
def test_a_controls_text_is_the_same_whichever_way_it_is_read(children):
    """text_in reads a row of runs in one loop and leaves anything else to the walk: both must agree."""
    content = etree.fromstring(f"<w:sdtContent {_WML}>" + "".join(children) + "</w:sdtContent>")
    assert ooxml.text_in(content) == "\n".join(ooxml.paragraphs(content))


def test_a_text_box_in_an_answer_is_read_as_its_own_lines():
    content = etree.fromstring(
        f"<w:sdtContent {_WML}><w:r><w:t>före</w:t><w:br/><w:t>rad</w:t></w:r>"
        "<w:r><w:drawing><w:txbxContent><w:p><w:r><w:t>i rutan</w:t></w:r></w:p></w:txbxContent></w:drawing>"
        "<w:t>efter</w:t><w:tab/><w:noBreakHyphen/></w:r></w:sdtContent>")
    assert ooxml.text_in(content) == "före\nrad\ni rutanefter\t-"
    only_box = etree.fromstring(
        f"<w:sdtContent {_WML}><w:r><w:drawing><w:txbxContent><w:p><w:r><w:t>i rutan</w:t></w:r></w:p>"
        "</w:txbxContent></w:drawing></w:r></w:sdtContent>")
    assert ooxml.text_in(only_box) == "i rutan"


def test_a_reading_worker_loads_the_pdf_reader_only_when_a_pdf_comes(tmp_path):
    """What a reading worker runs for each file (readback._task), in a new Python process: a .docx is read without
    pypdf (60-70 ms of every worker's start went to loading it), and a PDF after it still reads."""
    import blankett

    from .fresh import in_new_python

    record = {"utsatt": "Ann Ek", "polisanmald": "Ja"}
    (tmp_path / "svar.docx").write_bytes(blankett.fill_docx(record))
    (tmp_path / "svar.pdf").write_bytes(blankett.fill_pdf(record))
    script = ("import json, sys\n"
              "from blankett import readback\n"
              "docx = readback._task(sys.argv[1], None, None)\n"
              "before = 'pypdf' in sys.modules\n"
              "pdf = readback._task(sys.argv[2], None, None)\n"
              "print(json.dumps([before, docx['record']['utsatt'], pdf['record']['polisanmald']]))\n")
    assert in_new_python(script, tmp_path / "svar.docx", tmp_path / "svar.pdf") == [False, "Ann Ek", "Ja"]
