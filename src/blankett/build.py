"""Build the template: Bilaga 5 as a Word form, generated from the declaration and a profile.

The output is byte-for-byte reproducible: fixed document properties, fixed zip
timestamps, control ids numbered in form order.
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import TYPE_CHECKING

from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.shared import Cm, Pt, RGBColor

from . import ooxml
from .form import (
    BODY_PT,
    FOOTER_HEADS,
    INTRO,
    LANGUAGE,
    LIST_ITEMS,
    PLACEHOLDER,
    SECTIONS,
    SUBTITLE,
    TITLE,
    Bullets,
    Check,
    Comment,
    Field,
    Findings,
    Kind,
    Question,
    Row,
    Section,
    Step,
    TableHeader,
    Talk,
    janej_tag,
    list_tag,
)
from .package import read_all, zip_bytes
from .profile import Profile, load_profile

if TYPE_CHECKING:
    from docx.blkcntnr import BlockItemContainer
    from docx.document import Document as DocumentObject
    from docx.table import Table, _Cell
    from docx.text.paragraph import Paragraph

#: The blank form as shipped in the package (the wheel too); a copy of the reviewed templates/Bilaga5.docx.
SHIPPED_FORM = Path(__file__).with_name("templates") / "Bilaga5.docx"
FONT = "Arial"
LINE = 280  # twips of writing space per answer line

# Parts of python-docx's default template that a published form must not carry.
_DROP_RELS = (RT.THUMBNAIL, RT.CUSTOM_XML, "http://schemas.microsoft.com/office/2007/relationships/stylesWithEffects")


class _Ids:
    """Unique content-control ids, in form order."""

    def __init__(self, start: int = 1001):
        self.next = start

    def __call__(self) -> int:
        self.next += 1
        return self.next - 1


def styles(doc: DocumentObject) -> None:
    """The form's styles (Arial, black headings, sv-SE), shared by the form and the overview's Word document."""
    styles = doc.styles
    ooxml.default_font(styles.element, FONT, round(BODY_PT * 2))  # half-points
    normal = styles["Normal"]
    normal.paragraph_format.space_after = Pt(3)
    normal.paragraph_format.line_spacing = 1.0
    for name, size, italic in (("Title", 17, False), ("Subtitle", 12, True), ("Heading 1", 13, False),
                               ("Heading 2", 11, False)):
        style = styles[name]
        style.font.name = FONT
        ooxml.plain_fonts(style.element, FONT)
        style.font.size = Pt(size)
        style.font.bold = not italic
        style.font.italic = italic
        style.font.color.rgb = RGBColor(0, 0, 0)
        style.paragraph_format.space_before = Pt(12 if name.startswith("Heading") else 0)
        style.paragraph_format.space_after = Pt(6)
    title_rpr = styles["Title"].element
    for border in list(title_rpr.iter(ooxml.w("pBdr"))):
        parent = border.getparent()
        if parent is not None:
            parent.remove(border)
    plc = styles.add_style("Placeholder Text", WD_STYLE_TYPE.CHARACTER)
    plc.element.set(ooxml.w("styleId"), ooxml.PLACEHOLDER_STYLE)
    plc.font.color.rgb = RGBColor(0x76, 0x76, 0x76)  # grey with 4.5:1 contrast on white (WCAG AA)
    link = styles.add_style("Hyperlink", WD_STYLE_TYPE.CHARACTER)
    link.font.color.rgb = RGBColor(0x05, 0x63, 0xC1)
    link.font.underline = True
    hint = styles.add_style("Hint", WD_STYLE_TYPE.PARAGRAPH)
    hint.base_style = normal
    hint.font.size = Pt(9)
    hint.font.italic = True
    small = styles.add_style("Sidfot", WD_STYLE_TYPE.PARAGRAPH)
    small.base_style = normal
    small.font.size = Pt(8)
    small.paragraph_format.space_after = Pt(0)
    ooxml.set_language(styles.element, doc.settings.element, LANGUAGE)
    ooxml.drop_rsids(doc.settings.element)


def _widths(table: Table, cm: list[float], together: bool = False) -> None:
    """Fix the column widths; rows never split across pages, and a small table stays on one page."""
    table.autofit = False
    for i, row in enumerate(table.rows):
        tr_pr = row._tr.find(ooxml.w("trPr"))
        if tr_pr is None or tr_pr.find(ooxml.w("cantSplit")) is None:
            ooxml.keep_row_together(row._tr)
        if together and i < len(table.rows) - 1:
            for cell in row.cells:
                for p in cell.paragraphs:
                    p.paragraph_format.keep_with_next = True
    for row in table.rows:
        for cell, width in zip(row.cells, cm, strict=True):
            cell.width = Cm(width)
    for col, width in zip(table.columns, cm, strict=True):
        col.width = Cm(width)


def _para(cell: BlockItemContainer, text: str = "", style: str | None = None, bold: bool = False) -> Paragraph:
    p = cell.add_paragraph(style=style)
    if text:
        p.add_run(text).bold = bold or None
    return p


def _cell_text(cell: _Cell, text: str, bold: bool = False, style: str | None = None) -> Paragraph:
    """Write text into a new table cell's (empty) first paragraph."""
    p: Paragraph = cell.paragraphs[0]  # python-docx leaves ``paragraphs`` unannotated
    if style:
        p.style = style
    if text:
        p.add_run(text).bold = bold or None
    return p


