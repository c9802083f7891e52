"""OCR of scanned forms: ``python -m benchmarks.ocr`` prints, per resolution and scan variant, the share of answer
words read exactly, the Ja/Nej boxes read right, the fields reported as certain that are wrong, and seconds per page.

The corpus is made here from our own flattened PDF of one filled form (``tests/scans.py``: rendered by pdftoppm,
turned, specked, printed-and-scanned through JPEG), saved as a scanner saves it (PDF of images, TIFF, PNG and JPEG
pages), and read the way ``blankett extract`` reads it (guarded workers, Tesseract). Targets (issue 17, part 2) at
300 dpi: at least 98 % of answer words exact, 18/18 boxes, no field certain but wrong. Needs LibreOffice (the
flattened PDF), pdftoppm and Tesseract with Swedish. Not a test: seconds depend on the machine.
"""

from __future__ import annotations

import argparse
import difflib
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from blankett import fill_pdf
from blankett.form import FIELDS, Kind
from blankett.readback import Result, read_files
from blankett.scan import CHECK
from tests.scans import SCAN_RECORD, VARIANTS, Variant, rendered, save_scan, scanned

TARGET_WORDS, TARGET_BOXES = 98.0, 18
VERBOSE = False

#: Each variant is saved in one of the formats scanners write, in turn, so that every format is read.
FORMATS = (".pdf", ".tif", ".png", ".tif", ".jpg")


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
    return any(m.startswith(CHECK) and f"{column} (" in m for m in result.messages) or result.status == "fel"


def score(results: list[Result]) -> Score:
    """Words exact, boxes right and certain-but-wrong fields over a form read from one or more files (pages)."""
    merged: dict[str, Any] = {}
    flagged: set[str] = set()
    for r in results:
        for key, value in (r.record or {}).items():
            if value not in (None, []):
                merged.setdefault(key, value)
        flagged.update(f.key for f in FIELDS if _flagged(r, f.column))
    s = Score(certain_wrong=[])
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


def run_variant(pdf: Path, pages: list[Any], variant: Variant, suffix: str, tmp: Path) -> Score:
    """Save the variant as scans of ``suffix`` and read them as extract does."""
    images = [scanned(p, variant, seed=i) for i, p in enumerate(pages)]
    stem = f"{variant.dpi}-{abs(hash(variant.name)) % 10**6}"
    if suffix in (".png", ".jpg"):  # one file per page, as a scanner saving pictures does
        files = [save_scan([img], tmp / f"{stem}-{i + 1}{suffix}", variant.dpi) for i, img in enumerate(images)]
    else:
        files = [save_scan(images, tmp / f"{stem}{suffix}", variant.dpi)]
    start = time.perf_counter()
    results = list(read_files(files))
    s = score(results)
    s.seconds, s.pages = time.perf_counter() - start, len(images)
    return s


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dpi", type=int, nargs="*", default=[300, 200], help="resolutions to scan at")
    parser.add_argument("--variants", type=int, default=len(VARIANTS), help="the first N variants only")
    parser.add_argument("-v", "--verbose", action="store_true", help="print each field read wrong")
    args = parser.parse_args()
    global VERBOSE
    VERBOSE = args.verbose
    record = {k: v for k, v in SCAN_RECORD.items() if v is not None}
    with tempfile.TemporaryDirectory(prefix="blankett-ocr-") as tmpdir:
        tmp = Path(tmpdir)
        pdf = tmp / "ifylld.pdf"
        pdf.write_bytes(fill_pdf(record, flatten=True))
        print(f"{'dpi':>4} {'variant':<34} {'format':<6} {'ord exakt':>10} {'rutor':>6} {'säker men fel':>14} "
              f"{'s/sida':>7}")
        for dpi in args.dpi:
            renders = {mono: rendered(pdf, dpi, mono) for mono in (False, True)}
            for variant, suffix in list(zip(VARIANTS, FORMATS, strict=True))[: args.variants]:
                v = Variant(variant.name, dpi, variant.mono, variant.skew, variant.noise, variant.printed)
                s = run_variant(pdf, renders[v.mono], v, suffix, tmp)
                wrong = ", ".join(s.certain_wrong or []) or "0"
                print(f"{dpi:>4} {v.name:<34} {suffix:<6} {s.words_pct:>9.1f}% {s.boxes_right:>3}/{s.boxes:<2} "
                      f"{wrong:>14} {s.seconds / s.pages:>7.1f}", flush=True)
        print(f"Mål vid 300 dpi: ≥ {TARGET_WORDS:g} % av svarsorden exakt, {TARGET_BOXES}/18 rutor rätt, "
              "inget fält säkert men fel.")


if __name__ == "__main__":
    main()
