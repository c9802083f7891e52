"""Forms filled in LibreOffice Writer as a person fills them (keys, pastes), saved as .docx and .odt, read back.

LibreOffice is driven through UNO by :mod:`tests.uno_office`. These tests fail,
never skip, without LibreOffice, its Python bridge or Writer's UI files.
"""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from blankett.build import blank_bytes
from blankett.fill import fill_record
from blankett.form import FIELDS, LIST_ITEMS, Kind, janej_tag
from blankett.readback import NOTHING_ANSWERED, OK, VARNING, read_file

from .conftest import NS
from .forms import expected
from .uno_office import props, running

pytestmark = pytest.mark.office

PASTED_LINE = "Åsa Öberg, nämndsekreterare"
PASTED_PARAGRAPHS = "Hot via sms.\nSedan ett samtal i telefon.\nPolisen kontaktades."

#: What a person does to which control, and the answer extract must give for it.
ACTIONS = {
    "rapporterad_av": ("click and paste one line", PASTED_LINE),
    "handelse": ("click and paste three paragraphs", PASTED_PARAGRAPHS),
    "utsatt": ("click and type", "Anders Bergström"),
    "vittnen": ("click, type with Enter and Shift+Enter", "Eva Ek\nKarl Berg\nLina Holm"),
    "forovare": ("put the cursor in the grey text without selecting, type", "Okänd man"),
    "forovare_grupp": ("put the cursor after the grey text without selecting, type", "Ingen"),
    "tid_och_plats": ("a program sets the text through the API", "Den 4 mars, Stadshuset"),
    "polis_kontaktad": ("click the Ja box", "Ja"),
    "sakerhetsstrateg_kontaktad": ("click the Nej box", "Nej"),
    "samtal1_datum": ("click the date and type it", "2026-03-12"),
    "samtal2_datum": ("click the date and paste it", "2026-04-01"),
    "sarbarheter_rutin": ("type one point, paste another", ["Ingen larmknapp", "Otydligt vem som ringer"]),
}


def _fill_like_a_person(form) -> None:
    form.click("rapporterad_av")
    form.paste(PASTED_LINE)
    form.click("handelse")
    form.paste(PASTED_PARAGRAPHS)
    form.click("utsatt")
    form.type("Anders Bergström")
    form.click("vittnen")
    form.type("Eva Ek")
    form.key("RETURN")
    form.type("Karl Berg")
    form.key("SHIFT+RETURN")
    form.type("Lina Holm")
    form.cursor_into("forovare")
    form.type("Okänd man")
    form.cursor_into("forovare_grupp", offset=len(form.shown("forovare_grupp")))
    form.type("Ingen")
    form.set_text("tid_och_plats", "Den 4 mars, Stadshuset")
    form.tick("polis_kontaktad=Ja")
    form.tick("sakerhetsstrateg_kontaktad=Nej")
    form.click("samtal1_datum")
    form.type("2026-03-12")
    form.click("samtal2_datum")
    form.paste("2026-04-01")
    form.click("sarbarheter_rutin#1")
    form.type("Ingen larmknapp")
    form.click("sarbarheter_rutin#2")
    form.paste("Otydligt vem som ringer")


@pytest.fixture(scope="module")
def typed(office_holder, tmp_path_factory) -> dict[str, Path]:
    """The blank form filled in Writer like a person, saved as .docx and as .odt."""
    folder = tmp_path_factory.mktemp("uno")
    blank = folder / "Bilaga5.docx"
    blank.write_bytes(blank_bytes())
    form = running(office_holder).open(blank)
    try:
        _fill_like_a_person(form)
        return {suffix: form.save(folder / f"ifylld{suffix}") for suffix in (".docx", ".odt")}
    finally:
        form.close()


@pytest.fixture(scope="module")
def results(typed) -> dict:
    """extract's result for each saved file."""
    return {suffix: read_file(path) for suffix, path in typed.items()}


def _answers() -> dict:
    record = {key: answer for key, (_, answer) in ACTIONS.items()}
    return expected(record)


@pytest.mark.parametrize("suffix", [".docx", ".odt"])
def test_extract_gives_exactly_what_was_typed_and_pasted(results, suffix):
    result = results[suffix]
    assert result.record == _answers(), result.messages


