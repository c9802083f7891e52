"""Scanned forms, second half: the OCR words and boxes of a scan's pages to the form's answers, each answer with
its confidence, and the one line naming the fields to check by hand.

The words are fed to :mod:`pagetext`, the parser every source of positioned words shares; the boxes' ink (measured
by :mod:`scan`) answers its Ja/Nej places. Kept apart from :mod:`scan` so that reading an ordinary .docx or PDF
never imports the parser and the form's printed vocabulary.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from typing import Any

from . import kinds, pagetext
from .errors import InputError
from .form import FIELDS, FOOTER_HEADS, INTRO, PLACEHOLDER, SECTIONS, SUBTITLE, TITLE, Kind, TableHeader, fields_of
from .notform import not_the_form
from .profile import load_profile
from .scan import AGAIN, EMPTY_INK, MIN_CONFIDENCE, OCR_DPI, TICKED_INK, UNREAD, Box, OcrWord, Page


@dataclass(frozen=True)
class ScanWord(pagetext.Word):
    """A page word read by OCR: :class:`pagetext.Word` with Tesseract's confidence (0–100)."""

    conf: float = 100.0
    corrected: bool = False
    grey: bool = False


#: Why a field is to be checked by hand, in the message's words.
LOW = "OCR osäker"
UNREADABLE = "texten gick inte att läsa – handskrift läses inte"
BOX_UNSURE = "rutan otydlig"
BOX_MISSING = "rutan hittades inte"
NOT_FOUND = "frågan hittades inte på skanningen"
NEXT_NOT_FOUND = "nästa fråga hittades inte; svaret kan innehålla dess svar"
PART = ("bara {found} av blankettens frågor finns på den skannade filens {pages} sida/sidor: skanna alla sidor till "
        "en PDF eller TIFF för att få hela blanketten")
#: Scans coarser than this are read, but OCR misreads letters in them without knowing it (at 200 dpi it reads
#: "tarmpaket" for "larmpaket" at 86 % certainty): every answer is then to be checked.
TRUSTED_DPI = 250
COARSE = ("skanningen har bara omkring {dpi:.0f} dpi: OCR kan läsa fel utan att märka det, så granska alla svar för "
          "hand (skanna med 300 dpi)")
ORPHAN = "ord nedanför svaret hörde inte till någon fråga och kan höra till svaret"
#: A word OCR is this sure of, outside every answer and every printed text, is an answer's word left out.
ORPHAN_CONFIDENCE = 85
INK = "bläck i svarets ruta som OCR inte kunde läsa (handskrift?)"
LEFT_OUT = "ord i svarets ruta kom inte med i svaret"
PRINTED_INSIDE = "svaret innehåller blankettens tryckta text"
#: The line a scan with answers to check carries.
CHECK = "skannad blankett lästes med OCR; granska för hand"
#: An answer of fewer letters and digits than this is one to check (a hint's remains; "Ja" typed is checked too).
SHORTEST = 3
#: Below this mean confidence, or with no letter or digit, a field's words are ink OCR could not read.
UNREADABLE_CONFIDENCE = 45


def _printed_texts() -> list[str]:
    """Every text the form prints (headings, questions, hints, steps, bullets), from the layout declaration."""
    profile = load_profile()  # the page header's and footer's texts (another municipality's differ in its words)
    texts: list[str] = [TITLE, SUBTITLE, *INTRO, "Check!", "Ja", "Nej", " ".join(TableHeader().cells).strip(), "Bilaga 5", "Datum",
                        profile.plan_title, f"{profile.plan_date} Bilaga 5", "Kommunens logotyp (platshållare – byt "
                        "i profilen)", " ".join(FOOTER_HEADS)]
    texts.extend(PLACEHOLDER.values())  # an empty field's hint, printed too
    texts.extend(v for v in vars(profile).values() if isinstance(v, str))
    texts.extend(line for v in vars(profile).values() if isinstance(v, tuple | list) for line in v
                 if isinstance(line, str))
    for section in SECTIONS:
        texts.append(section.heading)
        for row in (*section.rows, *(row for table in section.tables for row in table)):
            for f in fields_of(row):
                texts.extend((f.label, f.hint))
            for value in vars(row).values():
                if isinstance(value, str):
                    texts.append(value)
                elif isinstance(value, tuple):
                    texts.extend(v for v in value if isinstance(v, str))
    return [t for t in texts if t]


