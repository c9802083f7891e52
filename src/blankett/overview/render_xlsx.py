"""The overview as an Excel workbook: a sheet "Lägesbild" with the title, period and the counting's paragraphs,
then one sheet per table — its caption, a header row, its rows, the totals row and the shares as per cent cells —
with a native Excel chart beside it (title and text alternative set); the internal overview's listings follow,
a sheet each.

Every text is written as text, never as a formula, whatever a person typed into a form (a noted weakness is free
text). A hidden count is written as its text ("färre än 3", "–"); its share, and every share of a column whose
total is hidden, is left empty (a share and its count would give the total back).
"""

from __future__ import annotations

import io
import re
from typing import TYPE_CHECKING

from lxml import etree

from ..package import read_all, zip_bytes
from .report import Chart, Count, Heading, Listing, Overview, Paragraph, Table

if TYPE_CHECKING:
    from openpyxl.worksheet.worksheet import Worksheet

#: Excel's longest sheet name, and the characters a sheet name may not hold.
SHEET_NAME_MAX = 31
_NOT_IN_NAME = re.compile(r"[\[\]:*?/\\]")
FIRST_SHEET = "Lägesbild"
TOTAL = "Totalt"
SHARE = "Andel"
PERCENT = "0%"
#: Where a table starts: the caption in row 1, the header in row 2, the rows from row 3.
HEADER_ROW = 2
_DRAWING_NS = "http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing"
_CORE = "docProps/core.xml"


def render(overview: Overview) -> bytes:
    """The workbook's bytes."""
    from openpyxl import Workbook

    wb = Workbook()
    intro = wb.active
    assert intro is not None
    intro.title = FIRST_SHEET
    _intro(intro, overview)
    names = {FIRST_SHEET}
    alts: list[tuple[str, str]] = []  # (sheet name, the chart's title and text alternative), one per chart
    for block in overview.blocks:
        if isinstance(block, Table):
            ws = wb.create_sheet(_sheet_name(block.caption, names))
            if _table(ws, block):
                alts.append((ws.title, block.alt or block.caption))
        elif isinstance(block, Listing):
            _listing(wb.create_sheet(_sheet_name(block.caption, names)), block)
    wb.properties.creator = wb.properties.lastModifiedBy = "blankett"
    wb.properties.title = overview.title
    out = io.BytesIO()
    wb.save(out)
    return _finished(out.getvalue(), [ws.title for ws in wb.worksheets], dict(alts), overview.made.isoformat())


def _text(ws: Worksheet, row: int, col: int, text: str, bold: bool = False) -> None:
    """A text cell (never a formula)."""
    from openpyxl.styles import Font

    cell = ws.cell(row, col)
    cell.value = text
    cell.data_type = "s"
    if bold:
        cell.font = Font(bold=True)


def _intro(ws: Worksheet, overview: Overview) -> None:
    _text(ws, 1, 1, overview.title, bold=True)
    _text(ws, 2, 1, f"Period: {overview.start.isoformat()}–{overview.end.isoformat()}")
    _text(ws, 3, 1, f"Framtagen: {overview.made.isoformat()}")
    row = 5
    for block in overview.blocks:
        if isinstance(block, Heading) and block.level > 1:
            _text(ws, row, 1, block.text, bold=True)
        elif isinstance(block, Paragraph):
            _text(ws, row, 1, block.text)
        else:
            continue
        row += 1
    ws.column_dimensions["A"].width = 120


def _sheet_name(caption: str, taken: set[str]) -> str:
    """A sheet name from a caption: Excel's characters and length, unique in the workbook."""
    base = _NOT_IN_NAME.sub("-", caption)[:SHEET_NAME_MAX].strip() or "Tabell"
    name, n = base, 2
    while name.casefold() in {t.casefold() for t in taken}:
        suffix = f" ({n})"
        name, n = base[:SHEET_NAME_MAX - len(suffix)] + suffix, n + 1
    taken.add(name)
    return name


def _count(ws: Worksheet, row: int, col: int, value: Count) -> None:
    if isinstance(value, int):
        ws.cell(row, col, value)
    else:
        _text(ws, row, col, value.value)


