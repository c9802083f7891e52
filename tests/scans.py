"""Scanned forms for tests and the OCR benchmark: our own filled PDFs rendered by pdftoppm, then put through what a
scanner and a printer do to a page (turned a few degrees, specks, blur, a JPEG round trip). No pytest here, so that
``benchmarks/ocr.py`` can import it.
"""

from __future__ import annotations

import difflib
import io
import random
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from statistics import NormalDist
from typing import Any

from PIL import Image, ImageChops, ImageFilter

from blankett.form import FIELDS, Kind
from blankett.readback import Result
from blankett.scanread import CHECK, COARSE
from tests.clients import program

#: A form whose answers are ordinary office Swedish: names, times, places, å ä ö, and Ja/Nej answered both ways
#: with one question left open (the 18 boxes are then 8 Ja/Nej pairs and one empty pair).
SCAN_RECORD: dict = {
    "rapporterad_av": "Anna Lindqvist, gruppledare (S)",
    "utsatt": "Anna Lindqvist, ledamot i kommunstyrelsen",
    "handelse": "Efter fullmäktiges möte den 12 mars blev hon förföljd till bilen av en man som skrek hot om "
                "att bränna hennes hus.\nMannen filmade henne och lade ut filmen på Facebook samma kväll.",
    "tid_och_plats": "2026-03-12 kl. 21.40, parkeringen vid Höjdgatan 26",
    "vittnen": "Per Öberg (V) och en väktare från Securitas",
    "forovare": "Okänd man, cirka 40 år, mörk jacka",
    "forovare_grupp": "Ingen känd grupp",
    "utlosande_faktor": "Beslutet om att stänga badhuset",
    "beslut_om_atgarder": "Polisanmälan gjordes samma kväll; larmpaket beställt",
    "upplevelse": "Mycket rädd, sover dåligt och vill inte gå ensam till bilen.",
    "sakerhetsstrateg_kontaktad": "Ja",
    "kommentar_3_1_1": "Säkerhetsstrategen ringdes upp 22.05.",
    "polis_kontaktad": "Ja",
    "polisanmald": "Nej",
    "kommentar_3_1_3": "Anmälan görs av den utsatte själv på måndag.",
    "initialt_stod": "Ja",
    "anhoriga_informerade": "Nej",
    "stodperson_vald": "Ja",
    "kommentar_stod": "Stödperson: Eva Sjöberg.",
    "sallskap_sjukvard": "Nej",
    "sallskap_transport": None,
    "kommentar_sallskap": "Behövdes inte.",
    "kommentar_stodatgarder": "Följs upp av kommunens säkerhetsstrateg.",
    "informerade": "Partikamrater i gruppen och kommunstyrelsens ordförande.",
    "samtal1_datum": "2026-03-20",
    "samtal1_narvarande": "Anna Lindqvist, Eva Sjöberg",
    "samtal1_dokumentation": "Mår bättre, vill ha sällskap till bilen efter möten.",
    "samtal2_datum": "2026-04-03",
    "samtal2_narvarande": "Anna Lindqvist",
    "samtal2_dokumentation": "Inga nya hot.",
    "rutin_tillampad": "Ja",
    "sarbarheter_rutin": ["Ingen visste vem som har jour på kvällen", "Larmnumret saknades i pärmen"],
    "sarbarheter_plan": ["Planen bör nämna sociala medier"],
}


@dataclass(frozen=True)
class Variant:
    """How a page is scanned: resolution, grey or black-and-white, turned, specks, and a print-scan JPEG trip."""

    name: str
    dpi: int
    mono: bool = False
    skew: float = 0.0
    noise: float = 0.0
    printed: bool = False


VARIANTS = [
    Variant("grå", 300),
    Variant("svartvit", 300, mono=True),
    Variant("grå, 2° snett, brus", 300, skew=2.0, noise=0.03),
    Variant("svartvit, -3° snett, brus", 300, mono=True, skew=-3.0, noise=0.02),
    Variant("utskriven och skannad (JPEG)", 300, skew=1.2, noise=0.03, printed=True),
]


