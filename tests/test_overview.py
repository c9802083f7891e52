"""The overview (lägesbild, issue 20): the hand-counted set through every stage, the public version's suppression
checked by an independent solver, the workbook read back by programs that did not write it, and the command on
real forms."""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import re
import stat
import subprocess
import tempfile
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from python_calamine import CalamineWorkbook

import blankett
from blankett.cli import main
from blankett.overview.cases import Case, DateFrom
from blankett.overview.count import count
from blankett.overview.report import Hidden, Listing, Overview, Paragraph, Table
from blankett.overview.suppress import public
from tests.overview_cases import (
    END,
    EXPECTED,
    EXPECTED_PUBLIC,
    OVERDUE,
    RECORDS,
    START,
    TODAY,
    WEAK_PLAN,
    WEAK_ROUTINE,
)

CODED = ("handelsedatum", "typ", "kanal")
FREE_TEXT = [text for _, text in WEAK_ROUTINE + WEAK_PLAN]


def _as_extract_json(tmp_path: Path) -> Path:
    """The hand-counted records as extract's own .json output, with one form it could not read (status fel)."""
    entries = [{"source": f"inkomna/{r['diarienummer'].replace('/', '-')}.docx", "status": "ok", "messages": [],
                "record": r} for r in RECORDS]
    entries.insert(3, {"source": "inkomna/trasig.docx", "status": "fel", "messages": ["filen är trasig"],
                       "record": None})
    path = tmp_path / "svar.json"
    path.write_text(json.dumps(entries, ensure_ascii=False), encoding="utf-8")
    return path


def _shown(value: int | Hidden) -> int | str:
    return value.value if isinstance(value, Hidden) else value


def _tables(overview: Overview) -> dict[str, tuple[list[tuple[str, tuple]], tuple | None]]:
    return {t.caption: ([(label, tuple(map(_shown, counts))) for label, counts in t.rows],
                        None if t.total is None else tuple(map(_shown, t.total))) for t in overview.tables()}


def test_the_hand_counted_set_gives_every_number_counted_by_hand(tmp_path):
    """Before: no overview. Every table of the internal overview equals the numbers typed in overview_cases.py;
    the form extract could not read is one Swedish line naming it, and the rest is counted."""
    problems: list[str] = []
    overview = blankett.make_overview([_as_extract_json(tmp_path)], START, END, TODAY, problems=problems)
    assert _tables(overview) == EXPECTED
    listings = {b.caption: list(b.items) for b in overview.blocks if isinstance(b, Listing)}
    assert list(listings.values()) == [OVERDUE, WEAK_ROUTINE, WEAK_PLAN, [
        ("svar.json post 4", "inkomna/trasig.docx kunde inte läsas av blankett extract (status fel) och räknas inte")]]
    assert problems == ["svar.json post 4: inkomna/trasig.docx kunde inte läsas av blankett extract (status fel) "
                        "och räknas inte"]
    assert "1 fil eller rad kunde inte läsas och är inte med i siffrorna ovan." in [
        b.text for b in overview.blocks if isinstance(b, Paragraph)]
    assert not overview.public and (overview.start, overview.end, overview.made) == (START, END, TODAY)


def test_the_public_version_of_the_hand_counted_set_is_suppressed_as_by_hand(tmp_path):
    """Counts 1–2 "färre än 3", the sums that would give one back hidden further, as worked out by hand; no
    listing, no case number, no free text, no date finer than the month in any block."""
    overview = blankett.make_overview([_as_extract_json(tmp_path)], START, END, TODAY, public=True)
    assert overview.public and _tables(overview) == EXPECTED_PUBLIC
    assert not [b for b in overview.blocks if isinstance(b, Listing)]
    text = repr(overview.blocks)
    assert "KS 2025" not in text and not [t for t in FREE_TEXT if t in text]
    assert not re.search(r"\d{4}-\d\d-\d\d", repr([b for b in overview.blocks if not isinstance(b, Table)][2:]))


