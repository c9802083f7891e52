"""The docs' pictures of the overviews: page 1 of each sample overview's PDF, drawn by poppler's pdftoppm."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: Where the docs keep each picture: internal (False) and public (True).
IMAGES = {False: Path("docs/bilder/lagesbild-intern.png"), True: Path("docs/bilder/lagesbild-offentlig.png")}
#: Resolution of the pictures: A4 at 90 dpi is 745 × 1053 pixels, legible on a web page.
DPI = 90


def page_png(pdf: bytes, page: int = 1) -> bytes:
    """Page ``page`` of ``pdf`` as PNG bytes, drawn by pdftoppm."""
    program = shutil.which("pdftoppm")
    if program is None:
        raise FileNotFoundError("pdftoppm (Debian-paketet poppler-utils)")
    with tempfile.TemporaryDirectory(prefix="blankett-bild-") as tmp:
        source = Path(tmp) / "in.pdf"
        source.write_bytes(pdf)
        subprocess.run([program, "-png", "-r", str(DPI), "-f", str(page), "-l", str(page), "-singlefile",
                        str(source), str(Path(tmp) / "out")], check=True, timeout=60, capture_output=True)
        return (Path(tmp) / "out.png").read_bytes()
