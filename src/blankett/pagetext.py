"""Read a form from its page text: positioned words in, the answers by field key out.

A PDF without fields (Writer's "Exportera som PDF", a print to PDF, ``fill --flatten``,
a qpdf/mutool flattening) and a scan read by OCR hold only words on pages. The form's
layout is ours (:mod:`blankett.form`), so every printed text and its column is known:
each answer is the text between its question (and hint) and the next printed text of
the form, in the answer's column, and each Ja/Nej is the mark in its Ja or Nej cell.

The interface is independent of where the words come from:

- :class:`Word`: one word on one page, in points, origin at the page's top left
  (``top`` < ``bottom``), ``page`` counted from 0.
- :func:`read_words` (words, boxes): a :class:`PageReading`. ``boxes`` optionally gives
  Ja/Nej ticks found by other means (a pixel or vector reader), by ``(key, "Ja"|"Nej")``;
  without it a tick is read from a glyph in the cell (☒ ☑ ✓ ✔ ✗ ✘ X).
- :attr:`PageReading.boxes`: where each Ja and Nej box is expected (:class:`BoxPlace`),
  so a reader of pixels can look there and call :func:`read_words` again with ``boxes``.

Answers are found by position and order, never by string search alone: a question is
recognised only at the start of a line in its own column and, where the layout has one,
with its companion on the same line (a step's number or responsible, a check's Ja/Nej);
so an answer quoting a question ("Vem rapporterar incidenten?") stays whole. Running
heads (the page header with ``N(M)``, the municipal footer, the checklist's repeated
``Åtgärd``/``Ansvar`` row) are dropped first; an answer over a page break is joined.

A line that ends well before its column's right edge ends a paragraph (a line break in
the answer); other line ends were wrapped by the layout and become one space. Answers
read this way are exact up to such whitespace, which is why a reading is a warning.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import cast

from .form import (
    FIELDS,
    FOOTER_HEADS,
    LIST_ITEMS,
    PLACEHOLDER,
    S1,
    S4,
    SECTIONS,
    Bullets,
    Check,
    Comment,
    Field,
    Findings,
    Kind,
    Question,
    Step,
    TableHeader,
    Talk,
)

#: The continuation page a direct fill adds for answers that did not fit their cell.
CONTINUATION_HEADING = "Fortsättning – svar som inte fick plats"
#: The marker left in a cell whose answer continues on the continuation page.
CONTINUED = re.compile(r"\(forts\. på sidan \d+\)")
#: Text that ticks a box; an empty box prints ☐ (or nothing).
TICKS = frozenset("☒☑✓✔✗✘Xx✕✖■")
_POINTS_PER_CM = 72 / 2.54
#: Points more than a line's spacing between two lines where a new table row (a new printed text) starts: the
#: cell's padding and border; within an answer, lines follow at the answer's own spacing.
ROW_GAP = 2.0
#: A list item's next line is a wrapped part of it when it follows within this many line heights (a text's
#: own spacing is 1.15; the form's list rows are 1.5 apart).
LIST_WRAP = 1.3
_PLACEHOLDERS = frozenset(PLACEHOLDER.values())


@dataclass(frozen=True)
class Word:
    """One word on a page: its box in points, origin at the page's top left (``top`` < ``bottom``), ``page`` from 0.

    ``text`` holds no blanks; a box glyph (☒/☐) may be a word of its own or stuck to ``Ja``/``Nej``. Words may come
    in any order: they are put into lines and columns by their places."""

    page: int
    x0: float
    top: float
    x1: float
    bottom: float
    text: str


@dataclass(frozen=True)
class BoxPlace:
    """Where the Ja or Nej box of a Ja/Nej field is on the page (points, origin top left)."""

    key: str
    answer: str  # "Ja" or "Nej"
    page: int
    x0: float
    top: float
    x1: float
    bottom: float


@dataclass(frozen=True)
class PageReading:
    """What the page text gave: raw values by field key (text, "Ja"/"Nej"/None, date text, list of lines),
    per-field notes (Swedish), the expected Ja/Nej box places, and the keys whose question was not found."""

    values: dict[str, object]
    notes: dict[str, list[str]] = field(default_factory=dict)
    boxes: tuple[BoxPlace, ...] = ()
    missing: tuple[str, ...] = ()
    #: Each box's state as read (from the words' glyphs, or as given in ``boxes``), by ``(key, "Ja"|"Nej")``.
    ticks: dict[tuple[str, str], bool] = field(default_factory=dict)
    #: The words each answer was read from, by field key (a reader of scans weighs their OCR confidence).
    words: dict[str, tuple[Word, ...]] = field(default_factory=dict)


# --- layout: columns, in cm from the text's left edge (build.py's widths) -------------------

#: Section 1: the question column's width; answers are right of it.
QUESTION_CM = 6.0
#: The checklist: number | action | Ja | Nej (responsible spans Ja and Nej); the follow-up's Ja/Nej too.
NUMBER_CM, JA_CM, NEJ_CM, WIDTH_CM = 1.9, 11.5, 14.0, 16.5
#: How far (cm) a column's words may start left of the column's edge (cell padding, a print's rounding).
SLACK_CM = 0.35


@dataclass(frozen=True)
class _Frame:
    """The text block's left edge and scale (a print may shrink the page)."""

    left: float
    scale: float

    def x(self, cm: float) -> float:
        return self.left + (cm - SLACK_CM) * _POINTS_PER_CM * self.scale