def test_the_public_version_counts_whole_months_whatever_days_are_asked(tmp_path):
    """Before: the public overview counted the days asked for (the web's date fields allow any), so two public
    overviews a day apart told which day a case happened: a date finer than the month. Now its period is widened
    to whole months, and the document says which."""
    asked = blankett.make_overview([_as_extract_json(tmp_path)], dt.date(2025, 1, 10), dt.date(2025, 12, 20), TODAY,
                                   public=True)
    assert (asked.start, asked.end) == (dt.date(2025, 1, 1), dt.date(2025, 12, 31))
    assert _tables(asked) == EXPECTED_PUBLIC
    one_day = blankett.make_overview([_as_extract_json(tmp_path)], dt.date(2024, 2, 29), dt.date(2024, 2, 29), TODAY,
                                     public=True)
    assert (one_day.start, one_day.end) == (dt.date(2024, 2, 1), dt.date(2024, 2, 29))
    internal = blankett.make_overview([_as_extract_json(tmp_path)], dt.date(2025, 1, 10), dt.date(2025, 12, 20), TODAY)
    assert (internal.start, internal.end) == (dt.date(2025, 1, 10), dt.date(2025, 12, 20))  # the internal: as asked


# --- the workbook, read back by calamine (values) and LibreOffice (charts) ---------------------------------


def _sheets(path: Path) -> dict[str, list[list]]:
    """Every sheet by the caption in its cell A1 (python-calamine: not the program that wrote the file)."""
    wb = CalamineWorkbook.from_path(str(path))
    return {rows[0][0]: rows for name in wb.sheet_names if (rows := wb.get_sheet_by_name(name).to_python())}


def _number(value):
    return int(value) if isinstance(value, float) and value.is_integer() else value


def test_the_workbooks_hold_the_hand_counted_numbers_shares_and_nothing_identifying_in_public(tmp_path):
    """Before: no overview command. Each table is a sheet: header row, rows, totals, shares as per cent cells;
    the internal workbook lists the cases; the public one has no case number or free text in any byte."""
    out = tmp_path / "ut"
    written = blankett.overview_files([_as_extract_json(tmp_path)], out, START, END, TODAY, public=True,
                                      formats=["xlsx"])
    assert [p.name for p in written] == ["lagesbild-intern-2025-01-01--2025-12-31.xlsx",
                                         "lagesbild-offentlig-2025-01-01--2025-12-31.xlsx"]
    assert stat.S_IMODE(out.stat().st_mode) == 0o700
    assert {stat.S_IMODE(p.stat().st_mode) for p in written} == {0o600}
    for path, expected in ((written[0], EXPECTED), (written[1], EXPECTED_PUBLIC)):
        sheets = _sheets(path)
        for caption, (rows, total) in expected.items():
            sheet = sheets[caption]
            width = len(rows[0][1])
            body = [(r[0], tuple(_number(v) for v in r[1:1 + width])) for r in sheet[2:2 + len(rows)]]
            assert body == rows, caption
            if total is not None:
                last = sheet[2 + len(rows)]
                assert (last[0], tuple(_number(v) for v in last[1:1 + width])) == ("Totalt", total), caption
    internal = _sheets(written[0])
    hot = internal["Ärenden per typ"][3]
    assert hot[:2] == ["hot", 6.0] and hot[2] == pytest.approx(6 / 13)  # the share: a number shown as per cent
    police = internal["Svar på checklistans frågor"]
    assert police[1][2:4] == ["Polis kontaktad", "Polisanmäld"]  # side by side
    assert [r[:2] for r in internal[next(c for c in internal if c.startswith("Öppna ärenden"))][2:]] == \
        [list(item) for item in OVERDUE]
    published = _sheets(written[1])
    checklist = published["Svar på checklistans frågor"]
    assert checklist[2][10] == checklist[3][9] == ""  # no share beside a hidden count (polis kontaktad Ja: –)
    assert checklist[2][9] == pytest.approx(10 / 13)
    with zipfile.ZipFile(written[1]) as zf:
        every_byte = b"".join(zf.read(n) for n in zf.namelist()).decode("utf-8", "replace")
    assert "KS 2025" not in every_byte and not [t for t in FREE_TEXT if t in every_byte]
    assert "2025-04-30" not in every_byte  # no incident's date


