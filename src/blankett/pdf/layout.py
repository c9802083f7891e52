"""Layout of an answer in its field: character widths, line wrapping, font size, and the appearance drawn.

Pure text and numbers (no PDF object): the direct writer, the flattener, the continuation pages and the mends
of LibreOffice's export all lay out an answer here, so each shows it the same way.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass

from .common import FONT

#: Helvetica's advance widths (1/1000 em) for ASCII 32–126, from Adobe's core-14 metrics.
_HELVETICA = [
    278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278, 556, 556, 556, 556, 556, 556, 556,
    556, 556, 556, 278, 278, 584, 584, 584, 556, 1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833,
    722, 778, 667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556, 333, 556, 556, 500, 556,
    556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556, 556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334,
    260, 334, 584,
]
#: The other WinAnsi characters that are not as wide as their base letter (å is as wide as a, Ö as O), as
#: Liberation Sans draws them (the embedded answer font: Helvetica's widths but for · ¯ ± ÷ µ).
_HELVETICA_OTHER = {ch: width for width, chars in {
    222: "‚‘’", 260: "¦", 278: "ìíîï", 333: "·„ˆ‹“”˜›¡¨\xad²³´¸¹", 350: "•", 365: "º", 370: "ª", 400: "°", 537: "¶",
    549: "±÷", 552: "¯", 556: "€ƒ†‡–¢£¤¥§«»ðþ", 576: "µ", 584: "¬×", 611: "¿ßø", 667: "Þ", 722: "Ð", 737: "©®", 778: "Ø", 834: "¼½¾",
    889: "æ", 944: "œ", 1000: "…‰Œ—™Æ",
}.items() for ch in chars}
#: Answers are drawn in 10 pt, made smaller down to 7 pt to fit their box, never smaller.
FONT_SIZE, MIN_FONT_SIZE = 10.0, 7.0
#: Space left and right of the text, above and below it; line height; ascent (of Å, not only A) and descent, in em.
_PAD, _VPAD, _LEADING, _ASCENT, _DESCENT = 2.0, 1.0, 1.15, 0.9, 0.21


@functools.lru_cache(maxsize=4096)
def _char_width(ch: str) -> float:
    """Width of one WinAnsi character in Helvetica, in 1/1000 em."""
    if " " <= ch <= "~":
        return _HELVETICA[ord(ch) - 32]
    if ch in _HELVETICA_OTHER:
        return _HELVETICA_OTHER[ch]
    base = unicodedata.normalize("NFKD", ch)[:1]
    return _HELVETICA[ord(base) - 32] if " " <= base <= "~" else 556


def text_width(text: str, size: float) -> float:
    """Width in points of WinAnsi ``text`` in Helvetica at ``size``."""
    return sum(_char_width(ch) for ch in text) * size / 1000


def winansi(text: str) -> tuple[str, bool]:
    """``text`` as the standard font can show it, and whether anything had to be replaced.

    Swedish letters, “ ” – … € are WinAnsi and stay; a letter with a mark the font lacks loses the mark
    (ş becomes s); anything else, such as ł, ☒ or emoji, becomes ``?``. Tabs become spaces.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    if _PLAIN.fullmatch(text):  # the usual answer: nothing to replace, no character looked at one by one
        return text, False
    out, replaced = [], False
    for ch in text:
        if ch == "\n" or _encodable(ch):
            out.append(ch)
            continue
        base = "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c))
        out.append(base if base and all(_encodable(c) for c in base) else "?")
        replaced = True
    return "".join(out), replaced


#: Text that needs no replacing: line breaks, printable ASCII and Latin-1 (all WinAnsi).
_PLAIN = re.compile("[\n\x20-\x7e\xa0-\xff]*")


def _encodable(ch: str) -> bool:
    """Whether one character is a printable WinAnsi character."""
    if ch < " " or "\x7f" <= ch < "\xa0":
        return False
    try:
        ch.encode("cp1252")
    except UnicodeEncodeError:
        return False
    return True


def _wrap(text: str, size: float, width: float) -> list[str]:
    """``text`` broken into lines no wider than ``width``: at its line breaks, between words, inside too long words."""
    lines = []
    space = _char_width(" ")
    for paragraph in text.split("\n"):
        line, units = "", 0.0  # the line's width in 1/1000 em, summed word by word (no kerning: the same sum)
        for word in paragraph.split(" "):
            word_units = sum(_char_width(ch) for ch in word)
            candidate_units = units + space + word_units if line else word_units
            if candidate_units * size / 1000 <= width:
                line, units = (f"{line} {word}" if line else word), candidate_units
                continue
            if line:
                lines.append(line)
            *whole, (line, units) = _cut(word, size, width)
            lines.extend(piece for piece, _ in whole)
        lines.append(line)
    return lines