@pytest.mark.parametrize("suffix", [".docx", ".odt"])
@pytest.mark.parametrize("key", list(ACTIONS), ids=[f"{k}: {a}" for k, (a, _) in ACTIONS.items()])
def test_each_way_of_answering_is_read(results, suffix, key):
    answer = _answers()[key]
    assert results[suffix].record[key] == answer


def _flagged_tags(path: Path) -> set[str]:
    """The tags of the controls a saved .docx still flags as showing their placeholder (plain XPath)."""
    with zipfile.ZipFile(path) as zf:
        root = etree.fromstring(zf.read("word/document.xml"))
    return {sdt.find("w:sdtPr/w:tag", NS).get(f"{{{NS['w']}}}val")
            for sdt in root.iterfind(".//w:sdt", NS) if sdt.find("w:sdtPr/w:showingPlcHdr", NS) is not None}


def test_libreoffice_keeps_the_placeholder_flag_on_pasted_answers(typed):
    """The bug this module guards against is real: LibreOffice 25.2 saves pasted and API-set answers as placeholders."""
    flagged = _flagged_tags(typed[".docx"])
    assert {"rapporterad_av", "handelse", "tid_och_plats"} <= flagged


@pytest.mark.parametrize("suffix", [".docx", ".odt"])
def test_pasted_answers_saved_by_libreoffice_read_ok_with_no_message(typed, results, suffix):
    """The flag LibreOffice leaves on pasted answers is how it saves them, not a doubt about the answer."""
    assert {f.key for f in FIELDS if any(tag in _flagged_tags(typed[".docx"]) for tag in f.tags())} & set(ACTIONS)
    result = results[suffix]
    assert (result.record, result.status, result.messages) == (_answers(), OK, [])


def test_typing_into_the_middle_of_the_placeholder_reads_what_was_typed(office, tmp_path):
    """Writer types where the cursor is, inside the placeholder's blanks: they print as nothing, so no warning.

    Before, the grey hint stayed around the text ("Skriv Anna Lind svaret här."), to be checked by hand.
    """
    blank = tmp_path / "Bilaga5.docx"
    blank.write_bytes(blank_bytes())
    form = office.open(blank)
    try:
        form.click("rapporterad_av")
        form.paste(PASTED_LINE)
        form.cursor_into("utsatt", offset=6)
        form.type("Anna Lind ")
        saved = form.save(tmp_path / "ifylld.docx")
    finally:
        form.close()
    result = read_file(saved)
    assert (result.record["rapporterad_av"], result.record["utsatt"]) == (PASTED_LINE, "Anna Lind ")
    assert (result.status, result.messages) == (OK, [])


# --- what a person types or pastes in Writer is an answer in the normal text style, and prints as one ----------

#: Answers given in Writer: (how, key, text).
WRITER_ANSWERS = [
    ("click and type", "utsatt", "Anders Bergström"),
    ("click and paste", "handelse", "Hot via sms."),
    ("type into the placeholder without selecting it", "beslut_om_atgarder", "Beslutet om badhuset."),
    ("type after the placeholder without selecting it", "upplevelse", "Rädd."),
    ("click the date and type it", "samtal1_datum", "2026-03-12"),
    ("click a list row and paste", "sarbarheter_plan#1", "Larmknapp saknas"),
]


def _runs(form, tag: str) -> list[tuple[str, str, int]]:
    """The control's text portions as Writer holds them: (text, character style, colour; -1 is automatic)."""
    anchor = form.control(tag).getAnchor()
    cursor = anchor.getText().createTextCursorByRange(anchor)
    return [(portion.getString(), portion.CharStyleName, portion.CharColor)
            for paragraph in cursor.createEnumeration() for portion in paragraph.createEnumeration()
            if portion.TextPortionType == "Text" and portion.getString()]