PRINTED = _printed_texts()
#: The words the form prints: an OCR word one letter off one of them, in a line of printed words, is that word.
VOCABULARY = frozenset(w for t in PRINTED for w in t.split())
#: Runs of this many printed words in a row, as the form prints them: found inside an answer, they are a question
#: or step OCR misread and the layout could not place (the answer holds more than its own text).
RUN = 4
#: A page number as the header prints it, ``2(5)``.
_PAGE_NUMBER = re.compile(r"^\d\(\d\)$")
_PRINTED_RUNS = frozenset(tuple(ws[i:i + RUN]) for t in PRINTED if t not in PLACEHOLDER.values()
                          for ws in [t.split()] for i in range(len(ws) - RUN + 1))
_PRINTED_PAIRS = frozenset(pair for t in PRINTED for ws in [t.split()] for pair in zip(ws, ws[1:], strict=False))
#: How like an empty field's hint (0–1, difflib's ratio) an answer must be to be that hint misread; in grey, less.
HINT_LIKE, HINT_LIKE_GREY = 0.8, 0.5
#: Only a word OCR was less sure of than this is put right into a printed word (a sure one is as printed).
CORRECT_BELOW = 90
#: Characters OCR makes of table rules, stripped from a word's ends (its answer is then one to check).
RULES = frozenset("|¦")


def _cleaned(words: list[OcrWord]) -> list[tuple[OcrWord, str, bool]]:
    """Each word with its text as used (rules dropped, printed words' misreadings put right) and whether it changed."""
    kept = []
    for w in words:
        text = w.text.strip("".join(RULES))
        if text:
            kept.append((w, text, text != w.text))
    for members in _segments(kept):
        printed = sum(1 for i in members if kept[i][1] in VOCABULARY)
        if len(members) < 2 or printed < len(members) / 2:
            continue  # a line of an answer: never corrected
        for n, i in enumerate(members):
            w, text, changed = kept[i]
            if text in VOCABULARY or len(text) < 3 or w.conf >= CORRECT_BELOW:
                continue
            before = kept[members[n - 1]][1] if n else ""
            after = kept[members[n + 1]][1] if n + 1 < len(members) else ""
            # only into a word pair the form prints: an answer's word is never made a question's
            near = [c for c in difflib.get_close_matches(text, VOCABULARY, n=3, cutoff=0.75)
                    if (before, c) in _PRINTED_PAIRS or (c, after) in _PRINTED_PAIRS]
            if near:
                kept[i] = (w, near[0], True)
    return kept


def _segments(kept: list[tuple[OcrWord, str, bool]]) -> list[list[int]]:
    """The words of each line of each cell: Tesseract's lines, split where a gap wider than two letters' height
    parts two columns (a question and its answer may share a line)."""
    by_line: dict[int, list[int]] = {}
    for i, (w, _, _) in enumerate(kept):
        by_line.setdefault(w.line, []).append(i)
    out = []
    for members in by_line.values():
        members.sort(key=lambda i: kept[i][0].left)
        part = [members[0]]
        for i in members[1:]:
            prev, w = kept[part[-1]][0], kept[i][0]
            if w.left - prev.right > 2 * max(prev.bottom - prev.top, w.bottom - w.top):
                out.append(part)
                part = []
            part.append(i)
        out.append(part)
    return out


def page_words(pages: list[Page]) -> list[ScanWord]:
    """Every OCR word of every page, in points from the page's top left (pages counted from 0)."""
    out: list[ScanWord] = []
    for page in pages:
        s = page.scale
        out.extend(ScanWord(page.number - 1, w.left * s, w.top * s, w.right * s, w.bottom * s, text, w.conf,
                             changed or w.line == AGAIN, w.grey)
                   for w, text, changed in _cleaned(page.words))
    return out


def _box_at(place: pagetext.BoxPlace, pages: list[Page]) -> Box | None:
    """The measured box of a Ja/Nej place: its label's word starts the place's cell on the place's line."""
    page = next((p for p in pages if p.number - 1 == place.page), None)
    if page is None:
        return None
    s = page.scale
    found = [b for b in page.boxes if b.label.text.startswith(place.answer)
             and place.x0 - 6 <= b.label.left * s <= place.x1
             and place.top - 6 <= (b.label.top + b.label.bottom) / 2 * s <= place.bottom + 6]
    return found[0] if found else None


def _ticks(places: tuple[pagetext.BoxPlace, ...], pages: list[Page]) -> tuple[dict[tuple[str, str], bool],
                                                                               dict[str, str]]:
    """Each expected box's state from its ink, and the fields whose boxes were unclear or not found."""
    ticks: dict[tuple[str, str], bool] = {}
    doubt: dict[str, str] = {}
    for place in places:
        box = _box_at(place, pages)
        if box is None:
            doubt[place.key] = BOX_MISSING
            ticks[(place.key, place.answer)] = False
            continue
        ticks[(place.key, place.answer)] = box.ink >= TICKED_INK
        if EMPTY_INK < box.ink < TICKED_INK:
            doubt.setdefault(place.key, BOX_UNSURE)
    return ticks, doubt


