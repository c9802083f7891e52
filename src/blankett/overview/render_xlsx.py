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
from typing import TYPE_CHECKING, Any

from lxml import etree

from ..package import read_all, zip_bytes
from .report import Chart, Count, Heading, Listing, Overview, Paragraph, Table

if TYPE_CHECKING:
    from openpyxl.cell.cell import Cell
    from openpyxl.worksheet._write_only import WriteOnlyWorksheet as Sheet

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
    """The workbook's bytes. Written sheet by sheet in openpyxl's write-only mode: rows go to disk as they are
    made, so a long listing (a weakness noted in each of 10 000 forms) does not hold every cell in memory."""
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    _intro(wb.create_sheet(FIRST_SHEET), overview)
    alts: dict[str, str] = {}  # sheet name → the chart's text alternative
    names = sheet_names(overview)
    for index, block in enumerate(overview.blocks):
        if isinstance(block, Table):
            ws = wb.create_sheet(names[index])
            if _table(ws, block):
                alts[ws.title] = block.alt or block.caption
        elif isinstance(block, Listing):
            _listing(wb.create_sheet(names[index]), block)
    wb.properties.creator = wb.properties.lastModifiedBy = "blankett"
    wb.properties.title = overview.title
    out = io.BytesIO()
    wb.save(out)
    return _finished(out.getvalue(), [ws.title for ws in wb.worksheets], alts, overview.made.isoformat())


def _text(ws: Sheet, text: str, bold: bool = False) -> Cell:
    """A text cell (never a formula)."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    cell = WriteOnlyCell(ws, value=text)
    cell.data_type = "s"
    if bold:
        cell.font = Font(bold=True)
    return cell


def _intro(ws: Sheet, overview: Overview) -> None:
    ws.column_dimensions["A"].width = 120  # type: ignore[attr-defined]  # not in the stubs
    ws.append([_text(ws, overview.title, bold=True)])
    ws.append([_text(ws, f"Period: {overview.start.isoformat()}–{overview.end.isoformat()}")])
    ws.append([_text(ws, f"Framtagen: {overview.made.isoformat()}")])
    ws.append([])
    for block in overview.blocks:
        if isinstance(block, Heading) and block.level > 1:
            ws.append([_text(ws, block.text, bold=True)])
        elif isinstance(block, Paragraph):
            ws.append([_text(ws, block.text)])


def sheet_names(overview: Overview) -> dict[int, str]:
    """Each table's and listing's sheet, by the block's index: what the workbook names it (and a document that
    leaves a long listing to the workbook names it by)."""
    taken = {FIRST_SHEET}
    return {index: _sheet_name(block.caption, taken) for index, block in enumerate(overview.blocks)
            if isinstance(block, Table | Listing)}


def _sheet_name(caption: str, taken: set[str]) -> str:
    """A sheet name from a caption: Excel's characters and length, unique in the workbook."""
    base = _NOT_IN_NAME.sub("-", caption)[:SHEET_NAME_MAX].strip() or "Tabell"
    name, n = base, 2
    while name.casefold() in {t.casefold() for t in taken}:
        suffix = f" ({n})"
        name, n = base[:SHEET_NAME_MAX - len(suffix)] + suffix, n + 1
    taken.add(name)
    return name


def _count(ws: Sheet, value: Count) -> Cell | int:
    return value if isinstance(value, int) else _text(ws, value.value)


def _share(ws: Sheet, value: Count, total: Count | None) -> Cell | None:
    """A count's share of its column's total as a per cent cell; none where either is hidden."""
    from openpyxl.cell import WriteOnlyCell

    if not (isinstance(value, int) and isinstance(total, int) and total > 0):
        return None
    cell = WriteOnlyCell(ws, value=value / total)
    cell.number_format = PERCENT
    return cell


def _table(ws: Sheet, table: Table) -> bool:
    """The table from row 1 (caption) and its chart beside it; whether a chart was drawn."""
    width = len(table.columns)
    lines = [*table.rows, *([(TOTAL, table.total)] if table.total is not None else [])]
    ws.column_dimensions["A"].width = max(14, min(60, max(len(label) for label, _ in lines) + 2))  # type: ignore[attr-defined]
    ws.append([_text(ws, table.caption, bold=True)])
    header: list[Any] = [_text(ws, table.corner, bold=True)] + [_text(ws, c, bold=True) for c in table.columns]
    if table.shares:  # the shares' block after the counts' block: the chart reads one block
        header += [_text(ws, f"{SHARE}, {c}" if width > 1 else SHARE, bold=True) for c in table.columns]
    ws.append(header)
    for n, (label, counts) in enumerate(lines):
        totals = table.total or (None,) * width
        row: list[Any] = [_text(ws, label, bold=table.total is not None and n == len(lines) - 1)]
        row += [_count(ws, v) for v in counts]
        if table.shares:
            row += [_share(ws, v, t) for v, t in zip(counts, totals, strict=True)]
        ws.append(row)
    if table.note:
        ws.append([])
        ws.append([_text(ws, table.note)])
    if table.chart is Chart.NONE or not table.rows:
        return False
    _chart(ws, table, 2 + width * (2 if table.shares else 1) + 1)
    return True


def _chart(ws: Sheet, table: Table, at_column: int) -> None:
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
    ws.add_chart(chart, f"{get_column_letter(at_column)}{HEADER_ROW}")  # type: ignore[misc]  # openpyxl shares the method; its stubs say Worksheet


def _listing(ws: Sheet, listing: Listing) -> None:
    ws.column_dimensions["A"].width = 24  # type: ignore[attr-defined]  # not in the stubs
    ws.column_dimensions["B"].width = 100  # type: ignore[attr-defined]
    ws.append([_text(ws, listing.caption, bold=True)])
    ws.append([_text(ws, "Ärende", bold=True), _text(ws, "Uppgift", bold=True)])
    for name, item in listing.items:
        ws.append([_text(ws, name), _text(ws, item)])
    if not listing.items:
        ws.append([_text(ws, listing.empty)])


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