def _control(paragraph: Paragraph, f: Field, ids: _Ids, tag: str | None = None, alias: str | None = None) -> None:
    tag = tag or f.key
    alias = alias or f.control_label(tag)
    if f.kind is Kind.DATE:
        sdt = ooxml.date_control(tag, alias, PLACEHOLDER[Kind.DATE], ids())
    elif f.kind is Kind.JANEJ:
        sdt = ooxml.checkbox_control(tag, alias, ids())
    else:
        sdt = ooxml.text_control(tag, alias, PLACEHOLDER[f.kind], ids(), f.multiline)
    ooxml.append_control(paragraph._p, sdt)


def _janej_cells(ja_cell: _Cell, nej_cell: _Cell, f: Field, ids: _Ids) -> None:
    for cell, answer in ((ja_cell, "Ja"), (nej_cell, "Nej")):
        p = _cell_text(cell, f"{answer} ")
        tag = janej_tag(f.key, answer)
        _control(p, f, ids, tag, f.control_label(tag))


def _header_table(container: BlockItemContainer, profile: Profile, width: float,
                  heading: tuple[str, str, str]) -> None:
    title, date, appendix = heading
    table = container.add_table(rows=3, cols=3, width=Cm(width))
    _widths(table, [4.5, width - 8.0, 3.5])
    logo_p = table.cell(0, 0).paragraphs[0]
    logo_p.add_run().add_picture(str(profile.logo), width=Cm(3.6))
    ooxml.picture_alt_text(logo_p._p, profile.logo_alt)
    _cell_text(table.cell(0, 1), title, bold=True)
    page = _cell_text(table.cell(0, 2), "")
    page.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    ooxml.append_field(page._p, "PAGE", "1")
    page.add_run("(")
    ooxml.append_field(page._p, "NUMPAGES", "1")
    page.add_run(")")
    _cell_text(table.cell(1, 1), "Datum", style="Sidfot")
    _cell_text(table.cell(2, 1), date)
    _cell_text(table.cell(2, 2), appendix).alignment = WD_ALIGN_PARAGRAPH.RIGHT
    ooxml.table_caption(table._tbl, "Sidhuvud", f"{profile.name}: {title}, {appendix}")


def _footer_table(footer: BlockItemContainer, profile: Profile, width: float) -> None:
    heads = FOOTER_HEADS
    table = footer.add_table(rows=3, cols=5, width=Cm(width))
    _widths(table, [width * 0.22, width * 0.2, width * 0.2, width * 0.24, width * 0.14])
    rows = (
        heads,
        ("\n".join(profile.postal_address), "\n".join(profile.visiting_address), profile.phone, profile.web,
         profile.org_nr),
        ("", "", profile.fax, profile.email, ""),
    )
    for r, values in enumerate(rows):
        for c, value in enumerate(values):
            cell = table.cell(r, c)
            for i, line in enumerate(value.split("\n")):
                if i == 0:
                    _cell_text(cell, line, bold=(r == 0), style="Sidfot")
                else:
                    _para(cell, line, "Sidfot")
    ooxml.mark_header_row(table.rows[0]._tr)
    ooxml.table_caption(table._tbl, "Kommunens adress", profile.name)


def page_frame(doc: DocumentObject, profile: Profile, heading: tuple[str, str, str] | None = None) -> float:
    """A4 with the municipality's header (logo, ``heading``: title, date, label; page N(M)) and its address footer
    on the first page; the text width in cm. The form's heading is the plan's; the overview's is its own."""
    heading = heading or (profile.plan_title, profile.plan_date, profile.appendix)
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    section.left_margin, section.right_margin = Cm(2.5), Cm(2.0)
    section.top_margin, section.bottom_margin = Cm(3.6), Cm(2.5)
    section.header_distance, section.footer_distance = Cm(1.0), Cm(1.0)
    section.different_first_page_header_footer = True
    width = 16.5
    for header in (section.first_page_header, section.header):
        header.is_linked_to_previous = False
        _header_table(header, profile, width, heading)
    section.first_page_footer.is_linked_to_previous = False
    _footer_table(section.first_page_footer, profile, width)
    section.footer.is_linked_to_previous = False
    return width


