"""Helpers for read-back tests: filled forms, and edits of their document part as people's editors make them.

Edits use plain lxml and XPath (not blankett's own layer), so the tests check
the reader against independently built XML.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Callable

from lxml import etree

from blankett.fill import fill_record
from blankett.model import to_record, validate

from .conftest import NS, W

MAIN = "word/document.xml"


def w(tag: str) -> str:
    return f"{{{W}}}{tag}"


def expected(record: dict) -> dict:
    """The record as extract gives it back: validated, the case number included (a document property)."""
    return to_record(validate(record)[0])


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
