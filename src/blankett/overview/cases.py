"""Cases: returned forms or extract's output, one :class:`Case` per incident, for the overview and the reminders."""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass
from typing import Any


class DateFrom(enum.StrEnum):
    """Where the date that places a case in a period came from (the overview says so, counted)."""

    #: The coded incident date (``handelsedatum``).
    CODED = "händelsedatum"
    #: No incident date: the first follow-up talk's date.
    TALK = "datum för uppföljningssamtal 1"
    #: No incident date and no talk: the returned file's own date.
    FILE = "filens datum"
    #: No date at all.
    NONE = "inget datum"


@dataclass(frozen=True)
class Case:
    """One incident as the overview counts it.

    ``name`` is what names the case in internal listings: its case number, or the returned file's name when it
    has none (never a person's name). ``record`` is the record as extract writes it (dates as ÅÅÅÅ-MM-DD text,
    lists as lists), coded fields included. ``date`` places the case in a period; ``date_from`` says how.
    """

    name: str
    record: dict[str, Any]
    date: dt.date | None
    date_from: DateFrom