def _question_table(doc: DocumentObject, section: Section, ids: _Ids, width: float) -> None:
    table = doc.add_table(rows=0, cols=2)
    table.style = "Table Grid"
    for row in section.rows:
        if not isinstance(row, Question):  # pragma: no cover - the form puts only questions in such a section
            raise TypeError(f"unknown question row {row!r}")
        f = row.field
        cells = table.add_row().cells
        _cell_text(cells[0], f.label, bold=True)
        _para(cells[0], f.hint, "Hint")
        _control(cells[1].paragraphs[0], f, ids)
        ooxml.row_min_height(table.rows[-1]._tr, LINE * (f.lines + 1))
    _widths(table, [6.0, width - 6.0])
    ooxml.table_caption(table._tbl, section.heading, "Frågor till vänster, svar till höger.")


def _checklist_table(doc: DocumentObject, rows: tuple[Row, ...], ids: _Ids, width: float, caption: str) -> None:
    table = doc.add_table(rows=0, cols=4)
    table.style = "Table Grid"
    cm = [1.9, width - 6.9, 2.5, 2.5]
    for row in rows:
        cells = table.add_row().cells
        tr = table.rows[-1]._tr
        if isinstance(row, TableHeader):
            resp = cells[2].merge(cells[3])
            for cell, text in zip((cells[0], cells[1], resp), row.cells, strict=True):
                _cell_text(cell, text, bold=True)
                ooxml.shade_cell(cell._tc, "E7E6E6")
            ooxml.mark_header_row(tr)
        elif isinstance(row, Step):
            resp = cells[2].merge(cells[3])
            _cell_text(cells[0], row.number)
            _cell_text(cells[1], row.action)
            _cell_text(resp, row.responsible)
        elif isinstance(row, Bullets):
            cells[2].merge(cells[3])
            for i, item in enumerate(row.items):
                p = cells[1].paragraphs[0] if i == 0 else cells[1].add_paragraph()
                p.style = "List Bullet"
                p.add_run(item)
        elif isinstance(row, Check) and row.field.kind is Kind.JANEJ:
            _cell_text(cells[0], "Check!" if row.first else "", bold=True)
            _cell_text(cells[1], row.field.label)
            _janej_cells(cells[2], cells[3], row.field, ids)
        elif isinstance(row, (Check, Comment)):
            answer = cells[1].merge(cells[3])
            if isinstance(row, Check):
                _cell_text(cells[0], "Check!", bold=True)
            _cell_text(answer, row.field.label)
            _control(answer.add_paragraph(), row.field, ids)
            ooxml.row_min_height(tr, LINE * (row.field.lines + 1))
        else:  # pragma: no cover - a new row type must be taught to the builder
            raise TypeError(f"unknown checklist row {row!r}")
    _widths(table, cm)
    ooxml.table_caption(table._tbl, caption, "Åtgärd, ansvar och kontrollfrågor med Ja/Nej-rutor.")


def _talk_table(doc: DocumentObject, talk: Talk, ids: _Ids, width: float) -> None:
    table = doc.add_table(rows=0, cols=1)
    table.style = "Table Grid"
    title = table.add_row().cells[0]
    _cell_text(title, talk.title, bold=True)
    ooxml.shade_cell(title._tc, "E7E6E6")
    ooxml.mark_header_row(table.rows[-1]._tr)
    for f in talk.fields:
        _cell_text(table.add_row().cells[0], f.label)
        _control(table.add_row().cells[0].paragraphs[0], f, ids)
        ooxml.row_min_height(table.rows[-1]._tr, LINE * (f.lines + 1))
    _widths(table, [width], together=True)
    ooxml.table_caption(table._tbl, talk.title)


def _followup(doc: DocumentObject, section: Section, ids: _Ids, width: float) -> None:
    for row in section.rows:
        if isinstance(row, Check):
            table = doc.add_table(rows=1, cols=3)
            table.style = "Table Grid"
            cells = table.rows[0].cells
            _cell_text(cells[0], row.field.label)
            _janej_cells(cells[1], cells[2], row.field, ids)
            _widths(table, [width - 5.0, 2.5, 2.5])
            ooxml.table_caption(table._tbl, row.field.column)
        elif isinstance(row, Findings):
            doc.add_paragraph()
            table = doc.add_table(rows=1, cols=1)
            table.style = "Table Grid"
            _cell_text(table.rows[0].cells[0], row.field.label)
            for n in range(1, LIST_ITEMS + 1):
                p = table.add_row().cells[0].paragraphs[0]
                tag = list_tag(row.field.key, n)
                _control(p, row.field, ids, tag, row.field.control_label(tag))
            _widths(table, [width], together=True)
            ooxml.table_caption(table._tbl, row.field.column)
        else:  # pragma: no cover
            raise TypeError(f"unknown follow-up row {row!r}")
        doc.add_paragraph()


