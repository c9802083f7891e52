"""A filled PDF whose fields do not match the form (renamed, missing): named in Swedish, never guessed.

The PDFs are made with MuPDF (pymupdf), another program than the LibreOffice export the form comes from.
"""

from __future__ import annotations

from pathlib import Path

import pymupdf

from blankett.form import FIELDS, TAGS, Kind
from blankett.readback import FEL, OK, read_file


def _pdf(path: Path, values: dict[str, str | bool]) -> Path:
    """A one-page PDF with a text field (or, for a bool, a check box) per name, holding the value."""
    doc = pymupdf.open()
    page = doc.new_page()
    for n, (name, value) in enumerate(values.items()):
        widget = pymupdf.Widget()
        widget.field_name = name
        y = 20 + (n % 40) * 18
        widget.rect = pymupdf.Rect(20 + 280 * (n // 40), y, 280 * (n // 40) + 280, y + 16)
        if isinstance(value, bool):
            widget.field_type = pymupdf.PDF_WIDGET_TYPE_CHECKBOX
            widget.field_value = value
        else:
            widget.field_type = pymupdf.PDF_WIDGET_TYPE_TEXT
            widget.field_value = value
        page.add_widget(widget)
    doc.save(path)
    return path


def _all_fields() -> dict[str, str | bool]:
    values: dict[str, str | bool] = {}
    for f in FIELDS:
        for tag in TAGS[f.key]:
            values[tag] = (tag.endswith("=Ja")) if f.kind is Kind.JANEJ else ""
    values["utsatt"] = "Bo"
    return values


def test_a_pdf_with_every_field_reads(tmp_path):
    result = read_file(_pdf(tmp_path / "alla.pdf", _all_fields()))
    assert result.status == OK, result.messages
    assert result.record["utsatt"] == "Bo" and result.record["polisanmald"] == "Ja"


def test_renamed_and_missing_fields_are_named_and_the_rest_kept(tmp_path):
    values = _all_fields()
    values["Offer"] = values.pop("utsatt")   # renamed in another PDF editor
    del values["handelse"]                   # removed
    result = read_file(_pdf(tmp_path / "ändrad.pdf", values))
    assert result.status == FEL
    assert result.messages == [f"blanketten saknar 2 av sina {len(FIELDS)} fält (en äldre eller ändrad mall?): "
                               "Utsatt person, Händelse"]
    assert result.record["polisanmald"] == "Ja" and result.record["utsatt"] is None


def test_a_pdf_form_with_other_fields_is_not_bilaga_5(tmp_path):
    result = read_file(_pdf(tmp_path / "annan.pdf", {"Namn": "Bo", "Godkänd": True}))
    assert (result.status, result.record) == (FEL, None)
    assert result.messages == ["dokumentet är inte blanketten Bilaga 5 (inga av blankettens fält hittades)"]