def test_calc_opens_the_workbook_with_a_titled_described_chart_beside_each_table(tmp_path, soffice):
    """LibreOffice Calc reads the .xlsx and saves it as .ods: every chart is there, titled, described, and drawn
    from the table on its own sheet. (Calc run plainly, with its own profile: blankett's own conversions block
    embedded objects, charts among them.)"""
    out = tmp_path / "ut"
    [book] = blankett.overview_files([_as_extract_json(tmp_path)], out, START, END, TODAY, formats=["xlsx"])
    subprocess.run([soffice, f"-env:UserInstallation={(tmp_path / 'profil').as_uri()}", "--headless",
                    "--convert-to", "ods", "--outdir", str(tmp_path / "calc"), str(book)],
                   check=True, capture_output=True, timeout=180)
    with zipfile.ZipFile(tmp_path / "calc" / book.with_suffix(".ods").name) as zf:
        content = zf.read("content.xml").decode("utf-8")
        charts = [zf.read(n).decode("utf-8") for n in zf.namelist() if re.fullmatch(r"Object \d+/content.xml", n)]
    captions = ["Ärenden per månad", "Ärenden per kvartal", "Ärenden per typ", "Ärenden per kanal",
                "Svar på checklistans frågor", "Antal hållna uppföljningssamtal", "Första samtalet efter händelsen",
                "Rutinen tillämpad"]
    assert len(charts) == len(captions)
    titles = [re.search(r"<chart:title[^>]*><text:p>(?:<text:span[^>]*>)?([^<]*)<", c).group(1) for c in charts]
    assert sorted(titles) == sorted(captions)
    for caption in captions:
        frame = re.search(rf'<draw:frame[^>]*draw:name="{caption}".*?</draw:frame>', content).group(0)
        assert f"&apos;{caption}&apos;.A3" in frame  # its data: the table on its own sheet
        assert re.search(r"<svg:desc>[^<]+</svg:desc>", frame), caption
    assert "<svg:desc>Liggande staplar: antal ärenden per typ av händelse enligt PTU:s kategorier.</svg:desc>" \
        in content


# --- the command on real forms ----------------------------------------------------------------------------


def test_the_command_on_filled_forms_and_on_extracts_workbook_counts_the_same(tmp_path):
    """Before: "Kommandot 'lägesbild' finns inte". The hand-counted records filled into .docx forms, one broken
    file beside them, `blankett lägesbild` on the folder; then extract's .xlsx of the same folder: the
    checklist, follow-up and routine tables are the numbers counted by hand in both, the broken file and its row
    one Swedish line each."""
    coded = "typ" in blankett.schema()["properties"]  # the coded layer may be in the form's declaration or not
    forms = tmp_path / "inkomna"
    forms.mkdir()
    for record in RECORDS:
        data = record if coded else {k: v for k, v in record.items() if k not in CODED}
        path = forms / f"{record['diarienummer'].replace('/', '-')}.docx"
        path.write_bytes(blankett.fill_docx(data))
        # without the coded date, the file's date places the form: that of its incident (14: none, after)
        when = dt.datetime.fromisoformat(record["handelsedatum"] or "2030-01-01") + dt.timedelta(hours=12)
        os.utime(path, (when.timestamp(), when.timestamp()))
    (forms / "trasig.docx").write_bytes(b"PK\x03\x04 inte en blankett")
    runner = CliRunner()
    result = runner.invoke(main, ["lägesbild", str(forms), "-o", str(tmp_path / "a"), "--format", "xlsx",
                                  "--från", "2025-01-01", "--till", "2025-12-31"])
    assert result.exit_code == 0, result.output
    assert re.search(r"^trasig\.docx: .*; räknas inte$", result.stderr, re.M), result.stderr
    sheet = tmp_path / "svar.xlsx"
    assert runner.invoke(main, ["extract", str(forms), "-o", str(sheet)]).exit_code == 1  # the broken file
    result = runner.invoke(main, ["overview", str(sheet), "-o", str(tmp_path / "b"), "--format", "xlsx", "--from", "2025-01-01",
                                  "--to", "2025-12-31"])
    assert result.exit_code == 0, result.output
    assert re.search(r"^svar\.xlsx rad \d+: \S*trasig\.docx kunde inte läsas av blankett extract \(status fel\) och "
                     r"räknas inte$", result.stderr, re.M), result.stderr
    for folder, n_in_period in (("a", 13), ("b", 13 if coded else 9)):
        sheets = _sheets(tmp_path / folder / "lagesbild-intern-2025-01-01--2025-12-31.xlsx")
        if folder == "a":  # the same forms, each table as counted by hand
            for caption in ("Svar på checklistans frågor", "Antal hållna uppföljningssamtal", "Rutinen tillämpad"):
                rows, total = EXPECTED[caption]
                got = [(r[0], tuple(_number(v) for v in r[1:1 + len(total)])) for r in sheets[caption][2:]]
                assert got[:len(rows)] == rows and got[len(rows)] == ("Totalt", total), caption
            for start, items in (("Sårbarheter i rutinen", WEAK_ROUTINE), ("Sårbarheter i planen", WEAK_PLAN)):
                listing = sheets[next(c for c in sheets if c.startswith(start))]
                assert [r[:2] for r in listing[2:]] == [list(i) for i in items]
        placed = sheets["Hur ärendena placerats i perioden"]
        assert _number(placed[5][1]) == n_in_period  # rows have no file date: without codes, 4 have no date


