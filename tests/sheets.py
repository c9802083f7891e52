"""Spreadsheets for tests (and the benchmark): workbooks typed into with openpyxl, as Excel saves them, patched XML.

No pytest here, so that ``benchmarks/bench.py`` can make its big workbook with :func:`write_xlsx`.
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.utils import get_column_letter

from blankett.workbook import SHEET, cell_value, columns, workbook_bytes

from .records import full_record

SHEET_PART = "xl/worksheets/sheet1.xml"


def typed_workbook(path: Path, rows: list[dict[str, Any]], start: int = 2) -> Path:
    """The input workbook from ``blankett workbook``, opened and typed into cell by cell as a person would."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(workbook_bytes())
    wb = openpyxl.load_workbook(path)
    ws = wb[SHEET]
    position = {c.key: n for n, c in enumerate(columns(), start=1)}
    for r, row in enumerate(rows, start=start):
        for key, value in row.items():
            ws.cell(row=r, column=position[key], value=value)
    wb.save(path)
    return path


def plain_workbook(path: Path, rows: list[list[Any]], title: str = "Blad1") -> Path:
    """A workbook with exactly these rows (the first row is the header) and nothing else."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = title
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


def column_letter(key: str) -> str:
    """The column letter of a key in the input workbook."""
    return get_column_letter([c.key for c in columns()].index(key) + 1)


def patch_part(path: Path, part: str, edit) -> Path:
    """Rewrite one part of a zip package with ``edit(bytes) -> bytes`` (as another program would save it)."""
    with zipfile.ZipFile(path) as zf:
        members = [(info, zf.read(info)) for info in zf.infolist()]
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for info, data in members:
            zf.writestr(info, edit(data) if info.filename == part else data)
    path.write_bytes(buf.getvalue())
    return path


def set_cell_xml(path: Path, ref: str, xml: str) -> Path:
    """Replace cell ``ref`` of the first sheet with raw ``<c>`` XML (e.g. a formula with a cached value)."""
    def edit(data: bytes) -> bytes:
        text = data.decode("utf-8")
        pattern = re.compile(rf'<c r="{ref}"[^>]*?(/>|>.*?</c>)', re.S)
        assert pattern.search(text), f"cell {ref} not in sheet"
        return pattern.sub(xml, text, count=1).encode("utf-8")

    return patch_part(path, SHEET_PART, edit)


def write_xlsx(path: Path, rows: int) -> None:
    """An input workbook of ``rows`` fully filled incidents, saved as Excel saves it (see :func:`excel_style`)."""
    cols = columns()
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet(SHEET)
    ws.append([c.header for c in cols])
    for n in range(1, rows + 1):
        record = full_record(n)
        ws.append([cell_value(c, record.get(c.key)) for c in cols])
    wb.save(path)
    excel_style(path, f"A1:{get_column_letter(len(cols))}{rows + 1}")


_INLINE = re.compile(rb'<c r="([A-Z]+\d+)"([^>]*?) t="inlineStr"([^>]*)><is><t(?: [^>]*)?>(.*?)</t></is></c>', re.S)
_NS = b"http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def excel_style(path: Path, dimension: str | None = None) -> Path:
    """Rewrite an openpyxl workbook as Excel saves one: text in a shared-strings table, the sheet's ``<dimension>``.

    openpyxl writes text inline and (in write-only mode) no dimension; without it
    openpyxl's reader parses the whole sheet once more. Real files have neither cost,
    but they do have the shared strings, which the reader must hold in memory.
    """
    strings: dict[bytes, int] = {}

    def shared(m: re.Match) -> bytes:
        index = strings.setdefault(m.group(4), len(strings))
        return b'<c r="%s"%s t="s"%s><v>%d</v></c>' % (m.group(1), m.group(2), m.group(3), index)

    with zipfile.ZipFile(path) as zf:
        parts = {info.filename: zf.read(info) for info in zf.infolist()}
    for name in [n for n in parts if n.startswith("xl/worksheets/sheet")]:
        parts[name] = _INLINE.sub(shared, parts[name])
        if dimension:
            tag = b'<dimension ref="%s"/>' % dimension.encode()
            parts[name] = parts[name].replace(b"</sheetPr>", b"</sheetPr>" + tag, 1)
    table = b"".join(b'<si><t xml:space="preserve">%s</t></si>' % s for s in strings)
    parts["xl/sharedStrings.xml"] = b'<sst xmlns="%s" count="%d" uniqueCount="%d">%s</sst>' % (
        _NS, len(strings), len(strings), table)
    parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(
        b"</Types>", b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
        b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>')
    parts["xl/_rels/workbook.xml.rels"] = parts["xl/_rels/workbook.xml.rels"].replace(
        b"</Relationships>", b'<Relationship Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        b'relationships/sharedStrings" Target="sharedStrings.xml" Id="rIdSST"/></Relationships>')
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
    return path
