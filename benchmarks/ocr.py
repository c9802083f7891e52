"""OCR of scanned forms: ``python -m benchmarks.ocr`` prints, per resolution and scan variant, the share of answer
words read exactly, the Ja/Nej boxes read right, the fields reported as certain that are wrong, and seconds per page.

The corpus is made here from our own flattened PDF of one filled form (``tests/scans.py``: rendered by pdftoppm in
grey and by MuPDF in black-and-white, turned, specked, printed-and-scanned through JPEG), saved as a scanner saves it (PDF of images, TIFF, PNG and JPEG
pages), and read the way ``blankett extract`` reads it (guarded workers, Tesseract). Targets (issue 17, part 2) at
300 dpi: at least 98 % of answer words exact, 18/18 boxes, no field certain but wrong. Needs LibreOffice (the
flattened PDF), pdftoppm and Tesseract with Swedish. Not a test: seconds depend on the machine.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path
from typing import Any

from blankett import fill_pdf
from blankett.readback import read_files
from tests import scans
from tests.scans import SCAN_RECORD, VARIANTS, Score, Variant, rendered, save_scan, scanned, score

TARGET_WORDS, TARGET_BOXES = 98.0, 18

#: Each variant is saved in one of the formats scanners write, in turn, so that every format is read.
FORMATS = (".pdf", ".tif", ".png", ".tif", ".jpg")


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
    scans.VERBOSE = args.verbose
    record = {k: v for k, v in SCAN_RECORD.items() if v is not None}
    with tempfile.TemporaryDirectory(prefix="blankett-ocr-") as tmpdir:
        tmp = Path(tmpdir)
        pdf = tmp / "ifylld.pdf"
        pdf.write_bytes(fill_pdf(record, flatten=True))
        print(f"{'dpi':>4} {'variant':<34} {'format':<6} {'ord exakt':>10} {'rutor':>6} {'säker men fel':>14} "
              f"{'granska':>8} {'s/sida':>7}")
        for dpi in args.dpi:
            renders = {mono: rendered(pdf, dpi, mono) for mono in (False, True)}
            for variant, suffix in list(zip(VARIANTS, FORMATS, strict=True))[: args.variants]:
                v = Variant(variant.name, dpi, variant.mono, variant.skew, variant.noise, variant.printed)
                s = run_variant(pdf, renders[v.mono], v, suffix, tmp)
                wrong = ", ".join(s.certain_wrong or []) or "0"
                print(f"{dpi:>4} {v.name:<34} {suffix:<6} {s.words_pct:>9.1f}% {s.boxes_right:>3}/{s.boxes:<2} "
                      f"{wrong:>14} {s.to_check:>8} {s.seconds / s.pages:>7.1f}", flush=True)
        print(f"Mål vid 300 dpi: ≥ {TARGET_WORDS:g} % av svarsorden exakt, {TARGET_BOXES}/18 rutor rätt, "
              "inget fält säkert men fel.")


if __name__ == "__main__":
    main()
