"""The form's fields in a .docx: get or set a field's value through its content controls.

One table, by kind, used by fill and by read-back, so the two cannot disagree.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from lxml import etree

from . import kinds, ooxml
from .form import (
    BLANK_PLACEHOLDER,
    FIELDS,
    LIST_ITEMS,
    OLD_PLACEHOLDERS,
    PLACEHOLDER,
    TAGS,
    WORD_DEFAULT_PLACEHOLDER,
    Field,
    Kind,
    janej_tag,
    list_tag,
)
from .kinds import Value

#: The form's controls as elements, by tag (what fill writes into).
Controls = dict[str, etree._Element]
#: The form's controls as read for read-back, by tag (:func:`ooxml.read_controls`): one look at each, then
#: plain values; a PDF's fields are read into the same shape.
ByTag = dict[str, ooxml.Control]


def _write_text(ctl: Controls, f: Field, value: str | None) -> None:
    if value:
        ooxml.set_text(ctl[f.key], value)


def _write_date(ctl: Controls, f: Field, value: dt.date | None) -> None:
    ooxml.set_date(ctl[f.key], value)


def _write_janej(ctl: Controls, f: Field, value: str | None) -> None:
    ooxml.set_checked(ctl[janej_tag(f.key, kinds.JA)], value == kinds.JA)
    ooxml.set_checked(ctl[janej_tag(f.key, kinds.NEJ)], value == kinds.NEJ)


def _write_list(ctl: Controls, f: Field, value: list[str]) -> None:
    for n, item in enumerate(value or (), start=1):
        ooxml.set_text(ctl[list_tag(f.key, n)], item)


_NO_WARNINGS: tuple[str, ...] = ()

# --- the placeholder rule: the flag is a hint, the text is the truth --------------------

#: The placeholders a form may hold (today's, Word's default, the old grey hints), longest first: the blank ones
#: are rows of one character, so the longer goes first.
PLACEHOLDER_TEXTS = tuple(sorted({*PLACEHOLDER.values(), WORD_DEFAULT_PLACEHOLDER, *OLD_PLACEHOLDERS},
                                 key=len, reverse=True))
_PLACEHOLDER_SET = frozenset(PLACEHOLDER_TEXTS)
#: The old visible hints: removed wherever found. Blank placeholders are removed only whole, or cut in two around
#: an answer (:func:`without_blank_placeholder`): blanks inside an answer are the answer's.
HINT_TEXTS = tuple(p for p in PLACEHOLDER_TEXTS if p.strip())


_BLANK_CHAR = BLANK_PLACEHOLDER[0]
#: Either half of any hint text, as in :func:`_split_hint`: one search rules out nearly every answer at once.
_HINT_HALVES = re.compile("|".join(re.escape(part) for plc in HINT_TEXTS
                                   for part in (plc[:len(plc) - len(plc) // 2], plc[len(plc) // 2:])))


def is_placeholder(text: str) -> bool:
    """True when ``text`` is a placeholder and nothing else."""
    return text in _PLACEHOLDER_SET


def without_blank_placeholder(text: str) -> str:
    """``text`` less the form's blank placeholder it was typed into (its blanks split before and after it).

    The blanks print as nothing, so what was typed into them is the whole answer; its own ends stay as typed.
    """
    lead = len(text) - len(text.lstrip(_BLANK_CHAR))
    trail = len(text) - len(text.rstrip(_BLANK_CHAR))
    if lead < len(text) and lead + trail == len(BLANK_PLACEHOLDER):
        return text[lead:len(text) - trail]
    return text


def answer(control: ooxml.Control) -> str:
    """The control's text as an answer: the form's placeholder text is none, and is removed where left beside one.

    The placeholder flag is not asked: LibreOffice keeps it on text a person
    pasted, so text that is not the placeholder is an answer even under the flag.
    """
    text = control.text
    if not text or text in _PLACEHOLDER_SET:
        return ""
    inside = without_blank_placeholder(text)
    if inside != text:
        return inside
    found = False
    for plc in HINT_TEXTS:
        if plc in text:
            text, found = text.replace(plc, ""), True
    return text.strip() if found else text


def _split_hint(text: str) -> str | None:
    """The placeholder text found cut in two by other text (typed into the middle of the grey hint), if any.

    A whole placeholder beside an answer is removed safely (:func:`answer`); a cut one stays in the answer,
    which may then be wrong.
    """
    if _HINT_HALVES.search(text) is None:  # read once per answer of every file: one search, not six
        return None
    for plc in HINT_TEXTS:  # a blank one cut in two is read as the answer: :func:`without_blank_placeholder`
        half = len(plc) // 2  # a cut hint leaves its first or its last half whole: two looks rule most text out
        if plc[:len(plc) - half] not in text and plc[half:] not in text:
            continue
        for cut in range(1, len(plc)):
            head = text.find(plc[:cut])
            if head >= 0 and text.find(plc[cut:], head + cut) > head + cut:
                return plc
    return None


def _hint_left(f: Field, answers: Sequence[str]) -> Sequence[str]:
    """A warning when the grey hint was typed into: the answer is kept as written, to be checked.

    ``answers`` are the controls' :func:`answer` texts, as their reader has them already (read once per file).
    The placeholder flag alone is no reason: LibreOffice leaves it on every pasted answer.
    """
    for text in answers:
        plc = _split_hint(text)  # whole placeholders are out already
        if plc is not None:
            return [f'"{f.column}": svaret har platshållartexten "{plc}" insprängd; '
                    "texten lästes som den står – kontrollera den"]
    return _NO_WARNINGS


def _read_text(ctl: ByTag, f: Field) -> tuple[Value, Sequence[str]]:
    control = ctl[f.key]
    text = answer(control)
    return text or None, (_hint_left(f, (text,)) if text else _NO_WARNINGS)


def _read_date(ctl: ByTag, f: Field) -> tuple[Value, Sequence[str]]:
    control = ctl[f.key]
    text = answer(control)
    if not text.strip():  # nothing shown but the placeholder: a stored date left behind is no answer
        return None, _NO_WARNINGS
    notes = _hint_left(f, (text,))
    if control.date is not None:
        return control.date, notes
    try:
        return kinds.parse_date(text), notes
    except ValueError as exc:
        return None, [*notes, f'"{f.column}": {exc}; texten finns inte med i datan']


def _read_janej(ctl: ByTag, f: Field) -> tuple[Value, Sequence[str]]:
    ja_tag, nej_tag = TAGS[f.key]
    ja, nej = ctl[ja_tag].checked, ctl[nej_tag].checked
    if ja and nej:
        return None, [f'"{f.column}": både Ja och Nej är ikryssade; räknas som inte besvarad']
    return (kinds.JA if ja else kinds.NEJ if nej else None), _NO_WARNINGS


def _read_list(ctl: ByTag, f: Field) -> tuple[Value, Sequence[str]]:
    """Each written line is an item; more lines than the form has rows are kept, the last ones joined."""
    answers = [answer(ctl[tag]) for tag in TAGS[f.key]]
    items = [line for text in answers for line in text.split("\n") if line.strip()]
    notes = _hint_left(f, answers) if items else _NO_WARNINGS
    if len(items) <= LIST_ITEMS:
        return items, notes
    last = LIST_ITEMS - 1
    return items[:last] + ["; ".join(items[last:])], [*notes,
        f'"{f.column}": {len(items)} rader skrevs men bara {LIST_ITEMS} punkter får plats; '
        f"rad {LIST_ITEMS}–{len(items)} slogs ihop till punkt {LIST_ITEMS}, avskilda med semikolon"]


#: ``Any``: each writer takes its own kind's value (text, a date, a list), which only the field's kind tells apart.
WRITERS: dict[Kind, Callable[[Controls, Field, Any], None]] = {
    Kind.TEXT: _write_text,
    Kind.DATE: _write_date,
    Kind.JANEJ: _write_janej,
    Kind.LIST: _write_list,
}

#: ``Any``: each reader gives its own kind's value, as each writer takes it (see :data:`WRITERS`).
READERS: dict[Kind, Callable[[ByTag, Field], tuple[Any, Sequence[str]]]] = {
    Kind.TEXT: _read_text,
    Kind.DATE: _read_date,
    Kind.JANEJ: _read_janej,
    Kind.LIST: _read_list,
}

EXPECTED_KIND = {Kind.TEXT: "text", Kind.DATE: "date", Kind.JANEJ: "checkbox", Kind.LIST: "text"}


def unusable_tags(ctl: Controls) -> list[str]:
    """The form's control tags that ``ctl`` cannot be filled or read through, in form order: those it lacks,
    and those it holds as the wrong kind of control (a checkbox turned text field, a text field turned
    drop-down …)."""
    unusable = []
    for f in FIELDS:
        for tag in TAGS[f.key]:
            sdt = ctl.get(tag)
            if sdt is None or ooxml.kind_of(sdt) != EXPECTED_KIND[f.kind]:
                unusable.append(tag)
    return unusable


def write_fields(ctl: Controls, values: Mapping[str, Value]) -> None:
    """Write every field's value into its controls."""
    for f in FIELDS:
        WRITERS[f.kind](ctl, f, values.get(f.key))


