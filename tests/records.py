"""Records for tests and benchmarks: fully answered incidents (no pytest here, so the benchmark can import it)."""

from __future__ import annotations

import datetime as dt

from blankett.form import FIELDS, LIST_ITEMS, Kind
from blankett.model import CASE_KEY


def full_record(n: int = 1) -> dict:
    """A record with every field answered (text with line breaks, Ja/Nej, dates, full lists)."""
    record: dict = {CASE_KEY: f"KS 2026/{n:05d}"}
    for f in FIELDS:
        if f.kind is Kind.TEXT:
            record[f.key] = f"{f.column}: exempeltext för incident {n}.\nAndra raden med å, ä och ö & <tecken>."
        elif f.kind is Kind.JANEJ:
            record[f.key] = "Ja" if n % 2 else "Nej"
        elif f.kind is Kind.DATE:
            record[f.key] = (dt.date(2026, 1, 1) + dt.timedelta(days=n % 365)).isoformat()
        else:
            record[f.key] = [f"Punkt {i} för incident {n}" for i in range(1, LIST_ITEMS + 1)]
    return record