@pytest.fixture(scope="module")
def answered_in_writer(office_holder, tmp_path_factory) -> dict:
    """The blank form answered in Writer (:data:`WRITER_ANSWERS`): each control's runs, Writer's PDF export, a .docx."""
    folder = tmp_path_factory.mktemp("skrivet")
    blank = folder / "Bilaga5.docx"
    blank.write_bytes(blank_bytes())
    form = running(office_holder).open(blank)
    try:
        for how, tag, text in WRITER_ANSWERS:
            if "without selecting" in how:
                form.cursor_into(tag, offset=len(form.shown(tag)) if "after" in how else 0)
            else:
                form.click(tag)
            (form.paste if "paste" in how else form.type)(text)
        runs = {tag: _runs(form, tag) for _, tag, _ in WRITER_ANSWERS}
        pdf = folder / "svar.pdf"
        form.doc.storeToURL(pdf.as_uri(), props(FilterName="writer_pdf_Export"))
        docx = form.save(folder / "svar.docx")
    finally:
        form.close()
    return {"runs": runs, "pdf": pdf, "docx": docx}


@pytest.mark.parametrize("how, tag, text", WRITER_ANSWERS, ids=[how for how, _, _ in WRITER_ANSWERS])
def test_an_answer_given_in_writer_has_the_normal_text_style(answered_in_writer, how, tag, text):
    """No character style, automatic colour (before: the grey "Placeholder Text" style of the hint it replaced)."""
    runs = answered_in_writer["runs"][tag]
    assert "".join(run for run, _, _ in runs).strip() == text
    assert {(style, colour) for _, style, colour in runs} == {("", -1)}


def test_writers_pdf_prints_each_answer_alone_and_black(answered_in_writer):
    """The text of Writer's PDF export, read by PyMuPDF: each answer alone on its line, in black.

    Before: grey (0x767676) like an unfilled hint, and "Beslutet om badhuset.Skriv svaret här.".
    """
    import pymupdf

    with pymupdf.open(answered_in_writer["pdf"]) as pdf:
        spans = [span for page in pdf for block in page.get_text("dict")["blocks"]
                 for line in block.get("lines", ()) for span in line["spans"]]
    for _, _, text in WRITER_ANSWERS:
        printed = [span for span in spans if text in span["text"]]
        assert printed, text
        assert [(span["text"].strip(), span["color"]) for span in printed] == [(text, 0)] * len(printed)


def test_answers_given_in_writer_read_back_exactly(answered_in_writer):
    record = expected({"utsatt": "Anders Bergström", "handelse": "Hot via sms.",
                       "beslut_om_atgarder": "Beslutet om badhuset.", "upplevelse": "Rädd.",
                       "samtal1_datum": "2026-03-12", "sarbarheter_plan": ["Larmknapp saknas"]})
    result = read_file(answered_in_writer["docx"])
    assert (result.record, result.status, result.messages) == (record, OK, [])


def test_typing_leaves_no_flag_and_no_warning(typed, results):
    typed_only = {"utsatt", "vittnen", "forovare", "forovare_grupp", "samtal1_datum"}
    assert not typed_only & _flagged_tags(typed[".docx"])
    columns = {f.column for f in FIELDS if f.key in typed_only}
    assert not [m for m in results[".docx"].messages if any(m.startswith(f'"{c}"') for c in columns)]


def test_a_filled_form_edited_and_resaved_in_writer(office, tmp_path):
    record = {"utsatt": "Anders Bergström", "handelse": "Hot via sms.", "polisanmald": "Ja",
              "samtal1_datum": "2026-03-12", "sarbarheter_rutin": ["Ett", "Två"]}
    source = tmp_path / "ifylld.docx"
    source.write_bytes(fill_record(record))
    form = office.open(source)
    try:
        form.click("utsatt")
        assert form.selected() == "Anders Bergström"
        form.type("Anna Lind")
        form.click("handelse")
        form.paste("Hot i brev.\nOch via e-post.")
        saved = form.save(tmp_path / "ändrad.docx")
    finally:
        form.close()
    result = read_file(saved)
    want = expected({**record, "utsatt": "Anna Lind", "handelse": "Hot i brev.\nOch via e-post."})
    assert (result.record, result.status) == (want, OK), result.messages


