"""The one low layer that spells WordprocessingML: content controls, made, read and written.

Nothing above this module knows a ``w:`` tag. A control is addressed by its
tag; its value is text (with ``\\n`` for line breaks), a checked state or a date.
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from lxml import etree

from .form import LANGUAGE

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
W14_NS = "http://schemas.microsoft.com/office/word/2010/wordml"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
XML_NS = "http://www.w3.org/XML/1998/namespace"
WP_NS = "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"


def w(tag: str) -> str:
    """Clark name of a ``w:`` element or attribute."""
    return f"{{{W_NS}}}{tag}"


def w14(tag: str) -> str:
    """Clark name of a ``w14:`` element or attribute."""
    return f"{{{W14_NS}}}{tag}"


SDT, SDT_PR, SDT_CONTENT = w("sdt"), w("sdtPr"), w("sdtContent")
TAG, ALIAS, VAL = w("tag"), w("alias"), w("val")
R, RPR, T, BR, CR, TAB, P = w("r"), w("rPr"), w("t"), w("br"), w("cr"), w("tab"), w("p")
TBL, TR, TC = w("tbl"), w("tr"), w("tc")
PLC = w("showingPlcHdr")
CHECKBOX, CHECKED = w14("checkbox"), w14("checked")
DATE, FULLDATE = w("date"), w("fullDate")
DEL, INSTR = w("del"), w("instrText")
MOVE_FROM = w("moveFrom")
_NBH, _TYPE = w("noBreakHyphen"), w("type")
_W14_VAL = w14("val")
_TEXT_PR = w("text")
PLACEHOLDER_STYLE = "PlaceholderText"
SPACE = f"{{{XML_NS}}}space"

BOX_CHECKED, BOX_UNCHECKED = "☒", "☐"
BOX_FONT = "MS Gothic"


def _el(tag: str, parent: etree._Element | None = None, **attrs: str) -> etree._Element:
    el = etree.Element(tag) if parent is None else etree.SubElement(parent, tag)
    for k, v in attrs.items():
        el.set(w(k) if "}" not in k else k, v)
    return el


# --- making controls ----------------------------------------------------------


def _props(tag: str, alias: str, sdt_id: int, placeholder: bool) -> tuple[etree._Element, etree._Element]:
    sdt = _el(SDT)
    pr = _el(SDT_PR, sdt)
    _el(ALIAS, pr, val=alias)
    _el(TAG, pr, val=tag)
    _el(w("id"), pr, val=str(sdt_id))
    _el(w("lock"), pr, val="sdtLocked")
    if placeholder:
        _el(PLC, pr)
    return sdt, pr


def _run(text: str, style: str | None = None, font: str | None = None) -> etree._Element:
    r = _el(R)
    if style or font:
        rpr = _el(RPR, r)
        if style:
            _el(w("rStyle"), rpr, val=style)
        if font:
            _el(w("rFonts"), rpr, ascii=font, hAnsi=font, eastAsia=font, hint="eastAsia")
    _append_text(r, text)
    return r


def text_control(tag: str, alias: str, placeholder: str, sdt_id: int, multiline: bool) -> etree._Element:
    """A run-level plain-text control showing ``placeholder`` in the normal text style.

    No placeholder style on the run: Writer gives what is typed or pasted over a placeholder its formatting (Word
    does not, ECMA-376 §17.5.2.27), so a grey placeholder made every answer typed in Writer grey.
    """
    sdt, pr = _props(tag, alias, sdt_id, True)
    _el(w("text"), pr, **({"multiLine": "1"} if multiline else {}))
    _el(SDT_CONTENT, sdt).append(_run(placeholder))
    return sdt


def date_control(tag: str, alias: str, placeholder: str, sdt_id: int) -> etree._Element:
    """A run-level date picker (``yyyy-MM-dd``, in the form's language) showing ``placeholder`` (as a text control)."""
    sdt, pr = _props(tag, alias, sdt_id, True)
    date = _el(DATE, pr)
    _el(w("dateFormat"), date, val="yyyy-MM-dd")
    _el(w("lid"), date, val=LANGUAGE)
    _el(w("storeMappedDataAs"), date, val="dateTime")
    _el(w("calendar"), date, val="gregorian")
    _el(SDT_CONTENT, sdt).append(_run(placeholder))
    return sdt


def checkbox_control(tag: str, alias: str, sdt_id: int) -> etree._Element:
    """A run-level Word 2010 checkbox (☐/☒), unchecked."""
    sdt, pr = _props(tag, alias, sdt_id, False)
    box = etree.SubElement(pr, CHECKBOX)
    etree.SubElement(box, CHECKED).set(w14("val"), "0")
    for name, code in (("checkedState", "2612"), ("uncheckedState", "2610")):
        state = etree.SubElement(box, w14(name))
        state.set(w14("val"), code)
        state.set(w14("font"), BOX_FONT)
    _el(SDT_CONTENT, sdt).append(_run(BOX_UNCHECKED, font=BOX_FONT))
    return sdt


# --- finding controls -------------------------------------------------------------


def tag_of(sdt: etree._Element) -> str | None:
    """The control's tag, or None."""
    pr = sdt.find(SDT_PR)
    tag = pr.find(TAG) if pr is not None else None
    return tag.get(VAL) if tag is not None else None


def controls(root: etree._Element) -> dict[str, list[etree._Element]]:
    """Every tagged control under ``root``, by tag, in document order."""
    found: dict[str, list[etree._Element]] = {}
    for tag in root.iter(TAG):  # one pass over the tag elements only: much faster than over every w:sdt
        pr = tag.getparent()
        value = tag.get(VAL)
        sdt = pr.getparent() if pr is not None and pr.tag == SDT_PR else None
        if value is not None and sdt is not None:
            found.setdefault(value, []).append(sdt)
    return found


def first_controls(root: etree._Element) -> dict[str, etree._Element]:
    """The first control of each tag under ``root``."""
    return {tag: found[0] for tag, found in controls(root).items()}


def _pr(sdt: etree._Element) -> etree._Element | None:
    """The control's properties (the first child as a rule; looked for otherwise)."""
    first = sdt[0] if len(sdt) else None
    return first if first is not None and first.tag == SDT_PR else sdt.find(SDT_PR)


def _content(sdt: etree._Element) -> etree._Element | None:
    """The control's content (the last child as a rule; looked for otherwise)."""
    last = sdt[-1] if len(sdt) else None
    return last if last is not None and last.tag == SDT_CONTENT else sdt.find(SDT_CONTENT)


def kind_of(sdt: etree._Element) -> str:
    """``text``, ``date``, ``checkbox`` or ``other`` (rich text, drop-down, …)."""
    pr = _pr(sdt)
    if pr is None:
        return "other"
    if pr.find(CHECKBOX) is not None:
        return "checkbox"
    if pr.find(DATE) is not None:
        return "date"
    if pr.find(w("text")) is not None:
        return "text"
    return "other"


# --- reading ---------------------------------------------------------------------

#: Elements that hold no text a person reads: properties, and the deleted text of tracked changes.
_UNREAD = frozenset((DEL, MOVE_FROM, RPR, w("pPr"), SDT_PR, w("tcPr"), w("trPr"), w("tblPr"), w("tblGrid"),
                     w("sectPr")))
#: A run's characters that are not text elements: (tag, what a person reads).
_RUN_CHARS = {CR: "\n", TAB: "\t", _NBH: "-"}
_BREAK_TYPES = (None, "textWrapping")  # page and column breaks are no line of text


#: Which controls a text walk leaves out (given the w:sdt), or None for none.
Skip = Callable[[etree._Element], bool] | None


def _collect(el: etree._Element, lines: list[list[str]], skip: Skip) -> None:
    """Append the text under ``el`` to ``lines``: each paragraph starts a line; ``skip(sdt)`` leaves out a control.

    One walk that never enters what is not read (properties, deleted text, skipped
    controls), so no element ever needs to ask who its ancestors are.
    """
    for child in el:
        tag = child.tag
        if tag == R:
            _read_run(child, lines, skip)
        elif tag == P:
            lines.append([])
            _collect(child, lines, skip)
        elif tag in _UNREAD or (tag == SDT and skip is not None and skip(child)):
            continue
        elif tag == T:
            lines[-1].append(child.text or "")
        elif len(child):
            _collect(child, lines, skip)


def _read_run(run: etree._Element, lines: list[list[str]], skip: Skip) -> None:
    """Append one run's text to the last line: text, line breaks and run characters, and a text box's paragraphs."""
    line = lines[-1]
    for part in run:
        kind = part.tag
        if kind == T:
            line.append(part.text or "")
        elif kind == BR:
            if part.get(_TYPE) in _BREAK_TYPES:
                line.append("\n")
        elif kind in _RUN_CHARS:
            line.append(_RUN_CHARS[kind])
        elif kind not in _UNREAD and len(part):  # a drawing or picture with a text box
            _collect(part, lines, skip)
            line = lines[-1]


def _lines(el: etree._Element, skip: Skip) -> list[list[str]]:
    """The pieces of text under ``el``, line by line (the leading line only when it holds text)."""
    lines: list[list[str]] = [[]]
    _collect(el, lines, skip)
    return _trimmed(lines)


def _trimmed(lines: list[list[str]]) -> list[list[str]]:
    if len(lines) > 1 and not lines[0]:
        del lines[0]
    return lines


def paragraphs(el: etree._Element, skip: Skip = None) -> list[str]:
    """The text under ``el`` as a person reads it, one string per paragraph (``\\n`` for line breaks, ``\\t`` tabs).

    Deleted text of tracked changes does not count; inserted text does. A control
    for which ``skip(sdt)`` is true is left out. Text not in any paragraph (a
    run-level control's content) is the first string.
    """
    return list(map("".join, _lines(el, skip)))


def text_in(el: etree._Element) -> str:
    """The text under ``el`` as one string, paragraphs joined by ``\\n`` (see :func:`paragraphs`).

    A control's answer is as a rule a row of runs; those are read run by run without the
    walk's other questions, and anything else goes to the walk.
    """
    lines: list[list[str]] = [[]]
    for child in el:
        if child.tag != R:
            lines = _lines(el, None)
            break
        _read_run(child, lines, None)
    else:
        _trimmed(lines)
    return "".join(lines[0]) if len(lines) == 1 else "\n".join(map("".join, lines))


@dataclass(slots=True)
class Control:
    """A content control read in one look: its element, kind, checked state, stored date and text."""

    element: etree._Element | None  # None for a field of a PDF form, which is read by the same rules
    kind: str = "text"  # checkbox, date or text (any other control: its content is read as text)
    checked: bool = False  # the checkbox's stored state (never its glyph)
    date: dt.date | None = None  # the stored date, while any text is shown
    text: str = ""  # as a person reads it, placeholder text included ('' for a checkbox)
    placeholder: bool = False  # the control's placeholder flag: a hint, never the truth (see controls.answer)
    tag: str | None = None
    # a later control with this tag holds another answer (a box copied in Word): only this first one is read
    contradicted: bool = False


#: The properties a reader needs, found for every control in one scan of the document. (Plain or rich
#: text makes no difference to reading: any control but a checkbox or a date is read as its text.)
_READ_PROPS = (TAG, PLC, CHECKBOX, DATE)


def read_controls(root: etree._Element) -> dict[str, Control]:
    """The first control of each tag under ``root``, each read in one look; one that a later control of its tag
    contradicts says so (:attr:`Control.contradicted`).

    One scan of the document for the four properties a reader needs, grouped by
    the control they belong to, costs less than visiting every control's
    properties in turn (fewer elements are touched from Python). Then each
    control but a checkbox has its content read, whatever its placeholder flag
    says: LibreOffice keeps the flag on text a person pasted or a program set.
    """
    found: dict[etree._Element | None, Control] = {}
    for el in root.iter(*_READ_PROPS):
        pr = el.getparent()
        control = found.get(pr)
        if control is None:
            control = found[pr] = Control(pr)
        name = el.tag
        if name == TAG:
            if control.tag is None:
                control.tag = el.get(VAL)
        elif name == PLC:
            control.placeholder = True
        elif name == CHECKBOX:
            control.kind, control.checked = "checkbox", _checked(el)
        else:
            control.kind, control.date = "date", _stored_date(el.get(FULLDATE))
    controls: dict[str, Control] = {}
    for pr, control in found.items():  # in document order: a control's properties lie together
        if control.tag is None or pr is None or pr.tag != SDT_PR:
            continue
        control.element = sdt = pr.getparent()
        if sdt is None:
            continue
        first = controls.setdefault(control.tag, control)
        if control.kind == "checkbox":
            control.date = None
        else:
            content = _content(sdt)
            control.text = text_in(content) if content is not None else ""
            if not control.text:
                control.date = None
        if first is not control and (first.checked, first.text.strip()) != (control.checked, control.text.strip()):
            first.contradicted = True
    return controls


def _checked(box: etree._Element) -> bool:
    """A w14:checkbox's stored state (a loop over its few children: 4× cheaper than ``find``)."""
    for state in box:
        if state.tag == CHECKED:
            return state.get(_W14_VAL) in ("1", "true", "on")
    return False


def _stored_date(full: str | None) -> dt.date | None:
    if not full:
        return None
    try:
        return dt.date.fromisoformat(full[:10])
    except ValueError:
        return None


def _any_control(sdt: etree._Element) -> bool:
    return True


def outside_text(sdt: etree._Element) -> list[str]:
    """The paragraphs of the table cell (or paragraph) holding ``sdt``, without any control's content."""
    home = next(sdt.iterancestors(TC), None)
    if home is None:
        home = next(sdt.iterancestors(P), None)
    return paragraphs(home, _any_control) if home is not None else []


def count_cells(root: etree._Element, limit: int) -> int:
    """How many table cells ``root`` holds, counting no further than ``limit`` + 1."""
    n = 0
    for n, _ in enumerate(root.iter(TC), start=1):
        if n > limit:
            break
    return n


def cell_grid(root: etree._Element) -> list[list[list[list[str]]]]:
    """Every table under ``root`` as rows of cells, each cell its paragraphs' text as a person sees it."""
    return [[[paragraphs(tc) for tc in tr.iter(TC) if _owner_row(tc) is tr]
             for tr in tbl.findall(f".//{TR}") if _owner_table(tr) is tbl]
            for tbl in root.iter(TBL)]


def _owner_row(tc: etree._Element) -> etree._Element | None:
    return next(tc.iterancestors(TR), None)


def _owner_table(tr: etree._Element) -> etree._Element | None:
    return next(tr.iterancestors(TBL), None)


# --- writing ---------------------------------------------------------------------


def _append_text(run: etree._Element, text: str) -> None:
    for i, line in enumerate(text.split("\n")):
        if i:
            etree.SubElement(run, BR)
        for j, chunk in enumerate(line.split("\t")):
            if j:
                etree.SubElement(run, TAB)
            if chunk:
                t = etree.SubElement(run, T)
                t.text = chunk
                if chunk[0].isspace() or chunk[-1].isspace():
                    t.set(SPACE, "preserve")


def _answer_rpr(content: etree._Element) -> etree._Element | None:
    """The first run's properties without the placeholder style, to keep the answer's font."""
    first = content.find(f".//{RPR}")
    if first is None:
        return None
    rpr = copy.deepcopy(first)  # 10× cheaper than a serialise/parse round trip: it runs for every answer
    for style in rpr.findall(w("rStyle")):
        if style.get(VAL) == PLACEHOLDER_STYLE:
            rpr.remove(style)
    return rpr if len(rpr) else None


def _found(el: etree._Element, path: str) -> etree._Element:
    """The element at ``path`` under ``el``, which the form's controls always have (checked by their kind)."""
    found = el.find(path)
    if found is None:  # a control of the wrong kind reached a writer: a bug, not bad input
        raise LookupError(f"{path} saknas i innehållskontrollen")
    return found


def set_text(sdt: etree._Element, text: str) -> None:
    """Write ``text`` into the control (placeholder state removed); '' keeps it as it is."""
    if text == "":
        return
    pr = sdt.find(SDT_PR)
    plc = pr.find(PLC) if pr is not None else None
    if pr is not None and plc is not None:
        pr.remove(plc)
    content = _found(sdt, SDT_CONTENT)
    rpr = _answer_rpr(content)
    for child in list(content):
        content.remove(child)
    run = etree.SubElement(content, R)
    if rpr is not None:
        run.append(rpr)
    _append_text(run, text)


def set_checked(sdt: etree._Element, checked: bool) -> None:
    """Tick or clear a checkbox: its state and its glyph."""
    box = _found(sdt, f"{SDT_PR}/{CHECKBOX}")
    state = box.find(CHECKED)
    if state is None:  # optional in the schema (unchecked): a template made elsewhere may leave it out
        state = etree.Element(CHECKED)
        box.insert(0, state)
    state.set(w14("val"), "1" if checked else "0")
    glyph = BOX_CHECKED if checked else BOX_UNCHECKED
    ts = list(_found(sdt, SDT_CONTENT).iter(T))
    if ts:
        ts[0].text = glyph
        for extra in ts[1:]:
            extra.text = ""


def set_date(sdt: etree._Element, value: dt.date | None) -> None:
    """Set the date value and the shown ``ÅÅÅÅ-MM-DD`` text; None keeps the placeholder."""
    if value is None:
        return
    _found(sdt, f"{SDT_PR}/{DATE}").set(FULLDATE, f"{value.isoformat()}T00:00:00Z")
    set_text(sdt, value.isoformat())


# --- page furniture the builder needs (fields, links, table and document flags) ----


def append_field(paragraph: etree._Element, instruction: str, shown: str) -> None:
    """Append a complex field (e.g. ``PAGE``) with ``shown`` as its cached result."""
    def run_with(child: etree._Element) -> None:
        _el(R, paragraph).append(child)

    run_with(_el(w("fldChar"), fldCharType="begin"))
    instr = _el(INSTR)
    instr.text = f" {instruction} "
    instr.set(SPACE, "preserve")
    run_with(instr)
    run_with(_el(w("fldChar"), fldCharType="separate"))
    paragraph.append(_run(shown))
    run_with(_el(w("fldChar"), fldCharType="end"))


def append_hyperlink(paragraph: etree._Element, rel_id: str, text: str, style: str) -> None:
    """Append a hyperlink run pointing at relationship ``rel_id``."""
    link = _el(w("hyperlink"), paragraph)
    link.set(f"{{{R_NS}}}id", rel_id)
    link.append(_run(text, style))


def append_control(paragraph: etree._Element, sdt: etree._Element) -> None:
    """Append a run-level control to a paragraph."""
    paragraph.append(sdt)


def _tr_pr(tr: etree._Element) -> etree._Element:
    pr = tr.find(w("trPr"))
    if pr is None:
        pr = etree.Element(w("trPr"))
        tbl_pr_ex = tr.find(w("tblPrEx"))
        tr.insert(1 if tbl_pr_ex is not None else 0, pr)
    return pr


def set_run_text(paragraph: etree._Element, text: str) -> None:
    """Set the text of a paragraph's one run (``text`` without breaks or tabs), spaces kept."""
    t = _found(paragraph, f"{w('r')}/{w('t')}")
    t.text = text
    t.set(SPACE, "preserve")


def mark_header_row(tr: etree._Element) -> None:
    """Mark a table row as a header row, repeated at the top of each page."""
    _el(w("tblHeader"), _tr_pr(tr))


def keep_row_together(tr: etree._Element) -> None:
    """Do not split a row across pages."""
    _el(w("cantSplit"), _tr_pr(tr))


def row_min_height(tr: etree._Element, twips: int) -> None:
    """Give a row at least this height (room to write in)."""
    _el(w("trHeight"), _tr_pr(tr), val=str(twips), hRule="atLeast")


def table_caption(tbl: etree._Element, caption: str, description: str = "") -> None:
    """Alternative text of a table (read by screen readers)."""
    pr = tbl.find(w("tblPr"))
    # tblCaption/tblDescription come last in tblPr
    _el(w("tblCaption"), pr, val=caption)
    if description:
        _el(w("tblDescription"), pr, val=description)


def shade_cell(tc: etree._Element, fill: str) -> None:
    """Background colour of a cell."""
    pr = tc.find(w("tcPr"))
    if pr is None:
        pr = etree.Element(w("tcPr"))
        tc.insert(0, pr)
    _el(w("shd"), pr, val="clear", color="auto", fill=fill)


def set_language(styles: etree._Element, settings: etree._Element, lang: str) -> None:
    """Make ``lang`` the document language (default run properties and theme fonts)."""
    for el in styles.iter(w("lang")):
        el.set(VAL, lang)
        el.set(w("eastAsia"), lang)
    for el in settings.iter(w("themeFontLang")):
        el.set(VAL, lang)
        if w("eastAsia") in el.attrib:
            del el.attrib[w("eastAsia")]


def default_font(styles: etree._Element, font: str, half_points: int) -> None:
    """Make ``font`` at ``half_points`` the document's default."""
    rpr = _found(styles, f"{w('docDefaults')}/{w('rPrDefault')}/{RPR}")
    fonts = _found(rpr, w("rFonts"))
    for attr in list(fonts.attrib):
        del fonts.attrib[attr]
    for attr in ("ascii", "hAnsi", "cs", "eastAsia"):
        fonts.set(w(attr), font)
    _found(rpr, w("sz")).set(VAL, str(half_points))
    _found(rpr, w("szCs")).set(VAL, str(half_points))


def drop_rsids(settings: etree._Element) -> None:
    """Remove the revision-session ids of the template the document was made from."""
    for el in settings.findall(w("rsids")):
        settings.remove(el)


#: The settings that come before ``w:documentProtection`` in a settings part (ECMA-376 CT_Settings order).
_BEFORE_PROTECTION = frozenset(w(name) for name in (
    "writeProtection", "view", "zoom", "removePersonalInformation", "removeDateAndTime",
    "doNotDisplayPageBoundaries", "displayBackgroundShape", "printPostScriptOverText",
    "printFractionalCharacterWidth", "printFormsData", "embedTrueTypeFonts", "embedSystemFonts", "saveSubsetFonts",
    "saveFormsData", "mirrorMargins", "alignBordersAndEdges", "bordersDoNotSurroundHeader",
    "bordersDoNotSurroundFooter", "gutterAtTop", "hideSpellingErrors", "hideGrammaticalErrors",
    "activeWritingStyle", "proofState", "formsDesign", "attachedTemplate", "linkStyles", "stylePaneFormatFilter",
    "stylePaneSortMethod", "documentType", "mailMerge", "revisionView", "trackRevisions", "doNotTrackMoves",
    "doNotTrackFormatting"))


def protect_for_forms(settings: etree._Element) -> None:
    """Word's "Filling in forms" protection, without a password: only the content controls can be typed into."""
    for old in settings.findall(w("documentProtection")):
        settings.remove(old)
    at = 0
    for i, child in enumerate(settings):
        if child.tag in _BEFORE_PROTECTION:
            at = i + 1
    settings.insert(at, _el(w("documentProtection"), edit="forms", enforcement="1"))


def picture_alt_text(root: etree._Element, alt: str) -> None:
    """Set the alternative text of every picture under ``root``."""
    for doc_pr in root.iter(f"{{{WP_NS}}}docPr"):
        doc_pr.set("descr", alt)
        doc_pr.set("title", alt)


def plain_fonts(style: etree._Element, font: str) -> None:
    """Make a style use ``font`` for every script, dropping theme-font references."""
    for fonts in style.iter(w("rFonts")):
        for attr in list(fonts.attrib):
            del fonts.attrib[attr]
        for attr in ("ascii", "hAnsi", "cs", "eastAsia"):
            fonts.set(w(attr), font)


# --- package-wide honesty: drawing ids, table looks ------------------------------------

DOC_PR = f"{{{WP_NS}}}docPr"
#: tblLook's legacy bit mask (w:val) for each on/off attribute (ECMA-376 §17.4.56).
_LOOK_BITS = {"firstRow": 0x0020, "lastRow": 0x0040, "firstColumn": 0x0080, "lastColumn": 0x0100,
              "noHBand": 0x0200, "noVBand": 0x0400}


def number_drawings(roots: list[etree._Element], start: int = 1) -> int:
    """Give every drawing (``wp:docPr``) in all ``roots`` its own id, counting on from ``start``; the next free id.

    Word requires drawing ids unique across the whole package and renumbers
    (and may offer to repair) a file where two parts use the same one.
    """
    for root in roots:
        for doc_pr in root.iter(DOC_PR):
            doc_pr.set("id", str(start))
            start += 1
    return start


def honest_table_looks(root: etree._Element) -> None:
    """Make each table's look claim a header row only when its first row is marked as one (``w:tblHeader``)."""
    for tbl in root.iter(TBL):
        look = tbl.find(f"{w('tblPr')}/{w('tblLook')}")
        first = tbl.find(TR)
        if look is None or first is None:
            continue
        header = first.find(f"{w('trPr')}/{w('tblHeader')}") is not None
        look.set(w("firstRow"), "1" if header else "0")
        bits = sum(bit for name, bit in _LOOK_BITS.items() if look.get(w(name)) in ("1", "true", "on"))
        look.set(VAL, f"{bits:04X}")


# --- custom document properties (docProps/custom.xml) -----------------------------------

CUSTOM_PART = "docProps/custom.xml"
CUSTOM_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/custom-properties"
CUSTOM_TYPE = "application/vnd.openxmlformats-officedocument.custom-properties+xml"
CUSTOM_NS = "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"
VT_NS = "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"
RELS_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
TYPES_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
#: The format id every user-defined property carries (FMTID_UserDefinedProperties).
_USER_FMTID = "{D5CDD505-2E9C-101B-9397-08002B2CF9AE}"


def _xml_bytes(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def custom_property(root: etree._Element, name: str) -> str | None:
    """The text of the user-defined property ``name`` in a parsed ``docProps/custom.xml``, or None."""
    for prop in root.iter(f"{{{CUSTOM_NS}}}property"):
        if prop.get("name") == name and len(prop):
            return prop[0].text or ""
    return None


def with_custom_properties(custom: bytes | None, props: Sequence[tuple[str, str | None]]) -> bytes:
    """``docProps/custom.xml`` (made when ``custom`` is None) with each (name, text) of ``props`` set in turn, or
    removed where the text is None; other properties are kept, and a new one takes the next free ``pid`` (from 2)."""
    if custom is None:
        # lxml-stubs type nsmap as Mapping[str, str], but lxml takes the None key for the default namespace
        root = etree.Element(f"{{{CUSTOM_NS}}}Properties", nsmap={None: CUSTOM_NS, "vt": VT_NS})  # type: ignore[dict-item]
    else:
        root = etree.fromstring(custom)
    for name, value in props:
        for prop in root.findall(f"{{{CUSTOM_NS}}}property"):
            if prop.get("name") == name:
                root.remove(prop)
        if value is not None:
            pids = [int(pid) for p in root.iter(f"{{{CUSTOM_NS}}}property") if (pid := p.get("pid") or "").isdigit()]
            prop = etree.SubElement(root, f"{{{CUSTOM_NS}}}property", fmtid=_USER_FMTID,
                                    pid=str(max(pids, default=1) + 1), name=name)
            etree.SubElement(prop, f"{{{VT_NS}}}lpwstr").text = value
    return _xml_bytes(root)


def with_custom_part(rels: bytes, types: bytes, part: str = CUSTOM_PART) -> tuple[bytes, bytes]:
    """The package relationships and content types with the custom properties ``part`` declared; each is
    returned unchanged when it already declares it."""
    rel_root, type_root = etree.fromstring(rels), etree.fromstring(types)
    if not any(r.get("Type") == CUSTOM_REL for r in rel_root):
        taken = {r.get("Id") for r in rel_root}
        n = 1
        while f"rIdCustom{n}" in taken:
            n += 1
        etree.SubElement(rel_root, f"{{{RELS_NS}}}Relationship", Id=f"rIdCustom{n}", Type=CUSTOM_REL, Target=part)
        rels = _xml_bytes(rel_root)
    if not any((o.get("PartName") or "").casefold() == f"/{part}".casefold() for o in type_root):
        etree.SubElement(type_root, f"{{{TYPES_NS}}}Override", PartName=f"/{part}", ContentType=CUSTOM_TYPE)
        types = _xml_bytes(type_root)
    return rels, types