@dataclass
class _Line:
    page: int
    top: float
    bottom: float
    words: list[Word]

    @property
    def text(self) -> str:
        return " ".join(w.text for w in self.words)


def _norm(text: str) -> str:
    return " ".join(text.split())


_PUNCTUATION = ".,;:?!()”\"'’"


def _same(seen: str, printed: str) -> bool:
    """True when a word on the page is the form's printed word: exactly, or (for words read by OCR) the same up to
    case and punctuation, or one letter off in a word of five letters or more."""
    if seen == printed:
        return True
    a, b = seen.casefold().strip(_PUNCTUATION), printed.casefold().strip(_PUNCTUATION)
    return a == b or (min(len(a), len(b)) >= 5 and _one_edit(a, b))


def _one_edit(a: str, b: str) -> bool:
    """True when ``a`` becomes ``b`` by changing, adding or removing one character."""
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) > len(b):
        a, b = b, a
    i = 0
    while i < len(a) and a[i] == b[i]:
        i += 1
    return a[i + 1:] == b[i + 1:] if len(a) == len(b) else a[i:] == b[i + 1:]


def _tokens(text: str) -> list[str]:
    return text.split()


# --- lines, running heads ----------------------------------------------------------------


def _lines(words: Iterable[Word]) -> list[_Line]:
    """Words grouped into lines (a word joins a line its vertical middle falls in), in page order; words far
    taller than the others join the lines the others made (see :data:`TALL`)."""
    words = list(words)
    heights = sorted(w.bottom - w.top for w in words)
    tall = TALL * heights[len(heights) // 2] if heights else float("inf")
    out: list[_Line] = []
    for w in sorted((w for w in words if w.bottom - w.top <= tall), key=lambda w: (w.page, _mid(w), w.x0)):
        mid = _mid(w)
        if out and out[-1].page == w.page and out[-1].top - 0.5 <= mid <= out[-1].bottom + 0.5 \
                and abs(mid - (out[-1].top + out[-1].bottom) / 2) < 0.45 * max(1.0, w.bottom - w.top):
            _join_line(out[-1], w)
        else:
            out.append(_Line(w.page, w.top, w.bottom, [w]))
    for w in (w for w in words if w.bottom - w.top > tall):
        _place_tall(out, w)
    for line in out:
        line.words.sort(key=lambda w: w.x0)
    return out


#: A word more than this many times the median height of the words read (all pages) is no line's measure: OCR glued a box and a
#: table's dithered shading above it into one word (``Al`` reaching from the box up into the grey header row), and
#: taken first (its middle is highest) it split the question beside it into two lines, so the question was not
#: found. Such a word joins the ordinary line its box overlaps most, or stands alone. The form's largest heading is
#: 1.6 times its body text.
TALL = 1.8


def _mid(w: Word) -> float:
    return (w.top + w.bottom) / 2


def _join_line(line: _Line, w: Word) -> None:
    line.words.append(w)
    line.top, line.bottom = min(line.top, w.top), max(line.bottom, w.bottom)


def _place_tall(lines: list[_Line], w: Word) -> None:
    """A tall word put into the line of its page it overlaps most (the lower on a tie), that line's height left as
    its ordinary words make it; else a line of its own, in page order."""
    def overlap(ln: _Line) -> float:
        return min(ln.bottom, w.bottom) - max(ln.top, w.top)

    near = [ln for ln in lines if ln.page == w.page and overlap(ln) > 0.5 * (ln.bottom - ln.top)]
    if near:
        max(near, key=lambda ln: (overlap(ln), ln.bottom)).words.append(w)
        return
    at = next((i for i, ln in enumerate(lines) if (ln.page, (ln.top + ln.bottom) / 2) > (w.page, _mid(w))),
              len(lines))
    lines.insert(at, _Line(w.page, w.top, w.bottom, [w]))


_PAGE_NO = re.compile(r"^\d+\(\d+\)$")
#: The header's last row: the plan's date and "Bilaga 5" (an answer's "se Bilaga 5" is not it).
_HEADER_END = re.compile(r"\d{4}-\d{2}-\d{2} Bilaga 5$")


def _header_end(lines: list[_Line], i: int) -> bool:
    """True for the header's last row: "ÅÅÅÅ-MM-DD Bilaga 5", or (a misread date) a row ending in "Bilaga 5" under
    the header's "Datum"."""
    text = _norm(lines[i].text)
    if _HEADER_END.search(text):
        return True
    tail = text.split()[-2:]
    return (len(tail) == 2 and _same(tail[0], "Bilaga") and tail[1] == "5"
            and any(_same(_norm(ln.text), "Datum") for ln in lines[:i]))


def _drop_running(lines: list[_Line]) -> list[_Line]:
    """The lines without each page's header (down to ``Bilaga 5``) and the footer (from ``Postadress``)."""
    kept: list[_Line] = []
    by_page: dict[int, list[_Line]] = {}
    for line in lines:
        by_page.setdefault(line.page, []).append(line)
    for page in sorted(by_page):
        plines = by_page[page]
        start = 0
        for i in range(min(10, len(plines))):
            if _header_end(plines, i):
                start = i + 1
                break
        end = len(plines)
        for i in range(len(plines) - 1, max(start, len(plines) - 10) - 1, -1):
            words = [w.text for w in plines[i].words]
            if words[:2] == list(FOOTER_HEADS[:2]):
                end = i
                break
        if start == 0:  # no header row found (misread): at least its page number "N(M)" is no answer
            for line in plines[:3]:
                line.words = [w for w in line.words if not _PAGE_NO.match(w.text)]
        kept.extend(ln for ln in plines[start:end] if ln.words and not _PAGE_NO.match(_norm(ln.text)))
    return kept


# --- finding printed texts ----------------------------------------------------------------


def _in(w: Word, lo: float, hi: float) -> bool:
    return lo <= w.x0 < hi


def _col(line: _Line, lo: float, hi: float) -> list[Word]:
    return [w for w in line.words if _in(w, lo, hi)]


def _match_at(lines: list[_Line], i: int, want: list[str], lo: float, hi: float, whole: bool = False) -> int | None:
    """If ``want`` starts line ``i`` in column [lo, hi) and runs on over the next lines' column starts, the index
    of the line after its last word's line; else None. ``whole``: its last line holds nothing else."""
    k = 0
    j = i
    while k < len(want) and j < len(lines):
        col = _col(lines[j], lo, hi)
        if not col:
            if j == i:
                return None
            j += 1
            continue
        n = 0
        for w in col:
            if k < len(want) and _same(w.text, want[k]):
                k += 1
                n += 1
            else:
                break
        if n == 0:
            return None
        j += 1
        if n < len(col) and (k < len(want) or whole):
            return None  # a line of the text ended in something else
    return j if k == len(want) else None


def _companion(line: _Line, want: str, lo: float, hi: float) -> bool:
    col = _col(line, lo, hi)
    return bool(col) and _norm(" ".join(w.text for w in col)).startswith(want)


def _gap_before(lines: list[_Line], i: int, pitch: float) -> bool:
    """True when line ``i`` starts a new block: first on its page, or after more than a line's spacing."""
    if i == 0 or lines[i - 1].page != lines[i].page:
        return True
    local = pitch
    if i >= 2 and lines[i - 2].page == lines[i].page and lines[i - 1].top - lines[i - 2].top < 1.6 * pitch:
        local = lines[i - 1].top - lines[i - 2].top  # the spacing of the text just above (an answer's own)
    return lines[i].top - lines[i - 1].top > max(local, 0.5 * pitch) + ROW_GAP


@dataclass(frozen=True)
class _Anchor:
    """A printed text of the form, where it is looked for, and the field whose answer follows it (if any)."""

    text: str
    lo_cm: float
    hi_cm: float
    field: Field | None = None
    companion: tuple[str, float, float] | None = None  # text expected at the same line, its column
    block: bool = False  # a free-standing paragraph: must start a block (gap before) unless right after the last
    side: bool = False  # the answer stands beside the text (section 1), not below it
    janej: bool = False


def _anchors() -> list[_Anchor]:
    """The printed texts of the form that bound answers, in order, from :data:`SECTIONS`."""
    out: list[_Anchor] = []
    for section in SECTIONS:
        out.append(_Anchor(section.heading, 0, WIDTH_CM, block=True))
        for row in (*section.rows, *(row for table in section.tables for row in table)):
            out.extend(_row_anchors(row, section.heading))
    return out


def _row_anchors(row: object, heading: str) -> list[_Anchor]:
    match row:
        case Question(field=f):
            return [_Anchor(f.label, 0, QUESTION_CM, f, side=True)]
        case TableHeader():
            return []
        case Step(number=number, action=action, responsible=responsible):
            if number:
                return [_Anchor(action, NUMBER_CM, JA_CM, companion=(number, 0, NUMBER_CM))]
            return [_Anchor(action, NUMBER_CM, JA_CM, companion=(responsible.split()[0], JA_CM, WIDTH_CM + 2))]
        case Bullets():
            return []
        case Check(field=f) if f.kind is Kind.JANEJ:
            lo = 0.0 if heading == S4 else NUMBER_CM
            return [_Anchor(f.label, lo, JA_CM, f, companion=("Ja", JA_CM, NEJ_CM), janej=True)]
        case Check(field=f):
            return [_Anchor(f.label, NUMBER_CM, WIDTH_CM + 2, f, companion=("Check!", 0, NUMBER_CM))]
        case Comment(field=f):
            return [_Anchor(f.label, NUMBER_CM, WIDTH_CM + 2, f, block=True)]
        case Talk(title=title, fields=fields):
            return [_Anchor(title, 0, WIDTH_CM, block=True)] + [
                _Anchor(f.label, 0, WIDTH_CM, f, block=True) for f in fields]
        case Findings(field=f):
            return [_Anchor(f.label, 0, WIDTH_CM, f, block=True)]
    return []


ANCHORS: tuple[_Anchor, ...] = tuple(_anchors())


# --- the frame: where the text block starts, and its scale ---------------------------------


def _frame(lines: list[_Line]) -> _Frame:
    """The text block's left edge (the ``1. Incidentrapport`` heading) and scale (from the checklist header)."""
    left = min((ln.words[0].x0 for ln in lines if ln.words), default=0.0)
    for ln in lines:
        if _norm(ln.text).startswith(S1):
            left = ln.words[0].x0
            break
    scale = 1.0
    for ln in lines:
        texts = [w.text for w in ln.words]
        if texts == _TABLE_HEAD:
            span = (ln.words[1].x0 - ln.words[0].x0) / ((JA_CM - NUMBER_CM) * _POINTS_PER_CM)
            if 0.5 < span < 1.5:
                scale = span
            break
    return _Frame(left, scale)


#: The checklist's header row as its words (declared in form.py, repeated on every page).
_TABLE_HEAD = [w for cell in TableHeader().cells for w in cell.split()]


def _drop_table_heads(lines: list[_Line]) -> list[_Line]:
    return [ln for ln in lines if [w.text for w in ln.words] != _TABLE_HEAD]


# --- the reading ---------------------------------------------------------------------------


@dataclass
class _Found:
    anchor: _Anchor
    start: int  # first line
    end: int  # line after the text


def _find(lines: list[_Line], frame: _Frame, pitch: float) -> list[_Found]:
    """Each anchor's place, searched in order from the last one found; anchors not found are left out.

    The words may begin at any page of the form (one page scanned alone): then the search in order from the
    form's first text can take a short text from an earlier page ("Kommentar:") for the start of a later one
    ("Kommentar, Vem/vilka …") and skip all between. So when not every text is found, the search is tried from
    each text that stands somewhere in the words, and the start finding the most texts wins (the earliest if equal).
    """
    best = _find_from(lines, frame, pitch, 0)
    if len(best) == len(ANCHORS):
        return best
    for start in range(1, len(ANCHORS)):
        if len(ANCHORS) - start <= len(best):
            break  # no later start can find more
        if _search(lines, frame, pitch, ANCHORS[start], 0, True) is None:
            continue  # a start that is not on these pages
        found = _find_from(lines, frame, pitch, start)
        if len(found) > len(best):
            best = found
    return best


def _find_from(lines: list[_Line], frame: _Frame, pitch: float, start: int) -> list[_Found]:
    """Each anchor's place from ``ANCHORS[start]`` on, searched in order from the last one found."""
    found: list[_Found] = []
    at, free = 0, True
    for anchor in ANCHORS[start:]:
        hit = _search(lines, frame, pitch, anchor, at, free)
        if hit is not None:
            found.append(hit)
            at = hit.end if not anchor.side else hit.start + 1
            free = anchor.field is None or anchor.janej
    return found


def _search(lines: list[_Line], frame: _Frame, pitch: float, anchor: _Anchor, at: int,
            free: bool) -> _Found | None:
    """The first place from line ``at`` on where the anchor's text starts a line of its column, with its companion
    on its lines; a free-standing text must start a block, unless it follows a text with no answer (``free``)."""
    want = _tokens(anchor.text)
    lo, hi = frame.x(anchor.lo_cm), frame.x(anchor.hi_cm)
    for i in range(at, len(lines)):
        end = _match_at(lines, i, want, lo, hi)
        if end is None:
            continue
        if anchor.companion is not None:
            text, clo, chi = anchor.companion
            if not any(_companion(lines[j], text, frame.x(clo), frame.x(chi)) for j in range(i, end)):
                continue
        if anchor.block and not (i == at and free) and not _gap_before(lines, i, pitch):
            continue
        return _Found(anchor, i, end)
    return None


def _pitch(lines: list[_Line]) -> float:
    """The usual distance between two lines of text (the median of neighbours' distances)."""
    gaps = sorted(b.top - a.top for a, b in zip(lines, lines[1:], strict=False) if a.page == b.page and b.top > a.top)
    return gaps[len(gaps) // 2] if gaps else 12.0


def _join(lines: list[list[Word]], right: float) -> str:
    """Lines of an answer as text: a line whose next line's first word would have fitted after it ended a
    paragraph (a line break); any other line was wrapped by the layout (a space)."""
    out = ""
    for i, words in enumerate(lines):
        text = " ".join(w.text for w in words)
        if i:
            last, first = lines[i - 1][-1], words[0]
            space = 0.28 * (last.bottom - last.top)
            wrapped = last.x1 + space + (first.x1 - first.x0) > right - 1.0
            out += " " if wrapped else "\n"
        out += text
    return out


def _answer_words(lines: list[_Line], start: int, end: int, lo: float, hi: float) -> list[list[Word]]:
    rows = []
    for ln in lines[start:end]:
        col = _col(ln, lo, hi)
        if col:
            rows.append(col)
    return rows


def _box_state(words: list[Word]) -> bool:
    return any(ch in TICKS for w in words for ch in w.text if w.text not in ("Ja", "Nej"))


def read_words(words: Sequence[Word], boxes: Mapping[tuple[str, str], bool] | None = None) -> PageReading:
    """The form's answers read from positioned words (see the module's docstring)."""
    lines = _drop_running(_lines(words))
    frame = _frame(lines)
    lines = _drop_table_heads(lines)
    lines, rest = _split_continuation(lines)
    pitch = _pitch(lines)
    found = _find(lines, frame, pitch)
    values: dict[str, object] = {}
    notes: dict[str, list[str]] = {}
    places: list[BoxPlace] = []
    ticks: dict[tuple[str, str], bool] = {}
    answers: dict[str, tuple[Field, tuple[bool, float], list[list[Word]]]] = {}
    for n, hit in enumerate(found):
        f = hit.anchor.field
        if f is None:
            continue
        nxt = found[n + 1].start if n + 1 < len(found) else len(lines)
        if hit.anchor.janej:
            ja, nej, fplaces = _janej(lines, hit, frame, f, boxes)
            places.extend(fplaces)
            ticks[(f.key, "Ja")], ticks[(f.key, "Nej")] = ja, nej
            values[f.key] = None if ja and nej else "Ja" if ja else "Nej" if nej else None
            if ja and nej:
                notes[f.key] = [f'"{f.column}": både Ja och Nej är ikryssade; räknas som inte besvarad']
        elif hit.anchor.side:
            rows = _answer_words(lines, hit.start, nxt, frame.x(QUESTION_CM), float("inf"))
            answers[f.key] = (f, (True, 0.0), rows)
        else:
            rows = _answer_words(lines, hit.end, nxt, frame.x(hit.anchor.lo_cm), float("inf"))
            answers[f.key] = (f, (False, hit.anchor.lo_cm), rows)
    right = _right_edges(answers.values())
    for key, (f, column, rows) in answers.items():
        values[key] = _value(f, rows, right.get(column, float("inf")))
    marked = _marked(values)
    if rest and marked:
        for (key, item), text in _continued(rest, marked).items():
            if item is None:
                values[key] = text
            else:  # one point of a list: the others stay as their cells show them
                points = list(cast(list[str], values[key]))
                points[item] = text
                values[key] = points
    missing = tuple(f.key for f in FIELDS if f.key not in values)
    used = {key: tuple(w for row in rows for w in row) for key, (_, _, rows) in answers.items()}
    return PageReading(values, notes, tuple(places), missing, ticks, used)


def _right_edges(answers: Iterable[tuple[Field, tuple[bool, float], list[list[Word]]]]) -> dict[tuple[bool, float], float]:
    """The right edge of each answer column: the furthest any of its answer lines reaches."""
    right: dict[tuple[bool, float], float] = {}
    for _, column, rows in answers:
        for row in rows:
            right[column] = max(right.get(column, 0.0), row[-1].x1)
    return right


def _items(rows: list[list[Word]]) -> list[list[list[Word]]]:
    """A list's lines grouped into its items: each item is a row of its own, so the next one starts after more
    than a wrapped line's spacing (an item too long for its line wraps onto the next at the text's own spacing)."""
    items: list[list[list[Word]]] = []
    for row in rows:
        if items:
            last = items[-1][-1][0]
            height = last.bottom - last.top
            if row[0].page == last.page and row[0].top - last.top <= LIST_WRAP * height:
                items[-1].append(row)
                continue
        items.append([row])
    return items


def _value(f: Field, rows: list[list[Word]], right: float) -> object:
    """A field's raw value from its answer's lines; the placeholder an empty control prints is no answer."""
    if f.kind is Kind.LIST:
        items = [_norm(" ".join(w.text for row in item for w in row)) for item in _items(rows)]
        return [item for item in items if item and item not in _PLACEHOLDERS][:LIST_ITEMS]
    text = _join(rows, right).strip()
    for placeholder in _PLACEHOLDERS:
        text = text.replace(placeholder, "").strip()
    return text or None


def _janej(lines: list[_Line], hit: _Found, frame: _Frame, f: Field,
           boxes: Mapping[tuple[str, str], bool] | None) -> tuple[bool, bool, list[BoxPlace]]:
    """Whether the Ja and the Nej box of a Ja/Nej question are ticked, and where they are."""
    span = lines[hit.start:hit.end]
    page = span[0].page
    top = min(ln.top for ln in span if ln.page == page)
    bottom = max(ln.bottom for ln in span if ln.page == page)
    ja_lo, nej_lo, hi = frame.x(JA_CM), frame.x(NEJ_CM), frame.x(WIDTH_CM + SLACK_CM) + 30
    places = [BoxPlace(f.key, "Ja", page, ja_lo, top, nej_lo, bottom),
              BoxPlace(f.key, "Nej", page, nej_lo, top, hi, bottom)]
    if boxes is not None and (f.key, "Ja") in boxes:
        ja, nej = boxes[(f.key, "Ja")], boxes.get((f.key, "Nej"), False)
    else:
        ja = _box_state([w for ln in span for w in _col(ln, ja_lo, nej_lo)])
        nej = _box_state([w for ln in span for w in _col(ln, nej_lo, hi)])
    return ja, nej, places


def _split_continuation(lines: list[_Line]) -> tuple[list[_Line], list[_Line]]:
    """The lines before a continuation page, and the lines under its heading (none without one)."""
    start = next((i for i, ln in enumerate(lines) if _norm(ln.text) == CONTINUATION_HEADING
                  and (i == 0 or lines[i - 1].page != ln.page)), None)  # a page's first line, not an answer's
    if start is None:
        return lines, []
    return lines[:start], lines[start + 1:]


def _marked(values: Mapping[str, object]) -> list[tuple[Field, int | None]]:
    """The answers (a text field, or one point of a list) whose cell ends in "(forts. på sidan N)", in form order."""
    marked: list[tuple[Field, int | None]] = []
    for f in FIELDS:
        value = values.get(f.key)
        if isinstance(value, str) and CONTINUED.search(value):
            marked.append((f, None))
        elif isinstance(value, list):
            marked.extend((f, n) for n, point in enumerate(value) if CONTINUED.search(str(point)))
    return marked


def _continued(rest: list[_Line], marked: list[tuple[Field, int | None]]) -> dict[tuple[str, int | None], str]:
    """The whole answers on the continuation page of the answers whose cell ends in "(forts. på sidan N)".

    Each stands under its question, in form order: the field's label (or its spoken name, e.g.
    ``Uppföljningssamtal 2: Datum``; a list's point as ``… (punkt 2)``) as a line of its own, its hint
    possibly next. Every one of them ends the answer before it, lists' points included.
    """
    heads: list[tuple[tuple[str, int | None], int, int]] = []
    at = 0
    for f, item in marked:
        tag = f.tags()[item or 0]
        labels = (f.control_label(tag),) if item is not None else (f.control_label(tag), f.label)
        for label in labels:
            hit = next(((i, end) for i in range(at, len(rest))
                        if (end := _match_at(rest, i, _tokens(label), float("-inf"), float("inf"), True))
                        is not None), None)
            if hit is not None:
                i, end = hit
                if f.hint and (after := _match_at(rest, end, _tokens(f.hint), float("-inf"), float("inf"), True)):
                    end = after
                heads.append(((f.key, item), i, end))
                at = end
                break
    out: dict[tuple[str, int | None], str] = {}
    right = max((ln.words[-1].x1 for ln in rest), default=float("inf"))
    for n, (key, _, end) in enumerate(heads):
        stop = heads[n + 1][1] if n + 1 < len(heads) else len(rest)
        out[key] = _join([ln.words for ln in rest[end:stop]], right).strip()
    return out


__all__ = ["BoxPlace", "PageReading", "Word", "read_words"]
