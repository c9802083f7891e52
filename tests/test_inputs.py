"""What fill reads: the dates extract reads, extract's own output, every problem of a row, bad templates."""

from __future__ import annotations

import datetime as dt
import json
import zipfile
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

import blankett
from blankett import kinds, office
from blankett.build import SHIPPED_FORM
from blankett.cli import main
from blankett.fill import fill_record, plan
from blankett.form import BY_KEY
from blankett.load import load_rows
from blankett.readback import read_file

from .conftest import EXAMPLE, NS, docx_xml, sdt_by_tag, sdt_text
from .forms import edit, filled, rezip, save, sdt, w, zipped
from .sheets import column_letter, plain_workbook, set_cell_xml, typed_workbook

MONTHS = ("januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti", "september", "oktober",
          "november", "december")


def messages(path: Path) -> list[list[str]]:
    return [msgs for _, _, _, msgs in plan(load_rows(path))]


# --- one date parser for fill and extract -------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(day=st.dates(dt.date(1900, 1, 1), dt.date(2099, 12, 31)), spelling=st.integers(0, 4))
def test_every_spelling_extract_reads_fill_reads_too(day, spelling):
    text = [f"{day.day}/{day.month}-{day.year}", f"{day.day}.{day.month}.{day.year}",
            f"{day.day} {MONTHS[day.month - 1]} {day.year}", f"{day.year}.{day.month:02d}.{day.day:02d}",
            f"{day.day} {MONTHS[day.month - 1][:3]}. {day.year}"][spelling]
    assert kinds.parse_date(text) == day  # fill's parser (JSON, Excel, CSV)


def test_fill_takes_the_swedish_spellings_from_csv_and_json(tmp_path):
    csv = tmp_path / "in.csv"
    csv.write_text("Samtal 1: datum;Samtal 2: datum;Samtal 3: datum\n12/3-2026;12.3.2026;12 mars 2026\n",
                   encoding="utf-8")
    data = tmp_path / "in.json"
    data.write_text(json.dumps({"samtal1_datum": "12/3-2026", "samtal2_datum": "12.3.2026",
                                "samtal3_datum": "12 mars 2026"}), encoding="utf-8")
    result = CliRunner().invoke(main, ["fill", str(csv), str(data), "-o", str(tmp_path / "ut")])
    assert result.exit_code == 0, result.output
    for docx in (tmp_path / "ut").iterdir():
        sdts = sdt_by_tag(docx_xml(docx))
        assert [sdt_text(sdts[f"samtal{n}_datum"]) for n in (1, 2, 3)] == ["2026-03-12"] * 3


# --- extract's own output, back into fill ----------------------------------------------------------


@pytest.fixture()
def returned(tmp_path, example_records) -> Path:
    forms = tmp_path / "inkomna"
    forms.mkdir()
    for n, record in enumerate(example_records):
        save(forms, f"{n}.docx", filled(record))
    save(forms, "2-trasig.docx", b"inte en blankett")
    return forms


@pytest.mark.parametrize("ending", [".json", ".jsonl"])
def test_fill_reads_extracts_json_and_jsonl(returned, tmp_path, ending):
    out = tmp_path / f"rt{ending}"
    assert CliRunner().invoke(main, ["extract", str(returned), "-o", str(out)]).exit_code == 1  # one broken file
    result = CliRunner().invoke(main, ["fill", str(out), "-o", str(tmp_path / "igen")])
    unit = "post" if ending == ".json" else "rad"
    assert result.output.splitlines() == [
        f"rt{ending} {unit} 3: {returned / '2-trasig.docx'} kunde inte läsas av blankett extract (status fel) "
        "och fylls inte i; rätta blanketten och läs den igen",
        "Klart: 2 skrivna, 0 hoppade över (finns redan), 1 fel.",
    ]
    names = sorted(p.name for p in (tmp_path / "igen").iterdir())
    # the case number travels with the form, through extract's output, and names the file again
    assert names == ["Bilaga5-KS-2026-0412.docx", "Bilaga5-KS-2026-0587.docx"]  # KS 2026/0412, KS 2026/0587
    again = [read_file(tmp_path / "igen" / name).record for name in names]
    before = [read_file(returned / f"{n}.docx").record for n in (0, 1)]
    assert sorted(map(json.dumps, again)) == sorted(map(json.dumps, before))