def test_an_answer_box_copied_in_writer_and_answered_again_is_a_warning_not_a_lost_answer(office, tmp_path):
    """A person copies the paragraph with the answer's box and pastes it below, then writes more in the copy:
    two controls with one tag. Only the first is read; the other answer was dropped without a word."""
    source = tmp_path / "ifylld.docx"
    source.write_bytes(fill_record({"utsatt": "Bo", "handelse": "Hot på mötet."}))
    form = office.open(source)
    try:
        anchor = form.control("handelse").getAnchor()
        text = anchor.getText()
        paragraph = text.createTextCursorByRange(anchor.getStart())
        paragraph.gotoStartOfParagraph(False)
        paragraph.gotoEndOfParagraph(True)
        form.controller.select(paragraph)
        copied = form.controller.getTransferable()  # what Ctrl+C puts on the clipboard
        below = text.createTextCursorByRange(paragraph.getEnd())
        text.insertControlCharacter(below, 0, False)  # Enter: a new paragraph
        form.controller.select(below)
        form.controller.insertTransferable(copied)  # Ctrl+V
        copies = [c for c in form.controls() if c.Tag == "handelse"]
        assert len(copies) == 2
        copies[1].setString("Hot i brev, skrivet i kopian.")
        saved = form.save(tmp_path / "kopierad.docx")
    finally:
        form.close()
    result = read_file(saved)
    assert (result.status, result.record["handelse"]) == (VARNING, "Hot på mötet.")
    assert result.messages == ['"Händelse": fältet finns två gånger i blanketten med olika svar (en kopierad ruta?); '
                               "bara det första lästes – kontrollera blanketten"]


def test_a_blank_form_saved_untouched_reads_as_empty(office, tmp_path):
    blank = tmp_path / "Bilaga5.docx"
    blank.write_bytes(blank_bytes())
    form = office.open(blank)
    try:
        saved = [form.save(tmp_path / f"tom{suffix}") for suffix in (".docx", ".odt")]
    finally:
        form.close()
    for path in saved:
        result = read_file(path)
        assert (result.status, result.messages) == (VARNING, [NOTHING_ANSWERED]), path.name
        assert all(v in (None, []) for v in result.record.values()), path.name


def test_the_date_typed_is_a_date(results):
    assert results[".docx"].record["samtal1_datum"] == dt.date(2026, 3, 12).isoformat()


# --- the form protected for filling in: answers can be given, the questions cannot be changed -------------


def _settings_protection(path: Path) -> dict:
    """The .docx's documentProtection attributes by local name ({} when there is none)."""
    with zipfile.ZipFile(path) as zf:
        settings = etree.fromstring(zf.read("word/settings.xml"))
    found = settings.find("w:documentProtection", NS)
    return {} if found is None else {etree.QName(k).localname: v for k, v in found.attrib.items()}


def _answer_every_control(form) -> dict:
    """An answer typed (a box ticked) into every control of the form; the record it makes."""
    record: dict = {}
    for n, f in enumerate(FIELDS):
        if f.kind is Kind.JANEJ:
            record[f.key] = "Ja" if n % 2 else "Nej"
            form.tick(janej_tag(f.key, record[f.key]))
        elif f.kind is Kind.DATE:
            record[f.key] = dt.date(2026, 3, 1 + n % 28).isoformat()
            form.click(f.key)
            form.type(record[f.key])
        elif f.kind is Kind.LIST:
            record[f.key] = [f"Punkt {i} om {f.column}" for i in range(1, LIST_ITEMS + 1)]
            for tag, item in zip(f.tags(), record[f.key], strict=True):
                form.click(tag)
                form.type(item)
        else:
            record[f.key] = f"Svar om {f.column}"
            form.click(f.key)
            form.type(record[f.key])
    return record


@pytest.fixture(scope="module")
def protected(office_holder, tmp_path_factory) -> dict:
    """The blank (protected) form answered in every control in Writer, saved as .docx and .odt."""
    folder = tmp_path_factory.mktemp("skyddad")
    blank = folder / "Bilaga5.docx"
    blank.write_bytes(blank_bytes())
    form = running(office_holder).open(blank)
    try:
        protect_form = form.doc.createInstance("com.sun.star.document.Settings").ProtectForm
        record = _answer_every_control(form)
        saved = {suffix: form.save(folder / f"svar{suffix}") for suffix in (".docx", ".odt")}
    finally:
        form.close()
    return {"protect_form": protect_form, "record": record, **saved}