def test_forms_in_a_zip_are_read_in_guarded_workers_and_named_by_the_zip_and_member(tmp_path):
    """Before: no overview. A .zip of four hand-counted forms and a broken one: the four counted (polis kontaktad
    Ja 3, Nej 1; rutinen Ja 3, Nej 1: cases 01–04 above), the broken member one line naming zip and member."""
    coded = "typ" in blankett.schema()["properties"]
    archive = tmp_path / "svar.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for record in RECORDS[:4]:
            data = record if coded else {k: v for k, v in record.items() if k not in CODED}
            zf.writestr(f"inkomna/{record['diarienummer'].replace('/', '-')}.docx", blankett.fill_docx(data))
        zf.writestr("inkomna/trasig.docx", b"PK\x03\x04 inte en blankett")
        zf.writestr("inkomna/las-mig.txt", b"inte en blankett")
    problems: list[str] = []
    overview = blankett.make_overview([archive], START, END, TODAY, problems=problems)
    tables = _tables(overview)
    assert tables["Hur ärendena placerats i perioden"][1] == (4,)
    police = [counts[1] for _, counts in tables["Svar på checklistans frågor"][0]]
    assert police == [3, 1, 0]
    assert tables["Rutinen tillämpad"][0] == [("Ja", (3,)), ("Nej", (1,)), ("Ej besvarad", (0,))]
    assert len(problems) == 1 and problems[0].startswith("svar.zip/inkomna/trasig.docx: "), problems
    assert problems[0].endswith("; räknas inte")
    assert not list(Path(tempfile.gettempdir()).glob("blankett-*/0/000000.docx"))  # the copies are gone



def test_the_reading_workers_leave_when_many_forms_are_read_before_the_overview_is_written(tmp_path, monkeypatch):
    """Before: they stayed idle for the next reading (IDLE_SECONDS) while the overview was written, its biggest
    memory: 10 000 forms peaked at 354 MB, 240 MB without them (benchmarks/overview.py). From RELEASE_FROM forms
    (here made 2, to read only two)."""
    from blankett import guard
    from blankett.overview import cases

    monkeypatch.setattr(cases, "RELEASE_FROM", 2)
    for record in RECORDS[:2]:
        (tmp_path / f"{record['diarienummer'].replace('/', '-')}.docx").write_bytes(blankett.fill_docx(
            {k: v for k, v in record.items() if k not in CODED}))
    guard.stop_idle()
    started: list[guard.Worker] = []
    begin = guard.Worker.__init__
    monkeypatch.setattr(guard.Worker, "__init__", lambda self, *a: (begin(self, *a), started.append(self))[0])
    blankett.make_overview([tmp_path], START, END, TODAY, problems=[])
    assert started and not guard._IDLE
    assert all(worker.proc.poll() is not None for worker in started)  # ended, not lent to anyone