def _cut(word: str, size: float, width: float) -> list[tuple[str, float]]:
    """A word in pieces no wider than ``width`` (each at least one character), with each piece's width in 1/1000
    em: one pass over its characters (measuring the rest of the word again for every line made a 100 000
    character answer without a space take 36 s to lay out, and a 1 MB one an hour)."""
    pieces: list[tuple[str, float]] = []
    start, units = 0, 0.0
    for i, ch in enumerate(word):
        char_units = _char_width(ch)
        if i > start and (units + char_units) * size / 1000 > width:
            pieces.append((word[start:i], units))
            start, units = i, 0.0
        units += char_units
    pieces.append((word[start:], units))
    return pieces


def _lines_fitting(height: float, size: float) -> int:
    """How many lines of ``size`` fit in a box ``height`` high."""
    room = height - 2 * _VPAD - (_ASCENT + _DESCENT) * size
    return 0 if room < 0 else 1 + int(room / (_LEADING * size) + 1e-6)


@dataclass
class Layout:
    """An answer laid out in its box: font size, lines, and whether all of it fits."""

    size: float
    lines: list[str]
    fits: bool


def layout(text: str, width: float, height: float, multiline: bool, minimum: float = MIN_FONT_SIZE) -> Layout:
    """The largest size from 10 pt down to 7 pt at which ``text`` fits the box, wrapped; what fits at 7 pt if not.

    A single-line field's line breaks become spaces; its text still wraps where the box is tall enough.
    """
    text = text if multiline else " ".join(text.split("\n"))
    size = FONT_SIZE
    while True:
        lines = _wrap(text, size, width - 2 * _PAD)
        room = _lines_fitting(height, size)
        if len(lines) <= room or size <= minimum:
            break
        size = max(minimum, size - 0.5)
    return Layout(size, lines[:max(1, room)], len(lines) <= room)


def _pdf_string(text: str) -> bytes:
    """A PDF literal string of WinAnsi text, non-ASCII bytes as octal escapes."""
    out = bytearray(b"(")
    for byte in text.encode("cp1252"):
        if byte in b"()\\":
            out += b"\\" + bytes([byte])
        elif 32 <= byte < 127:
            out.append(byte)
        else:
            out += b"\\%03o" % byte
    return bytes(out + b")")


def _number(value: float) -> bytes:
    """A number for a content stream, without a float's noise."""
    return (f"{value:.3f}".rstrip("0").rstrip(".") or "0").encode()



def appearance_body(width: float, height: float, shown: Layout | None) -> bytes:
    """The content of a text field's appearance: the laid-out lines in :data:`FONT`, clipped to the box."""
    body = b"/Tx BMC\n"
    if shown is not None and any(shown.lines):
        size, n = shown.size, _number
        lead = _LEADING * size
        one_line = _lines_fitting(height, size) <= 1  # a one-line box: the line in the middle, else from the top
        top = (height - (_ASCENT - _DESCENT) * size) / 2 if one_line else height - _VPAD - _ASCENT * size
        body += b"q\n0 0 %s %s re W n\nBT\n%s %s Tf\n0 g\n%s TL\n%s %s Td\n" % (
            n(width), n(height), FONT.encode(), n(size), n(lead), n(_PAD), n(top))
        body += b"\nT*\n".join(_pdf_string(line) + b" Tj" for line in shown.lines)
        body += b"\nET\nQ\n"
    return body + b"EMC\n"



def shown_warnings(label: str, fits: bool, replaced: bool) -> list[str]:
    """The Swedish warnings for an answer drawn only in part, or with characters the font lacks."""
    warnings = []
    if not fits:
        warnings.append(f"fältet ”{label}”: svaret får inte plats i sin ruta i PDF:en ens med "
                        f"{MIN_FONT_SIZE:g} punkters text och syns bara delvis på sidan (hela svaret finns kvar "
                        "i fältet)")
    if replaced:
        warnings.append(f"fältet ”{label}”: tecken som PDF:ens typsnitt saknar visas som ? på sidan (svaret i "
                        "fältet är oförändrat)")
    return warnings

