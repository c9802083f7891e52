"""scan: the Swedish line for each way an image or a helper program fails before OCR starts: not an image, too
many pages, a page that cannot be read, pdftoppm or Tesseract missing, a helper past its time limit."""

from __future__ import annotations

import pytest
from PIL import Image

import blankett
from blankett import scan
from blankett.errors import InputError


def _tiff(path, frames: int) -> None:
    """A TIFF of ``frames`` small white pages, as a scanner saves a multi-page scan."""
    pages = [Image.new("L", (60, 85), 255) for _ in range(frames)]
    pages[0].save(path, save_all=True, append_images=pages[1:])


def test_a_file_named_as_an_image_that_is_none_is_one_line(tmp_path):
    path = tmp_path / "svar.png"
    path.write_bytes(b"inte en bild, bara text\n")
    result = blankett.extract(path)
    assert result.status == "fel" and result.messages == ["filen är ingen bild som kan läsas (PNG, JPEG eller TIFF)"]


def test_a_scan_with_more_pages_than_the_form_is_refused_unread(tmp_path):
    path = tmp_path / "svar.tif"
    _tiff(path, scan.MAX_SCAN_PAGES + 1)
    result = blankett.extract(path)
    assert result.status == "fel" and result.messages == [
        f"den skannade filen har {scan.MAX_SCAN_PAGES + 1} sidor; en Bilaga 5 har högst {scan.MAX_SCAN_PAGES} och "
        "filen läses inte"]


def test_a_page_past_the_images_last_frame_is_named(tmp_path):
    path = tmp_path / "svar.tif"
    _tiff(path, 2)
    assert scan.load_page(path, 1).size == (60, 85)
    with pytest.raises(InputError, match=r"^sidan 3 kan inte läsas som bild$"):
        scan.load_page(path, 2)


def test_a_missing_pdftoppm_or_tesseract_is_named_with_how_to_get_it(tmp_path, monkeypatch):
    pdf = tmp_path / "svar.pdf"
    pdf.write_bytes(b"%PDF-1.7\n")
    monkeypatch.setattr(scan, "PDFTOPPM", str(tmp_path / "pdftoppm"))
    with pytest.raises(InputError) as no_poppler:
        scan.load_page(pdf, 0)
    assert str(no_poppler.value) == ("PDF-sidor läses som bilder med pdftoppm (poppler-utils), som inte finns på "
                                     "datorn")
    monkeypatch.setattr(scan, "TESSERACT", str(tmp_path / "tesseract"))
    with pytest.raises(InputError) as no_tesseract:
        scan.tesseract_words(Image.new("L", (60, 85), 255), "sidan 1")
    assert str(no_tesseract.value) == scan.NO_TESSERACT


def test_a_helper_program_past_the_time_limit_for_a_page_is_stopped_and_named(monkeypatch):
    monkeypatch.setattr(scan, "OCR_PAGE_SECONDS", 0.3)
    with pytest.raises(InputError) as slow:
        scan._run(["sleep", "20"], None, "sidan 2")
    assert str(slow.value) == "sidan 2 tog mer än 0.3 s att läsa (gränsen för en sida)"
