"""Helpers for fill and read-back tests: filled forms checked field by field, and edits of their document part
as people's editors make them.

Edits use plain lxml and XPath (not blankett's own layer), so the tests check
the reader against independently built XML.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from pathlib import Path

from lxml import etree

from blankett.fill import fill_record
from blankett.form import FIELDS, Kind, janej_tag, list_tag
from blankett.model import CASE_KEY, to_record, validate
from blankett.readback import NOTHING_ANSWERED

from .conftest import NS, W, docx_xml, sdt_by_tag, sdt_checked, sdt_text, shows_placeholder

MAIN = "word/document.xml"
#: The record's keys that are not answers on the form (issue 20), written out here rather than taken from form.py.
REGISTERED = (CASE_KEY, "handelsedatum", "typ", "kanal")


def w(tag: str) -> str:
    return f"{{{W}}}{tag}"


def expected(record: dict) -> dict:
    """The record as extract gives it back: validated, the case number included (a document property)."""
    return to_record(validate(record)[0])


def expected_status(record: dict) -> tuple[str, list[str]]:
    """The status and messages extract gives a form filled with ``record``: ok, or a warning when no field is
    answered (the case number and the coded fields are no answers)."""
    answered = any(v not in (None, []) for k, v in expected(record).items() if k not in REGISTERED)
    return ("ok", []) if answered else ("varning", [NOTHING_ANSWERED])


def assert_filled_as(docx: bytes, record: dict) -> None:
    """Every field of the form holds exactly the record's value (read back with plain XPath)."""
    ctl = sdt_by_tag(docx_xml(docx))
    for f in FIELDS:
        value = record.get(f.key)
        if f.kind is Kind.JANEJ:
            assert sdt_checked(ctl[janej_tag(f.key, "Ja")]) == (value == "Ja"), f.key
            assert sdt_checked(ctl[janej_tag(f.key, "Nej")]) == (value == "Nej"), f.key
            glyphs = sdt_text(ctl[janej_tag(f.key, "Ja")]) + sdt_text(ctl[janej_tag(f.key, "Nej")])
            assert glyphs == {"Ja": "☒☐", "Nej": "☐☒", None: "☐☐"}[value]
        elif f.kind is Kind.LIST:
            items = list(value or [])
            for n in range(1, 5):
                sdt = ctl[list_tag(f.key, n)]
                if n <= len(items):
                    assert sdt_text(sdt) == items[n - 1] and not shows_placeholder(sdt)
                else:
                    assert shows_placeholder(sdt)
        else:
            sdt = ctl[f.key]
            if value:
                assert not shows_placeholder(sdt), f.key
                assert sdt_text(sdt) == str(value), f.key
                style = sdt.find("w:sdtContent/w:r/w:rPr/w:rStyle", NS)
                assert style is None or style.get(f"{{{W}}}val") != "PlaceholderText"
            else:
                assert shows_placeholder(sdt), f.key
            if f.kind is Kind.DATE and value:
                full = sdt.find("w:sdtPr/w:date", NS).get(f"{{{W}}}fullDate")
                assert full.startswith(str(value))


def filled(record: dict) -> bytes:
    return fill_record(record)


def rezip(data: bytes, replace: dict[str, bytes], add: dict[str, bytes] | None = None) -> bytes:
    """The package with some members replaced and others added."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info.filename, replace.get(info.filename, src.read(info)))
        for name, member in (add or {}).items():
            dst.writestr(name, member)
    return out.getvalue()


def zipped(members: list[tuple[str, bytes]]) -> bytes:
    """A zip of exactly these (name, data) members, in order."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, member in members:
            zf.writestr(name, member)
    return out.getvalue()


def both_ticked(record: dict) -> bytes:
    """The record filled in, with Nej ticked beside Ja for polisanmald: a form that reads with a warning."""
    def tick_nej(root: etree._Element) -> None:
        sdt(root, "polisanmald=Nej").find("w:sdtPr/w14:checkbox/w14:checked", NS).set(f"{{{NS['w14']}}}val", "1")

    return edit(filled(dict(record, polisanmald="Ja")), tick_nej)


def edit(data: bytes, change: Callable[[etree._Element], None]) -> bytes:
    """The package with its document part changed by ``change(root)``."""
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        root = etree.fromstring(zf.read(MAIN))
    change(root)
    return rezip(data, {MAIN: etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)})


def sdt(root: etree._Element, tag: str) -> etree._Element:
    return root.xpath(f'.//w:sdt[w:sdtPr/w:tag/@w:val="{tag}"]', namespaces=NS)[0]


def unwrap(control: etree._Element) -> None:
    """Remove a content control but keep what it shows (Word: "Remove content control")."""
    parent = control.getparent()
    index = parent.index(control)
    for child in reversed(list(control.find("w:sdtContent", NS))):
        parent.insert(index, child)
    parent.remove(control)


def run(text: str, **props: str) -> etree._Element:
    """A ``w:r`` with text and optional on/off run properties (b, i, …)."""
    r = etree.Element(w("r"))
    if props:
        rpr = etree.SubElement(r, w("rPr"))
        for name in props:
            etree.SubElement(rpr, w(name))
    t = etree.SubElement(r, w("t"))
    t.text = text
    t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    return r


def set_content(control: etree._Element, *children: etree._Element) -> None:
    """Replace a control's content (and drop its placeholder flag), as an editor that typed into it."""
    content = control.find("w:sdtContent", NS)
    for child in list(content):
        content.remove(child)
    for child in children:
        content.append(child)
    plc = control.find("w:sdtPr/w:showingPlcHdr", NS)
    if plc is not None:
        plc.getparent().remove(plc)


def cell_of(el: etree._Element) -> etree._Element:
    return next(a for a in el.iterancestors(w("tc")))


def save(tmp: Path, name: str, data: bytes) -> Path:
    path = tmp / name
    path.write_bytes(data)
    return path
