"""Scanned forms: pages as images, straightened, read by local OCR (Tesseract), and the Ja/Nej boxes by their ink.

A scan is an image file (PNG, JPEG, TIFF) or a PDF whose pages hold images and no text. Each page is read in a
guarded worker (:mod:`blankett.guard`), one task per page so that a caller can show progress: the page is loaded
(Pillow, with its decompression-bomb ceiling lowered to :data:`MAX_PAGE_PIXELS`) or rendered (poppler's
``pdftoppm``), straightened, and handed to the ``tesseract`` program on a pipe; its TSV output gives every word
with its box and confidence. Nothing is written to disk and nothing leaves the machine. The ``tesseract`` and
``pdftoppm`` processes get a wall-clock limit per page (:data:`OCR_PAGE_SECONDS`) and die with the worker that
started them (Linux: the parent-death signal), so a stopped batch leaves none behind.

Boxes are not read by OCR (a ☒ is not a letter): the ink inside the square right of each ``Ja``/``Nej`` label
is measured on the page image. Which label belongs to which question is the layout's business (:mod:`pagetext`),
and the answers with their confidences are :mod:`scanread`'s (imported only when a scan is read).
"""

from __future__ import annotations

import contextlib
import ctypes
import io
import os
import re
import signal
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import BlankettError, InputError, os_problem
from .form import BODY_PT
from .pagetext import JA_CM, NEJ_CM
from .staging import size_check

#: Image files read as scans (lower case).
SCAN_ENDINGS = frozenset({".png", ".jpg", ".jpeg", ".tif", ".tiff"})
#: Pages of one scan read at most (the form has four or five; a scan of more is not one form).
MAX_SCAN_PAGES = 12
#: Pixels of one page at most: an A4 page at 600 dpi is 35 million; past this Pillow refuses the image (a small
#: file that decompresses to gigabytes, a "decompression bomb").
MAX_PAGE_PIXELS = 40_000_000
#: Resolution pages are read at: PDF pages are rendered at it, and images scanned coarser are enlarged to it
#: (Tesseract reads 10-point text best when letters are about 30 pixels high).
OCR_DPI = 300
#: Scans coarser than this are not read: 10-point letters are too small to tell apart.
MIN_DPI = 140
#: Wall-clock seconds Tesseract (and pdftoppm) may take for one page; a typed page takes 2–4 s of CPU.
OCR_PAGE_SECONDS = 45
#: A word Tesseract is less sure of than this (0–100) makes its answer one to check by hand.
MIN_CONFIDENCE = 70
#: The most characters of a word OCR may have made of a Ja or Nej label glued to its box ("Nej☑" read as ``Inge``).
LABEL_CHARS = 5
#: Degrees a page may be turned by the scanner and still be straightened.
MAX_SKEW = 6.0
#: Share of dark pixels inside a box (its border left out) from which it counts as ticked; an empty box has
#: none but specks, a typed ☒ about 35 %, a pen's cross or tick more.
TICKED_INK = 0.04
#: Below this share, an empty box; between the two, a box to check by hand.
EMPTY_INK = 0.015
#: The width of an A4 page in points (the unit page words are given in, as a PDF's page text).
A4_WIDTH_PT = 595.28
A4_WIDTH_IN = 8.27
TESSERACT = "tesseract"
PDFTOPPM = "pdftoppm"
NO_TESSERACT = ("skannade blanketter läses med Tesseract, som inte finns på datorn: installera tesseract-ocr och "
                "tesseract-ocr-swe (sudo bash scripts/install-clients.sh)")


class ScanNeeded(BlankettError):
    """A file whose pages are images: read by OCR, page by page (``pages`` of them)."""

    def __init__(self, pages: int) -> None:
        self.pages = pages
        super().__init__(f"skannad blankett, {pages} sidor")


