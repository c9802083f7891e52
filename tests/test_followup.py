"""Follow-up reminders (issue 20): which talks are due, overdue or planned, their list and their calendar file.

Every expected date below is written by hand from the form's rule (talk 1 "1-2 veckor efter händelse": due from
7 to 14 days after the incident); the calendar file is read back by the icalendar library, which did not write it.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import stat
import subprocess
import sys
import zoneinfo
from pathlib import Path

import icalendar
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import blankett
from blankett.form import FIELDS, Kind
from blankett.overview.cases import Case, DateFrom
from blankett.overview.followup import ICS_LINE_OCTETS, FollowUp, Reminders, Status, follow_ups, ics, summary, uid
from blankett.web import pages

D = dt.date.fromisoformat


def case(name: str = "KS 2026/1", **record: str) -> Case:
    return Case(name, {"diarienummer": name, **record}, None, DateFrom.NONE)


# (record, today, expected reminders as (talk, start, due, status)), each worked out by hand
RULES = [
    pytest.param({"handelsedatum": "2026-03-02"}, "2026-03-03", [(1, "2026-03-09", "2026-03-16", Status.DUE)],
                 id="before the window: talk 1 due 9-16 March"),
    pytest.param({"handelsedatum": "2026-03-02"}, "2026-03-09", [(1, "2026-03-09", "2026-03-16", Status.DUE)],
                 id="first day"),
    pytest.param({"handelsedatum": "2026-03-02"}, "2026-03-16", [(1, "2026-03-09", "2026-03-16", Status.DUE)],
                 id="last day"),
    pytest.param({"handelsedatum": "2026-03-02"}, "2026-03-17", [(1, "2026-03-09", "2026-03-16", Status.OVERDUE)],
                 id="day 15: overdue"),
    pytest.param({"handelsedatum": "2026-02-25"}, "2026-02-26", [(1, "2026-03-04", "2026-03-11", Status.DUE)],
                 id="across February 2026"),
    pytest.param({"handelsedatum": "2028-02-25"}, "2028-02-26", [(1, "2028-03-03", "2028-03-10", Status.DUE)],
                 id="across February in a leap year"),
    pytest.param({"handelsedatum": "2026-12-28"}, "2026-12-30", [(1, "2027-01-04", "2027-01-11", Status.DUE)],
                 id="across the new year"),
    pytest.param({"handelsedatum": "2026-03-02", "samtal1_datum": "2026-03-12"}, "2026-03-10",
                 [(1, "2026-03-12", "2026-03-12", Status.PLANNED)], id="talk 1 planned"),
    pytest.param({"handelsedatum": "2026-03-02", "samtal1_datum": "2026-03-12"}, "2026-03-12",
                 [(1, "2026-03-12", "2026-03-12", Status.PLANNED)], id="talk 1 today"),
    pytest.param({"handelsedatum": "2026-03-02", "samtal1_datum": "2026-03-12"}, "2026-03-13", [],
                 id="talk 1 held"),
    pytest.param({"handelsedatum": "2026-03-02", "samtal1_datum": "2026-03-12", "samtal2_datum": "2026-04-20"},
                 "2026-04-01", [(2, "2026-04-20", "2026-04-20", Status.PLANNED)], id="talk 2 planned"),
    pytest.param({"samtal1_datum": "2026-03-12", "samtal2_datum": "2026-04-20", "samtal3_datum": "2026-06-01"},
                 "2026-05-01", [(3, "2026-06-01", "2026-06-01", Status.PLANNED)], id="talk 3 planned"),
    pytest.param({"handelsedatum": "2026-03-02", "samtal2_datum": "2026-04-20"}, "2026-04-01",
                 [(1, "2026-03-09", "2026-03-16", Status.OVERDUE), (2, "2026-04-20", "2026-04-20", Status.PLANNED)],
                 id="talk 2 planned while talk 1 is overdue"),
    pytest.param({"handelsedatum": "2026-03-02", "samtal2_datum": "2026-03-20"}, "2026-04-01", [],
                 id="a later talk held: talk 1's missing date is not a talk to hold"),
    pytest.param({}, "2026-04-01", [(1, None, None, Status.NOT_CODED)], id="no incident date: ej kodad"),
    pytest.param({"handelsedatum": "den andra mars"}, "2026-04-01", [(1, None, None, Status.NOT_CODED)],
                 id="an incident date that is no date: ej kodad"),
    pytest.param({"samtal3_datum": "2026-06-01"}, "2026-05-01",
                 [(3, "2026-06-01", "2026-06-01", Status.PLANNED), (1, None, None, Status.NOT_CODED)],
                 id="not coded, talk 3 planned"),
]


@pytest.mark.parametrize(("record", "today", "expected"), RULES)
def test_talks_due_by_the_forms_rule(record, today, expected):
    found = follow_ups([case(**record)], D(today))
    assert [(f.talk, f.start and str(f.start), f.due and str(f.due), f.status) for f in found] == expected
    assert {f.name for f in found} <= {"KS 2026/1"}


def test_overdue_first_then_by_date_and_the_cases_not_coded_last():
    cases = [case("A", handelsedatum="2026-03-02"), case("B"), case("C", handelsedatum="2026-02-01"),
             case("D", samtal2_datum="2026-03-11", samtal1_datum="2026-03-01"), case("E", handelsedatum="2026-03-01")]
    lines = [f.line() for f in follow_ups(cases, D("2026-03-10"))]
    assert lines == [
        "C: samtal 1 senast 2026-02-15, försenat",
        "D: samtal 2 2026-03-11, planerat",
        "E: samtal 1 2026-03-08–2026-03-15, ska hållas",
        "A: samtal 1 2026-03-09–2026-03-16, ska hållas",
        "B: samtal 1 kan inte planeras, ej kodad (händelsedatum saknas)",
    ]


# --- the command and its calendar file, as a person runs them ------------------------------------------------

RECORDS = [
    {"diarienummer": "KS 2026/1", "handelsedatum": "2026-03-02", "utsatt": "Anna Hemlig", "handelse": "Hot via sms."},
    {"diarienummer": "KS 2026/2", "handelsedatum": "2026-02-01", "rapporterad_av": "Bo Hemlig"},
    {"diarienummer": "KS 2026/3; Ö,ä", "samtal1_datum": "2026-03-01", "samtal2_datum": "2026-04-01"},
    {"handelse": "Brev till bostaden."},
]
LINES = [
    "KS 2026/2: samtal 1 senast 2026-02-15, försenat",
    "KS 2026/1: samtal 1 2026-03-09–2026-03-16, ska hållas",
    "KS 2026/3; Ö,ä: samtal 2 2026-04-01, planerat",
    "svar.json post 4: samtal 1 kan inte planeras, ej kodad (händelsedatum saknas)",
]
# (summary, first day, day after the last) of each event; the overdue talk is put on the day the file is made
EVENTS = [
    ("Försenat: Uppföljningssamtal 1, KS 2026/2", "2026-03-10", "2026-03-11"),
    ("Uppföljningssamtal 1, KS 2026/1", "2026-03-09", "2026-03-17"),
    ("Uppföljningssamtal 2, KS 2026/3; Ö,ä", "2026-04-01", "2026-04-02"),
]


def bevaka(*args: str | Path, tz: str = "UTC", cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "TZ": tz}
    return subprocess.run([sys.executable, "-m", "blankett", "bevaka", *map(str, args)], capture_output=True,
                          text=True, env=env, cwd=cwd, timeout=120)


def events(data: bytes) -> list[tuple[str, str, str]]:
    """Every event of a calendar file as the icalendar library reads it: (summary, first day, day after last)."""
    found = []
    for event in icalendar.Calendar.from_ical(data).walk("VEVENT"):
        start, end = event["DTSTART"].dt, event["DTEND"].dt
        assert type(start) is dt.date and type(end) is dt.date  # all-day: dates, never times in some zone
        found.append((str(event["SUMMARY"]), str(start), str(end)))
    return found


def check_octets(data: bytes) -> None:
    """RFC 5545 3.1: lines end in CRLF and hold at most 75 octets."""
    assert data.endswith(b"\r\n") and b"\n" not in data.replace(b"\r\n", b"")
    assert max(len(line) for line in data.split(b"\r\n")) <= ICS_LINE_OCTETS


@pytest.mark.parametrize("tz", ["UTC", "Pacific/Kiritimati", "Pacific/Pago_Pago"])
def test_the_command_lists_and_writes_a_calendar_the_icalendar_library_reads(tmp_path, tz):
    (tmp_path / "svar.json").write_text(json.dumps(RECORDS), encoding="utf-8")
    r = bevaka("svar.json", "--idag", "2026-03-10", "--ics", "bevakning.ics", tz=tz, cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines() == LINES
    data = (tmp_path / "bevakning.ics").read_bytes()
    assert stat.S_IMODE((tmp_path / "bevakning.ics").stat().st_mode) == 0o600
    check_octets(data)
    assert events(data) == EVENTS
    calendar = icalendar.Calendar.from_ical(data)
    assert str(calendar["VERSION"]) == "2.0" and calendar["PRODID"]
    stamps = {e["DTSTAMP"].dt for e in calendar.walk("VEVENT")}
    assert len(stamps) == 1 and next(iter(stamps)).utcoffset() == dt.timedelta(0)
    assert abs(dt.datetime.now(dt.UTC) - next(iter(stamps))) < dt.timedelta(minutes=5)
    for event in calendar.walk("VEVENT"):  # a reminder at 08:00 of the first day, saying what the title says
        (alarm,) = event.walk("VALARM")
        assert alarm["TRIGGER"].dt == dt.timedelta(hours=8) and str(alarm["ACTION"]) == "DISPLAY"
        assert str(alarm["DESCRIPTION"]) == str(event["SUMMARY"])
    uids = [str(e["UID"]) for e in calendar.walk("VEVENT")]
    assert uids == [uid("KS 2026/2", 1), uid("KS 2026/1", 1), uid("KS 2026/3; Ö,ä", 2)]
    for secret in ("Anna Hemlig", "Bo Hemlig", "Hot via sms", "Brev till bostaden"):
        assert secret not in r.stdout + r.stderr and secret.encode() not in data


def test_the_uid_stays_the_same_from_one_file_to_the_next(tmp_path):
    (tmp_path / "svar.json").write_text(json.dumps(RECORDS[:1]), encoding="utf-8")
    assert bevaka("svar.json", "--today", "2026-03-03", "--ics", "a.ics", cwd=tmp_path).returncode == 0
    assert bevaka("svar.json", "--today", "2026-03-12", "--ics", "b.ics", cwd=tmp_path).returncode == 0
    first, second = (icalendar.Calendar.from_ical((tmp_path / f"{n}.ics").read_bytes()).walk("VEVENT")
                     for n in "ab")
    assert [str(e["UID"]) for e in first] == [str(e["UID"]) for e in second] != []
    r = bevaka("svar.json", "--ics", "a.ics", cwd=tmp_path)
    assert r.returncode == 1 and r.stderr.splitlines() == ["Fel: a.ics finns redan; ange --force för att skriva över"]


def test_today_is_the_day_where_the_command_runs(tmp_path):
    """Without --idag the day is the local one: the same instant is two different days in these two zones."""
    far_east = dt.datetime.now(zoneinfo.ZoneInfo("Pacific/Kiritimati")).date()
    far_west = dt.datetime.now(zoneinfo.ZoneInfo("Pacific/Pago_Pago")).date()
    assert far_east > far_west
    record = {"diarienummer": "KS 1", "samtal1_datum": str(far_west)}  # today in the west, held in the east
    (tmp_path / "svar.json").write_text(json.dumps([record]), encoding="utf-8")
    west = bevaka("svar.json", tz="Pacific/Pago_Pago", cwd=tmp_path)
    east = bevaka("svar.json", tz="Pacific/Kiritimati", cwd=tmp_path)
    assert west.stdout.splitlines() == [f"KS 1: samtal 1 {far_west}, planerat"]
    assert east.stdout.splitlines() == ["Inga uppföljningssamtal att bevaka."]


def test_returned_forms_are_read_and_a_bad_file_is_one_line_while_the_rest_goes_on(tmp_path):
    folder = tmp_path / "inkommet"
    folder.mkdir()
    (folder / "a.docx").write_bytes(blankett.fill_docx(
        {"diarienummer": "KS 2026/7", "utsatt": "Anna Hemlig", "samtal1_datum": "2026-03-01",
         "samtal2_datum": "2026-05-04", "samtal2_dokumentation": "Samtal om oro."}))
    (folder / "b.pdf").write_bytes(blankett.fill_pdf({"utsatt": "Bo Hemlig", "handelse": "Hot."}))
    (folder / "trasig.docx").write_bytes(b"PK\x03\x04 inte en blankett")
    r = bevaka(folder, tmp_path / "finns-inte", "--today", "2026-04-01")
    assert r.stdout.splitlines() == ["KS 2026/7: samtal 2 2026-05-04, planerat",
                                     "b.pdf: samtal 1 kan inte planeras, ej kodad (händelsedatum saknas)"]
    assert r.stderr.splitlines() == [
        f"{tmp_path / 'finns-inte'}: finns inte",
        "trasig.docx: filen är trasig eller avkortad (zip-arkivet kan inte läsas); räknas inte"]
    assert r.returncode == 1
    assert "Traceback" not in r.stderr and "Hemlig" not in r.stdout + r.stderr and "oro" not in r.stdout


def test_dates_at_the_calendars_end_are_one_line_or_an_event_and_the_rest_goes_on(tmp_path):
    """9999-12-31 is a placeholder people type. Talk 1 two weeks after it, or the day after a talk on it (the event's
    DTEND), is past Python's last date: bevaka was a traceback, and the web's follow-up panel a 500."""
    records = [{"diarienummer": "KS 1", "handelsedatum": "9999-12-31"},
               {"diarienummer": "KS 2", "samtal2_datum": "9999-12-31", "samtal1_datum": "9999-12-30"},
               {"diarienummer": "KS 3", "handelsedatum": "9999-12-01"}]
    (tmp_path / "svar.json").write_text(json.dumps(records), encoding="utf-8")
    r = bevaka("svar.json", "--today", "9999-12-31", "--ics", "bevakning.ics", cwd=tmp_path)
    assert r.returncode == 1, r.stderr
    assert r.stderr.splitlines() == [
        "KS 1: händelsedatumet 9999-12-31 ligger så sent att samtal 1 (7–14 dagar efter) inte kan planeras; "
        "rätta datumet", "Skrev bevakning.ics."]
    assert r.stdout.splitlines() == ["KS 3: samtal 1 senast 9999-12-15, försenat",
                                     "KS 2: samtal 2 9999-12-31, planerat"]
    data = (tmp_path / "bevakning.ics").read_bytes()
    check_octets(data)
    found = [(str(e["SUMMARY"]), e["DTSTART"].dt, e["DURATION"].dt)  # no DTEND: 10000-01-01 is no DATE
             for e in icalendar.Calendar.from_ical(data).walk("VEVENT")]
    assert found == [("Försenat: Uppföljningssamtal 1, KS 3", dt.date.max, dt.timedelta(days=1)),
                     ("Uppföljningssamtal 2, KS 2", dt.date.max, dt.timedelta(days=1))]


# --- properties: what goes in comes out exactly, and no answer ever comes out -----------------------------------

NAMES = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Zl", "Zp")), min_size=1,
                max_size=120).filter(lambda s: s.strip() == s and s != "")


@settings(max_examples=200, deadline=None)
@given(name=NAMES, incident=st.dates(dt.date(2000, 1, 1), dt.date(2090, 12, 31)))
def test_any_case_number_comes_back_from_the_calendar_exactly(name, incident):
    item = FollowUp(name, 1, incident + dt.timedelta(days=7), incident + dt.timedelta(days=14), Status.DUE)
    data = ics(Reminders(incident, (item,)))
    check_octets(data)
    assert events(data) == [(summary(item), str(item.start), str(item.due + dt.timedelta(days=1)))]
    assert summary(item).endswith(name)


TEXT_FIELDS = [f.key for f in FIELDS if f.kind in (Kind.TEXT, Kind.LIST)]
# letters none of the list's or the calendar's own words has, so that an answer found in them was copied there
ANSWERS = st.text("qwxzy ", min_size=6, max_size=40).map(lambda s: f"¤{s}¤")


@settings(max_examples=100, deadline=None)
@given(answers=st.lists(ANSWERS, min_size=len(TEXT_FIELDS), max_size=len(TEXT_FIELDS)),
       incident=st.dates(dt.date(2020, 1, 1), dt.date(2030, 12, 31)), days=st.integers(0, 30),
       coded=st.booleans())
def test_no_answer_ever_appears_in_the_list_the_calendar_or_the_panel(answers, incident, days, coded):
    record = {key: ([a] if FIELDS[[f.key for f in FIELDS].index(key)].kind is Kind.LIST else a)
              for key, a in zip(TEXT_FIELDS, answers, strict=True)}
    record |= {"handelsedatum": str(incident) if coded else None,
               "samtal2_datum": str(incident + dt.timedelta(days=30))}
    today = incident + dt.timedelta(days=days)
    found = follow_ups([Case("KS 2026/9", record, None, DateFrom.NONE)], today)
    assert found
    reminders = Reminders(today, tuple(found))
    shown = "\n".join(f.line() for f in found) + ics(reminders).decode() + pages.follow_up_panel(reminders)
    unfolded = shown.replace("\r\n ", "")
    assert "¤" not in unfolded
    assert all(a.strip("¤").strip() not in unfolded for a in answers if len(a.strip("¤").strip()) >= 3)