def _text_doubt(words: tuple[pagetext.Word, ...]) -> tuple[str, float] | None:
    """Why an answer's words need a look (and their lowest confidence), or None when OCR was sure of each."""
    scanned = [w for w in words if isinstance(w, ScanWord)]
    if not scanned:
        return None
    read = [w for w in scanned if w.text != UNREAD]
    confs = [w.conf for w in read] or [0.0]
    text = "".join(w.text for w in read)
    if sum(confs) / len(confs) < UNREADABLE_CONFIDENCE or not any(ch.isalnum() for ch in text):
        return UNREADABLE, min(confs)
    if len(read) < len(scanned):
        return INK, min(confs)
    if sum(ch.isalnum() for ch in text) < SHORTEST:  # 'SK': a grey hint's remains in black and white, not a word
        return LOW, min(confs)
    if min(confs) < MIN_CONFIDENCE or any(w.corrected for w in scanned):
        return LOW, min(confs)
    tokens = [w.text for w in words]
    if any(tuple(tokens[i:i + RUN]) in _PRINTED_RUNS for i in range(len(tokens) - RUN + 1)) \
            or any(_PAGE_NUMBER.match(t) for t in tokens):  # a page header OCR garbled, taken into an answer
        return PRINTED_INSIDE, min(confs)
    return None


def _has_unread(words: tuple[pagetext.Word, ...]) -> bool:
    return any(w.text == UNREAD for w in words)


def _without_unread(value: Any) -> Any:
    """A value without the marks of ink OCR could not read (the field is named to be checked instead), and
    without lines of punctuation alone (specks and rules OCR took for a colon or a dash)."""
    if isinstance(value, list):
        return [v for v in (_without_unread(item) for item in value) if v]
    if not isinstance(value, str):
        return value
    lines = [" ".join(t for t in line.split() if t != UNREAD) for line in value.split("\n")]
    return "\n".join(line for line in lines if any(ch.isalnum() for ch in line)).strip() or None


def _stray_lines(value: Any) -> bool:
    """True when OCR's text of an answer has a line of punctuation alone, or a mark of unread ink."""
    lines = value if isinstance(value, list) else str(value or "").split("\n")
    return any(str(line).strip() and not any(ch.isalnum() for ch in str(line)) for line in lines)


def _placeholders_off(values: dict[str, Any], words: dict[str, tuple[pagetext.Word, ...]]) -> None:
    """An empty control's printed hint, misread by OCR by a letter or two, is no answer either; printed grey (as
    hints are) it is recognised even when misread more (a black-and-white scan breaks grey letters up)."""
    for f in FIELDS:
        value = values.get(f.key)
        hint = PLACEHOLDER.get(f.kind)
        if hint is None or not value:
            continue
        grey = all(getattr(w, "grey", False) for w in words.get(f.key, ()))
        least = HINT_LIKE_GREY if grey else HINT_LIKE
        if f.kind is Kind.LIST:
            values[f.key] = [v for v in value if difflib.SequenceMatcher(None, v, hint).ratio() < least]
        elif all(difflib.SequenceMatcher(None, line, hint).ratio() >= least for line in str(value).split("\n")):
            values[f.key] = None


def _date(text: Any) -> bool:
    """True when OCR's text is a date as a person may type it."""
    try:
        return kinds.parse_date(str(text)) is not None
    except ValueError:
        return False


def _answer_like(w: ScanWord) -> bool:
    """True for a word that looks typed by a person: sure, black, a real word, and no printed word misread."""
    if w.grey or w.conf < ORPHAN_CONFIDENCE or len(w.text) < 3 or w.text in VOCABULARY \
            or not any(ch.isalpha() for ch in w.text) or _PAGE_NUMBER.match(w.text):
        return False
    return not difflib.get_close_matches(w.text, VOCABULARY, n=1, cutoff=0.75)


def _printed_line(value: Any) -> bool:
    """True when a line of the answer is the form's own words only (a heading or prompt OCR misread a little, so
    the layout took it for part of the answer)."""
    lines = value if isinstance(value, list) else str(value or "").split("\n")
    for line in lines:
        tokens = str(line).split()
        if any(len(t) >= 4 and t in VOCABULARY for t in tokens) \
                and all(t in VOCABULARY or not any(ch.isalpha() for ch in t) for t in tokens):
            return True
    return False


def _left_out(value: Any, words: tuple[pagetext.Word, ...]) -> bool:
    """True when a word that looks typed, inside an answer's area, is not in the answer read from it."""
    kept = set(" ".join(value if isinstance(value, list) else [str(value or "")]).split())
    return any(isinstance(w, ScanWord) and w.text not in kept and _answer_like(w) for w in words)


