"""ooxml: the low layer's promises on the shapes other editors (and hostile files) give a control, XML in → out.

Each test states the XML as an editor may leave it and what the layer must make of it; the form's
own controls are read and written through these same functions by every fill and read-back.
"""

from __future__ import annotations

import datetime as dt

import pytest
from lxml import etree

from blankett import ooxml

W = ooxml.W_NS
W14 = ooxml.W14_NS
NS = {"w": W, "w14": W14}


def _xml(body: str) -> etree._Element:
    """A w:body holding ``body`` (namespaces w and w14 declared)."""
    return etree.fromstring(f'<w:body xmlns:w="{W}" xmlns:w14="{W14}">{body}</w:body>')


def _control(tag: str, props: str = "", content: str = "") -> str:
    return (f'<w:sdt><w:sdtPr><w:tag w:val="{tag}"/>{props}</w:sdtPr>'
            f"<w:sdtContent>{content}</w:sdtContent></w:sdt>")


def _r(text: str, rpr: str = "") -> str:
    return f"<w:r>{rpr}<w:t>{text}</w:t></w:r>"


def _texts(el: etree._Element) -> list[str]:
    return [t.text or "" for t in el.iter(f"{{{W}}}t")]


# --- finding controls ------------------------------------------------------------------


def test_controls_counts_only_a_tag_with_a_value_inside_control_properties():
    """A w:tag without w:val, or one outside any w:sdtPr (a hostile or broken file), is no control."""
    root = _xml(_control("a") + '<w:sdt><w:sdtPr><w:tag/></w:sdtPr></w:sdt>'
                + '<w:p><w:tag w:val="stray"/></w:p>' + _control("a"))
    found = ooxml.controls(root)
    assert list(found) == ["a"] and len(found["a"]) == 2
    assert all(el.tag == ooxml.SDT for el in found["a"])


@pytest.mark.parametrize(("props", "kind"), [
    ("<w:text/>", "text"),
    ('<w:date w:fullDate="2026-01-02T00:00:00Z"/>', "date"),
    ("<w14:checkbox/>", "checkbox"),
    ("<w:richText/>", "other"),  # Word's rich text control: no w:text, w:date or w14:checkbox
    ("<w:dropDownList/>", "other"),
])
def test_kind_of_a_control_by_its_properties(props, kind):
    assert ooxml.kind_of(_xml(_control("a", props))[0]) == kind


def test_kind_of_a_control_without_properties_is_other():
    """A w:sdt with only content (the schema makes w:sdtPr optional) is no kind the form writes into."""
    assert ooxml.kind_of(_xml(f"<w:sdt><w:sdtContent>{_r('x')}</w:sdtContent></w:sdt>")[0]) == "other"


# --- reading ---------------------------------------------------------------------------


def test_text_outside_a_run_is_read():
    """A w:t straight in a paragraph (no w:r around it, as some generators write) is text a person sees."""
    root = _xml(f"<w:p><w:t>utan körning</w:t>{_r(' och med')}</w:p>")
    assert ooxml.paragraphs(root) == ["utan körning och med"]


def test_read_controls_first_tag_of_a_control_and_first_control_of_a_tag_win():
    """Two w:tag in one control: its first names it; two controls with one tag: the first in the document is read."""
    root = _xml('<w:sdt><w:sdtPr><w:tag w:val="a"/><w:tag w:val="b"/><w:text/></w:sdtPr>'
                f"<w:sdtContent>{_r('först')}</w:sdtContent></w:sdt>"
                + _control("a", "<w:text/>", _r("sedan")))
    read = ooxml.read_controls(root)
    assert list(read) == ["a"]
    assert read["a"].text == "först" and read["a"].element is root[0]


def test_read_controls_ignores_a_tag_outside_control_properties():
    root = _xml(f'<w:p><w:tag w:val="stray"/>{_r("x")}</w:p>' + _control("a", "<w:text/>", _r("svar")))
    assert {tag: c.text for tag, c in ooxml.read_controls(root).items()} == {"a": "svar"}


def test_read_controls_of_detached_properties_finds_no_control():
    """Properties with no control around them (a caller handing one w:sdtPr) give nothing, not a crash."""
    pr = _xml(_control("a", "<w:text/>"))[0][0]
    pr.getparent().remove(pr)
    assert ooxml.read_controls(pr) == {}


def test_a_stored_date_counts_only_while_text_is_shown():
    """A date control emptied by hand keeps its w:fullDate in the file; the empty control has no date."""
    root = _xml(_control("shown", '<w:date w:fullDate="2026-03-04T00:00:00Z"/>', _r("2026-03-04"))
                + _control("emptied", '<w:date w:fullDate="2026-03-04T00:00:00Z"/>'))
    read = ooxml.read_controls(root)
    assert read["shown"].kind == read["emptied"].kind == "date"
    assert read["shown"].date == dt.date(2026, 3, 4)
    assert read["emptied"].date is None and read["emptied"].text == ""


