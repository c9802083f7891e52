"""Suppression: the internal overview → the public one (issue 20 §2, "offentlig").

What the public version keeps: headings, the counting's own explanatory paragraphs and the tables' counts. It
drops every :class:`~.report.Listing` (case numbers, dates, noted weaknesses in free text), and a heading left
with nothing under it. Counts are protected in two steps:

1. **Primary**: every count from 1 to 2 is :attr:`Hidden.FEW` ("färre än 3"); 0 is shown (it identifies no one).
2. **Secondary**: wherever counts are tied by a sum — a column's rows and its total; a quarter and its three
   months — a sum with exactly one hidden count would give it away (total minus the visible rest). So in every
   such sum with one hidden count one more is hidden (:attr:`Hidden.DERIVED`): the smallest visible count of the
   rows, else the total; repeated until no sum has exactly one hidden count. Tables where a case can fall in
   several rows (type, channel) are treated as sums too: more is hidden than needed, never less.

A renderer shows a share only where both the count and its column's total are shown (a share and its count
give the total, a share and the total give the count). Period bounds are printed as given; a case's own date
is never printed in the public version, months are the finest time.
"""

from __future__ import annotations

from dataclasses import replace

from .count import MONTHS, MONTHS_CAPTION, PUBLIC_TITLE, QUARTERS_CAPTION, quarter_label
from .report import Block, Count, Heading, Hidden, Listing, Overview, Table

#: Counts from 1 up to this are hidden ("färre än 3").
FEW_MAX = 2

#: A cell: (table's index among the blocks, row index or -1 for the totals row, column index).
Cell = tuple[int, int, int]


def public(overview: Overview) -> Overview:
    """The public version of an internal overview: no listings, small counts and what reveals them hidden."""
    blocks: list[Block] = [b for b in _kept(overview.blocks) if not isinstance(b, Listing)]
    values = {cell: v for i, b in enumerate(blocks) if isinstance(b, Table) for cell, v in _cells(i, b)}
    hidden: dict[Cell, Hidden] = {c: Hidden.FEW for c, v in values.items() if isinstance(v, int) and 0 < v <= FEW_MAX}
    sums = _sums(blocks)
    changed = True
    while changed:
        changed = False
        for cells in sums:
            if sum(1 for c in cells if c in hidden) == 1:
                hidden[_second(cells, hidden, values)] = Hidden.DERIVED
                changed = True
    out = [_hide(b, i, hidden) if isinstance(b, Table) else b for i, b in enumerate(blocks)]
    return replace(overview, title=PUBLIC_TITLE, public=True,
                   blocks=tuple(replace(b, text=PUBLIC_TITLE) if b == Heading(overview.title, 1) else b
                                for b in out))


def _kept(blocks: tuple[Block, ...]) -> list[Block]:
    """The sections (a heading of level 2 and what follows it) that hold a table: a section of listings alone
    (the noted weaknesses) is left out whole, its explaining paragraph with it."""
    sections: list[list[Block]] = [[]]
    for block in blocks:
        if isinstance(block, Heading) and block.level == 2:
            sections.append([])
        sections[-1].append(block)
    return [b for n, section in enumerate(sections) if n == 0 or any(isinstance(b, Table) for b in section)
            for b in section]


def _cells(i: int, table: Table) -> list[tuple[Cell, Count]]:
    out = [((i, r, c), v) for r, (_, counts) in enumerate(table.rows) for c, v in enumerate(counts)]
    out += [((i, -1, c), v) for c, v in enumerate(table.total or ())]
    return out


def _sums(blocks: list[Block]) -> list[list[Cell]]:
    """Every set of cells tied by a sum: each column with its total, each quarter with its months."""
    sums: list[list[Cell]] = []
    for i, b in enumerate(blocks):
        if isinstance(b, Table) and b.total is not None:
            sums += [[(i, r, c) for r in range(len(b.rows))] + [(i, -1, c)] for c in range(len(b.columns))]
    months = _find(blocks, MONTHS_CAPTION)
    quarters = _find(blocks, QUARTERS_CAPTION)
    if months is not None and quarters is not None:
        rows_of = {label: r for r, (label, _) in enumerate(blocks[quarters].rows)}  # type: ignore[union-attr]
        parts: dict[int, list[Cell]] = {}
        for r, (label, _) in enumerate(blocks[months].rows):  # type: ignore[union-attr]
            name, year = label.split(" ")
            parts.setdefault(rows_of[quarter_label(int(year), MONTHS.index(name) + 1)], []).append((months, r, 0))
        sums += [cells + [(quarters, q, 0)] for q, cells in parts.items()]
    return sums


def _find(blocks: list[Block], caption: str) -> int | None:
    return next((i for i, b in enumerate(blocks) if isinstance(b, Table) and b.caption == caption), None)


def _second(cells: list[Cell], hidden: dict[Cell, Hidden], values: dict[Cell, Count]) -> Cell:
    """The cell hidden beside a sum's one hidden cell: the smallest visible count of its rows, else its total."""
    visible = [c for c in cells if c not in hidden]
    inner = [c for c in visible if c[1] >= 0]
    pool = inner or visible
    return min(pool, key=lambda c: (values[c] if isinstance(values[c], int) else 0, c))


def _hide(table: Table, i: int, hidden: dict[Cell, Hidden]) -> Table:
    def cell(r: int, c: int, v: Count) -> Count:
        return hidden.get((i, r, c), v)

    rows = tuple((label, tuple(cell(r, c, v) for c, v in enumerate(counts)))
                 for r, (label, counts) in enumerate(table.rows))
    total = None if table.total is None else tuple(cell(-1, c, v) for c, v in enumerate(table.total))
    return replace(table, rows=rows, total=total)