def _near_orphans(words: list[ScanWord], reading: pagetext.PageReading) -> list[str]:
    """The answers just above words OCR was sure of that are neither printed text nor in any answer: a line of an
    answer the layout could not place (it may belong there)."""
    used = {id(w) for ws in reading.words.values() for w in ws}
    order = sorted(((w.page, w.top), key) for key, ws in reading.words.items() for w in ws if id(w) in used)
    found = []
    for w in words:
        if id(w) in used or not _answer_like(w):
            continue
        before = [key for place, key in order if place <= (w.page, w.top)]
        if before and before[-1] not in found:
            found.append(before[-1])
    return found


def read_scan_pages(pages: list[Page]) -> tuple[dict[str, Any], list[str]]:
    """The raw values of a scanned form from its pages, and the one line naming the fields to check by hand."""
    words = page_words(pages)
    if not words:
        raise InputError("ingen text kunde läsas på den skannade blanketten (tom sida, eller bara handskrift, som "
                         "inte läses)")
    ticks, doubt = _ticks(pagetext.read_words(words).boxes, pages)
    reading = pagetext.read_words(words, ticks)
    if len(reading.missing) == len(FIELDS):
        raise not_the_form(list(FIELDS), {})
    values: dict[str, Any] = {key: _without_unread(value) for key, value in reading.values.items()}
    _placeholders_off(values, reading.words)
    checks = []
    for n, f in enumerate(FIELDS):
        why = doubt.get(f.key) if f.kind is Kind.JANEJ else None
        if f.kind is not Kind.JANEJ and n + 1 < len(FIELDS) and FIELDS[n + 1].key in reading.missing \
                and values.get(f.key):
            why = NEXT_NOT_FOUND
        if f.key in reading.missing:
            values[f.key] = [] if f.kind is Kind.LIST else None
            why = NOT_FOUND
        elif f.kind is Kind.DATE and values.get(f.key) and not _date(values[f.key]):
            why, values[f.key] = f"datumet kunde inte läsas: {' '.join(str(values[f.key]).split())[:30]}", None
        elif f.kind is not Kind.JANEJ and (values.get(f.key) or _has_unread(reading.words.get(f.key, ()))) \
                and (found := _text_doubt(reading.words.get(f.key, ()))) is not None:
            why = f"{found[0]}, säkerhet {found[1]:.0f} %" if found[0] == LOW else found[0]
            if found[0] == UNREADABLE:  # ink, not text: the paper is read by a person, no guess is kept
                values[f.key] = [] if f.kind is Kind.LIST else None
        elif why is None and f.kind is not Kind.JANEJ and values.get(f.key) and f.key not in reading.words:
            why = LOW
        if why is None and f.kind is not Kind.JANEJ and _left_out(values.get(f.key), reading.words.get(f.key, ())):
            why = LEFT_OUT
        if why is None and f.kind is not Kind.JANEJ and _printed_line(values.get(f.key)):
            why = PRINTED_INSIDE
        if why is None and f.kind is not Kind.JANEJ and _stray_lines(reading.values.get(f.key)):
            why = LOW
        if why is not None:
            checks.append(f"{f.column} ({why})")
    for key in _near_orphans(words, reading):
        column = next(f.column for f in FIELDS if f.key == key)
        if not any(c.startswith(f"{column} (") for c in checks):
            checks.append(f"{column} ({ORPHAN})")
    notes = [note for key in reading.notes for note in reading.notes[key]]
    if len(reading.missing) > len(FIELDS) // 2:  # one page of several (a JPEG or PNG holds one)
        notes.append(PART.format(found=len(FIELDS) - len(reading.missing), pages=len(pages)))
        here = [n for n, f in enumerate(FIELDS) if f.key not in reading.missing]
        # questions before the first found and after the last are on the pages not in the file: not named
        outside = {f.column for n, f in enumerate(FIELDS) if n < here[0] or n > here[-1]}
        checks = [c for c in checks if not (c.endswith(f"({NOT_FOUND})") and c[: -len(NOT_FOUND) - 3] in outside)]
    coarse = min((p.source_dpi for p in pages if p.source_dpi), default=OCR_DPI)
    if coarse < TRUSTED_DPI:
        notes.append(COARSE.format(dpi=coarse))
    if checks:
        notes.insert(0, f"{CHECK}: {'; '.join(checks)}")
    return values, notes


def _assemble_task(path: str, pages: list[dict[str, Any]]) -> dict[str, Any]:
    """A scan's result from its pages' words and boxes (a guarded worker's task)."""
    from .readback import result_of

    read = [Page.from_json(p) for p in pages]
    return result_of(path, lambda: read_scan_pages(read)).as_dict()
