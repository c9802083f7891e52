"""controls: a field's controls read as its value, field by field, in a real filled form edited as Word edits it."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import pytest
from lxml import etree

from blankett import controls, ooxml
from blankett.form import FIELDS, REGISTRATION, TAGS
from blankett.model import validate, values

from .conftest import NS
from .forms import MAIN, edit, filled, run, sdt, set_content, unwrap, w
from .records import full_record


def _read(data: bytes) -> dict:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        root = etree.fromstring(zf.read(MAIN))
    found, _ = controls.read_fields(ooxml.read_controls(root))
    return found


#: The registration fields: document properties, not controls (the case number, the coded fields).
REGISTERED = {r.key for r in REGISTRATION}

@pytest.mark.parametrize("gone", [FIELDS[0], FIELDS[len(FIELDS) // 2]], ids=lambda f: f.key)
def test_a_field_whose_controls_were_removed_is_skipped_and_every_other_field_read(gone):
    """Word's "Remove content control" on one field: that field is left to the page-text reader, the rest is read."""
    record = full_record()
    data = edit(filled(record), lambda root: [unwrap(sdt(root, tag)) for tag in TAGS[gone.key]])
    want = {k: v for k, v in values(validate(record)[0]).items() if k not in REGISTERED | {gone.key}}
    assert _read(data) == want


# --- read in this process (the read-back reads in guarded worker processes, where a mutation run cannot see it) ---

_TEXT_HINT, _DATE_HINT, _ITEM_HINT = "Skriv svaret här.", "Välj datum (ÅÅÅÅ-MM-DD).", "Skriv en punkt här."
_BLANK = "\u2007" * 20  # today's placeholder: twenty figure spaces (written out here, not taken from blankett)
_WORD_BLANK = "\u00a0" * 5  # Word's own, in a control emptied by hand


def _lines(text: str) -> list[etree._Element]:
    """Runs of text with a line break (Shift+Enter, a run holding ``w:br``) between lines, as Word saves them."""
    runs = []
    for n, line in enumerate(text.split("\n")):
        if n:
            br = etree.Element(w("r"))
            etree.SubElement(br, w("br"))
            runs.append(br)
        runs.append(run(line))
    return runs


def _typed(shown: dict[str, str], ticked: tuple[str, ...] = ()) -> tuple[dict, list[str]]:
    """A blank form whose controls (by tag) show exactly this text, as typed in an editor; read by controls."""
    def change(root):
        for tag, text in shown.items():
            control = sdt(root, tag)
            set_content(control, *_lines(text))
        for tag in ticked:
            sdt(root, tag).find("w:sdtPr/w14:checkbox/w14:checked", NS).set(f"{{{NS['w14']}}}val", "1")

    data = edit(filled({}), change)
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        root = etree.fromstring(zf.read(MAIN))
    return controls.read_fields(ooxml.read_controls(root))


@pytest.mark.parametrize("shown", [_TEXT_HINT, _DATE_HINT, _ITEM_HINT, _BLANK, _WORD_BLANK])
def test_every_placeholder_is_no_answer(shown):
    found, notes = _typed({"utsatt": shown, "samtal1_datum": shown, "sarbarheter_plan#1": shown})
    assert (found["utsatt"], found["samtal1_datum"], found["sarbarheter_plan"], notes) == (None, None, [], [])


@pytest.mark.parametrize("tag, key, hint", [("forovare", "forovare", _TEXT_HINT),
                                            ("samtal1_narvarande", "samtal1_narvarande", _DATE_HINT),
                                            ("sarbarheter_plan#2", "sarbarheter_plan", _ITEM_HINT)])
@pytest.mark.parametrize("cut", [1, 6, -1])
def test_a_hint_typed_into_is_kept_as_written_with_a_warning(tag, key, hint, cut):
    """Each of the three grey hints, cut anywhere: the first character, the middle, the last."""
    written = hint[:cut] + "Anna" + hint[cut:]
    found, notes = _typed({tag: written})
    column = next(f.column for f in FIELDS if f.key == key)
    assert written in (found[key] if isinstance(found[key], list) else [found[key]])
    assert notes == [f'"{column}": svaret har platshållartexten "{hint}" insprängd; '
                     "texten lästes som den står – kontrollera den"]


@pytest.mark.parametrize("text", ["Anna", "Anna (Skriv svaret)", "här. Anna Skriv"])
def test_text_without_a_cut_hint_is_read_silently(text):
    found, notes = _typed({"forovare": text})
    assert (found["forovare"], notes) == (text, [])


@pytest.mark.parametrize("cut", [0, 1, 11, 19, 20])
def test_typing_into_the_blank_placeholder_reads_what_was_typed(cut):
    typed = " Anna Lind "
    found, notes = _typed({"forovare": _BLANK[:cut] + typed + _BLANK[cut:]})
    assert (found["forovare"], notes) == (typed, [])


