"""scanread: a scanned page with no text at all, and a scanned letter that is not the form, read by Tesseract as
extract reads them (guarded workers): one Swedish line each, never a record made of guesses."""

from __future__ import annotations

from PIL import Image, ImageDraw, ImageFont

import blankett
from blankett.pdf.font import font_file

A4_300_DPI = (2480, 3508)


def test_a_blank_scanned_page_is_one_line_that_nothing_could_be_read(tmp_path):
    path = tmp_path / "tom-sida.png"
    Image.new("L", A4_300_DPI, 255).save(path, dpi=(300, 300))
    result = blankett.extract(path)
    assert (result.status, result.record) == ("fel", None)
    assert result.messages == ["ingen text kunde läsas på den skannade blanketten (tom sida, eller bara handskrift, "
                               "som inte läses)"]


def test_a_scanned_letter_that_is_not_the_form_is_named_so(tmp_path):
    path = tmp_path / "brev.png"
    page = Image.new("L", A4_300_DPI, 255)
    draw = ImageDraw.Draw(page)
    font = ImageFont.truetype(str(font_file()), 60)  # Liberation Sans, as the filled PDF
    for n, line in enumerate(["Kallelse till styrelsemöte", "Tid: tisdag klockan nio i stora salen.",
                              "Dagordning bifogas. Välkomna!"]):
        draw.text((250, 300 + 120 * n), line, fill=0, font=font)
    page.save(path, dpi=(300, 300))
    result = blankett.extract(path)
    assert (result.status, result.record) == ("fel", None)
    assert result.messages == ["dokumentet är inte blanketten Bilaga 5 (inga av blankettens fält hittades)"]
