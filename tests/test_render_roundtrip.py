"""Any overview's tables come out of the web page and the Word document exactly as they went in: every label,
every count and every hidden mark, in order (hypothesis; no LibreOffice, so many examples are cheap)."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import html

from blankett.overview import render_docx, render_html
from blankett.overview.report import Chart, Hidden, Overview, Table

from .conftest import NS, W, docx_xml

TEXT = st.text(st.characters(codec="utf-8", categories=("L", "N", "P", "Zs"), exclude_characters="\u2028\u2029"),
               min_size=1, max_size=40).map(str.strip).filter(bool)
COUNT = st.one_of(st.integers(0, 100_000), st.sampled_from(list(Hidden)))


@st.composite
def tables(draw) -> Table:
    columns = tuple(draw(st.lists(TEXT, min_size=1, max_size=3)))
    rows = tuple((draw(TEXT), tuple(draw(COUNT) for _ in columns)) for _ in range(draw(st.integers(1, 8))))
    total = draw(st.none() | st.just(tuple(draw(COUNT) for _ in columns)))
    return Table(draw(TEXT), draw(TEXT), columns, rows, total=total, shares=draw(st.booleans()),
                 chart=draw(st.sampled_from(list(Chart))), alt=draw(TEXT))


def _overview(table: Table) -> Overview:
    return Overview("Lägesbild", dt.date(2025, 1, 1), dt.date(2025, 12, 31), dt.date(2026, 1, 2), True, (table,))


def _printed(count) -> str:
    """A count as the overview prints it, written here from the rule (not taken from the renderers' code)."""
    if isinstance(count, Hidden):
        return {Hidden.FEW: "färre än 3", Hidden.DERIVED: "–"}[count]
    return f"{count:,}".replace(",", "\u00a0")


def _expected(table: Table) -> list[list[str]]:
    """Header and rows (the totals row last, "Totalt") without the share columns."""
    rows = list(table.rows) + ([("Totalt", table.total)] if table.total is not None else [])
    return [[table.corner, *table.columns]] + [[label, *map(_printed, counts)] for label, counts in rows]


def _without_shares(table: Table, got: list[list[str]]) -> list[list[str]]:
    """The shown rows with every share column left out (label, then each count)."""
    step = 2 if table.shares else 1
    return [[row[0], *row[1::step]] for row in got]


@settings(derandomize=True, max_examples=60, deadline=None)
@given(tables())
def test_the_web_pages_table_is_the_overviews(table):
    tree = html.fromstring(render_html.render(_overview(table)))
    (shown,) = tree.findall(".//table")
    assert shown.findtext("caption") == table.caption
    got = [[cell.text_content() for cell in tr] for tr in shown.iter("tr")]
    assert _without_shares(table, got) == _expected(table)


@settings(derandomize=True, max_examples=30, deadline=None)
@given(tables())
def test_the_word_documents_table_is_the_overviews(table):
    body = docx_xml(render_docx.render(_overview(table)))
    (shown,) = body.findall(".//w:tbl", NS)
    got = [["".join(t.text or "" for t in tc.iter(f"{{{W}}}t")) for tc in tr.findall("w:tc", NS)]
           for tr in shown.findall("w:tr", NS)]
    assert _without_shares(table, got) == _expected(table)
    assert shown.find("w:tblPr/w:tblCaption", NS).get(f"{{{W}}}val") == table.caption
