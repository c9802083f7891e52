"""The overview as a document of plain blocks, before any format: what every renderer draws.

Counting (:mod:`.count`) makes an :class:`Overview` of headings, paragraphs, tables and listings; the public
version (:mod:`.suppress`) is the same structure with small counts hidden and listings left out; each output
format (.docx, PDF, .xlsx, HTML) walks the blocks and knows nothing of what they mean. A new table in the
overview is one more block, and every format shows it.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass, field


class Hidden(enum.Enum):
    """A count the public overview does not show."""

    #: A count of 1 or 2 (primary suppression): printed "färre än 3".
    FEW = "färre än 3"
    #: A count hidden because, with the totals, it would reveal a FEW cell (secondary suppression): printed "–".
    DERIVED = "–"


#: One cell of a table: a count, or why it is not shown.
Count = int | Hidden


@dataclass(frozen=True)
class Heading:
    """A heading; level 1 is the overview's own title, 2 a section, 3 a part of one."""

    text: str
    level: int = 2


@dataclass(frozen=True)
class Paragraph:
    """A paragraph of running text (what is counted, how, and what a reader should know)."""

    text: str


class Chart(enum.StrEnum):
    """How a table is drawn beside itself, if at all."""

    NONE = "none"
    #: Vertical bars along time (per month, per quarter).
    COLUMNS = "columns"
    #: Horizontal bars by category (types, channels, answers).
    BARS = "bars"


@dataclass(frozen=True)
class Table:
    """A table of counts: a label per row, a count per column, optional totals and shares.

    ``rows`` are (row label, counts in column order). ``total`` is the totals row (``None``: no totals row).
    ``shares`` adds each count's share of its column's total, in per cent, beside the count. ``alt`` is the
    chart's text alternative (one or two sentences saying what it shows); the table itself is always printed
    beside the chart, so the alternative does not repeat it.
    """

    caption: str
    corner: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, tuple[Count, ...]], ...]
    total: tuple[Count, ...] | None = None
    shares: bool = False
    chart: Chart = Chart.NONE
    alt: str = ""
    note: str = ""
    #: Documents print the table turned, one row per column, with this text over the labels: a table as wide as
    #: the checklist's eight questions (with their shares) does not fit a page's width. ("": as it is.)
    turned: str = ""


@dataclass(frozen=True)
class Listing:
    """Items named by case number (overdue talks, noted weaknesses): internal overview only, never public."""

    caption: str
    #: (case number or the file's name when there is none, the item's text).
    items: tuple[tuple[str, str], ...]
    #: What the listing says when it is empty ("Inga ärenden.").
    empty: str = "Inga."


#: Any block of an overview. Adding a kind of block is adding it here; mypy then points at every renderer.
Block = Heading | Paragraph | Table | Listing


@dataclass(frozen=True)
class Overview:
    """One overview (lägesbild): its period, when it was made, whether it is the public version, its blocks."""

    title: str
    start: dt.date
    end: dt.date
    made: dt.date
    public: bool
    blocks: tuple[Block, ...] = field(default_factory=tuple)

    def file_name(self, ending: str) -> str:
        """A file of this overview: version and period in its name, e.g. ``lagesbild-intern-2025-01-01--2025-12-31.docx``
        (a document names the workbook that holds its long listings by this)."""
        version = "offentlig" if self.public else "intern"
        return f"lagesbild-{version}-{self.start.isoformat()}--{self.end.isoformat()}.{ending}"

    def tables(self) -> tuple[Table, ...]:
        """The overview's tables in order (the workbook has one sheet each)."""
        return tuple(b for b in self.blocks if isinstance(b, Table))