def test_writer_opens_the_form_protected_for_filling_in(protected):
    assert protected["protect_form"] is True


def test_boxes_toggle_with_clicks_in_the_protected_form(office, tmp_path):
    blank = tmp_path / "Bilaga5.docx"
    blank.write_bytes(blank_bytes())
    form = office.open(blank)
    try:
        seen = []
        for state in (True, False, True):
            form.tick("polisanmald=Ja", state)
            seen.append((form.control("polisanmald=Ja").Checked, form.shown("polisanmald=Ja")))
        form.tick("polisanmald=Nej")
        saved = form.save(tmp_path / "svar.docx")
    finally:
        form.close()
    assert seen == [(True, "☒"), (False, "☐"), (True, "☒")]
    result = read_file(saved)
    assert result.record["polisanmald"] is None and result.status == VARNING  # both ticked: not answered, a warning
    assert any(m.startswith('"Polisanmäld": både Ja och Nej') for m in result.messages)


@pytest.mark.parametrize("suffix", [".docx", ".odt"])
def test_every_control_of_the_protected_form_takes_its_answer(protected, suffix):
    result = read_file(protected[suffix])
    assert (result.record, result.status, result.messages) == (expected(protected["record"]), OK, [])


def test_a_resave_keeps_the_protection_without_a_password(protected):
    attrs = _settings_protection(protected[".docx"])
    assert (attrs.get("edit"), attrs.get("enforcement")) == ("forms", "1")
    assert not attrs.get("hash") and not attrs.get("hashValue")  # LibreOffice writes hash="" (no password)
    with zipfile.ZipFile(protected[".odt"]) as zf:
        settings = zf.read("settings.xml").decode()
    assert '<config:config-item config:name="ProtectForm" config:type="boolean">true<' in settings


def _page_text(form) -> list[str]:
    """Every paragraph outside a table and every table cell's text, in order."""
    texts = [p.getString() for p in form.doc.getText().createEnumeration()
             if p.supportsService("com.sun.star.text.Paragraph")]
    tables = form.doc.getTextTables()
    for i in range(tables.getCount()):
        table = tables.getByIndex(i)
        texts.extend(table.getCellByName(name).getString() for name in table.getCellNames())
    return texts


@pytest.mark.parametrize("protection", ["on", "removed from the file", "lifted in LibreOffice"])
def test_question_text_cannot_be_changed_in_the_protected_form(office, tmp_path, protection):
    """Keys pressed with the cursor just before each control (in its question or a cell before it) change nothing.

    Without the protection the same keys do change the questions (so the test can fail), and lifting it in
    LibreOffice as the README tells an administrator (the text section's protection off) makes them editable.
    """
    blank = tmp_path / "Bilaga5.docx"
    blank.write_bytes(_unprotected(blank_bytes()) if protection == "removed from the file" else blank_bytes())
    form = office.open(blank)
    try:
        if protection == "lifted in LibreOffice":  # Writer protects the whole text as one section, and the form
            sections = form.doc.getTextSections()
            for i in range(sections.getCount()):
                sections.getByIndex(i).IsProtected = False
            form.doc.createInstance("com.sun.star.document.Settings").ProtectForm = False
        before = _page_text(form)
        for f in FIELDS:
            form.cursor.gotoRange(form.control(f.tags()[0]).getAnchor().getStart(), False)
            form.key("LEFT", 2)
            form.type("QQ")
            form.key("BACKSPACE")
            form.key("DELETE")
        form.cursor.gotoStart(False)
        form.type("QQ")
        after = _page_text(form)
    finally:
        form.close()
    assert (after == before) is (protection == "on")


def _unprotected(data: bytes) -> bytes:
    import io

    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            member = src.read(info)
            if info.filename == "word/settings.xml":
                member = member.replace(b'<w:documentProtection w:edit="forms" w:enforcement="1"/>', b"")
            dst.writestr(info, member)
    return out.getvalue()
