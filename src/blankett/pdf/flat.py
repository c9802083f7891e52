"""The flattened copy (``fill --flatten``): the answers drawn into the pages as tagged text, no fields left.

Made from the blank PDF with pikepdf, without an office suite. Each answered
field's appearance (the same one a filled field shows) is drawn into its page
inside marked content, and its ``Form`` structure element becomes a ``P`` (a
text answer) or ``Span`` (a ticked box) holding that marked content, so the
page still reads question, then answer, and still passes PDF/UA. Fields left
empty lose their element; the widgets and the AcroForm are removed.
"""

from __future__ import annotations

import io
import re
from typing import Any, cast

import pikepdf
from pydantic import BaseModel

from ..model import Values
from ..model import values as model_values
from .common import FONT, ON
from .layout import appearance_body
from .more import add_pages
from .write import PdfTemplate, Shown, save, tag_texts


def flatten_pdf(template: PdfTemplate, incident: BaseModel | Values, warnings: list[str] | None = None) -> bytes:
    """One record drawn into the blank PDF's pages as tagged text; the PDF's bytes."""
    values = incident if isinstance(incident, dict) else model_values(incident)
    shown = template.shown(values, warnings)
    with pikepdf.open(io.BytesIO(template.blank)) as pdf:
        _Flattener(pdf, template, shown).run(tag_texts(values))
        if shown.overflow:
            add_pages(pdf, shown.overflow, pdf.get_object((template.font, 0)))
        return save(pdf, template, values)


class _Flattener:
    """The work on one opened blank: draw, retag, remove the fields."""

    def __init__(self, pdf: pikepdf.Pdf, template: PdfTemplate, shown: Shown):
        self.pdf, self.template, self.shown = pdf, template, shown
        root = pdf.Root.StructTreeRoot
        nums = root.ParentTree.Nums
        self.parents = {int(nums[i]): nums[i + 1] for i in range(0, len(nums), 2)}
        self.dropped: set[int] = set()
        self.drawn: dict[int, list[bytes]] = {}  # page index -> content to append

    def run(self, values: dict[str, str | bool]) -> None:
        """Draw every answer, then take the fields away."""
        fields = {str(f.get("/T", "")): f for f in self.pdf.Root.AcroForm.Fields}
        for tag, value in values.items():
            field = fields.get(tag)
            if field is not None:
                self._one(cast(pikepdf.Dictionary, field), tag, value)
        pages = list(self.pdf.pages)
        for n, page in enumerate(pages):
            annots = page.get("/Annots")
            if annots is not None:
                kept = [a for a in annots if a.get("/Subtype") != "/Widget"]
                if kept:
                    page.Annots = pikepdf.Array(kept)
                else:
                    del page.Annots
            if n in self.drawn:
                page.contents_add(self.pdf.make_stream(b"".join(self.drawn[n])), prepend=False)
        nums = self.pdf.Root.StructTreeRoot.ParentTree.Nums
        self.pdf.Root.StructTreeRoot.ParentTree.Nums = pikepdf.Array(
            [item for i in range(0, len(nums), 2) if int(nums[i]) not in self.dropped for item in (nums[i], nums[i + 1])])
        del self.pdf.Root.AcroForm

    def _one(self, field: pikepdf.Dictionary, tag: str, value: str | bool) -> None:
        """One field: its answer drawn and its element retagged, or its element removed when it shows nothing."""
        key = int(field.StructParent) if "/StructParent" in field else None
        element = self.parents.get(key) if key is not None else None
        if key is not None:
            self.dropped.add(key)
        xobject = self._appearance(field, tag, value)
        if element is None:
            return
        if xobject is None:
            _remove_element(cast(pikepdf.Dictionary, element))
            return
        page = field.P
        index = next(n for n, p in enumerate(self.pdf.pages) if p.objgen == page.objgen)
        marked = self.parents[int(page.StructParents)]
        mcid = len(marked)
        marked.append(element)
        element.S = pikepdf.Name.P if isinstance(value, str) else pikepdf.Name.Span
        element.K = mcid
        element.Pg = page
        name = f"/BlkA{field.objgen[0]}"
        if "/Resources" not in page:
            page.Resources = pikepdf.Dictionary()
        if "/XObject" not in page.Resources:
            page.Resources.XObject = pikepdf.Dictionary()
        page.Resources.XObject[name] = xobject
        x0, y0 = float(field.Rect[0]), float(field.Rect[1])
        bbox = [float(v) for v in xobject.BBox]
        self.drawn.setdefault(index, []).append(
            b"%s <</MCID %d>> BDC q 1 0 0 1 %.3f %.3f cm %s Do Q EMC\n" % (
                element.S.unparse(), mcid, x0 - bbox[0], y0 - bbox[1], name.encode()))

    def _appearance(self, field: pikepdf.Dictionary, tag: str, value: str | bool) -> Any:
        """The Form XObject that shows the answer (the blank's own on-appearance for a ticked box); None if none."""
        if isinstance(value, bool):
            return self._own_fonts(field.AP.N.get(ON)) if value and "/AP" in field else None
        shown = self.shown.layouts.get(tag)
        if not value or shown is None:
            return None
        slot = self.template.slots[tag]
        body = appearance_body(slot.width, slot.height, shown)
        body = body.removeprefix(b"/Tx BMC\n").removesuffix(b"EMC\n")  # the page's marked content holds it
        stream = self.pdf.make_stream(body)
        stream.Type, stream.Subtype = pikepdf.Name.XObject, pikepdf.Name.Form
        stream.BBox = pikepdf.Array([0, 0, slot.width, slot.height])
        font = self.pdf.get_object((self.template.font, 0))
        stream.Resources = pikepdf.Dictionary(Font=pikepdf.Dictionary({FONT: font}))
        return stream


    def _own_fonts(self, appearance: Any) -> Any:
        """A copy of a box's appearance whose resources name only the fonts it draws with (LibreOffice hands it
        the whole form's, among them ZapfDingbats, which is never embedded)."""
        if appearance is None:
            return None
        data = appearance.read_bytes()
        used = {name.decode() for name in re.findall(rb"/([^\s/\[\]()<>]+)\s+[\d.]+\s+Tf", data)}
        fonts = appearance.get("/Resources", {}).get("/Font", {})
        stream = self.pdf.make_stream(data)
        stream.Type, stream.Subtype, stream.BBox = pikepdf.Name.XObject, pikepdf.Name.Form, appearance.BBox
        if "/Matrix" in appearance:
            stream.Matrix = appearance.Matrix
        stream.Resources = pikepdf.Dictionary(Font=pikepdf.Dictionary({f"/{n}": fonts[f"/{n}"] for n in used
                                                                       if f"/{n}" in fonts}))
        return stream


def _remove_element(element: pikepdf.Dictionary) -> None:
    """Take a structure element out of its parent's kids."""
    parent = element.get("/P")
    if parent is None:
        return
    kids = parent.get("/K")
    if isinstance(kids, pikepdf.Array):
        parent.K = pikepdf.Array([k for k in kids if not (isinstance(k, pikepdf.Dictionary) and
                                                          k.is_indirect and k.objgen == element.objgen)])
    elif isinstance(kids, pikepdf.Dictionary) and kids.objgen == element.objgen:
        parent.K = pikepdf.Array()


def render(template: PdfTemplate, incident: BaseModel | Values, flatten: bool = False,
           warnings: list[str] | None = None) -> bytes:
    """One validated record as a filled PDF (fields, :meth:`PdfTemplate.render`) or a flattened one."""
    return flatten_pdf(template, incident, warnings) if flatten else template.render(incident, warnings)
