"""The per-kind conversions, used by every stage so that they can never disagree.

``parse`` turns what a person or a program gave (JSON value, Excel cell, CSV
text, text typed into a Word control) into the record's value; ``to_text``
turns a value back into the plain text written in CSV cells and in Word.
Errors are :class:`ValueError` with a Swedish message about the value only;
the caller adds file, row and field.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import sys
from collections.abc import Callable
from typing import Any

from .form import LIST_ITEMS, Kind

#: One answer once parsed: text (also "Ja" or "Nej"), a date, a list's points, or None (not answered).
Value = str | dt.date | list[str] | None
#: A record's validated answers by field key.
Values = dict[str, Value]
#: The Swedish lines a value of the wrong type gets (the record's validation says them too).
NOT_TEXT = "värdet är ingen text"
NOT_A_LIST = "värdet är ingen lista"
TOO_MANY_ITEMS = f"högst {LIST_ITEMS} punkter får plats"

#: The most characters of a bad value a message quotes: enough to find it, and the message stays a line a person
#: reads (a whole 300 kB cell was quoted).
QUOTED_CHARS = 60


def quoted(value: Any) -> str:
    """A bad value as a message quotes it: on one line (its line breaks as spaces), at most :data:`QUOTED_CHARS`
    characters and then …, a truth value as JSON spells it (Python's is "True")."""
    if isinstance(value, bool):
        text = "true" if value else "false"
    else:
        try:
            text = str(value)
        except ValueError:  # a whole number past Python's 4 300 digits, which it refuses to write, in English
            return f"talet med fler än {sys.get_int_max_str_digits()} siffror"
    text = " ".join(text.splitlines())
    return f'"{text[:QUOTED_CHARS]}…"' if len(text) > QUOTED_CHARS else f'"{text}"'


JA, NEJ = "Ja", "Nej"
#: The spellings of Ja and Nej that every reader takes, in any case (the API's description names them).
JA_WORDS = frozenset({"ja", "j", "x", "true", "sant", "1", "yes", "☒", "☑", "✓", "✔"})
NEJ_WORDS = frozenset({"nej", "n", "false", "falskt", "0", "no"})

# Characters XML 1.0 cannot hold: C0 controls but TAB/LF/CR, lone surrogates, U+FFFE/U+FFFF.
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def clean_text(text: str) -> tuple[str, int]:
    """Text with Windows/Mac line ends made ``\\n`` and XML-illegal characters dropped; and how many were dropped."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    cleaned, n = _XML_ILLEGAL.subn("", text)
    return cleaned, n


def _number_text(value: float | int) -> str:
    """A number as the text it answers with; one that is no answer (NaN, infinite, past Python's 4 300 digits
    for a whole number in text, which it refuses in English) is refused in Swedish."""
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"{quoted(value)} är inget tal som kan vara ett svar (skriv svaret som text)")
    try:
        return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)
    except ValueError:  # checked from the number's size before any digit is made, so a huge one costs nothing
        raise ValueError(f"{quoted(value)} kan inte vara ett svar") from None  # quoted names its digits


def parse_text(value: Any) -> str | None:
    """A free-text answer: ``None`` when empty, else the text exactly as given."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValueError(f"{quoted(value)} är ingen text")
    if isinstance(value, (int, float)):
        value = _number_text(value)
    if isinstance(value, (dt.date, dt.datetime)):
        value = value.isoformat()
    if not isinstance(value, str):
        raise ValueError(NOT_TEXT)
    return value if value != "" else None


def parse_janej(value: Any) -> str | None:
    """``"Ja"``, ``"Nej"`` or ``None`` (not answered) from the spellings people use."""
    if value is None:
        return None
    if isinstance(value, bool):
        return JA if value else NEJ
    if isinstance(value, (int, float)) and value in (0, 1):
        return JA if value == 1 else NEJ
    if isinstance(value, str):
        word = value.strip().lower()
        if word == "":
            return None
        if word in JA_WORDS:
            return JA
        if word in NEJ_WORDS:
            return NEJ
    raise ValueError(f"{quoted(value)} är inte Ja eller Nej")


_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_COMPACT = re.compile(r"(\d{4})(\d{2})(\d{2})")
_SLASH = re.compile(r"(\d{1,2})/(\d{1,2})[ ]+(\d{4})")
# Swedish spellings people type into a date control: 12/3-2026, 12.3.2026, 2026.03.12, 2026/03/12
_SV_NUMERIC = (
    (re.compile(r"(\d{1,2})/(\d{1,2})\s*-\s*(\d{4})"), (3, 2, 1)),
    (re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})"), (3, 2, 1)),
    (re.compile(r"(\d{4})[./](\d{1,2})[./](\d{1,2})"), (1, 2, 3)),
)
_MONTHS = ("januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti", "september", "oktober",
           "november", "december")
# "12 mars 2026", "den 3 jan. 2026", "3:e maj 2026", "måndag 2 mars 2026"
_SV_WORDS = re.compile(r"(?:\w+dag\s+)?(?:den\s+)?(\d{1,2})(?::[ae])?\s+([a-zåäö]+)\.?\s+(\d{4})", re.IGNORECASE)