@pytest.mark.parametrize("ending", [".xlsx", ".csv"])
def test_an_extracted_sheet_given_to_fill_warns_once_about_its_extra_columns(returned, tmp_path, ending):
    sheet = tmp_path / f"svar{ending}"
    CliRunner().invoke(main, ["extract", str(returned), "-o", str(sheet)])
    result = CliRunner().invoke(main, ["fill", str(sheet), "-o", str(tmp_path / "igen")])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        f'svar{ending}: kolumnerna "Fil", "Status", "Meddelanden" kommer från blankett extract och lästes inte; '
        "bara svaren fylls i",
        "Klart: 2 skrivna, 0 hoppade över (finns redan), 0 fel.",
    ]


# --- every problem of a row, in one run ----------------------------------------------------------


HEADER = "Diarienummer;Händelse;Sårbarheter i rutinen;Polisanmäld\n"


def test_every_problem_of_a_csv_row_is_told_at_once_and_div0_is_text_there(tmp_path):
    path = tmp_path / "in.csv"
    path.write_text(HEADER + 'A1;#DIV/0!;"1\n2\n3\n4\n5";kanske\nA2;#DIV/0!;;#N/A\n', encoding="utf-8")
    first, second = messages(path)
    assert first == ['in.csv rad 2, kolumn "Polisanmäld": "kanske" är inte Ja eller Nej',
                     'in.csv rad 2, kolumn "Sårbarheter i rutinen": högst 4 punkter får plats, här finns 5']
    assert second == ['in.csv rad 3, kolumn "Polisanmäld": "#N/A" är inte Ja eller Nej']
    path.write_text(HEADER + "A1;#DIV/0!;;Ja\n", encoding="utf-8")
    (_, incident, _, notes), = plan(load_rows(path))
    assert notes == [] and incident.handelse == "#DIV/0!"  # in a CSV there are no formulas: it is the text


def test_every_problem_of_an_xlsx_row_is_told_at_once(tmp_path):
    path = typed_workbook(tmp_path / "in.xlsx", [{"diarienummer": "A1", "handelse": "x",
                                                  "sarbarheter_rutin": "1\n2\n3\n4\n5", "polisanmald": "kanske"}])
    cell = f"{column_letter('handelse')}2"
    set_cell_xml(path, cell, f'<c r="{cell}" t="e"><f>1/0</f><v>#DIV/0!</v></c>')  # as Excel and Calc save it
    (row,) = messages(path)
    assert row == [f'in.xlsx rad 2, kolumn "Händelse": formeln i cell {cell} ger felet #DIV/0!',
                   'in.xlsx rad 2, kolumn "Polisanmäld": "kanske" är inte Ja eller Nej',
                   'in.xlsx rad 2, kolumn "Sårbarheter i rutinen": högst 4 punkter får plats, här finns 5']
    result = CliRunner().invoke(main, ["fill", str(path), "-o", str(tmp_path / "ut")])
    assert result.exit_code == 1
    assert result.output.splitlines() == row + ["Klart: 0 skrivna, 0 hoppade över (finns redan), 1 fel."]



def test_every_problem_of_a_row_in_a_workbook_saved_by_calc_is_told_at_once(tmp_path, soffice):
    """The same row as above, but the workbook is the one LibreOffice Calc computes and saves (not our XML)."""
    source = typed_workbook(tmp_path / "in.xlsx", [{"diarienummer": "A1", "handelse": "x",
                                                    "sarbarheter_rutin": "1\n2\n3\n4\n5", "polisanmald": "kanske"}])
    cell = f"{column_letter('handelse')}2"
    book = openpyxl.load_workbook(source)
    book.active[cell] = "=1/0"  # no computed value: Calc computes it when it opens the file
    book.save(source)
    saved = office.convert([source], "xlsx:Calc MS Excel 2007 XML", tmp_path / "calc", soffice=soffice)[source]
    assert saved is not None
    with zipfile.ZipFile(saved) as z:
        assert b"<Application>LibreOffice" in z.read("docProps/app.xml")
    (row,) = messages(saved)
    assert row == [f'in.xlsx rad 2, kolumn "Händelse": formeln i cell {cell} ger felet #DIV/0!',
                   'in.xlsx rad 2, kolumn "Polisanmäld": "kanske" är inte Ja eller Nej',
                   'in.xlsx rad 2, kolumn "Sårbarheter i rutinen": högst 4 punkter får plats, här finns 5']

# --- the same problem in the same words ------------------------------------------------------------


