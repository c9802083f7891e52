"""Follow-up reminders: every follow-up talk due, overdue or planned, and their iCalendar file (issue 20).

The form asks for three follow-up talks. The first is due 7–14 days after the incident (its coded date,
``handelsedatum``); a case without that date cannot be scheduled and is listed as "ej kodad". Talks 2 and 3
come "as the strategist plans them": a talk date on the form from today on is a planned talk, due that day;
a date before today is a talk held. A reminder names its case by case number (or the file's name when there
is none) and gives dates and a status only, never an answer or a person: the list is read aloud in meetings
and the calendar file ends up on phones.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import enum
import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..form import INCIDENT_DATE_KEY, NOT_CODED, TALK_DATES
from .cases import Case, read_cases

#: Days after the incident from which the first talk is due, and by which it must have been held ("1-2 veckor
#: efter händelse", as the form's heading says).
TALK1_FROM_DAYS = 7
TALK1_BY_DAYS = 14
#: The talks the form has, and the key of each one's date.
TALKS = tuple(range(1, len(TALK_DATES) + 1))
#: The calendar's product identifier (RFC 5545 PRODID) and the domain that makes each event's UID unique.
PRODID = "-//blankett//Bilaga 5 uppföljningssamtal//SV"
UID_DOMAIN = "bevakning.blankett"
#: The hour of the event's first day at which the calendar reminds (an all-day event starts at midnight).
ALARM_HOUR = 8
#: Longest line of an iCalendar file in octets, its line break excluded (RFC 5545, 3.1).
ICS_LINE_OCTETS = 75


class Status(enum.StrEnum):
    """Where a talk stands today (the value is what the list says)."""

    #: Talk 1, not held, its 7–14 days not yet past.
    DUE = "ska hållas"
    #: Talk 1, not held, more than 14 days after the incident.
    OVERDUE = "försenat"
    #: A talk whose date on the form is today or later.
    PLANNED = "planerat"
    #: No incident date and no talk 1: talk 1 cannot be scheduled.
    NOT_CODED = NOT_CODED


@dataclass(frozen=True)
class FollowUp:
    """One reminder: the case's name, which talk, from and by when, and its status. Nothing else of the case.

    ``start`` is the first day the talk is due, ``due`` the last (the same day for a planned talk); both are
    ``None`` for a case that is not coded.
    """

    name: str
    talk: int
    start: dt.date | None
    due: dt.date | None
    status: Status

    def when(self) -> str:
        """The talk's dates as the list says them: "2026-03-09–2026-03-16", "senast 2026-03-16", "2026-04-01"."""
        if self.status is Status.NOT_CODED:
            return "kan inte planeras"
        if self.status is Status.OVERDUE:
            return f"senast {self.due}"
        return f"{self.start}–{self.due}" if self.start != self.due else f"{self.due}"

    def line(self) -> str:
        """The reminder as one Swedish line: case, talk, dates, status."""
        if self.status is Status.NOT_CODED:
            return f"{self.name}: samtal {self.talk} {self.when()}, {NOT_CODED} (händelsedatum saknas)"
        return f"{self.name}: samtal {self.talk} {self.when()}, {self.status}"


@dataclass(frozen=True)
class Reminders:
    """The reminders of a set of cases on ``today``, and one Swedish line per file or row that could not be read."""

    today: dt.date
    items: tuple[FollowUp, ...]
    problems: tuple[str, ...] = ()


def _date(value: Any) -> dt.date | None:
    """A record's date (ÅÅÅÅ-MM-DD text as extract writes it, or a date); None when missing or not a date."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip()[:10])
        except ValueError:
            return None
    return None


def too_late(name: str, incident: dt.date) -> str:
    """The line for a case whose talk 1 would fall after the calendar's last day (9999-12-31: a placeholder)."""
    return (f"{name}: händelsedatumet {incident} ligger så sent att samtal 1 ({TALK1_FROM_DAYS}–{TALK1_BY_DAYS} "
            "dagar efter) inte kan planeras; rätta datumet")


def case_follow_ups(case: Case, today: dt.date, problems: list[str] | None = None) -> Iterator[FollowUp]:
    """The reminders of one case on ``today``: its first talk unless held, and every talk planned. A case whose
    talk 1 cannot be dated is a line in ``problems``."""
    talks = {n: _date(case.record.get(TALK_DATES[n - 1])) for n in TALKS}
    for n, day in talks.items():
        if day is not None and day >= today:
            yield FollowUp(case.name, n, day, day, Status.PLANNED)
    # a later talk held means the case went on: a missing talk 1 date then is a gap in the form, not a talk to hold
    if talks[1] is not None or any(d is not None and d < today for d in talks.values()):
        return
    incident = _date(case.record.get(INCIDENT_DATE_KEY))
    if incident is None:
        yield FollowUp(case.name, 1, None, None, Status.NOT_CODED)
        return
    if dt.date.max - incident < dt.timedelta(days=TALK1_BY_DAYS):  # Python's dates end there: OverflowError
        if problems is not None:
            problems.append(too_late(case.name, incident))
        return
    start, by = incident + dt.timedelta(days=TALK1_FROM_DAYS), incident + dt.timedelta(days=TALK1_BY_DAYS)
    yield FollowUp(case.name, 1, start, by, Status.OVERDUE if today > by else Status.DUE)