def _table(ws: Worksheet, table: Table) -> bool:
    """The table from row 1 (caption) and its chart beside it; whether a chart was drawn."""
    width = len(table.columns)
    share_at = 2 + width  # the shares' block starts after the counts' block: the chart reads one block
    _text(ws, 1, 1, table.caption, bold=True)
    _text(ws, HEADER_ROW, 1, table.corner, bold=True)
    for c, label in enumerate(table.columns):
        _text(ws, HEADER_ROW, 2 + c, label, bold=True)
        if table.shares:
            _text(ws, HEADER_ROW, share_at + c, f"{SHARE}, {label}" if width > 1 else SHARE, bold=True)
    lines = [*table.rows, *([(TOTAL, table.total)] if table.total is not None else [])]
    for r, (label, counts) in enumerate(lines, start=HEADER_ROW + 1):
        _text(ws, r, 1, label, bold=label == TOTAL and r == HEADER_ROW + len(lines))
        for c, value in enumerate(counts):
            _count(ws, r, 2 + c, value)
            total = table.total[c] if table.total is not None else None
            if table.shares and isinstance(value, int) and isinstance(total, int) and total > 0:
                cell = ws.cell(r, share_at + c, value / total)
                cell.number_format = PERCENT
    if table.note:
        _text(ws, HEADER_ROW + len(lines) + 2, 1, table.note)
    ws.column_dimensions["A"].width = max(14, min(60, max(len(label) for label, _ in lines) + 2))
    if table.chart is Chart.NONE or not table.rows:
        return False
    _chart(ws, table, share_at + (width if table.shares else 0) + 1)
    return True


def _chart(ws: Worksheet, table: Table, at_column: int) -> None:
    """A native bar chart of the counts (not the totals), anchored beside the table."""
    from openpyxl.chart import BarChart, Reference
    from openpyxl.utils import get_column_letter

    chart = BarChart()
    chart.type = "col" if table.chart is Chart.COLUMNS else "bar"
    chart.title = table.caption
    chart.style = 10
    last = HEADER_ROW + len(table.rows)
    width = len(table.columns)
    if width == 1:
        chart.add_data(Reference(ws, min_col=2, min_row=HEADER_ROW, max_row=last), titles_from_data=True)
        chart.set_categories(Reference(ws, min_col=1, min_row=HEADER_ROW + 1, max_row=last))
        chart.legend = None
    else:  # one series per row (Ja, Nej, ej besvarad), the columns (questions) along the axis
        chart.add_data(Reference(ws, min_col=1, max_col=1 + width, min_row=HEADER_ROW + 1, max_row=last),
                       from_rows=True, titles_from_data=True)
        chart.set_categories(Reference(ws, min_col=2, max_col=1 + width, min_row=HEADER_ROW, max_row=HEADER_ROW))
    if table.chart is Chart.BARS:
        chart.y_axis.title = "Antal ärenden"
        chart.x_axis.scaling.orientation = "maxMin"  # the table's first row at the top, as it is read
    chart.height, chart.width = 7.5 + 0.4 * len(table.rows) * (1 if table.chart is Chart.BARS else 0), 16
    ws.add_chart(chart, f"{get_column_letter(at_column)}{HEADER_ROW}")


def _listing(ws: Worksheet, listing: Listing) -> None:
    _text(ws, 1, 1, listing.caption, bold=True)
    _text(ws, HEADER_ROW, 1, "Ärende", bold=True)
    _text(ws, HEADER_ROW, 2, "Uppgift", bold=True)
    for r, (name, item) in enumerate(listing.items, start=HEADER_ROW + 1):
        _text(ws, r, 1, name)
        _text(ws, r, 2, item)
    if not listing.items:
        _text(ws, HEADER_ROW + 1, 1, listing.empty)
    ws.column_dimensions["A"].width, ws.column_dimensions["B"].width = 24, 100


def _finished(data: bytes, sheets: list[str], alts: dict[str, str], made: str) -> bytes:
    """The workbook with each chart's frame named by its title and described by its text alternative, and
    dated by the day the overview was made, no finer.

    openpyxl names a chart's frame "Chart 1" and gives it no description; Excel and screen readers read the
    frame's ``descr`` as the chart's alternative text. Each sheet's drawing is found through its relationships.
    openpyxl also stamps the file with the second it was saved: the document's metadata says no more than the
    overview itself (the day it was made).
    """
    parts = dict(read_all(data))
    core = etree.fromstring(parts[_CORE])
    for stamp in core:
        if etree.QName(stamp).localname in ("created", "modified"):
            stamp.text = f"{made}T00:00:00Z"
    parts[_CORE] = etree.tostring(core, xml_declaration=True, encoding="UTF-8", standalone=True)
    for n, sheet in enumerate(sheets, start=1):
        if sheet not in alts:
            continue
        rels = etree.fromstring(parts[f"xl/worksheets/_rels/sheet{n}.xml.rels"])
        target = next(r.get("Target") or "" for r in rels if r.get("Type", "").endswith("/drawing"))
        member = "xl/drawings/" + target.rsplit("/", 1)[-1]
        drawing = etree.fromstring(parts[member])
        for frame in drawing.iter(f"{{{_DRAWING_NS}}}cNvPr"):
            frame.set("name", sheet)
            frame.set("descr", alts[sheet])
        parts[member] = etree.tostring(drawing, xml_declaration=True, encoding="UTF-8", standalone=True)
    return zip_bytes(list(parts.items()))