@dataclass(frozen=True)
class OcrWord:
    """One word Tesseract read: its box in pixels of the straightened page, its text and confidence (0–100)."""

    left: int
    top: int
    right: int
    bottom: int
    text: str
    conf: float
    line: int = 0  # Tesseract's block, paragraph and line, as one number: the words of one line of one cell
    grey: bool = False  # printed in grey, as an empty field's hint is (its darkest pixels are far from black)


@dataclass(frozen=True)
class Box:
    """The square found right of a ``Ja``/``Nej`` label (pixels) and the share of ink inside it."""

    label: OcrWord
    left: int
    top: int
    right: int
    bottom: int
    ink: float


@dataclass
class Page:
    """One page read: its words and boxes, its size in pixels and its resolution."""

    number: int
    width: int
    height: int
    dpi: float
    words: list[OcrWord]
    boxes: list[Box]
    skew: float = 0.0
    source_dpi: float = 0.0  # as scanned, before a coarse scan was enlarged

    def as_json(self) -> dict[str, Any]:
        return {"number": self.number, "width": self.width, "height": self.height, "dpi": self.dpi,
                "skew": self.skew, "source_dpi": self.source_dpi, "words": [list(vars(w).values()) for w in self.words],
                "boxes": [[list(vars(b.label).values()), b.left, b.top, b.right, b.bottom, b.ink] for b in self.boxes]}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Page:
        words = [OcrWord(*w) for w in data["words"]]
        boxes = [Box(OcrWord(*b[0]), *b[1:]) for b in data["boxes"]]
        return cls(data["number"], data["width"], data["height"], data["dpi"], words, boxes, data["skew"],
                   data.get("source_dpi", 0.0))

    @property
    def scale(self) -> float:
        """Points per pixel: the page is taken to be A4 wide, whatever resolution it was scanned at."""
        return A4_WIDTH_PT / self.width


# --- processes that die with the worker ------------------------------------------------------------------------


def _die_with_parent() -> None:  # pragma: no cover - runs in the forked child before exec, which saves no coverage
    """In the child before exec: killed when the worker that started it dies (Linux), so none outlives a stop."""
    with contextlib.suppress(Exception):
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


def _run(args: list[str], data: bytes | None, name: str) -> bytes:
    """A helper program's output; a Swedish error when missing, failing or past :data:`OCR_PAGE_SECONDS`."""
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "OMP_THREAD_LIMIT": "1", "LC_ALL": "C.UTF-8"}
    try:
        done = subprocess.run(args, input=data, capture_output=True, timeout=OCR_PAGE_SECONDS, env=env,
                              preexec_fn=_die_with_parent if os.name == "posix" else None, check=False)
    except FileNotFoundError:
        raise InputError(NO_TESSERACT if args[0] == TESSERACT else
                         "PDF-sidor läses som bilder med pdftoppm (poppler-utils), som inte finns på datorn") from None
    except subprocess.TimeoutExpired:
        raise InputError(f"{name} tog mer än {OCR_PAGE_SECONDS} s att läsa (gränsen för en sida)") from None
    if done.returncode != 0:
        raise InputError(f"{name} kunde inte läsas som bild")
    return done.stdout


# --- pages as images --------------------------------------------------------------------------------------------


def _pillow() -> Any:
    """Pillow, its bomb ceiling set to ours (an image past it is an error, not a warning)."""
    from PIL import Image

    Image.MAX_IMAGE_PIXELS = MAX_PAGE_PIXELS // 2  # Pillow raises at twice its ceiling, warns at once
    return Image


def count_pages(path: Path) -> int:
    """How many pages an image file (TIFF: frames) holds; refused when not an image or too many pages."""
    size_check(path)
    image_mod = _pillow()
    try:
        with image_mod.open(path) as img:
            pages = getattr(img, "n_frames", 1)
            _check_pixels(img.size)
    except OSError as exc:
        if isinstance(exc, FileNotFoundError | PermissionError):
            raise InputError(os_problem(exc)) from None
        raise InputError("filen är ingen bild som kan läsas (PNG, JPEG eller TIFF)") from None
    except image_mod.DecompressionBombError:
        raise InputError(_too_big()) from None
    _check_count(pages)
    return int(pages)