@pytest.mark.parametrize("full", ["", "igår", "2026-13-45T00:00:00Z"])
def test_an_unreadable_stored_date_is_no_date(full):
    root = _xml(_control("d", f'<w:date w:fullDate="{full}"/>', _r("4 mars")))
    read = ooxml.read_controls(root)["d"]
    assert (read.kind, read.date, read.text) == ("date", None, "4 mars")


@pytest.mark.parametrize(("box", "checked"), [
    ("<w14:checkbox/>", False),  # w14:checked is optional: left out means unticked
    ('<w14:checkbox><w14:checkedState w14:val="2612"/><w14:checked w14:val="true"/></w14:checkbox>', True),
    ('<w14:checkbox><w14:checkedState w14:val="2612"/><w14:checked w14:val="0"/></w14:checkbox>', False),
])
def test_checkbox_state_read_wherever_it_stands_among_the_box_properties(box, checked):
    read = ooxml.read_controls(_xml(_control("b", box, _r("☐"))))["b"]
    assert (read.kind, read.checked, read.text) == ("checkbox", checked, "")


def test_outside_text_of_a_control_in_a_paragraph_and_of_a_loose_control():
    """Not in a table cell: the paragraph's own text; in neither a cell nor a paragraph: nothing."""
    root = _xml(f"<w:p>{_r('Datum: ')}{_control('d', '<w:text/>', _r('svaret'))}{_r(' (ÅÅÅÅ)')}</w:p>"
                + _control("loose", "<w:text/>", _r("x")))
    controls = ooxml.first_controls(root)
    assert ooxml.outside_text(controls["d"]) == ["Datum:  (ÅÅÅÅ)"]
    assert ooxml.outside_text(controls["loose"]) == []


@pytest.mark.parametrize(("limit", "counted"), [(0, 1), (2, 3), (4, 5), (5, 5), (99, 5)])
def test_count_cells_stops_one_past_the_limit(limit, counted):
    cells = "<w:tc><w:p/></w:tc>" * 5
    root = _xml(f"<w:tbl><w:tr>{cells}</w:tr></w:tbl>")
    assert ooxml.count_cells(root, limit) == counted


# --- writing ---------------------------------------------------------------------------


def test_set_text_keeps_the_answers_font_and_drops_the_placeholder_style_and_flag():
    rpr = ('<w:rPr><w:rStyle w:val="PlaceholderText"/><w:rFonts w:ascii="Arial"/><w:b/></w:rPr>')
    root = _xml(_control("a", "<w:showingPlcHdr/><w:text/>", _r("Skriv här", rpr) + _r("mer")))
    ctl = root[0]
    ooxml.set_text(ctl, "svar")
    assert ctl.find("w:sdtPr/w:showingPlcHdr", NS) is None
    (run,) = ctl.find("w:sdtContent", NS)
    assert [child.tag.split("}")[1] for child in run.find("w:rPr", NS)] == ["rFonts", "b"]
    assert run.find("w:rPr/w:rFonts", NS).get(f"{{{W}}}ascii") == "Arial"
    assert _texts(ctl) == ["svar"]


def test_set_text_keeps_another_character_style_and_drops_properties_left_empty():
    kept = _xml(_control("a", "<w:text/>", _r("x", '<w:rPr><w:rStyle w:val="Strong"/></w:rPr>')))[0]
    ooxml.set_text(kept, "svar")
    assert kept.find("w:sdtContent/w:r/w:rPr/w:rStyle", NS).get(f"{{{W}}}val") == "Strong"
    emptied = _xml(_control("a", "<w:text/>", _r("x", '<w:rPr><w:rStyle w:val="PlaceholderText"/></w:rPr>')))[0]
    ooxml.set_text(emptied, "svar")
    assert emptied.find("w:sdtContent/w:r/w:rPr", NS) is None and _texts(emptied) == ["svar"]


def test_set_text_without_a_placeholder_flag_and_with_empty_text():
    """A control a person already typed into (no flag) is overwritten; '' leaves any control as it is."""
    ctl = _xml(_control("a", "<w:text/>", _r("gammalt")))[0]
    before = etree.tostring(ctl)
    ooxml.set_text(ctl, "")
    assert etree.tostring(ctl) == before
    ooxml.set_text(ctl, "nytt")
    assert _texts(ctl) == ["nytt"] and ctl.find("w:sdtPr/w:text", NS) is not None


