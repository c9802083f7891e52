"""The template: faithful to the seed, reproducible, a real accessible Word form."""

from __future__ import annotations

import re
import zipfile
from importlib import resources

import pytest
from lxml import etree

from blankett.build import SHIPPED_FORM, build_bytes
from blankett.form import FIELDS, Kind
from blankett.profile import load_profile

from .conftest import NS, SEED, SHARED_SEED, W14, W, docx_xml, sdt_by_tag, shows_placeholder

ARTEFACTS = {"[bookmark: _GoBack]", "[image: ]"}
PAGE_NUMBER = re.compile(r"^\d+\(\d+\)$")


def seed_lines() -> list[str]:
    """The seed's visible text lines, in order, without extraction artefacts and stale page numbers."""
    out = []
    for raw in SEED.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line in ARTEFACTS or PAGE_NUMBER.match(line):
            continue
        out.append(line.removeprefix("· "))  # bullets: a real list in the form
    return out


def visible_lines(part: etree._Element) -> list[str]:
    """Paragraph texts outside content controls, as a reader of the blank form sees the fixed text."""
    out = []
    for p in part.iter(f"{{{W}}}p"):
        text = "".join(
            t.text or "" for t in p.iter(f"{{{W}}}t")
            if not any(a.tag == f"{{{W}}}sdtContent" for a in t.iterancestors())
        ).strip()
        if text and not PAGE_NUMBER.match(text):
            out.append(text)
    return out


@pytest.fixture(scope="module")
def template() -> bytes:
    return SHIPPED_FORM.read_bytes()


def parts_in_order(data: bytes) -> list[str]:
    """Headers, body, footers: the order the seed extract shows them."""
    with zipfile.ZipFile(__import__("io").BytesIO(data)) as zf:
        names = zf.namelist()
    headers = sorted(n for n in names if re.fullmatch(r"word/header\d+\.xml", n))
    footers = sorted(n for n in names if re.fullmatch(r"word/footer\d+\.xml", n))
    return headers + ["word/document.xml"] + footers


def test_every_seed_line_appears_verbatim_in_order(template):
    form = [line for part in parts_in_order(template) for line in visible_lines(docx_xml(template, part))]
    assert form == seed_lines()


def test_the_seed_copy_is_the_shared_seed():
    assert SEED.read_bytes().count(b"\n") > 300
    if SHARED_SEED.exists():
        assert SEED.read_bytes() == SHARED_SEED.read_bytes()


def test_bullets_are_a_real_list(template):
    body = docx_xml(template)
    bullets = [p for p in body.iter(f"{{{W}}}p")
               if p.find("w:pPr/w:pStyle", NS) is not None
               and p.find("w:pPr/w:pStyle", NS).get(f"{{{W}}}val") == "ListBullet"]
    texts = ["".join(t.text for t in p.iter(f"{{{W}}}t")) for p in bullets]
    assert texts == ["Partikamrater", "Övriga förtroendevalda", "Kommunens medarbetare"]


def test_committed_template_is_what_the_code_generates(template):
    assert build_bytes() == template, "run `blankett template` and commit templates/Bilaga5.docx"