def rendered(pdf: Path, dpi: int, mono: bool) -> list[Image.Image]:
    """The PDF's pages as rendered for a scan: grey by pdftoppm, black-and-white by MuPDF (``mutool draw``)."""
    # not pdftoppm -mono: at 300 dpi its halftone of grey fills differs on every render of the same file (three
    # renders of one page, three PNGs, differing only in the grey header rows), so a page the tests took for the
    # same bytes every run was not, and in about one render in six its dots cost a box (issue 17's flaky box).
    # MuPDF's ordered halftone is the same every time.
    return _mutool_mono(pdf, dpi) if mono else _pdftoppm(pdf, dpi)


def _mutool_mono(pdf: Path, dpi: int) -> list[Image.Image]:
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([program("mutool", "mupdf-tools"), "draw", "-q", "-r", str(dpi), "-o", f"{tmp}/p-%d.pbm",
                        str(pdf)], check=True, timeout=120, capture_output=True)
        return _pages(Path(tmp), "pbm")


def unsmoothed(pdf: Path, dpi: int) -> list[Image.Image]:
    """The PDF's pages in grey without anti-aliasing: text and rules black or white, fills grey."""
    return _pdftoppm(pdf, dpi, "-aa", "no", "-aaVector", "no")


def _pdftoppm(pdf: Path, dpi: int, *options: str) -> list[Image.Image]:
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([program("pdftoppm", "poppler-utils"), "-r", str(dpi), "-gray", "-png", *options, str(pdf),
                        f"{tmp}/p"], check=True, timeout=120)
        return _pages(Path(tmp), "png")


def _pages(folder: Path, ending: str) -> list[Image.Image]:
    pages = []
    for f in sorted(folder.glob(f"p-*.{ending}"), key=lambda p: int(p.stem.rsplit("-", 1)[1])):
        with Image.open(f) as img:
            pages.append(img.convert("L"))
    return pages