def test_a_cell_under_no_header_is_named_in_every_sheet_format_and_the_row_is_still_written(tmp_path, soffice):
    """Text typed one column past the headers, or under an empty header, was left out and nothing was said."""
    rows = [["Diarienummer", "Händelse", None, "Utsatt"], ["KS 1", "Hot", "glömd text", "Bo"],
            ["KS 2", "Brev", None, None, "längre bort", None, "och här"], ["KS 3", "Samtal"]]
    xlsx = plain_workbook(tmp_path / "in.xlsx", rows, title="Incidenter")
    ods = _calc_ods(xlsx, tmp_path / "calc", soffice)  # saved by LibreOffice Calc, as a person's Calc would
    csv = tmp_path / "in.csv"
    csv.write_text("Diarienummer;Händelse;;Utsatt\nKS 1;Hot;glömd text;Bo\nKS 2;Brev;;;längre bort;;och här\n"
                   "KS 3;Samtal\n", encoding="utf-8")
    for path in (xlsx, ods, csv):
        out = tmp_path / f"ut-{path.suffix[1:]}"
        result = CliRunner().invoke(main, ["fill", str(path), "-o", str(out)])
        assert result.exit_code == 0, result.output
        assert result.output.splitlines() == [
            f"{path.name} rad 2: cellen C2 har ett värde men ingen rubrik på rad 1 och lästes inte",
            f"{path.name} rad 3: cellerna E3, G3 har värden men ingen rubrik på rad 1 och lästes inte",
            "Klart: 3 skrivna, 0 hoppade över (finns redan), 0 fel."]
        assert sorted(p.name for p in out.iterdir()) == ["Bilaga5-KS-1.docx", "Bilaga5-KS-2.docx", "Bilaga5-KS-3.docx"]


def test_a_missing_file_is_said_the_same_way_for_every_format(tmp_path):
    names = [tmp_path / f"saknas{e}" for e in (".pdf", ".docx", ".docm", ".odt", ".doc")]
    assert [read_file(p).messages for p in names] == [["filen finns inte"]] * len(names)
    result = CliRunner().invoke(main, ["fill", *(str(tmp_path / f"saknas{e}") for e in (".json", ".csv", ".xlsx"))])
    assert [line.split(": ", 1)[1] for line in result.output.splitlines()[:-1]] == ["filen finns inte"] * 3


# --- a bad --template is a clear error ----------------------------------------------------------


def _older(data: bytes) -> bytes:
    """The template as another version of blankett made it: a field renamed (gone for us, unknown to us)."""
    def change(root):
        sdt(root, "vittnen").find("w:sdtPr/w:tag", NS).set(w("val"), "vittne_namn")
    return edit(data, change)


def _other_document() -> bytes:
    import io

    import docx

    doc = docx.Document()
    doc.add_paragraph("Ett annat formulär")
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


@pytest.mark.parametrize("name, make, message", [
    ("mall.txt", lambda: b"text", "mallen ska vara en Word-fil (.docx) med blanketten, som blankett blank eller "
                                  "blankett template skriver"),
    ("mall.pdf", lambda: b"%PDF-1.7", "mallen ska vara en Word-fil (.docx) med blanketten, som blankett blank eller "
                                      "blankett template skriver"),
    ("mall.docx", lambda: b"inte en zip", "mallen är ingen Word-fil som går att öppna (ingen hel zip-fil)"),
    ("mall.docx", lambda: rezip(SHIPPED_FORM.read_bytes(), {}, {})[:3000], "mallen är ingen Word-fil som går att "
                                                                      "öppna (ingen hel zip-fil)"),
    ("mall.docx", _other_document, "mallen är inte blanketten Bilaga 5 (inga av blankettens fält hittades)"),
    ("mall.docx", lambda: zipped([("bild.png", b"x")]), "mallen är inget Word-dokument"),
    ("mall.docx", lambda: zipped([("word/document.xml", b"<w:document/>")]),
     "mallen är inget Word-dokument (paketets relationer saknas)"),
    ("mall.docx", lambda: _older(SHIPPED_FORM.read_bytes()),
     "mallen saknar 1 av blankettens 51 fält eller har dem som fel sorts innehållskontroll – en mall från en annan "
     "version av blankett? (vittnen); se blankett check mall.docx"),
    ("mall.docx", lambda: filled(json.loads(EXAMPLE.read_text(encoding="utf-8"))[0]),
     'mallen är en ifylld blankett (svar finns i 36 fält, t.ex. "Rapporterad av"); använd den tomma blanketten '
     "från blankett blank eller blankett template"),
])
def test_every_bad_template_is_one_clear_line_and_nothing_is_written(tmp_path, name, make, message):
    template = tmp_path / name
    template.write_bytes(make())
    out = tmp_path / "ut"
    result = CliRunner().invoke(main, ["fill", str(EXAMPLE), "-o", str(out), "--template", str(template)])
    assert result.exit_code == 1
    assert result.output == f"Fel: {name}: {message}\n"
    assert not out.exists()