@pytest.mark.parametrize("shown", [_TEXT_HINT + "Anna", "Anna " + _TEXT_HINT, f"{_TEXT_HINT} Anna {_TEXT_HINT}"])
def test_a_whole_hint_beside_the_answer_is_removed(shown):
    found, notes = _typed({"forovare": shown})
    assert (found["forovare"], notes) == ("Anna", [])


def test_blanks_inside_an_answer_are_the_answers():
    found, _ = _typed({"forovare": f"Anna{_BLANK[:3]}Lind", "vittnen": _BLANK[:5] + "Bo" + _BLANK[:3]})
    assert (found["forovare"], found["vittnen"]) == (f"Anna{_BLANK[:3]}Lind", _BLANK[:5] + "Bo" + _BLANK[:3])


@pytest.mark.parametrize("typed, date, note", [
    ("12 mars 2026", dt.date(2026, 3, 12), None),
    ("2026-03-12", dt.date(2026, 3, 12), None),
    ("igår", None, '"Samtal 1: datum": "igår" är inget giltigt datum (skriv ÅÅÅÅ-MM-DD); texten finns inte med i datan'),
])
def test_a_date_typed_as_text_is_read_by_the_date_parser(typed, date, note):
    found, notes = _typed({"samtal1_datum": typed})
    assert (found["samtal1_datum"], notes) == (date, [note] if note else [])


def test_both_ja_and_nej_ticked_is_no_answer_with_a_warning():
    found, notes = _typed({}, ticked=("polisanmald=Ja", "polisanmald=Nej", "polis_kontaktad=Nej"))
    assert (found["polisanmald"], found["polis_kontaktad"]) == (None, "Nej")
    assert notes == ['"Polisanmäld": både Ja och Nej är ikryssade; räknas som inte besvarad']


def test_more_lines_than_points_are_kept_the_last_joined():
    found, notes = _typed({"sarbarheter_plan#1": "a\nb\n \nc", "sarbarheter_plan#2": "d\ne", "sarbarheter_plan#4": "f"})
    assert found["sarbarheter_plan"] == ["a", "b", "c", "d; e; f"]
    assert notes == ['"Sårbarheter i planen": 6 rader skrevs men bara 4 punkter får plats; rad 4–6 slogs ihop till '
                     "punkt 4, avskilda med semikolon"]


def test_exactly_as_many_lines_as_points_are_kept_as_they_are():
    found, notes = _typed({"sarbarheter_plan#1": "a\nb\nc\nd"})
    assert (found["sarbarheter_plan"], notes) == (["a", "b", "c", "d"], [])


def test_a_date_hint_typed_into_is_kept_as_written_with_a_warning():
    written = _DATE_HINT[:5] + "igår" + _DATE_HINT[5:]
    found, notes = _typed({"samtal1_datum": written})
    assert found["samtal1_datum"] is None
    assert notes == [f'"Samtal 1: datum": svaret har platshållartexten "{_DATE_HINT}" insprängd; '
                     "texten lästes som den står – kontrollera den",
                     f'"Samtal 1: datum": "{written}" är inget giltigt datum (skriv ÅÅÅÅ-MM-DD); '
                     "texten finns inte med i datan"]


@pytest.mark.parametrize("written", ["Skriv Anna svaret här. Skriv ", "Ja, svaret här. Skriv Anna svaret här."])
def test_a_hint_cut_in_two_is_found_when_a_half_of_it_comes_again(written):
    found, notes = _typed({"forovare": written})
    assert found["forovare"] == written and len(notes) == 1 and _TEXT_HINT in notes[0]


@pytest.mark.parametrize("n", [1, 2], ids=["Ja", "Nej"])
def test_every_field_written_is_read_back_the_same(n):
    record = full_record(n)
    assert _read(filled(record)) == {k: v for k, v in values(validate(record)[0]).items() if k not in REGISTERED}


def test_only_the_placeholders_are_placeholders():
    assert [controls.is_placeholder(t) for t in (_BLANK, _TEXT_HINT, _WORD_BLANK, "Anna", _BLANK[:19], "")] == [
        True, True, True, False, False, False]


def test_the_controls_a_template_cannot_be_filled_through_are_named_in_form_order():
    def change(root):
        unwrap(sdt(root, "utsatt"))
        checkbox = sdt(root, "polisanmald=Ja").find("w:sdtPr/w14:checkbox", NS)
        checkbox.getparent().replace(checkbox, etree.Element(w("text")))

    with zipfile.ZipFile(io.BytesIO(edit(filled({}), change))) as zf:
        root = etree.fromstring(zf.read(MAIN))
    assert controls.unusable_tags(ooxml.first_controls(root)) == ["utsatt", "polisanmald=Ja"]