def _too_big() -> str:
    return f"bilden är större än {MAX_PAGE_PIXELS // 1_000_000} miljoner bildpunkter per sida och läses inte"


def _check_pixels(size: tuple[int, int]) -> None:
    if size[0] * size[1] > MAX_PAGE_PIXELS:
        raise InputError(_too_big())


def _check_count(pages: int) -> None:
    if pages > MAX_SCAN_PAGES:
        raise InputError(f"den skannade filen har {pages} sidor; en Bilaga 5 har högst {MAX_SCAN_PAGES} och "
                         "filen läses inte")


def _image_page(path: Path, index: int) -> Any:
    """Page ``index`` (0-based) of an image file, in grey, with its resolution (dpi) if the file says."""
    image_mod = _pillow()
    try:
        with image_mod.open(path) as img:
            _check_pixels(img.size)
            img.seek(index)
            grey = img.convert("L")
    except image_mod.DecompressionBombError:
        raise InputError(_too_big()) from None
    except (OSError, EOFError, ValueError):
        raise InputError(f"sidan {index + 1} kan inte läsas som bild") from None
    return grey


def _pdf_page(path: Path, index: int) -> Any:
    """Page ``index`` (0-based) of a PDF rendered in grey at :data:`OCR_DPI` by pdftoppm."""
    image_mod = _pillow()
    number = str(index + 1)
    # -scale-to keeps a hostile page size from rendering a giant bitmap; an A4 page at 300 dpi is 3508 high
    longest = int(11.7 * OCR_DPI)
    data = _run([PDFTOPPM, "-f", number, "-l", number, "-gray", "-scale-to", str(longest), str(path)], None,
                f"sidan {number}")
    try:
        with image_mod.open(io.BytesIO(data)) as img:
            _check_pixels(img.size)
            return img.convert("L")
    except (OSError, image_mod.DecompressionBombError):
        raise InputError(f"sidan {number} kan inte läsas som bild") from None


def _dpi(img: Any) -> float:
    """The page's resolution, taken from its width as A4 portrait (a scan's own dpi tag is often wrong)."""
    return float(min(img.size) / A4_WIDTH_IN)


def _too_coarse(dpi: float) -> str:
    return f"bilden är för grov (ungefär {dpi:.0f} dpi) för att läsas; skanna med 300 dpi"


def _normalised(img: Any) -> Any:
    """Portrait, at least :data:`OCR_DPI` (a coarser scan is enlarged), refused when far too coarse."""
    from PIL import Image

    if img.width > img.height:  # scanned sideways: turned; which way up is Tesseract's to tell (it is not)
        img = img.transpose(Image.Transpose.ROTATE_90)
    dpi = _dpi(img)
    if dpi < MIN_DPI:
        raise InputError(_too_coarse(dpi))
    if dpi < OCR_DPI * 0.9:
        factor = OCR_DPI / dpi
        img = img.resize((round(img.width * factor), round(img.height * factor)), Image.Resampling.LANCZOS)
    return img


# --- straightening, ink ------------------------------------------------------------------------------------------


def otsu(img: Any) -> int:
    """The grey level that best splits ink from paper (Otsu's method over the histogram)."""
    hist = img.histogram()[:256]
    total = sum(hist)
    sum_all = sum(i * h for i, h in enumerate(hist))
    weight = sum_low = 0.0
    best, level = -1.0, 128
    for i, h in enumerate(hist):
        weight += h
        if weight == 0 or weight == total:
            continue
        sum_low += i * h
        mean_low, mean_high = sum_low / weight, (sum_all - sum_low) / (total - weight)
        between = weight * (total - weight) * (mean_low - mean_high) ** 2
        if between > best:
            best, level = between, i
    return level


def _ink(img: Any, level: int) -> Any:
    """A mask: 255 where the page is dark (ink), 0 for paper."""
    return img.point(lambda v: 255 if v <= level else 0)