def _body(doc: DocumentObject, profile: Profile, width: float) -> None:
    ids = _Ids()
    doc.add_paragraph(TITLE, style="Title")
    doc.add_paragraph(SUBTITLE, style="Subtitle")
    doc.add_paragraph(INTRO[0])
    p = doc.add_paragraph(INTRO[1])
    rel = doc.part.relate_to(profile.plan_url, RT.HYPERLINK, is_external=True)
    ooxml.append_hyperlink(p._p, rel, profile.plan_url, "Hyperlink")
    for section in SECTIONS:
        doc.add_heading(section.heading, level=1)
        if section.tables:
            for i, rows in enumerate(section.tables):
                _checklist_table(doc, rows, ids, width, f"Checklista, del {i + 1}")
                doc.add_paragraph()
        elif section.rows and isinstance(section.rows[0], Question):
            _question_table(doc, section, ids, width)
        elif section.rows and isinstance(section.rows[0], Talk):
            for talk in section.rows:
                if not isinstance(talk, Talk):  # pragma: no cover - talks are not mixed with other rows
                    raise TypeError(f"unknown talk row {talk!r}")
                _talk_table(doc, talk, ids, width)
                doc.add_paragraph()
        else:
            _followup(doc, section, ids, width)


def core_properties(doc: DocumentObject, profile: Profile, title: str, subject: str, keywords: str,
                    stamp: dt.datetime) -> None:
    """A document's properties: its title, subject and keywords, the municipality as author, the language, and
    one day for every date; no person, machine or clock time (the form and the overview both)."""
    props = doc.core_properties
    props.title = title
    props.subject = subject
    props.author = profile.name
    props.last_modified_by = profile.name
    props.comments = ""
    props.keywords = keywords
    props.category = profile.plan_title
    props.language = LANGUAGE
    props.revision = 1
    props.created = props.modified = props.last_printed = stamp


def _properties(doc: DocumentObject, profile: Profile) -> None:
    core_properties(doc, profile, f"{TITLE} – {profile.appendix}", SUBTITLE,
                    "blankett; incidentrapport; förtroendevalda",
                    dt.datetime.fromisoformat(f"{profile.plan_date}T00:00:00"))


_APP_XML = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties" '
    'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
    "<Template>Normal.dotm</Template><Company>{company}</Company><DocSecurity>0</DocSecurity>"
    "<ScaleCrop>false</ScaleCrop><LinksUpToDate>false</LinksUpToDate><SharedDoc>false</SharedDoc>"
    "<HyperlinksChanged>false</HyperlinksChanged><AppVersion>16.0000</AppVersion></Properties>"
)


def _drop_default_parts(doc: DocumentObject) -> None:
    for rels in (doc.part.package.rels, doc.part.rels):
        for rid, rel in list(rels.items()):
            if rel.reltype in _DROP_RELS:
                del rels[rid]


def _honest_parts(doc: DocumentObject) -> None:
    """Across every XML part: drawing ids unique in the package, table looks that claim only real header rows."""
    roots = [part.element for part in doc.part.package.iter_parts() if hasattr(part, "element")]
    ooxml.number_drawings(roots)
    for root in roots:
        ooxml.honest_table_looks(root)


def build_bytes(profile: Profile | None = None) -> bytes:
    """The blank form as .docx bytes, reproducible for a given profile."""
    profile = profile or load_profile()
    doc = Document()
    _drop_default_parts(doc)
    styles(doc)
    ooxml.protect_for_forms(doc.settings.element)  # only the answers can be typed into (Word and LibreOffice)
    width = page_frame(doc, profile)
    _body(doc, profile, width)
    # python-docx's default body starts with an empty paragraph before ours
    body = doc.element.body
    first = body[0]
    if first.tag == ooxml.P and not len(first):
        body.remove(first)
    _properties(doc, profile)
    return save(doc, profile)


def save(doc: DocumentObject, profile: Profile) -> bytes:
    """The document as reproducible .docx bytes: honest table looks, unique drawing ids, the municipality as company."""
    from xml.sax.saxutils import escape

    _drop_default_parts(doc)
    _honest_parts(doc)
    buf = io.BytesIO()
    doc.save(buf)
    app = _APP_XML.format(company=escape(profile.name)).encode("utf-8")
    parts = [(name, app if name == "docProps/app.xml" else data) for name, data in read_all(buf.getvalue())]
    return zip_bytes(parts)


def blank_bytes(profile: Profile | None = None) -> bytes:
    """The blank form: the committed template, or one built from ``profile`` when given (or when none is there)."""
    if profile is None and SHIPPED_FORM.exists():
        return SHIPPED_FORM.read_bytes()
    return build_bytes(profile)