def read_fields(ctl: ByTag) -> tuple[dict[str, Value], list[str]]:
    """Every field's value read from its controls, and warnings; fields whose controls are missing are skipped."""
    values: dict[str, Value] = {}
    warnings: list[str] = []
    copied = contradicted(ctl)
    for f in FIELDS:
        if any(tag not in ctl for tag in TAGS[f.key]):
            continue
        value, notes = READERS[f.kind](ctl, f)
        values[f.key] = value
        warnings.extend([*notes, *contradictions(copied, f)])
    return values, warnings


def contradicted(ctl: ByTag) -> frozenset[str]:
    """The tags of controls that a later copy contradicts (:attr:`ooxml.Control.contradicted`): as a rule none,
    so looked for once per form, not once per field."""
    return frozenset(tag for tag, control in ctl.items() if control.contradicted)


def contradictions(copied: frozenset[str], f: Field) -> list[str]:
    """A warning when a control of the field is there twice with another answer (a box copied in Word): only the
    first is read, and the other answer is not lost without a word. ``copied``: :func:`contradicted`."""
    if not copied or copied.isdisjoint(TAGS[f.key]):
        return []
    return [f'"{f.column}": fältet finns två gånger i blanketten med olika svar (en kopierad ruta?); '
            "bara det första lästes – kontrollera blanketten"]