def follow_ups(cases: Iterable[Case], today: dt.date, problems: list[str] | None = None) -> list[FollowUp]:
    """Every case's reminders on ``today``: overdue first, then by date; the cases not coded last."""
    found = [f for case in cases for f in case_follow_ups(case, today, problems)]
    return sorted(found, key=lambda f: (f.status is Status.NOT_CODED, f.status is not Status.OVERDUE,
                                        f.due or dt.date.max, f.name, f.talk))


# --- reading: the overview's reader (cases.read_cases): forms in guarded workers, or extract's output -------


def reminders(paths: Iterable[str | Path], today: dt.date) -> Reminders:
    """The reminders of every case in ``paths`` on ``today``."""
    problems: list[str] = []
    with contextlib.closing(read_cases(list(paths), problems)) as cases:  # Ctrl-C: the reading workers stop
        found = tuple(follow_ups(cases, today, problems))
    return Reminders(today, found, tuple(problems))


# --- the iCalendar file (RFC 5545), written by hand: a few properties, no library needed -----------------------


def _text(value: str) -> str:
    """A TEXT value escaped (RFC 5545, 3.3.11)."""
    return (value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
            .replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n"))


def _fold(line: str) -> bytes:
    """One content line, folded at :data:`ICS_LINE_OCTETS` octets without splitting a UTF-8 character."""
    encoded = line.encode("utf-8")
    if len(encoded) <= ICS_LINE_OCTETS:  # nearly every line: nothing to fold
        return encoded + b"\r\n"
    out = bytearray()
    room = ICS_LINE_OCTETS
    for char in line:
        octets = char.encode("utf-8")
        if len(octets) > room:
            out += b"\r\n "
            room = ICS_LINE_OCTETS - 1  # the continuation's leading space counts
        out += octets
        room -= len(octets)
    return bytes(out) + b"\r\n"


def uid(name: str, talk: int) -> str:
    """The event's UID: the same for a case's talk in every file made (an import updates it, not doubles it);
    a hash, so the case number is not repeated where calendars keep it out of sight."""
    digest = hashlib.sha256(f"{name}\x00{talk}".encode()).hexdigest()[:32]
    return f"{digest}@{UID_DOMAIN}"


def summary(item: FollowUp) -> str:
    """An event's title: the talk and the case number, and that it is late when it is."""
    late = "Försenat: " if item.status is Status.OVERDUE else ""
    return f"{late}Uppföljningssamtal {item.talk}, {item.name}"


def _event(item: FollowUp, today: dt.date, stamp: str) -> list[str]:
    """One all-day VEVENT: talk 1 over its due days (moved to today once late); a planned talk on its day."""
    assert item.start is not None and item.due is not None
    start, end = (today, today) if item.status is Status.OVERDUE else (item.start, item.due)
    return ["BEGIN:VEVENT", f"UID:{uid(item.name, item.talk)}", f"DTSTAMP:{stamp}",
            f"DTSTART;VALUE=DATE:{start:%Y%m%d}", _end(start, end),
            f"SUMMARY:{_text(summary(item))}", "TRANSP:TRANSPARENT", "CLASS:CONFIDENTIAL",
            "BEGIN:VALARM", "ACTION:DISPLAY", f"TRIGGER:PT{ALARM_HOUR}H", f"DESCRIPTION:{_text(summary(item))}",
            "END:VALARM", "END:VEVENT"]


def _end(start: dt.date, end: dt.date) -> str:
    """The event's end: DTEND, the day after its last (RFC 5545), or, on the calendar's last day (9999-12-31, which
    has no day after it in Python or in a DATE), the DURATION in days, which says the same."""
    if end < dt.date.max:
        return f"DTEND;VALUE=DATE:{end + dt.timedelta(days=1):%Y%m%d}"
    return f"DURATION:P{(end - start).days + 1}D"


def ics(reminders: Reminders, now: dt.datetime | None = None) -> bytes:
    """The reminders that have a date as an iCalendar file: one all-day event per talk, CRLF, folded."""
    stamp = f"{(now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC):%Y%m%dT%H%M%SZ}"
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:{PRODID}", "CALSCALE:GREGORIAN", "METHOD:PUBLISH"]
    for item in reminders.items:
        if item.status is not Status.NOT_CODED:
            lines += _event(item, reminders.today, stamp)
    lines.append("END:VCALENDAR")
    return b"".join(_fold(line) for line in lines)