def test_a_template_that_cannot_be_opened_is_one_clear_line(tmp_path):
    (tmp_path / "mapp.docx").mkdir()
    loop = tmp_path / "slinga.docx"
    loop.symlink_to(loop)
    with pytest.raises(blankett.InputError) as folder:
        blankett.Template(tmp_path / "mapp.docx")
    assert str(folder.value) == "mapp.docx: mallen kan inte läsas: det är en mapp, inte en fil"
    with pytest.raises(blankett.InputError) as looped:
        blankett.Template(loop)
    assert str(looped.value) == "slinga.docx: mallen kan inte läsas: filen kan inte läsas (Too many levels of " \
                                "symbolic links)"


def test_the_shipped_template_and_its_reviewed_copy_are_accepted(tmp_path):
    from .conftest import ROOT

    result = CliRunner().invoke(main, ["fill", str(EXAMPLE), "-o", str(tmp_path / "ut"), "--template",
                                       str(ROOT / "templates" / "Bilaga5.docx")])
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(tmp_path / "ut" / "Bilaga5-KS-2026-0412.docx") as zf:
        assert zf.testzip() is None
    assert BY_KEY["vittnen"].column == "Vittnen"


# --- a file without incidents is never "all went well" --------------------------------------------------


def test_an_input_without_incidents_is_an_error_naming_the_file(tmp_path):
    """The untouched workbook, an empty JSON list and a CSV of headers only: the wrong file was chosen."""
    book = tmp_path / "tom.xlsx"
    book.write_bytes(blankett.workbook_xlsx())
    (tmp_path / "tom.json").write_text("[]", encoding="utf-8")
    (tmp_path / "tom.csv").write_text(HEADER, encoding="utf-8")
    inputs = [str(tmp_path / n) for n in ("tom.xlsx", "tom.json", "tom.csv")] + [str(EXAMPLE)]
    result = CliRunner().invoke(main, ["fill", *inputs, "-o", str(tmp_path / "ut")])
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        *(f"{p}: filen innehåller inga incidenter att fylla i (inga ifyllda rader)" for p in inputs[:3]),
        "Klart: 2 skrivna, 0 hoppade över (finns redan), 3 fel."]


# --- .ods: Calc's own format, read as an .xlsx is read ---------------------------------------------


def _calc_ods(source: Path, outdir: Path, soffice: str) -> Path:
    """``source`` opened and saved as .ods by LibreOffice Calc (its formulas computed, as Calc saves them)."""
    saved = office.convert([source], "ods", outdir, soffice=soffice)[source]
    assert saved is not None and saved.suffix == ".ods"
    with zipfile.ZipFile(saved) as z:
        assert z.read("mimetype") == b"application/vnd.oasis.opendocument.spreadsheet"
    return saved


def test_an_ods_saved_by_calc_fills_exactly_as_the_xlsx_it_came_from(tmp_path, soffice, example_records):
    """Before: "okänt filformat" for Calc's default format."""
    rows = [{k: "\n".join(v) if isinstance(v, list) else v for k, v in record.items() if k in BY_KEY}
            | {"samtal1_datum": dt.date(2026, 3, 12), "samtal2_datum": "13/3 2026", "polisanmald": "x"}
            for record in example_records]  # a real date, a typed date, a list by lines
    xlsx = typed_workbook(tmp_path / "incidenter.xlsx", rows, start=3)  # row 2 empty: row numbers stay Calc's
    ods = _calc_ods(xlsx, tmp_path / "calc", soffice)
    from_xlsx, from_ods = list(plan(load_rows(xlsx))), list(plan(load_rows(ods)))
    assert [r.where for r, *_ in from_ods] == [r.where.replace(".xlsx", ".ods") for r, *_ in from_xlsx]
    assert [(inc, name, msgs) for _, inc, name, msgs in from_ods] == [
        (inc, name, [m.replace(".xlsx", ".ods") for m in msgs]) for _, inc, name, msgs in from_xlsx]
    assert all(inc is not None for _, inc, _, _ in from_ods)
    result = CliRunner().invoke(main, ["fill", str(ods), "-o", str(tmp_path / "ut")])
    assert result.exit_code == 0, result.output
    assert len(list((tmp_path / "ut").glob("*.docx"))) == len(rows)