def test_build_is_reproducible_and_zip_times_fixed():
    data = build_bytes()
    assert build_bytes() == data
    with zipfile.ZipFile(__import__("io").BytesIO(data)) as zf:
        assert {i.date_time for i in zf.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        assert zf.namelist()[0] == "[Content_Types].xml"


def test_a_new_profile_changes_only_the_municipality(tmp_path):
    profile = load_profile()
    src = (resources.files("blankett") / "profiles" / "oxelosund.json").read_text(encoding="utf-8")  # as installed
    other = tmp_path / "annan.json"
    other.write_text(src.replace("Oxelösunds kommun", "Exempelby kommun").replace(
        "logotyp-saknas.png", str(profile.logo)), encoding="utf-8")
    data = build_bytes(load_profile(other))
    footer_text = " ".join(visible_lines(docx_xml(data, "word/footer1.xml"))
                           + visible_lines(docx_xml(data, "word/footer2.xml")))
    assert "Exempelby kommun" in footer_text
    core = docx_xml(data, "docProps/core.xml")
    assert core.find("{http://purl.org/dc/elements/1.1/}creator").text == "Exempelby kommun"
    assert set(sdt_by_tag(docx_xml(data))) == set(sdt_by_tag(docx_xml(build_bytes())))


def test_page_frame(template):
    body = docx_xml(template)
    sect = body.find(".//w:body/w:sectPr", NS)
    size = sect.find("w:pgSz", NS)
    assert (size.get(f"{{{W}}}w"), size.get(f"{{{W}}}h")) == ("11906", "16838")  # A4 portrait
    assert sect.find("w:titlePg", NS) is not None  # the address footer is on the first page only
    refs = {(r.tag.split("}")[1], r.get(f"{{{W}}}type")) for r in sect if r.tag.endswith("Reference")}
    assert {("headerReference", "first"), ("headerReference", "default"),
            ("footerReference", "first"), ("footerReference", "default")} <= refs
    for part in parts_in_order(template):
        if "header" in part:
            header = docx_xml(template, part)
            tbl = header.find(".//w:tbl", NS)
            assert len(tbl.findall("w:tr", NS)) == 3 and len(tbl.findall("w:tblGrid/w:gridCol", NS)) == 3
            instr = [i.text.strip() for i in header.iter(f"{{{W}}}instrText")]
            assert instr == ["PAGE", "NUMPAGES"]
            assert header.find(".//w:drawing", NS) is not None  # the logo


def test_controls_are_tagged_titled_unique_and_locked(template):
    body = docx_xml(template)
    sdts = list(body.iterfind(".//w:sdt", NS))
    tags = [s.find("w:sdtPr/w:tag", NS).get(f"{{{W}}}val") for s in sdts]
    assert tags == [tag for f in FIELDS for tag in f.tags()]  # one control per tag, in form order
    ids = [s.find("w:sdtPr/w:id", NS).get(f"{{{W}}}val") for s in sdts]
    assert len(set(ids)) == len(ids)
    for s in sdts:
        assert s.find("w:sdtPr/w:lock", NS).get(f"{{{W}}}val") == "sdtLocked"
        assert s.find("w:sdtPr/w:alias", NS).get(f"{{{W}}}val")


@pytest.mark.parametrize("f", FIELDS, ids=lambda f: f.key)
def test_each_field_has_the_right_kind_of_control(template, f):
    ctl = sdt_by_tag(docx_xml(template))
    for tag in f.tags():
        sdt = ctl[tag]
        pr = sdt.find("w:sdtPr", NS)
        if f.kind is Kind.JANEJ:
            box = pr.find("w14:checkbox", NS)
            assert box.find("w14:checked", NS).get(f"{{{W14}}}val") == "0"
            assert box.find("w14:checkedState", NS).get(f"{{{W14}}}val") == "2612"
            assert box.find("w14:uncheckedState", NS).get(f"{{{W14}}}val") == "2610"
        elif f.kind is Kind.DATE:
            assert pr.find("w:date/w:dateFormat", NS).get(f"{{{W}}}val") == "yyyy-MM-dd"
            assert pr.find("w:date/w:lid", NS).get(f"{{{W}}}val") == "sv-SE"
            _blank_placeholder_shape(sdt)
        else:
            text = pr.find("w:text", NS)
            assert text is not None
            assert (text.get(f"{{{W}}}multiLine") == "1") == f.multiline
            _blank_placeholder_shape(sdt)


#: An empty answer: twenty figure spaces (written out here, not taken from blankett).
BLANK = "\u2007" * 20


def _blank_placeholder_shape(sdt) -> None:
    """The placeholder shape Word and Writer both handle, per ECMA-376 Part 1 §17.5.2.

    * ``w:showingPlcHdr`` (§17.5.2.39): the content is the placeholder, not an answer; Word selects it whole when
      the control is entered and replaces it with what is typed.
    * One run of figure spaces (blank, unbreakable) with no run properties at all: Writer gives text typed or pasted over a
      placeholder that run's formatting (a ``PlaceholderText`` style made every answer grey); Word gives it
      ``w:sdtPr/w:rPr`` or none (§17.5.2.27), and there is none.
    * No ``w:placeholder``: a control a person empties in Word then shows Word's default, five no-break spaces
      (§17.5.2.25), which read-back reads as no answer, like the twenty blanks here.
    """
    pr = sdt.find("w:sdtPr", NS)
    assert shows_placeholder(sdt)
    assert pr.find("w:placeholder", NS) is None and pr.find("w:rPr", NS) is None
    runs = sdt.findall("w:sdtContent/w:r", NS)
    assert len(runs) == 1 and runs[0].find("w:rPr", NS) is None
    assert "".join(t.text for t in runs[0].iterfind("w:t", NS)) == BLANK


def test_w14_is_declared_ignorable(template):
    raw = zipfile.ZipFile(__import__("io").BytesIO(template)).read("word/document.xml")
    root = etree.fromstring(raw)
    assert root.nsmap.get("w14") == W14
    ignorable = root.get("{http://schemas.openxmlformats.org/markup-compatibility/2006}Ignorable").split()
    assert "w14" in ignorable


def test_accessibility_basics(template):
    styles = docx_xml(template, "word/styles.xml")
    langs = {el.get(f"{{{W}}}val") for el in styles.iterfind(".//w:docDefaults//w:lang", NS)}
    assert langs == {"sv-SE"}
    core = docx_xml(template, "docProps/core.xml")
    title = core.find("{http://purl.org/dc/elements/1.1/}title").text
    assert title.startswith("Incidentrapport och händelsedokumentation")
    body = docx_xml(template)
    used = [p.find("w:pPr/w:pStyle", NS).get(f"{{{W}}}val") for p in body.iter(f"{{{W}}}p")
            if p.find("w:pPr/w:pStyle", NS) is not None]
    assert used.count("Title") == 1 and used.count("Heading1") == 4
    header_rows = body.findall(".//w:tr/w:trPr/w:tblHeader", NS)
    assert len(header_rows) >= 2  # both checklist tables, repeated on every page
    for part in ("word/header1.xml", "word/header2.xml"):
        doc_pr = docx_xml(template, part).find(
            ".//{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}docPr")
        assert "logotyp" in doc_pr.get("descr")


def test_properties_name_the_municipality_not_the_machine(template):
    with zipfile.ZipFile(__import__("io").BytesIO(template)) as zf:
        names = zf.namelist()
        props = zf.read("docProps/core.xml").decode() + zf.read("docProps/app.xml").decode()
    assert "docProps/thumbnail.jpeg" not in names
    assert "python-docx" not in props and "Oxelösunds kommun" in props
    assert "/root" not in props and "/home" not in props


def test_blank_and_filled_forms_are_protected_for_filling_in_without_a_password(template):
    from blankett.fill import fill_record

    for data in (template, fill_record({"utsatt": "Anders Bergström"})):
        settings = docx_xml(data, "word/settings.xml")
        protection = settings.findall("w:documentProtection", NS)
        assert len(protection) == 1
        assert dict(protection[0].attrib) == {f"{{{W}}}edit": "forms", f"{{{W}}}enforcement": "1"}  # no hash
        names = [etree.QName(el).localname for el in settings]
        assert names.index("proofState") < names.index("documentProtection") < names.index("defaultTabStop")


WP = "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"


def xml_parts(data: bytes) -> dict[str, etree._Element]:
    """Every XML part of a package, parsed with plain lxml."""
    with zipfile.ZipFile(__import__("io").BytesIO(data)) as zf:
        return {n: etree.fromstring(zf.read(n)) for n in zf.namelist() if n.endswith((".xml", ".rels"))}


def drawing_ids(data: bytes) -> list[tuple[str, str]]:
    """(part, id) of every drawing (wp:docPr) in every part."""
    return [(name, el.get("id")) for name, root in xml_parts(data).items() for el in root.iter(f"{{{WP}}}docPr")]


@pytest.fixture(scope="module")
def forms(template, example_records) -> dict[str, bytes]:
    from blankett.fill import fill_record

    filled = {f"ifylld-{i}": fill_record(dict(r, diarienummer=f"KS 2026/{i}")) for i, r in enumerate(example_records)}
    return {"blankett": template, **filled}


def test_drawing_ids_are_unique_across_the_whole_package(forms):
    for name, data in forms.items():
        ids = drawing_ids(data)
        assert len(ids) == 2, name  # the logo in the first-page header and in the other pages' header
        assert len({i for _, i in ids}) == len(ids), (name, ids)
        assert all(i.isdigit() and int(i) > 0 for _, i in ids), ids


def test_only_tables_with_a_header_row_claim_one(forms):
    for name, data in forms.items():
        claims = []
        for part, root in xml_parts(data).items():
            for tbl in root.iter(f"{{{W}}}tbl"):
                look = tbl.find("w:tblPr/w:tblLook", NS)
                header = tbl.find("w:tr/w:trPr/w:tblHeader", NS) is not None  # the first row's
                first = tbl.find("w:tr", NS).find("w:trPr/w:tblHeader", NS) is not None
                assert header == first, (name, part, "a header row that is not the first row")
                assert look.get(f"{{{W}}}firstRow") == ("1" if first else "0"), (name, part)
                assert int(look.get(f"{{{W}}}val"), 16) & 0x20 == (0x20 if first else 0), (name, part)
                claims.append((part, first))
        # both checklist tables and the three follow-up talks in the body; the address table in the footer
        assert sorted(p for p, first in claims if first) == ["word/document.xml"] * 5 + ["word/footer1.xml"], name
        assert len(claims) == 12, name


def test_the_blank_form_carries_no_case_number(template):
    with zipfile.ZipFile(__import__("io").BytesIO(template)) as zf:
        assert "docProps/custom.xml" not in zf.namelist()
        assert b"custom-properties" not in zf.read("_rels/.rels")
