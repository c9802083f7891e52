"""The answers' font: Liberation Sans, embedded in the blank PDF as a WinAnsi subset with ToUnicode.

The subset is made once, when the blank PDF is made (it then travels inside
every filled copy), so filling needs no font file. Liberation Sans has
Helvetica's advance widths, so :func:`.layout.layout` measures it right.
Embedding a subset in a document is what the SIL Open Font License allows
without renaming the font; no font file is shipped or changed.
"""

from __future__ import annotations

import io
import logging
import shutil
import subprocess
from pathlib import Path
from typing import Any

from pypdf import PdfWriter
from pypdf.generic import (
    ArrayObject,
    DictionaryObject,
    FloatObject,
    IndirectObject,
    NameObject,
    NumberObject,
    StreamObject,
)

from ..errors import BlankettError
from .pypdf_private import add_object

#: Where Debian's fonts-liberation2 (scripts/install-clients.sh) and LibreOffice's own copy put the regular face.
FONT_PATHS = (
    Path("/usr/share/fonts/truetype/liberation2/LiberationSans-Regular.ttf"),
    Path("/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf"),
    Path("/usr/lib/libreoffice/share/fonts/truetype/LiberationSans-Regular.ttf"),
    Path("/opt/libreoffice/share/fonts/truetype/LiberationSans-Regular.ttf"),
)
#: The subset's name in the PDF: a tag of six capitals, then the font's PostScript name (ISO 32000-1, 9.6.4).
BASE_FONT = "BLKTTF+LiberationSans"
FIRST, LAST = 32, 255


def winansi_chars() -> dict[int, str]:
    """The printable WinAnsi codes and their characters (the 5 codes cp1252 leaves empty left out)."""
    out = {}
    for code in range(FIRST, LAST + 1):
        try:
            out[code] = bytes([code]).decode("cp1252")
        except UnicodeDecodeError:
            continue
    return out


def font_file() -> Path:
    """The Liberation Sans regular font file on this machine; a Swedish error naming what to install if missing."""
    for path in FONT_PATHS:
        if path.is_file():
            return path
    found = shutil.which("fc-match")
    if found:
        try:
            out = subprocess.run([found, "-f", "%{file}", "Liberation Sans:style=Regular"], capture_output=True,
                                 text=True, timeout=10, check=False).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            out = ""
        if out.endswith(".ttf") and "LiberationSans" in out and Path(out).is_file():
            return Path(out)
    raise BlankettError("typsnittet Liberation Sans saknas (behövs en gång för att göra den tomma PDF:en); "
                        "installera paketet fonts-liberation2")


def subset(source: Path | None = None) -> tuple[bytes, dict[int, int], dict[str, Any]]:
    """The WinAnsi subset as TrueType bytes, the advance width per code (1/1000 em) and the descriptor's metrics."""
    from fontTools import subset as ft_subset
    from fontTools.ttLib import TTFont

    font = TTFont(str(source or font_file()))
    cmap = font.getBestCmap()
    scale = 1000 / font["head"].unitsPerEm
    chars = winansi_chars()
    widths = {code: round(font["hmtx"][cmap[ord(ch)]][0] * scale) if ord(ch) in cmap else 0
              for code, ch in chars.items()}
    head, os2, post = font["head"], font["OS/2"], font["post"]
    metrics = {
        "Ascent": round(os2.sTypoAscender * scale if not font["hhea"].ascent else font["hhea"].ascent * scale),
        "Descent": round(font["hhea"].descent * scale),
        "CapHeight": round(getattr(os2, "sCapHeight", 0) * scale) or 729,
        "ItalicAngle": float(post.italicAngle),
        "bbox": [round(v * scale) for v in (head.xMin, head.yMin, head.xMax, head.yMax)],
    }
    options = ft_subset.Options()
    options.hinting = False  # the answers are drawn at 7–10 pt on paper and screen; hints only add bytes
    options.layout_features = []
    options.name_IDs = ["*"]  # the copyright and licence names stay in the embedded subset
    options.notdef_outline = True
    subsetter = ft_subset.Subsetter(options)
    subsetter.populate(unicodes=[ord(ch) for ch in chars.values()])
    logger = logging.getLogger("fontTools.subset")
    before, logger.disabled = logger.disabled, True  # it tells stderr of tables it drops (FFTM): not for users
    try:
        subsetter.subset(font)
    finally:
        logger.disabled = before
    out = io.BytesIO()
    font.save(out)
    return out.getvalue(), widths, metrics


def to_unicode() -> bytes:
    """A ToUnicode CMap for the WinAnsi codes, so copied and extracted text is the text drawn."""
    pairs = [f"<{code:02X}> <{ord(ch):04X}>" for code, ch in winansi_chars().items()]
    body = []
    for start in range(0, len(pairs), 100):  # at most 100 entries per bfchar block
        chunk = pairs[start:start + 100]
        body.append(f"{len(chunk)} beginbfchar\n" + "\n".join(chunk) + "\nendbfchar")
    return ("/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n"
            "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
            "/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n"
            "1 begincodespacerange\n<00> <FF>\nendcodespacerange\n" + "\n".join(body) +
            "\nendcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n").encode("ascii")


def add_font(writer: PdfWriter) -> IndirectObject:
    """The embedded subset as a simple TrueType font object in ``writer`` (WinAnsi, widths, ToUnicode)."""
    data, widths, metrics = subset()
    program = StreamObject()
    program.set_data(data)
    program[NameObject("/Length1")] = NumberObject(len(data))
    program = program.flate_encode()
    cmap = StreamObject()
    cmap.set_data(to_unicode())
    descriptor = DictionaryObject({
        NameObject("/Type"): NameObject("/FontDescriptor"),
        NameObject("/FontName"): NameObject(f"/{BASE_FONT}"),
        NameObject("/Flags"): NumberObject(32),  # nonsymbolic: codes are WinAnsi characters
        NameObject("/FontBBox"): ArrayObject(NumberObject(v) for v in metrics["bbox"]),
        NameObject("/ItalicAngle"): FloatObject(metrics["ItalicAngle"]),
        NameObject("/Ascent"): NumberObject(metrics["Ascent"]),
        NameObject("/Descent"): NumberObject(metrics["Descent"]),
        NameObject("/CapHeight"): NumberObject(metrics["CapHeight"]),
        NameObject("/StemV"): NumberObject(80),
        NameObject("/FontFile2"): add_object(writer, program),
    })
    font = DictionaryObject({
        NameObject("/Type"): NameObject("/Font"), NameObject("/Subtype"): NameObject("/TrueType"),
        NameObject("/BaseFont"): NameObject(f"/{BASE_FONT}"),
        NameObject("/Encoding"): NameObject("/WinAnsiEncoding"),
        NameObject("/FirstChar"): NumberObject(FIRST), NameObject("/LastChar"): NumberObject(LAST),
        NameObject("/Widths"): ArrayObject(NumberObject(widths.get(code, 0)) for code in range(FIRST, LAST + 1)),
        NameObject("/FontDescriptor"): add_object(writer, descriptor),
        NameObject("/ToUnicode"): add_object(writer, cmap.flate_encode()),
    })
    return add_object(writer, font)
