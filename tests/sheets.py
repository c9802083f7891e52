"""Helpers for spreadsheet tests: workbooks typed into with openpyxl, patched XML, CSV text."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path
from typing import Any

import openpyxl

from blankett.workbook import SHEET, columns, workbook_bytes

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
    from openpyxl.utils import get_column_letter

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