def test_an_overview_of_a_few_forms_keeps_its_reading_worker_for_the_next_one(tmp_path):
    """Before: every overview ended the idle reading workers, so each request of the web page's Lägesbild (and
    every extract after it) waited for a new worker; a few forms leave little to free."""
    from blankett import guard

    for record in RECORDS[:2]:
        (tmp_path / f"{record['diarienummer'].replace('/', '-')}.docx").write_bytes(blankett.fill_docx(
            {k: v for k, v in record.items() if k not in CODED}))
    guard.stop_idle()
    blankett.make_overview([tmp_path], START, END, TODAY, problems=[])
    kept = [w.proc.pid for w in guard._IDLE]
    for _ in range(2):
        found: list[str] = []
        blankett.make_overview([tmp_path], START, END, TODAY, problems=found)
        assert found == []
        assert [w.proc.pid for w in guard._IDLE] == kept and len(kept) == 1


def test_the_command_refuses_a_period_that_ends_before_it_starts_and_a_bad_date_in_swedish(tmp_path):
    result = CliRunner().invoke(main, ["overview", str(tmp_path), "--from", "2025-12-31", "--to", "2025-01-01"])
    assert result.exit_code != 0 and "perioden slutar (2025-01-01) före den börjar (2025-12-31)" in result.stderr
    result = CliRunner().invoke(main, ["overview", str(tmp_path / "saknas"), "-o", str(tmp_path / "ut")])
    assert result.exit_code == 0 and f"{tmp_path / 'saknas'}: finns inte\n1 problem (se ovan)" in result.stderr
    result = CliRunner().invoke(main, ["overview", str(tmp_path), "--från", "31/12"])
    assert result.exit_code == 2 and "'31/12' är inget datum (skriv ÅÅÅÅ-MM-DD)." in result.stderr
    assert "Traceback" not in result.output


def test_the_default_period_is_the_last_whole_calendar_year(tmp_path):
    overview = blankett.make_overview([_as_extract_json(tmp_path)], today=dt.date(2026, 3, 1))
    assert (overview.start, overview.end) == (dt.date(2025, 1, 1), dt.date(2025, 12, 31))
    assert _tables(overview)["Ärenden per månad"][1] == (13,)


# --- suppression, checked by a solver written apart from the suppressor ----------------------------------


_MONTHS = ("januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti", "september", "oktober",
           "november", "december")


def _equations(overview: Overview) -> list[dict[object, int]]:
    """Every linear relation a reader knows between the public cells: a column's rows sum to its total (also
    where a case can be in several rows: the stronger assumption); every total is the one number of cases in
    the period; a quarter is the sum of its months (told apart by their labels)."""
    equations: list[dict[object, int]] = []
    tables = overview.tables()
    for t, table in enumerate(tables):
        if table.total is None:
            continue
        for c in range(len(table.columns)):
            eq: dict[object, int] = {(t, r, c): 1 for r in range(len(table.rows))}
            eq["N"] = -1
            equations.append(eq)
            equations.append({(t, "total", c): 1, "N": -1})
    by_label = {label: (t, r) for t, table in enumerate(tables) for r, (label, _) in enumerate(table.rows)}
    quarters: dict[str, dict[object, int]] = {}
    for label, (t, r) in by_label.items():
        words = label.split(" ")
        if len(words) == 2 and words[0] in _MONTHS:
            q = f"kvartal {_MONTHS.index(words[0]) // 3 + 1} {words[1]}"
            quarters.setdefault(q, {(*by_label[q], 0): -1})[(t, r, 0)] = 1
    return equations + list(quarters.values())


def _values(overview: Overview) -> dict[object, int | Hidden]:
    cells: dict[object, int | Hidden] = {}
    for t, table in enumerate(overview.tables()):
        cells.update({(t, r, c): v for r, (_, counts) in enumerate(table.rows) for c, v in enumerate(counts)})
        cells.update({(t, "total", c): v for c, v in enumerate(table.total or ())})
    totals = [v for k, v in cells.items() if k[1] == "total"]
    cells["N"] = totals[0] if totals else Hidden.DERIVED
    return cells