def test_writing_into_a_control_without_content_is_a_lookup_error():
    ctl = _xml('<w:sdt><w:sdtPr><w:tag w:val="a"/><w:text/></w:sdtPr></w:sdt>')[0]
    with pytest.raises(LookupError, match="sdtContent"):
        ooxml.set_text(ctl, "svar")


def test_set_checked_adds_a_missing_state_and_writes_one_glyph():
    """A checkbox made elsewhere without w14:checked, its glyph split over two w:t: ticked, one ☒ shown."""
    ctl = _xml(_control("b", '<w14:checkbox><w14:checkedState w14:val="2612"/></w14:checkbox>',
                        _r("☐") + _r("☐")))[0]
    ooxml.set_checked(ctl, True)
    box = ctl.find("w:sdtPr/w14:checkbox", NS)
    assert box[0].tag == f"{{{W14}}}checked" and box[0].get(f"{{{W14}}}val") == "1"
    assert _texts(ctl) == ["☒", ""]
    ooxml.set_checked(ctl, False)
    assert box[0].get(f"{{{W14}}}val") == "0" and _texts(ctl) == ["☐", ""]


def test_set_checked_on_a_box_showing_no_glyph_sets_its_state():
    ctl = _xml(_control("b", '<w14:checkbox><w14:checked w14:val="0"/></w14:checkbox>', "<w:r/>"))[0]
    ooxml.set_checked(ctl, True)
    assert ooxml.read_controls(_wrap(ctl))["b"].checked is True
    assert _texts(ctl) == []


def _wrap(ctl: etree._Element) -> etree._Element:
    body = _xml("")
    body.append(ctl)
    return body


# --- custom document properties --------------------------------------------------------

_CUSTOM = (f'<Properties xmlns="{ooxml.CUSTOM_NS}" xmlns:vt="{ooxml.VT_NS}">'
           f'<property fmtid="{{D5CDD505-2E9C-101B-9397-08002B2CF9AE}}" pid="2" name="Diarienummer">'
           "<vt:lpwstr>KS 2026/1</vt:lpwstr></property>"
           f'<property fmtid="{{D5CDD505-2E9C-101B-9397-08002B2CF9AE}}" pid="7" name="Annat">'
           "<vt:lpwstr>behålls</vt:lpwstr></property></Properties>").encode()


def _props(custom: bytes) -> list[tuple[str | None, str | None, str | None]]:
    root = etree.fromstring(custom)
    return [(p.get("name"), p.get("pid"), p[0].text) for p in root]


def test_custom_properties_replaced_added_and_removed_others_kept():
    """A filled form used as a template: its case number is replaced, an added property takes the next pid."""
    out = ooxml.with_custom_properties(_CUSTOM, [("Diarienummer", "KS 2026/9"), ("Ny", "värde")])
    assert _props(out) == [("Annat", "7", "behålls"), ("Diarienummer", "8", "KS 2026/9"), ("Ny", "9", "värde")]
    root = etree.fromstring(out)
    assert ooxml.custom_property(root, "Diarienummer") == "KS 2026/9" and ooxml.custom_property(root, "x") is None
    gone = ooxml.with_custom_properties(out, [("Diarienummer", None), ("Saknas", None)])
    assert _props(gone) == [("Annat", "7", "behålls"), ("Ny", "9", "värde")]


_RELS = (f'<Relationships xmlns="{ooxml.RELS_NS}">'
         '<Relationship Id="rIdCustom1" Type="http://x/officeDocument" Target="word/document.xml"/>'
         "</Relationships>").encode()
_TYPES = f'<Types xmlns="{ooxml.TYPES_NS}"><Default Extension="xml" ContentType="application/xml"/></Types>'.encode()


def test_custom_part_declared_once_with_a_free_relationship_id():
    rels, types = ooxml.with_custom_part(_RELS, _TYPES)
    declared = etree.fromstring(rels)
    assert [(r.get("Id"), r.get("Type"), r.get("Target")) for r in declared][1] == (
        "rIdCustom2", ooxml.CUSTOM_REL, "docProps/custom.xml")
    assert [(o.get("PartName"), o.get("ContentType")) for o in etree.fromstring(types)][1] == (
        "/docProps/custom.xml", ooxml.CUSTOM_TYPE)
    assert ooxml.with_custom_part(rels, types) == (rels, types)  # already declared: the same bytes back


def test_custom_part_declared_in_another_case_is_not_declared_again():
    """Part names compare without case (OPC): a template that declares /DOCPROPS/custom.xml keeps its types."""
    types = (f'<Types xmlns="{ooxml.TYPES_NS}"><Override PartName="/DOCPROPS/custom.xml" '
             f'ContentType="{ooxml.CUSTOM_TYPE}"/></Types>').encode()
    rels, same = ooxml.with_custom_part(_RELS, types)
    assert same == types and rels != _RELS