def _sharpness(mask: Any) -> float:
    """How crisply text lines stand out in a mask's rows: high when the lines run level."""
    from PIL import Image

    rows = list(mask.resize((1, mask.height), Image.Resampling.BOX).get_flattened_data())
    return float(sum((a - b) ** 2 for a, b in zip(rows, rows[1:], strict=False)))


def skew_angle(img: Any, level: int) -> float:
    """The angle (degrees) that levels the page's text lines, found on a small copy of its ink."""
    from PIL import Image

    small = _ink(img.reduce(max(1, img.width // 700)), level)

    def score(angle: float) -> float:
        return _sharpness(small.rotate(angle, resample=Image.Resampling.BILINEAR, fillcolor=0))

    steps = [a / 2 for a in range(int(-MAX_SKEW * 2), int(MAX_SKEW * 2) + 1)]
    best = max(steps, key=score)
    fine = [best + a / 20 for a in range(-10, 11)]
    found: float = max(fine, key=score)
    return round(found, 2)


def straightened(img: Any) -> tuple[Any, float]:
    """The page turned level (white where the turn uncovers the edge), and the angle it was turned by."""
    from PIL import Image, ImageFilter

    img = img.filter(ImageFilter.MedianFilter(3))  # scanner specks off, letters kept
    angle = skew_angle(img, otsu(img))
    if abs(angle) >= 0.1:
        img = img.rotate(angle, resample=Image.Resampling.BICUBIC, fillcolor=255)
    return img, angle


# --- OCR ---------------------------------------------------------------------------------------------------------


def tesseract_words(img: Any, name: str) -> list[OcrWord]:
    """Every word Tesseract reads on the page (Swedish), with its box and confidence."""
    buf = io.BytesIO()
    img.save(buf, format="PNG", dpi=(OCR_DPI, OCR_DPI))
    tsv = _run([TESSERACT, "stdin", "stdout", "-l", "swe", "--dpi", str(OCR_DPI), "--psm", "3", "tsv"],
               buf.getvalue(), name)
    return parse_tsv(tsv.decode("utf-8", "replace"))


def parse_tsv(tsv: str) -> list[OcrWord]:
    """Tesseract's TSV as words (level 5 rows with text), in reading order."""
    words = []
    for row in tsv.splitlines()[1:]:
        cells = row.split("\t")
        if len(cells) < 12 or cells[0] != "5" or not cells[11].strip():
            continue
        left, top, width, height = (int(c) for c in cells[6:10])
        line = int(cells[2]) * 1_000_000 + int(cells[3]) * 1000 + int(cells[4])
        words.append(OcrWord(left, top, left + width, top + height, cells[11].strip(), float(cells[10]), line))
    return words


# --- boxes -------------------------------------------------------------------------------------------------------


def _labels(words: list[OcrWord]) -> list[OcrWord]:
    """Words that are, or start with, ``Ja`` or ``Nej`` (a ☐ read as a letter is often glued to its label)."""
    return [w for w in words if w.text.startswith(("Ja", "Nej")) and len(w.text) <= 5]


def _runs(columns: list[int], least: int) -> list[tuple[int, int]]:
    """Runs of consecutive columns holding at least ``least`` ink pixels, as (first, last+1)."""
    runs, start = [], None
    for i, count in enumerate([*columns, 0]):
        if count >= least and start is None:
            start = i
        elif count < least and start is not None:
            runs.append((start, i))
            start = None
    return runs


def _without_rules(band: Any) -> Any:
    """A band of the page with its table rules (rows inked nearly across) blanked, so they join no columns."""
    from PIL import ImageDraw

    rows = _profile(band, across=False)
    clean = band.copy()
    draw = ImageDraw.Draw(clean)
    for y, count in enumerate(rows):
        if count >= 0.6 * band.width:
            draw.line([(0, y), (band.width, y)], fill=0)
    return clean


def _profile(img: Any, across: bool) -> list[int]:
    """Ink pixels per column (``across``) or per row of a mask."""
    from PIL import Image

    if across:
        size, length = (img.width, 1), img.height
    else:
        size, length = (1, img.height), img.width
    return [round(c / 255 * length) for c in img.resize(size, Image.Resampling.BOX).get_flattened_data()]


def box_side(width: int) -> float:
    """A Ja/Nej box's side in pixels on a page ``width`` pixels wide: one em of the form's body text."""
    return BODY_PT * width / A4_WIDTH_PT


def find_box(mask: Any, label: OcrWord) -> Box | None:
    """The square right of a label, and the ink inside it; None when no square is there."""
    from PIL import Image

    # J, a, N and e reach from the baseline to capital height; only the j of Nej goes below
    cap = label.bottom - label.top if label.text[:2] == "Ja" else round((label.bottom - label.top) * 0.75)
    # the box is a square one em high centred on the line (taller than its capitals, so its top and bottom
    # edges lie above and below them); a label OCR read with the box glued on is as tall as the box itself
    em = box_side(mask.width)
    side = max(em, cap)
    centre = label.top + cap // 2
    half = round(side / 2 + side / 8)  # the box's half-height, its stroke and a little skew left over
    top, bottom = centre - round(side), centre + round(side)
    left, right = label.left, label.left + round(cap * 2.5 + side * 2)
    band = _without_rules(mask.crop((left, top, right, bottom)))
    # columns counted over the box's own height only: a rule just above or below joins no columns, and every
    # column of an empty box is inked by its top and bottom edges
    line = band.crop((0, round(side) - half, band.width, round(side) + half))
    squares = [(a, b) for a, b in _runs(_profile(line, across=True), 1) if 0.6 * cap <= b - a <= 1.3 * side]
    # past the label's letters: capitals are less than an em high, so a taller label has the box glued on
    letters = min(cap, em)
    after_label = [s for s in squares if s[0] > letters * (1.0 if label.text[:2] == "Ja" else 1.6)]
    if not after_label:
        return None
    a, b = after_label[0]
    # the square's rows: the run of inked rows that holds the line's middle (a rule above or below is apart)
    middle = centre - top
    rows = [r for r in _runs(_profile(band.crop((a, 0, b, band.height)), across=False), 1) if r[0] <= middle < r[1]]
    if not rows:
        return None
    x0, x1, y0, y1 = left + a, left + b, top + rows[0][0], top + rows[0][1]
    inset_x, inset_y = max(2, (x1 - x0) // 5), max(2, (y1 - y0) // 5)
    if x1 - x0 <= 2 * inset_x or y1 - y0 <= 2 * inset_y:
        return None
    inside = mask.crop((x0 + inset_x, y0 + inset_y, x1 - inset_x, y1 - inset_y))
    ink = inside.resize((1, 1), Image.Resampling.BOX).getpixel((0, 0)) / 255
    return Box(label, x0, y0, x1, y1, round(float(ink), 4))


def _shade(img: Any, word: OcrWord) -> OcrWord:
    """The word, marked grey when even its darkest tenth of pixels is lighter than :data:`GREY_INK`."""
    pixels = sorted(img.crop((word.left, word.top, word.right, word.bottom)).get_flattened_data())
    if not pixels or pixels[len(pixels) // 10] < GREY_INK:
        return word
    return OcrWord(word.left, word.top, word.right, word.bottom, word.text, word.conf, word.line, True)


#: A grey word's darkest pixels are lighter than this (0 black, 255 white): our hints print at 118, typed text
#: at 0; a scan keeps the difference.
GREY_INK = 70
#: The mark standing for a patch of ink OCR read no word in (pen strokes, a line Tesseract dropped).
UNREAD = "\u2591"
#: Ink patches are looked for in cells of this many pixels across (at OCR_DPI); a typed line fills 15–55 % of a
#: cell's rows, a table rule all of it, a vertical rule or a speck a few percent.
INK_CELL = 40
INK_TEXT_LOW, INK_TEXT_HIGH = 45, 200
#: The line number of words read again from such a patch: their answer is one to check (a patch's edge may cut
#: a letter).
AGAIN = -2


def unread_ink(mask: Any, words: list[OcrWord], boxes: list[Box]) -> list[OcrWord]:
    """Text-like ink where OCR read no word, as :data:`UNREAD` words (a field holding one is to be checked)."""
    from PIL import Image, ImageDraw

    left = mask.copy()
    draw = ImageDraw.Draw(left)
    for w in words:
        draw.rectangle((w.left - 6, w.top - 6, w.right + 6, w.bottom + 6), fill=0)
    for box in boxes:
        draw.rectangle((box.left - 8, box.top - 8, box.right + 8, box.bottom + 8), fill=0)
    cols = max(1, left.width // INK_CELL)
    cells = left.resize((cols, left.height), Image.Resampling.BOX)
    grid = list(cells.get_flattened_data())
    textish = [[INK_TEXT_LOW <= grid[y * cols + x] < INK_TEXT_HIGH for x in range(cols)] for y in range(left.height)]
    bands, start = [], None
    for y, row in enumerate([*textish, [False] * cols]):
        busy = sum(row) >= 2
        if busy and start is None:
            start = y
        elif not busy and start is not None:
            bands.append((start, y))
            start = None
    found = []
    for top, bottom in bands:
        if not 12 <= bottom - top <= 90:
            continue
        hits = [any(textish[y][x] for y in range(top, bottom)) for x in range(cols)]
        for a, b in _runs([int(h) for h in hits], 1):
            if b - a >= 2:
                found.append(OcrWord(a * INK_CELL, top, b * INK_CELL, bottom, UNREAD, 0.0, -1))
    return found


def _read_again(img: Any, patch: OcrWord, name: str) -> list[OcrWord]:
    """A patch of ink OCR read no word in, read again as one line on its own (Tesseract drops a typed line
    beside a block it takes for a picture); its words, marked as read again, or the patch when still unread."""
    margin = 12
    box = (max(0, patch.left - margin), max(0, patch.top - margin), patch.right + margin, patch.bottom + margin)
    buf = io.BytesIO()
    img.crop(box).save(buf, format="PNG", dpi=(OCR_DPI, OCR_DPI))
    tsv = _run([TESSERACT, "stdin", "stdout", "-l", "swe", "--dpi", str(OCR_DPI), "--psm", "7", "tsv"],
               buf.getvalue(), name)
    words = parse_tsv(tsv.decode("utf-8", "replace"))
    if not words or sum(w.conf for w in words) / len(words) < MIN_CONFIDENCE:
        return [patch]
    return [OcrWord(w.left + box[0], w.top + box[1], w.right + box[0], w.bottom + box[1], w.text, w.conf, AGAIN)
            for w in words]


def _box_of(mask: Any, label: OcrWord, words: list[OcrWord]) -> Box | None:
    """The box right of a label; when none is found, again with the label as high as its kind's usual height
    (specks above a word can make OCR's box of it taller)."""
    box = find_box(mask, label)
    if box is not None:
        return box
    kind = label.text[:2]
    heights = sorted(w.bottom - w.top for w in _labels(words) if w.text[:2] == kind)
    usual = heights[len(heights) // 2]
    if abs((label.bottom - label.top) - usual) <= usual // 8:
        return None
    return find_box(mask, OcrWord(label.left, label.bottom - usual, label.right, label.bottom, label.text,
                                  label.conf, label.line, label.grey))


def partner_boxes(mask: Any, words: list[OcrWord], boxes: list[Box]) -> list[Box]:
    """The other box of each Ja/Nej pair whose label OCR misread (a ``Nej`` read as ``NS`` merged with the line
    above): the layout puts the Nej column a fixed distance right of the Ja column, so a found box's partner is
    looked for where its label must be."""
    apart = (NEJ_CM - JA_CM) / 2.54 * 72 * mask.width / A4_WIDTH_PT  # pixels between the two labels' left edges
    em = box_side(mask.width)
    found = []
    for box in boxes:
        ja = box.label.text.startswith("Ja")
        left = box.label.left + round(apart if ja else -apart)
        middle = (box.top + box.bottom) / 2
        if any(abs(w.left - left) < em and w.top <= middle <= w.bottom for w in _labels(words)):
            continue  # its partner's label was read: its box (or why there is none) is already known
        cap = round(em * 0.7)  # the label's capitals, centred on the box as the layout centres them
        height = cap if not ja else round(cap / 0.75)  # find_box takes a Nej's capitals as 3/4 of its height
        top = round(middle - cap / 2)
        label = OcrWord(left, top, left + round(em * (1.5 if ja else 1.0)), top + height, "Nej" if ja else "Ja",
                        0.0, box.label.line)
        if (partner := find_box(mask, label)) is not None:
            found.append(partner)
    return found


def misread_labels(mask: Any, words: list[OcrWord]) -> list[OcrWord]:
    """The words, each one OCR misread where a ``Ja`` or ``Nej`` label stands put right when a box is beside it.

    A label's column is where this page's other labels of its kind start (the layout puts them all there). A word
    starting there that OCR was unsure of, short as a label glued to its box is, on a row with no such label read, is
    that label when :func:`find_box` finds the box right of it: a dithered grey row above made OCR read "Ja☐" as
    ``al]`` and "Nej☑" as ``Inge`` (and the question beside them, its companion ``Ja`` missing, was not found)."""
    labels = _labels(words)
    em = box_side(mask.width)
    out = list(words)
    for kind in ("Ja", "Nej"):
        same = [w for w in labels if w.text.startswith(kind)]
        if len(same) < 2:
            continue  # no column to go by
        column = sorted(w.left for w in same)[len(same) // 2]
        height = sorted(w.bottom - w.top for w in same)[len(same) // 2]
        width = sorted(w.right - w.left for w in same)[len(same) // 2]
        for i, w in enumerate(out):
            if w in labels or w.conf >= MIN_CONFIDENCE or len(w.text) > LABEL_CHARS or abs(w.left - column) >= em \
                    or any(lb.text.startswith(kind) and w.top <= (lb.top + lb.bottom) / 2 <= w.bottom
                           for lb in _labels(out)):
                continue
            label = OcrWord(column, w.bottom - height, column + width, w.bottom, kind, w.conf, w.line, w.grey)
            if find_box(mask, label) is not None:
                out[i] = label
    return out


def read_page(img: Any, number: int, name: str) -> Page:
    """One page image read: straightened, its words by OCR and its boxes by ink."""
    source_dpi = _dpi(img) if img.width <= img.height else img.height / A4_WIDTH_IN
    img = _normalised(img)
    img, angle = straightened(img)
    words = [_shade(img, w) for w in tesseract_words(img, f"sidan {number}")]
    mask = _ink(img, otsu(img))
    words = misread_labels(mask, words)
    boxes = [box for label in _labels(words) if (box := _box_of(mask, label, words)) is not None]
    boxes += partner_boxes(mask, words, boxes)
    words += [w for patch in unread_ink(mask, words, boxes) for w in _read_again(img, patch, f"sidan {number}")]
    return Page(number, img.width, img.height, _dpi(img), words, boxes, angle, source_dpi)


def load_page(path: Path, index: int) -> Any:
    """Page ``index`` (0-based) of a scan as a grey image."""
    if path.suffix.lower() == ".pdf":
        return _pdf_page(path, index)
    return _image_page(path, index)


# --- a guarded worker's tasks (JSON in and out) ------------------------------------------------------------------


def _page_task(path: str, index: int) -> dict[str, Any]:
    """One page of a scan read (a guarded worker's task): words, boxes, size."""
    p = Path(path)
    try:
        scanned = _pdf_image_dpi(p, index) if p.suffix.lower() == ".pdf" else 0.0  # rendered at OCR_DPI: the
        if scanned and scanned < MIN_DPI:                                         # scan's own resolution counts
            raise InputError(_too_coarse(scanned))
        page = read_page(load_page(p, index), index + 1, p.name)
        page.source_dpi = scanned or page.source_dpi
        return page.as_json()
    except BlankettError as exc:  # said in Swedish to the caller (a worker names only an exception's class)
        return {"error": str(exc)}


def _pdf_image_dpi(path: Path, index: int) -> float:
    """The resolution of the widest image on a PDF page (pixels per inch of the page's width), 0 if none."""
    from pypdf import PdfReader

    try:
        page = PdfReader(path).pages[index]
        inches = float(page.mediabox.width) / 72
        images = page["/Resources"].get_object()["/XObject"].get_object().values()  # type: ignore[index]
        widths = [int(x.get_object()["/Width"]) for x in images if x.get_object().get("/Subtype") == "/Image"]
    except Exception:  # noqa: BLE001 - unknown: the rendered page's own resolution stands
        return 0.0
    return max(widths) / inches if widths and inches > 0 else 0.0


def read_pages(run: Callable[[str, int], dict[str, Any]], path: Path, pages: int,
               on_page: Callable[[int, int], None] | None = None) -> list[Page]:
    """Every page of a scan, each read by ``run`` (a guarded worker), reporting each one done to ``on_page``."""
    done = []
    if on_page is not None:
        on_page(0, pages)  # shown before the first page's seconds
    for index in range(pages):
        page = run(str(path), index)
        if "error" in page:
            raise InputError(page["error"])
        done.append(Page.from_json(page))
        if on_page is not None:
            on_page(index + 1, pages)
    return done


def scanned_pdf(data: bytes, name: str) -> None:
    """Raise :class:`ScanNeeded` for a PDF without text whose pages draw images (a scan); else return."""
    from pypdf import PdfReader

    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        pages = len(reader.pages)
        images = any("/XObject" in (page.get("/Resources") or {}) for page in reader.pages[:MAX_SCAN_PAGES + 1])
    except MemoryError:
        raise
    except Exception:  # noqa: BLE001 - any parser failure is a broken file
        raise InputError(f"{name}: PDF-filen är trasig och kan inte läsas") from None
    if images and pages:
        _check_count(pages)
        raise ScanNeeded(pages)


def read_image(path: Path) -> tuple[dict[str, Any], list[str]]:
    """An image file: always a scan, read page by page by OCR (:class:`ScanNeeded` says how many pages)."""
    raise ScanNeeded(count_pages(path))


# --- pages scanned as separate image files ----------------------------------------------------------------------

#: The page number the form's header prints at its top right, ``2(5)``: page 2 of 5 (the form has fewer than ten).
#: OCR often drops the ``(`` or reads it as ``0`` (``25)``, ``205)`` for ``2(5)``); the closing one it keeps.
_HEADER_NUMBER = re.compile(r"^(\d)[(\[{0]?(\d)[)\]}]$")
#: The header's page number is looked for in this top share of the page (the header table is above 10 %).
HEADER_SHARE = 0.12


def page_header(page: Page) -> tuple[int, int] | None:
    """The page's own printed number and page count, ``(2, 5)`` for ``2(5)``, as OCR read its header; None when
    OCR found no such number where the header prints it (top right), or an impossible one."""
    found = {(int(m[1]), int(m[2])) for w in page.words
             if w.bottom < page.height * HEADER_SHARE and w.left > page.width / 2
             and (m := _HEADER_NUMBER.match(w.text)) is not None}
    if len(found) != 1:
        return None
    number, count = found.pop()
    return (number, count) if 1 <= number <= count <= MAX_SCAN_PAGES else None


def continues(before: tuple[int, int] | None, after: tuple[int, int] | None) -> bool:
    """True when a page headed ``after`` may be a later page of the form a page headed ``before`` is of (the same
    page count, a higher number: a page between them may be missing)."""
    return before is not None and after is not None and after[1] == before[1] and after[0] > before[0]


def pages_missing(headers: list[tuple[int, int]]) -> list[int]:
    """The page numbers that consecutive pages' headers say the form has and none of them is."""
    count = headers[0][1]
    return [n for n in range(1, count + 1) if (n, count) not in headers]