def _swedish_date(text: str) -> dt.date | None:
    """A date in one of the Swedish spellings above, or None."""
    for pattern, order in _SV_NUMERIC:
        m = pattern.fullmatch(text)
        if m:
            y, mo, d = (int(m.group(i)) for i in order)
            return _date_or_none(y, mo, d)
    m = _SV_WORDS.fullmatch(text)
    if m is None:
        return None
    word = m.group(2).lower()
    months = [n for n, name in enumerate(_MONTHS, start=1) if len(word) >= 3 and name.startswith(word)]
    return _date_or_none(int(m.group(3)), months[0], int(m.group(1))) if len(months) == 1 else None


def _date_or_none(y: int, mo: int, d: int) -> dt.date | None:
    try:
        return dt.date(y, mo, d)
    except ValueError:
        return None


def parse_date(value: Any) -> dt.date | None:
    """A date from ``ÅÅÅÅ-MM-DD``, ``ÅÅÅÅMMDD``, ``D/M ÅÅÅÅ``, a Swedish spelling or an Excel date.

    The one date parser: input to ``fill`` (JSON, Excel, CSV) and text typed into a returned form
    (``extract``) accept the same spellings: ``12/3-2026``, ``12.3.2026``, ``2026.03.12``, ``12 mars 2026``.
    """
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        value = _number_text(value)
    if isinstance(value, str):
        text = value.strip()
        if text == "":
            return None
        for pattern, order in ((_ISO, (1, 2, 3)), (_COMPACT, (1, 2, 3)), (_SLASH, (3, 2, 1))):
            m = pattern.fullmatch(text)
            if m:
                y, mo, d = (int(m.group(i)) for i in order)
                try:
                    return dt.date(y, mo, d)
                except ValueError:
                    break
        # an ISO date with a time part, as some programs export it
        m = re.fullmatch(r"(\d{4}-\d{2}-\d{2})[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?", text)
        if m:
            return dt.date.fromisoformat(m.group(1))
        found = _swedish_date(text)  # 12/3-2026, 12.3.2026, 2026.03.12, 12 mars 2026
        if found is not None:
            return found
    raise ValueError(f"{quoted(value)} är inget giltigt datum (skriv ÅÅÅÅ-MM-DD)")


def parse_list(value: list[Any] | None) -> list[str]:
    """Up to four one-line items; None items and empty ones are dropped.

    Only a list gets here: the model refuses any other value with :data:`NOT_A_LIST` first, and a spreadsheet's
    reader splits its cell into lines before that (load._cell).
    """
    items = []
    for item in value or ():
        if item is None:
            continue
        if not isinstance(item, str):
            raise ValueError("varje punkt i listan ska vara en text")
        if "\n" in item or "\r" in item:
            raise ValueError("en punkt i listan får inte innehålla radbrytningar")
        if item.strip() != "":
            items.append(item)
    if len(items) > LIST_ITEMS:
        raise ValueError(f"{TOO_MANY_ITEMS}, här finns {len(items)}")
    return items


#: What separates the values of a multi-choice field in one cell or document property: ; , or a new line.
CHOICE_SEPARATORS = re.compile(r"[;,\r\n]")
#: How a multi-choice field's values are joined in a cell, a CSV field and a document property.
CHOICE_JOIN = "; "


def parse_choices(value: Any) -> list[str]:
    """A multi-choice field's values as given (a list, or one text with ``;``, ``,`` or new lines between them),
    trimmed, empty ones dropped; the model checks them against the field's allowed values."""
    if value is None:
        return []
    if isinstance(value, str):
        items = CHOICE_SEPARATORS.split(value)
    elif isinstance(value, (list, tuple)):
        items = []
        for item in value:
            if item is None:
                continue
            if not isinstance(item, str):
                raise ValueError("varje värde i listan ska vara en text")
            items.extend(CHOICE_SEPARATORS.split(item))
    else:
        raise ValueError(NOT_A_LIST)
    return [i.strip() for i in items if i.strip() != ""]


def text_of(kind: Kind, value: Value) -> str:
    """The plain text of a value, as written to CSV and shown in Word ('' when empty)."""
    if value is None:
        return ""
    if kind is Kind.DATE and isinstance(value, dt.date):
        return value.isoformat()
    if kind is Kind.LIST and isinstance(value, list):
        return "\n".join(value)
    if kind is Kind.CHOICES and isinstance(value, list):
        return CHOICE_JOIN.join(value)
    return str(value)


def _clean(text: str) -> bool:
    return "\r" not in text and _XML_ILLEGAL.search(text) is None


def _text_ready(value: Any) -> bool:
    return value is None or (type(value) is str and value != "" and _clean(value))


def _list_ready(value: Any) -> bool:
    return type(value) is list and len(value) <= LIST_ITEMS and all(
        type(item) is str and item.strip() != "" and "\n" not in item and _clean(item) for item in value)


def _choices_ready(value: Any) -> bool:
    return type(value) is list and all(
        type(item) is str and item == item.strip() != "" and CHOICE_SEPARATORS.search(item) is None
        and _clean(item) for item in value)


#: Per kind: is the value already what cleaning and parsing would make of it? (Then both are skipped.)
READY: dict[Kind, Callable[[Any], bool]] = {
    Kind.TEXT: _text_ready,
    Kind.JANEJ: lambda value: value is None or value == JA or value == NEJ,
    Kind.DATE: lambda value: value is None or type(value) is dt.date,
    Kind.LIST: _list_ready,
    Kind.CHOICES: _choices_ready,
}

PARSERS: dict[Kind, Callable[[Any], Any]] = {
    Kind.TEXT: parse_text,
    Kind.JANEJ: parse_janej,
    Kind.DATE: parse_date,
    Kind.LIST: parse_list,
    Kind.CHOICES: parse_choices,
}
