"""The public overview as one accessible web page: headings, tables with captions and header cells, each chart an
inline SVG with a text alternative beside its table; no scripts, nothing fetched from anywhere, a print stylesheet."""

from __future__ import annotations

from html import escape

from . import cells
from .report import Chart, Heading, Listing, Overview, Paragraph, Table

#: Bar colours, one per column (dark enough for 3:1 against white, WCAG 1.4.11), then repeated.
COLOURS = ("#1f4e79", "#b34700", "#2e6b30", "#6a3d9a")
#: Nothing on the page may fetch anything: no scripts, styles only from the page itself, images only inline.
CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'"
STYLE = """
body { font-family: Arial, "Liberation Sans", sans-serif; max-width: 60rem; margin: 0 auto; padding: 1rem;
       color: #000; background: #fff; line-height: 1.4; }
table { border-collapse: collapse; margin: 0.5rem 0; }
caption { text-align: left; font-weight: bold; padding: 0.25rem 0; }
th, td { border: 1px solid #444; padding: 0.2rem 0.5rem; }
td { text-align: right; }
th[scope="col"] { background: #e8e8e8; }
th[scope="row"] { text-align: left; font-weight: normal; }
tr.total th, tr.total td { font-weight: bold; }
figure { margin: 1rem 0; display: flex; flex-wrap: wrap; gap: 1rem; align-items: flex-start; }
figure svg { max-width: 100%; height: auto; }
.note { font-size: 0.9rem; }
@media print {
  body { max-width: none; padding: 0; font-size: 10pt; }
  figure, table { break-inside: avoid; }
  h2, h3 { break-after: avoid; }
  th[scope="col"] { background: none; }
}
"""


def e(text: str) -> str:
    """Text escaped for HTML (attribute-safe)."""
    return escape(text, quote=True)


def render(overview: Overview) -> bytes:
    """The overview as one self-contained HTML page (UTF-8)."""
    moved = cells.moved_listings(overview)
    parts = [_block(block, n, moved.get(n)) for n, block in enumerate(overview.blocks)]
    return f"""<!doctype html>
<html lang="sv">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{CSP}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{e(overview.title)}</title>
<style>{STYLE}</style>
</head>
<body>
<main>
{"".join(parts)}<p class="note">Perioden {overview.start.isoformat()}–{overview.end.isoformat()}.
Sammanställd {overview.made.isoformat()}.</p>
</main>
</body>
</html>
""".encode()


def _block(block: Heading | Paragraph | Table | Listing, n: int, moved: str | None = None) -> str:
    """One block as HTML; ``moved``: what a listing too long for a document says instead (cells.moved_listings)."""
    if isinstance(block, Heading):
        level = min(max(block.level, 1), 3)
        return f"<h{level}>{e(block.text)}</h{level}>\n"
    if isinstance(block, Paragraph):
        return f"<p>{e(block.text)}</p>\n"
    if isinstance(block, Table):
        return _table_block(block, f"t{n}")
    if moved:
        return f"<h3>{e(block.caption)}</h3>\n<p>{e(moved)}</p>\n"
    items = "".join(f"<li>{e(name)}: {e(text)}</li>" for name, text in block.items)
    listing = f"<ul>{items}</ul>" if block.items else f"<p>{e(block.empty)}</p>"
    return f"<h3>{e(block.caption)}</h3>\n{listing}\n"


def _table_block(table: Table, ident: str) -> str:
    html = _table(table)
    if table.chart is not Chart.NONE:
        html = f'<figure aria-labelledby="{ident}-cap">\n{_svg(table, ident)}\n{html}</figure>\n'
    notes = "".join(f'<p class="note">{e(note)}</p>\n' for note in cells.notes(table))
    return html.replace("<caption>", f'<caption id="{ident}-cap">', 1) + notes


def _table(table: Table) -> str:
    heads = cells.header(table)
    head = "".join(f'<th scope="col">{e(h)}</th>' for h in heads)
    rows = []
    for i, (label, texts) in enumerate(cells.body(table)):
        total = table.total is not None and not table.turned and i == len(table.rows)
        row = f'<th scope="row">{e(label)}</th>' + "".join(f"<td>{e(t)}</td>" for t in texts)
        rows.append(f'<tr class="total">{row}</tr>' if total else f"<tr>{row}</tr>")
    return (f"<table>\n<caption>{e(table.caption)}</caption>\n<thead><tr>{head}</tr></thead>\n"
            f"<tbody>\n{chr(10).join(rows)}\n</tbody>\n</table>\n")


def _svg(table: Table, ident: str) -> str:
    """The chart: vertical bars along time, or horizontal bars by category; one bar per column in a group."""
    data = cells.bars(table)
    top = max((v for _, values in data for v in values), default=0) or 1
    columns = len(table.columns)
    shapes: list[str] = []
    if table.chart is Chart.COLUMNS:
        slot, plot = 34, 160
        width, height = 40 + slot * len(data), plot + 70
        for i, (label, values) in enumerate(data):
            bar = (slot - 8) / columns
            for c, v in enumerate(values):
                h = plot * v / top
                x = 40 + i * slot + c * bar
                shapes.append(f'<rect x="{x:.1f}" y="{20 + plot - h:.1f}" width="{bar - 1:.1f}" height="{h:.1f}" '
                              f'fill="{COLOURS[c % len(COLOURS)]}"/>')
                shapes.append(f'<text x="{x + bar / 2:.1f}" y="{15 + plot - h:.1f}" text-anchor="middle" '
                              f'font-size="10">{e(cells.count_text(table.rows[i][1][c]))}</text>')
            shapes.append(f'<text x="{40 + i * slot + slot / 2:.1f}" y="{plot + 34}" text-anchor="middle" '
                          f'font-size="10">{e(label[:3])}</text>')
    else:
        row_h, plot = 10 + 14 * columns, 260
        width, height = 520, 20 + row_h * len(data) + 20 * columns
        for i, (label, values) in enumerate(data):
            y0 = 10 + i * row_h
            shapes.append(f'<text x="0" y="{y0 + 11}" font-size="10">{e(_short(label))}</text>')
            for c, v in enumerate(values):
                w = plot * v / top
                y = y0 + 14 + c * 14 - 14 + 4
                shapes.append(f'<rect x="180" y="{y}" width="{w:.1f}" height="12" '
                              f'fill="{COLOURS[c % len(COLOURS)]}"/>')
                shapes.append(f'<text x="{184 + w:.1f}" y="{y + 10}" font-size="10">'
                              f'{e(cells.count_text(table.rows[i][1][c]))}</text>')
    if columns > 1:  # a legend: which colour is which column
        for c, column in enumerate(table.columns):
            y = height - 20 * (columns - c) + 4
            shapes.append(f'<rect x="0" y="{y}" width="12" height="12" fill="{COLOURS[c % len(COLOURS)]}"/>'
                          f'<text x="18" y="{y + 10}" font-size="10">{e(column)}</text>')
    alt = f"{table.alt} Siffrorna står i tabellen bredvid." if table.alt else f"Diagram: {table.caption}."
    return (f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-labelledby="{ident}-alt" '
            f'viewBox="0 0 {width} {height}" width="{width}" height="{height}">'
            f'<title id="{ident}-alt">{e(alt)}</title>{"".join(shapes)}</svg>')


def _short(label: str, most: int = 32) -> str:
    """A long category name cut for the chart's axis (the table beside it has it whole)."""
    return label if len(label) <= most else label[: most - 1] + "…"
