"""Follow-up reminders: ``python -m benchmarks.followup [--forms N]`` prints how long the reminders take.

Two figures side by side: ``blankett bevaka`` over a folder of N filled forms (each read in a guarded worker, as
the start page's panel reads them), and the reminders worked out from 10 000 cases already read (the rule alone),
with the .ics written. Not a test: figures depend on the machine; docs/bevakning.md quotes a run.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import blankett
from blankett.overview.cases import Case, DateFrom
from blankett.overview.followup import Reminders, follow_ups, ics
from tests.records import full_record


def _folder(tmp: Path, count: int) -> Path:
    """``count`` full forms, each with its own case number and incident date."""
    folder = tmp / "inkommet"
    folder.mkdir()
    template = blankett.Template()
    for n in range(count):
        record = full_record() | {"diarienummer": f"KS 2026/{n}", "samtal1_datum": None}
        (folder / f"{n:05}.docx").write_bytes(blankett.fill_docx(record, template))
    return folder


def bench_command(count: int) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        folder = _folder(Path(tmp), count)
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "blankett", "bevaka", str(folder), "--ics", str(Path(tmp) / "b.ics")],
                       check=True, capture_output=True, timeout=3600)
        return time.perf_counter() - start


def bench_rule(count: int = 10_000) -> float:
    base = dt.date(2026, 1, 1)
    cases = [Case(f"KS 2026/{n}", {"handelsedatum": str(base + dt.timedelta(days=n % 365)),
                                   "samtal2_datum": str(base + dt.timedelta(days=n % 400))}, None, DateFrom.NONE)
             for n in range(count)]
    start = time.perf_counter()
    found = follow_ups(cases, dt.date(2026, 6, 1))
    ics(Reminders(dt.date(2026, 6, 1), tuple(found)))
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--forms", type=int, default=200)
    forms = parser.parse_args().forms
    command = bench_command(forms)
    rule = bench_rule()
    print(f"cores: {os.cpu_count()}")
    print(f"blankett bevaka, {forms} forms in a folder (guarded readers): {command:.2f} s "
          f"({command / forms * 1000:.1f} ms a form, Python's start included)")
    print(f"the rule and the .ics, 10 000 cases already read:          {rule * 1000:.0f} ms")


if __name__ == "__main__":
    main()