def halftoned(page: Image.Image, rng: random.Random) -> Image.Image:
    """A grey page (:func:`unsmoothed`) in black and white as pdftoppm -mono makes it, a new screen each time: black
    and white stay, a grey fill becomes random dots (drawn from ``rng``: the same page every run) as dense as its
    grey."""
    screen = Image.frombytes("L", page.size, rng.randbytes(page.width * page.height)).point(lambda v: 1 + v * 253 // 255)
    return ImageChops.subtract(screen, page).point(lambda d: 0 if d else 255)


def scanned(page: Image.Image, variant: Variant, seed: int = 0) -> Image.Image:
    """A page as the variant's scanner gives it back."""
    rng = random.Random(seed)
    img = page.convert("L")
    if variant.printed:  # toner spread and a slightly soft scan
        img = img.filter(ImageFilter.GaussianBlur(0.9))
    if variant.skew:
        img = img.rotate(variant.skew, resample=Image.Resampling.BICUBIC, fillcolor=255, expand=False)
    if variant.noise:
        img = _specks(img, variant.noise, rng)
    if variant.printed:
        img = Image.blend(img, _noise(img.size, 18, rng), 0.08)
        buf = io.BytesIO()
        img.save(buf, format="JPEG", quality=40)
        img = Image.open(io.BytesIO(buf.getvalue())).convert("L")
    if variant.mono:
        img = img.point(lambda v: 255 if v > 140 else 0).convert("1").convert("L")
    return img


def _noise(size: tuple[int, int], sigma: float, rng: random.Random) -> Image.Image:
    """Gaussian grey noise around mid-grey, drawn from ``rng``: the same page every run. (PIL's effect_noise draws
    from C's unseeded rand(), so a printed page differed from run to run, and a box on it was unclear in about one
    CI run in three.) Uniform random bytes through the normal distribution's quantiles."""
    quantiles = [max(0, min(255, round(128 + sigma * NormalDist().inv_cdf((v + 0.5) / 256)))) for v in range(256)]
    return Image.frombytes("L", size, rng.randbytes(size[0] * size[1])).point(quantiles)


def _specks(img: Image.Image, share: float, rng: random.Random) -> Image.Image:
    """Scanner dust: single dark and light pixels over ``share`` of a sparse grid, and a faint grey veil."""
    img = img.copy()
    pixels = img.load()
    assert pixels is not None
    count = int(img.width * img.height * share / 20)
    for _ in range(count):
        x, y = rng.randrange(img.width), rng.randrange(img.height)
        pixels[x, y] = rng.choice((0, 60, 255))
    return img.point(lambda v: max(0, v - 12) if v > 200 else v)


def save_scan(pages: list[Image.Image], path: Path, dpi: int) -> Path:
    """Pages saved as a scanner saves them: PDF of images, multi-page TIFF, or one page as PNG/JPEG."""
    suffix = path.suffix.lower()
    if suffix == ".pdf":
        pages[0].save(path, save_all=True, append_images=pages[1:], resolution=dpi)
    elif suffix in (".tif", ".tiff"):
        pages[0].save(path, save_all=True, append_images=pages[1:], compression="tiff_deflate", dpi=(dpi, dpi))
    elif suffix in (".jpg", ".jpeg"):
        pages[0].save(path, quality=85, dpi=(dpi, dpi))
    else:
        pages[0].save(path, dpi=(dpi, dpi))
    return path


# --- scoring a reading against SCAN_RECORD -----------------------------------------------------------------

COARSE_START = COARSE.split("{")[0]
#: Print each field read wrong (the benchmark's --verbose).
VERBOSE = False


@dataclass
class Score:
    """What one variant's reading gave, against the record that was filled in."""

    words: int = 0
    exact: int = 0
    boxes: int = 0
    boxes_right: int = 0
    certain_wrong: list[str] | None = None
    pages: int = 0
    seconds: float = 0.0
    to_check: int = 0  # fields named in the 'granska' line

    @property
    def words_pct(self) -> float:
        return 100.0 * self.exact / max(1, self.words)


def _tokens(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, list):
        return [t for item in value for t in str(item).split()]
    return str(value).split()


def _flagged(result: Result, column: str) -> bool:
    """True when the result's 'granska' line names the field (it was not reported as certain)."""
    return any(m.startswith(CHECK) and f"{column} (" in m or m.startswith(COARSE_START) for m in result.messages) \
        or result.status == "fel"


def score(results: list[Result]) -> Score:
    """Words exact, boxes right and certain-but-wrong fields over a form read from one or more files (pages)."""
    merged: dict[str, Any] = {}
    flagged: set[str] = set()
    for r in results:
        for key, value in (r.record or {}).items():
            if value not in (None, []):
                merged.setdefault(key, value)
        flagged.update(f.key for f in FIELDS if _flagged(r, f.column))
    s = Score(certain_wrong=[], to_check=len(flagged))
    for f in FIELDS:
        want, got = SCAN_RECORD.get(f.key), merged.get(f.key)
        if f.kind is Kind.JANEJ:
            for answer in ("Ja", "Nej"):
                s.boxes += 1
                s.boxes_right += (want == answer) == (got == answer)
        else:
            if f.kind is Kind.DATE and got is not None:
                got = str(got)
            expected, read = _tokens(want), _tokens(got)
            s.words += len(expected)
            blocks = difflib.SequenceMatcher(None, expected, read, autojunk=False).get_matching_blocks()
            s.exact += sum(b.size for b in blocks)
        if _tokens(want) != _tokens(got) and VERBOSE:
            print(f"     {f.key}: {got!r} ≠ {want!r}{' (granska)' if f.key in flagged else ''}")
        if _tokens(want) != _tokens(got) and f.key not in flagged:
            assert s.certain_wrong is not None
            s.certain_wrong.append(f.key)
    return s
