"""Render page 1 of the sample overviews (tests/overview_sample.py), internal and public, to the PNGs the docs show.

Run from the repository root after changing how an overview is drawn:

    python scripts/make-overview-images.py

The PDF is made as `blankett lägesbild` makes it (LibreOffice); the page is drawn by poppler's pdftoppm, the
renderer the tests use. tests/test_render_pdf.py checks that the committed images are what the current code makes.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from blankett.overview.render_pdf import render  # noqa: E402
from tests.overview_images import IMAGES, page_png  # noqa: E402 - after the root is on the path
from tests.overview_sample import INTERNAL, PUBLIC  # noqa: E402


def main() -> None:
    for overview in (INTERNAL, PUBLIC):
        target = ROOT / IMAGES[overview.public]
        target.write_bytes(page_png(render(overview)))
        print(target.relative_to(ROOT))


if __name__ == "__main__":
    main()