def test_a_bad_cell_in_an_ods_is_the_same_swedish_line_as_in_the_xlsx(tmp_path, soffice):
    source = typed_workbook(tmp_path / "in.xlsx", [{"diarienummer": "A1", "handelse": "x",
                                                    "sarbarheter_rutin": "1\n2\n3\n4\n5", "polisanmald": "kanske"}])
    cell = f"{column_letter('handelse')}2"
    book = openpyxl.load_workbook(source)
    book.active[cell] = "=1/0"  # Calc computes it when it opens the file, and saves the error
    book.save(source)
    ods = _calc_ods(source, tmp_path / "calc", soffice)
    (row,) = messages(ods)
    assert row == [f'in.ods rad 2, kolumn "Händelse": formeln i cell {cell} ger felet #DIV/0!',
                   'in.ods rad 2, kolumn "Polisanmäld": "kanske" är inte Ja eller Nej',
                   'in.ods rad 2, kolumn "Sårbarheter i rutinen": högst 4 punkter får plats, här finns 5']
    result = CliRunner().invoke(main, ["fill", str(ods), "-o", str(tmp_path / "ut")])
    assert result.exit_code == 1
    assert result.output.splitlines() == row + ["Klart: 0 skrivna, 0 hoppade över (finns redan), 1 fel."]


def test_a_document_of_another_kind_under_a_workbooks_ending_says_what_it_is(tmp_path, soffice):
    """A filled form renamed .xlsx, a Calc workbook saved as .xlsx by name only: the parser's class name was the
    only explanation ("Excel-filen kan inte läsas (OSError)", "ODS-filen kan inte läsas (CalamineError)")."""
    form = fill_record({"utsatt": "Bo"})
    xlsx = typed_workbook(tmp_path / "in.xlsx", [{"diarienummer": "KS 1", "handelse": "Hot"}])
    ods = _calc_ods(xlsx, tmp_path / "calc", soffice)
    files = {"blankett.xlsx": form, "blankett.ods": form, "calc.xlsx": ods.read_bytes(), "excel.ods": xlsx.read_bytes()}
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    result = CliRunner().invoke(main, ["fill", *(str(tmp_path / name) for name in files), str(ods),
                                       "-o", str(tmp_path / "ut")])
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        "blankett.xlsx: filen är ett Word-dokument (.docx), inte en Excel-arbetsbok (.xlsx); en ifylld blankett läses "
        "med blankett extract",
        "blankett.ods: filen är ett Word-dokument (.docx), inte en Calc-arbetsbok (.ods); en ifylld blankett läses "
        "med blankett extract",
        "calc.xlsx: filen är en Calc-arbetsbok (.ods), inte en Excel-arbetsbok (.xlsx)",
        "excel.ods: filen är en Excel-arbetsbok (.xlsx), inte en Calc-arbetsbok (.ods)",
        "Klart: 1 skrivna, 0 hoppade över (finns redan), 4 fel."]
    assert [p.name for p in (tmp_path / "ut").iterdir()] == ["Bilaga5-KS-1.docx"]


def test_an_ods_is_an_input_ending_everywhere():
    assert ".ods" in blankett.INPUT_ENDINGS


@pytest.mark.parametrize("data", [b"inte ett kalkylblad", zipped([("mimetype", b"application/x"), ("x.xml", b"<a/>")]),
                                  zipped([("content.xml", b'<!DOCTYPE a [<!ENTITY e "x">]><a>&e;</a>')])])
def test_a_broken_or_unsafe_ods_is_one_swedish_line(tmp_path, data):
    path = tmp_path / "trasig.ods"
    path.write_bytes(data)
    result = CliRunner().invoke(main, ["fill", str(path), "-o", str(tmp_path / "ut")])
    assert result.exit_code == 1
    first, summary = result.output.splitlines()
    assert first.startswith("trasig.ods") and "Traceback" not in result.output, result.output
    assert summary == "Klart: 0 skrivna, 0 hoppade över (finns redan), 1 fel."
