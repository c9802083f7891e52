"""The overview as a Word document to attach to a kommunstyrelse agenda: the municipality's header and footer as
on the form (:func:`blankett.build.page_frame`), Heading 1–3, captioned tables with a repeated header row, each
table's chart as a picture with alternative text, listings as lists, sv-SE, a title, page N(M)."""

from __future__ import annotations

import copy
import datetime as dt
import io

from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm, Pt, RGBColor
from docx.text.paragraph import Paragraph as DocxParagraph

from .. import build, ooxml
from ..profile import Profile, load_profile
from . import cells, chart
from .report import Chart, Heading, Listing, Overview, Paragraph, Table

#: The document's subject property (and the PDF's).
SUBJECT = "Lägesbild: hot, våld och trakasserier mot förtroendevalda"


def render(overview: Overview, profile: Profile | None = None) -> bytes:
    """The overview as .docx bytes, reproducible for a given overview and profile."""
    profile = profile or load_profile()
    doc = Document()
    build.styles(doc)
    _styles(doc)
    label = "Offentlig" if overview.public else "Intern"
    width = build.page_frame(doc, profile, (overview.title, overview.made.isoformat(), label))
    numbers = {"table": 0}
    moved = cells.moved_listings(overview)
    for index, block in enumerate(overview.blocks):
        _block(doc, block, width, numbers, moved.get(index))
    doc.add_paragraph(f"Perioden {overview.start.isoformat()}–{overview.end.isoformat()}. "
                      f"Sammanställd {overview.made.isoformat()} av {profile.name}.")
    body = doc.element.body
    if body[0].tag == ooxml.P and not len(body[0]):  # python-docx's default body starts with an empty paragraph
        body.remove(body[0])
    _properties(doc, overview, profile)
    return build.save(doc, profile)


def _styles(doc: DocumentObject) -> None:
    """Heading 3 and the caption black like the form's headings (Word's default blue is too light for 4.5:1)."""
    for name, size, italic in (("Heading 3", 10.5, False), ("Caption", 9.5, False)):
        style = doc.styles[name]
        style.font.name = build.FONT
        ooxml.plain_fonts(style.element, build.FONT)
        style.font.size = Pt(size)
        style.font.bold = True
        style.font.italic = italic
        style.font.color.rgb = RGBColor(0, 0, 0)
        style.paragraph_format.keep_with_next = True


def _block(doc: DocumentObject, block: Heading | Paragraph | Table | Listing, width: float,
           numbers: dict[str, int], moved: str | None = None) -> None:
    """One block; ``moved``: what a listing too long for a document says instead (see cells.moved_listings)."""
    if isinstance(block, Heading):
        doc.add_heading(block.text, level=min(max(block.level, 1), 3))
    elif isinstance(block, Paragraph):
        doc.add_paragraph(block.text)
    elif isinstance(block, Table):
        numbers["table"] += 1
        _table(doc, block, width, numbers["table"])
    else:
        doc.add_heading(block.caption, level=3)
        if moved:
            doc.add_paragraph(moved)
        elif not block.items:
            doc.add_paragraph(block.empty)
        else:
            _list(doc, block.items)


def _list(doc: DocumentObject, items: tuple[tuple[str, str], ...]) -> None:
    """One bullet per item, each placed after the last: python-docx's add_paragraph looks for the body's end
    each time, which made 10 000 items take minutes (measured: 149 s); this is linear."""
    template = doc.add_paragraph(style="List Bullet")
    template.add_run(" ")
    last = template._p
    for name, text in items:
        element = copy.deepcopy(template._p)
        last.addnext(element)
        last = element
        line = f"{name}: {text}"
        if "\n" in line or "\t" in line:  # breaks and tabs: python-docx makes them (it is slow, char by char)
            ooxml.set_run_text(element, "")
            DocxParagraph(element, template._parent).add_run(line)
        else:
            ooxml.set_run_text(element, line)
    body = template._p.getparent()
    if body is not None:
        body.remove(template._p)


def _table(doc: DocumentObject, table: Table, width: float, number: int) -> None:
    """A captioned table (header row repeated on each page), its notes, then its chart with alternative text."""
    doc.add_paragraph(f"Tabell {number}. {table.caption}", style="Caption")
    heads = cells.header(table)
    rows = cells.body(table)
    grid = doc.add_table(rows=1 + len(rows), cols=len(heads))
    grid.style = "Table Grid"
    # each row's cells once: python-docx's grid.cell(r, c) walks the whole table for every cell (a third of the
    # document's time for one form's overview)
    grid_rows = list(grid.rows)
    for cell, text in zip(grid_rows[0].cells, heads, strict=True):
        cell.paragraphs[0].add_run(text).bold = True
    for r, (label, texts) in enumerate(rows, start=1):
        total = table.total is not None and not table.turned and r == len(rows)
        row_cells = grid_rows[r].cells
        row_cells[0].paragraphs[0].add_run(label).bold = total or None
        for cell, text in zip(row_cells[1:], texts, strict=False):
            p = cell.paragraphs[0]
            p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            p.add_run(text).bold = total or None
    first = min(6.0, width * 0.45)
    rest = (width - first) / max(len(heads) - 1, 1)
    build._widths(grid, [first] + [rest] * (len(heads) - 1))
    ooxml.mark_header_row(grid.rows[0]._tr)
    ooxml.table_caption(grid._tbl, table.caption, table.alt)
    for note in cells.notes(table):
        doc.add_paragraph(note)
    if table.chart is not Chart.NONE:
        doc.add_picture(io.BytesIO(chart.png(table)), width=Cm(min(width, 16.0)))
        alt = f"{table.alt} Siffrorna står i tabell {number}." if table.alt else f"Diagram: {table.caption}."
        picture = doc.paragraphs[-1]
        picture.paragraph_format.space_before = Pt(8)  # else the picture covers the table's bottom line
        ooxml.picture_alt_text(picture._p, alt)


def _properties(doc: DocumentObject, overview: Overview, profile: Profile) -> None:
    """Title, subject, language and the municipality: no person, machine or clock time."""
    build.core_properties(doc, profile, overview.title, SUBJECT, "lägesbild; hot; våld; trakasserier; förtroendevalda",
                          dt.datetime.combine(overview.made, dt.time()))
