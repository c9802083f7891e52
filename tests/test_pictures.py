"""The pictures in docs/bilder/: made by scripts/make-pictures.py from today's program, each one shown by a guide."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from .clients import missing, program
from .test_docs import ROOT, _links, _pages

PICTURES = ROOT / "docs" / "bilder"
#: A picture a reader can make out without it weighing down the repository: pixels on each side, bytes in all.
SIDE = (300, 2400)
MAX_BYTES = 400_000
CHROMIUM = Path("/usr/bin/chromium")


def _committed() -> list[Path]:
    return sorted(PICTURES.glob("*"))


def _shown() -> set[Path]:
    """Every picture an image link in the README or docs/ shows."""
    return {(page.parent / target).resolve() for page in _pages() for kind, target in _links(page) if kind == "image"}


def _check_png(path: Path) -> tuple[int, int]:
    """The size of ``path`` after checking it is a whole PNG that shows something (not one colour)."""
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", path.name
    with Image.open(path) as image:
        image.verify()  # the whole file: chunks and their checksums
    with Image.open(path) as image:
        assert image.format == "PNG" and image.mode in ("RGB", "RGBA"), (path.name, image.mode)
        low, high = image.convert("L").getextrema()
        assert high - low > 100, f"{path.name}: nästan en enda färg"
        size: tuple[int, int] = image.size
    assert all(SIDE[0] <= side <= SIDE[1] for side in size), (path.name, size)
    assert path.stat().st_size <= MAX_BYTES, (path.name, path.stat().st_size)
    return size


def test_every_committed_picture_is_a_sensible_png_that_a_guide_shows():
    pictures = _committed()
    assert [p.name for p in pictures if p.suffix != ".png"] == []
    assert len(pictures) >= 6  # the form (PDF, Writer, long answers) and the web pages
    for picture in pictures:
        _check_png(picture)
    assert [p.name for p in pictures if p.resolve() not in _shown()] == []


def test_the_script_makes_every_picture_again_from_todays_program(tmp_path):
    for name, package in (("pdftoppm", "poppler-utils"), ("pdftotext", "poppler-utils"), ("soffice", "libreoffice")):
        program(name, package)
    if not CHROMIUM.exists():
        missing(f"{CHROMIUM} (Debian-paketet chromium)")
    run = subprocess.run([sys.executable, str(ROOT / "scripts" / "make-pictures.py"), "--out", str(tmp_path)],
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-2000:]
    made = sorted(tmp_path.glob("*.png"))
    assert [p.name for p in made] == [p.name for p in _committed()]
    for picture in made:  # the same window and page sizes as the committed ones (refresh them with the script)
        with Image.open(PICTURES / picture.name) as committed:
            assert _check_png(picture) == committed.size, picture.name
    assert run.stdout.count("Skrev ") == len(made)


@pytest.mark.parametrize("bad", [b"", b"\x89PNG\r\n\x1a\n" + b"\0" * 40])
def test_a_broken_picture_is_refused(tmp_path, bad):
    path = tmp_path / "trasig.png"
    path.write_bytes(bad)
    with pytest.raises((AssertionError, OSError, SyntaxError)):
        _check_png(path)
