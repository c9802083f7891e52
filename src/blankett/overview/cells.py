"""What every renderer prints in a table's cells: counts, hidden counts, shares, and the note explaining them.

Kept in one place so that the Word document, the PDF and the web page can never print the same cell differently.
"""

from __future__ import annotations

from . import render_xlsx
from .report import Count, Hidden, Listing, Overview, Table

#: The most items a listing prints in a document (Word, its PDF, a web page). A longer one is left to the
#: workbook, which lists every item, and the document says how many there are and on which sheet: LibreOffice
#: lays out and tags each item as a paragraph of its own, and 10 000 of them (a weakness noted in each of 10 000
#: forms) took it more than its 120 s (render_pdf.OFFICE_SECONDS); nor does a reader go through them on paper.
LISTING_MAX_ITEMS = 300

#: Said under every table with a hidden cell (the public overview's suppression, in words a reader follows).
HIDDEN_NOTE = {
    Hidden.FEW: "”färre än 3”: 1 eller 2 ärenden; det exakta antalet visas inte, så att ingen kan pekas ut.",
    Hidden.DERIVED: "”–”: dolt, eftersom siffran annars skulle kunna räknas fram ur summorna och visa ett dolt värde.",
}


def moved_listings(overview: Overview) -> dict[int, str]:
    """The sentence a document prints instead of each listing longer than :data:`LISTING_MAX_ITEMS`, by the
    listing's index among the blocks: how many items, and the workbook and sheet that hold every one."""
    long = {i: b for i, b in enumerate(overview.blocks) if isinstance(b, Listing) and len(b.items) > LISTING_MAX_ITEMS}
    if not long:
        return {}
    sheets = render_xlsx.sheet_names(overview)
    return {i: (f"Listan har {count_text(len(b.items))} poster, fler än de {LISTING_MAX_ITEMS} som ett dokument tar "
                f"med. Alla står, en per rad med ärende och uppgift, i kalkylbladet {overview.file_name('xlsx')}, "
                f"bladet ”{sheets[i]}”.")
            for i, b in long.items()}


def count_text(count: Count) -> str:
    """A count as printed: the number (thin-space thousands, as Swedish print has it), or why it is hidden."""
    if isinstance(count, Hidden):
        return count.value
    return f"{count:,}".replace(",", "\u00a0")


def column_totals(table: Table) -> tuple[Count | None, ...]:
    """Each column's total for its shares: the totals row's, else the column's sum (None when a cell is hidden)."""
    if table.total is not None:
        return table.total
    sums: list[Count | None] = []
    for c in range(len(table.columns)):
        cells = [counts[c] for _, counts in table.rows]
        sums.append(None if any(isinstance(x, Hidden) for x in cells) else sum(x for x in cells if isinstance(x, int)))
    return tuple(sums)


def share_text(count: Count, total: Count | None) -> str:
    """A count's share of its column, whole per cent ("–" when either is hidden or the total is 0)."""
    if isinstance(count, Hidden) or not isinstance(total, int) or total == 0:
        return "–"
    return f"{round(100 * count / total)}\u00a0%"


def header(table: Table) -> tuple[str, ...]:
    """The header row's texts: the corner, then each column (and its share beside it when the table has shares)."""
    if table.turned:  # one row per column: the rows' labels across, with their shares, then the total
        across = [label for label, _ in table.rows]
        turned = [h for label in across for h in ([label, f"Andel, {label.lower()}"] if table.shares else [label])]
        return (table.turned, *turned, *(["Totalt"] if table.total is not None else []))
    heads: list[str] = [table.corner]
    for column in table.columns:
        heads += [column, f"Andel, {column.lower()}"] if table.shares else [column]
    return tuple(heads)


def body(table: Table) -> list[tuple[str, tuple[str, ...]]]:
    """Every row as printed, the totals row last (its label "Totalt"): the row's label, then its cells' texts. A
    turned table: a row per column, its total in the last cell."""
    totals = column_totals(table)
    if table.turned:
        return [(column, tuple(text for label, counts in table.rows
                               for text in ([count_text(counts[j]), share_text(counts[j], totals[j])]
                                            if table.shares else [count_text(counts[j])]))
                 + ((count_text(table.total[j]),) if table.total is not None else ()))
                for j, column in enumerate(table.columns)]
    rows = list(table.rows) + ([("Totalt", table.total)] if table.total is not None else [])
    out = []
    for label, counts in rows:
        cells: list[str] = []
        for count, total in zip(counts, totals, strict=True):
            cells.append(count_text(count))
            if table.shares:
                cells.append(share_text(count, total))
        out.append((label, tuple(cells)))
    return out


def notes(table: Table) -> list[str]:
    """The table's own note and, for each kind of hidden cell it holds, what that mark means."""
    held = {c for _, counts in table.rows for c in counts if isinstance(c, Hidden)}
    held |= {c for c in table.total or () if isinstance(c, Hidden)}
    return ([table.note] if table.note else []) + [HIDDEN_NOTE[h] for h in Hidden if h in held]


def bars(table: Table) -> list[tuple[str, tuple[int, ...]]]:
    """What a chart draws: each row's label and counts, a hidden count drawn as 0 (its label says why)."""
    return [(label, tuple(c if isinstance(c, int) else 0 for c in counts)) for label, counts in table.rows]