def _rank(rows: list[list[int]]) -> int:
    """The exact rank of an integer matrix: fraction-free elimination in Python's integers (each row divided by
    the greatest common divisor of its entries, so that they stay small). Integer arithmetic runs in C; with
    Fraction, every step was a Python call, and the property test below took half a minute under coverage."""
    rows = [r[:] for r in rows]
    rank, width = 0, len(rows[0]) if rows else 0
    for col in range(width):
        pivot = next((i for i in range(rank, len(rows)) if rows[i][col] != 0), None)
        if pivot is None:
            continue
        rows[rank], rows[pivot] = rows[pivot], rows[rank]
        top = rows[rank]
        p = top[col]
        for i in range(len(rows)):
            f = rows[i][col]
            if i != rank and f != 0:
                row = [a * p - f * b for a, b in zip(rows[i], top, strict=True)]
                g = math.gcd(*row)
                rows[i] = [a // g for a in row] if g > 1 else row
        rank += 1
    return rank


def solvable_hidden_cells(overview: Overview) -> list[object]:
    """The hidden cells whose value the visible cells and the relations give: cell x is determined when its unit
    vector lies in the row space of the relations restricted to the hidden cells (Gaussian elimination)."""
    values = _values(overview)
    hidden = sorted((k for k, v in values.items() if isinstance(v, Hidden)), key=repr)
    if not hidden:
        return []
    matrix = [[eq.get(h, 0) for h in hidden] for eq in _equations(overview)]
    matrix = [row for row in matrix if any(row)]
    base = _rank(matrix) if matrix else 0
    found = []
    for i, cell in enumerate(hidden):
        unit = [int(j == i) for j in range(len(hidden))]
        if matrix and _rank([*matrix, unit]) == base:
            found.append(cell)
    return found


def test_the_solver_finds_a_cell_a_total_gives_away():
    """The checker itself: one hidden count in a column with its total is found; two are not."""
    def table(counts):
        return Table("t", "", ("Ärenden",), tuple((str(i), (c,)) for i, c in enumerate(counts)), (13,))
    one = Overview("x", START, END, TODAY, True, (table([Hidden.FEW, 5, 6]),))
    two = Overview("x", START, END, TODAY, True, (table([Hidden.FEW, Hidden.DERIVED, 6]),))
    assert solvable_hidden_cells(one) == [(0, 0, 0)] and solvable_hidden_cells(two) == []


DAYS = (END - START).days


@st.composite
def _cases(draw) -> list[Case]:
    """Cases of 2025 with random dates, codes, answers, talks (few: small counts are what is protected)."""
    out = []
    for n in range(draw(st.integers(0, 30))):
        date = START + dt.timedelta(days=draw(st.integers(0, DAYS)))
        talks = draw(st.lists(st.integers(0, 30), max_size=3))
        record = {
            "handelsedatum": date.isoformat() if draw(st.booleans()) else None,
            "typ": draw(st.lists(st.sampled_from(["hot", "trakasserier", "våld", "annat"]), unique=True, max_size=2)),
            "kanal": draw(st.lists(st.sampled_from(["brev", "telefon", "sms"]), unique=True, max_size=2)),
            **{k: draw(st.sampled_from(["Ja", "Nej", None])) for k in ("polis_kontaktad", "polisanmald",
                                                                         "rutin_tillampad")},
            **{f"samtal{k}_datum": (date + dt.timedelta(days=d)).isoformat() for k, d in enumerate(talks, 1)},
        }
        out.append(Case(f"KS {n}", record, date, DateFrom.CODED if record["handelsedatum"] else DateFrom.TALK))
    return out


@settings(derandomize=True, max_examples=150, deadline=None)
@given(_cases())
def test_no_public_table_shows_1_or_2_and_no_hidden_count_can_be_solved(cases):
    """Property: whatever the cases, the public version shows no count of 1 or 2, no listing, and the solver
    (written apart from the suppressor) recovers no hidden count from the visible ones and the totals."""
    internal = count(cases, START, END, TODAY)
    shown = public(internal)
    visible = [v for t in shown.tables() for _, counts in t.rows for v in counts] + \
              [v for t in shown.tables() for v in t.total or ()]
    assert not [v for v in visible if isinstance(v, int) and 1 <= v <= 2]
    assert not [b for b in shown.blocks if isinstance(b, Listing)]
    assert solvable_hidden_cells(shown) == []
    for before, after in zip(internal.tables(), shown.tables(), strict=True):  # shown counts are the true ones
        for (_, a), (_, b) in zip(before.rows, after.rows, strict=True):
            assert all(y == x for x, y in zip(a, b, strict=True) if isinstance(y, int))


@settings(derandomize=True, max_examples=30, deadline=None)
@given(_cases(), st.lists(st.text("abcåäöxyz", min_size=4, max_size=12), min_size=1, max_size=3))
def test_no_byte_of_the_public_workbook_holds_a_1_or_2_a_case_number_or_free_text(cases, weaknesses):
    """Property: the public workbook, read back by calamine, has no count of 1 or 2 in any table; searched
    byte for byte (every zip member inflated), it holds no case number and no noted weakness."""
    from blankett.overview.render_xlsx import render

    cases = [Case(f"KS 2025/9{n:03d}", {**c.record, "sarbarheter_rutin": [f"Svaghet {w}" for w in weaknesses]},
                  c.date, c.date_from) for n, c in enumerate(cases)]
    data = render(public(count(cases, START, END, TODAY)))
    path = Path(tempfile.mkdtemp()) / "offentlig.xlsx"
    path.write_bytes(data)
    wb = CalamineWorkbook.from_path(str(path))
    for name in wb.sheet_names[1:]:
        rows = wb.get_sheet_by_name(name).to_python()
        width = sum(1 for h in rows[1][1:] if h and not str(h).startswith("Andel"))
        counts = [v for row in rows[2:] for v in row[1:1 + width] if isinstance(v, float)]
        assert not [v for v in counts if v in (1.0, 2.0)], name
    with zipfile.ZipFile(path) as zf:
        every_byte = b"".join(zf.read(n) for n in zf.namelist()).decode("utf-8")
    assert "KS 2025/9" not in every_byte and "Svaghet" not in every_byte
    dates = set(re.findall(r"20\d\d-\d\d-\d\d(?:T[\d:]+Z?)?", every_byte))
    assert dates == {str(START), str(END), str(TODAY), f"{TODAY}T00:00:00Z"}  # the period, the day it was made
    path.unlink()


def test_coded_fields_written_as_text_are_read_and_an_unknown_category_is_told(tmp_path):
    """A coded list typed as text ("Hot; VÅLD, ovanligt") counts its known categories, in any case and separator;
    the unknown one is a line naming the record; a date that is none counts the case as ej kodad."""
    path = tmp_path / "poster.json"
    path.write_text(json.dumps([{"diarienummer": "KS 1", "handelsedatum": "2025-02-30", "samtal1_datum": "2025-03-01",
                                 "typ": "Hot; VÅLD, ovanligt", "kanal": "sms\nbrev"}]), encoding="utf-8")
    problems: list[str] = []
    tables = _tables(blankett.make_overview([path], START, END, TODAY, problems=problems))
    assert [label for label, (n,) in tables["Ärenden per typ"][0] if n] == ["hot", "våld"]
    assert [label for label, (n,) in tables["Ärenden per kanal"][0] if n] == ["brev", "sms"]
    assert tables["Hur ärendena placerats i perioden"][0][1] == ("datum för uppföljningssamtal 1", (1,))
    assert problems == [
        'poster.json post 1: "2025-02-30" i fältet handelsedatum är inget datum (ÅÅÅÅ-MM-DD); räknas som ej kodad',
        'poster.json post 1: "ovanligt" i fältet typ är ingen av kategorierna (trakasserier, hot, våld, '
        "skadegörelse, stöld, korruptionsförsök, annat); värdet räknas inte"]
