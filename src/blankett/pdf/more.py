"""Nothing hidden on paper: answers too long for their field continue on pages added at the end.

An answer that does not fit its field even at :data:`MIN_READABLE` points shows
its beginning and "(forts. på sidan N)"; page N, after the form's own pages,
is headed "Fortsättning – svar som inte fick plats" and prints every such
answer whole under its question, as tagged text (PDF/UA). The field's value
is still the whole answer, and the added pages hold no fields, so a read-back
reads each answer once.
"""

from __future__ import annotations

from dataclasses import dataclass

import pikepdf

from .common import FONT
from .layout import _LEADING, _PAD, Layout, _lines_fitting, _pdf_string, _wrap, layout

#: Answers are never drawn smaller than this in their fields; past it they continue on an added page.
MIN_READABLE = 8.0
CONTINUED = "(forts. på sidan {page})"
HEADING = "Fortsättning – svar som inte fick plats"
#: The added pages' margins, heading size and text size, in points.
MARGIN, HEADING_SIZE, TEXT_SIZE = 56.0, 14.0, 10.0


@dataclass
class Overflow:
    """An answer that continues on an added page: its question, the whole (drawable) answer, and its page."""

    label: str
    text: str
    page: int = 0


def fits(text: str, width: float, height: float, multiline: bool) -> Layout:
    """The answer laid out in its field, from 10 pt down to :data:`MIN_READABLE`."""
    return layout(text, width, height, multiline, MIN_READABLE)


def with_marker(text: str, width: float, height: float, multiline: bool, page: int) -> Layout:
    """The answer's beginning and "(forts. på sidan N)" at :data:`MIN_READABLE`, as many lines as the box holds."""
    size, room = MIN_READABLE, max(1, _lines_fitting(height, MIN_READABLE))
    text = text if multiline else " ".join(text.split("\n"))
    marker = CONTINUED.format(page=page)
    avail = width - 2 * _PAD
    lines = _wrap(text, size, avail)[:room]
    last = lines[-1] if lines else ""
    while last and _wrap(f"{last} … {marker}", size, avail) != [f"{last} … {marker}"]:
        last = last[:-1].rstrip()
    lines[-1:] = [f"{last} … {marker}" if last else marker]
    if len(_wrap(lines[-1], size, avail)) > 1 and room > 1:  # the marker alone is wider than a line: own line
        lines[-1:] = [lines[-1][: -len(marker)].rstrip(), marker][: room]
    return Layout(size, lines, False)


@dataclass
class _Block:
    """A run of lines drawn as one tagged element on one added page."""

    role: str
    size: float
    lines: list[str]


def paginate(items: list[Overflow], width: float, height: float) -> list[list[tuple[_Block, float]]]:
    """The added pages: on each, blocks with the baseline of their first line; sets each item's ``page`` offset
    (0 for the first added page)."""
    text_width = width - 2 * MARGIN
    pages: list[list[tuple[_Block, float]]] = [[]]
    top = height - MARGIN - HEADING_SIZE
    pages[0].append((_Block("/H1", HEADING_SIZE, [HEADING]), top))
    y = top - 2 * HEADING_SIZE

    def place(role: str, size: float, lines: list[str], keep: int) -> None:
        nonlocal y
        lead = _LEADING * size
        while lines:
            room = int((y - MARGIN) / lead) + 1
            if room < min(keep, len(lines)):
                pages.append([])
                y = height - MARGIN - size
                continue
            chunk, lines[:] = lines[:room], lines[room:]
            pages[-1].append((_Block(role, size, chunk), y))
            y -= lead * len(chunk)

    for item in items:
        label = _wrap(item.label, TEXT_SIZE, text_width)
        if (y - MARGIN) / (_LEADING * TEXT_SIZE) < len(label) + 1:  # a question is never alone at a page's foot
            pages.append([])
            y = height - MARGIN - TEXT_SIZE
        item.page = len(pages) - 1
        place("/H2", TEXT_SIZE, label, len(label))
        place("/P", TEXT_SIZE, _wrap(item.text, TEXT_SIZE, text_width), 1)
        y -= _LEADING * TEXT_SIZE
    return pages


def page_count(items: list[Overflow], width: float, height: float) -> int:
    """How many pages the continuation takes (each item's page offset set)."""
    return len(paginate(items, width, height))


def add_pages(pdf: pikepdf.Pdf, items: list[Overflow], font: pikepdf.Object) -> None:
    """Append the continuation pages to ``pdf``, each block a tagged element of the document."""
    box = [float(v) for v in pdf.pages[0].MediaBox]
    width, height = box[2] - box[0], box[3] - box[1]
    root = pdf.Root.StructTreeRoot
    document = root.K if isinstance(root.K, pikepdf.Dictionary) else root.K[0]
    if not isinstance(document.K, pikepdf.Array):
        document.K = pikepdf.Array([document.K])
    nums = root.ParentTree.Nums
    key = max([int(nums[i]) for i in range(0, len(nums), 2)] + [int(root.get("/ParentTreeNextKey", 0)) - 1]) + 1
    for blocks in paginate(items, width, height):
        page = pdf.add_blank_page(page_size=(width, height))
        page.obj.Resources = pikepdf.Dictionary(Font=pikepdf.Dictionary({FONT: font}))
        page.obj.StructParents = key
        page.obj.Tabs = pikepdf.Name.S
        marked = pikepdf.Array()
        content = []
        for mcid, (block, y) in enumerate(blocks):
            element = pdf.make_indirect(pikepdf.Dictionary(
                Type=pikepdf.Name.StructElem, S=pikepdf.Name(block.role), P=document, Pg=page.obj, K=mcid))
            document.K.append(element)
            marked.append(element)
            lines = b" Tj T* ".join(_pdf_string(line) for line in block.lines)
            content.append(b"%s <</MCID %d>> BDC BT %s %g Tf %g TL 1 0 0 1 %g %g Tm %s Tj ET EMC\n" % (
                block.role.encode(), mcid, FONT.encode(), block.size, _LEADING * block.size, MARGIN, y, lines))
        page.obj.Contents = pdf.make_stream(b"0 g\n" + b"".join(content))
        nums.append(key)
        nums.append(pdf.make_indirect(marked))
        key += 1
    root.ParentTreeNextKey = key
