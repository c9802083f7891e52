"""Benchmark: the overview (lägesbild) of N returned forms, internal and public in one run, beside issue 20's target.

    .venv/bin/python -m benchmarks.overview [--forms 1000 10000]

For each N: N filled .docx forms (``blankett fill`` of varied records, not timed), then as separate processes,
each measured with its workers (wall time, peak RSS of the process tree sampled from /proc):

1. ``blankett overview FOLDER --public``: both overviews from the forms (what the target is about);
2. ``blankett extract FOLDER -o svar.jsonl``: reading the forms alone (is it the bottleneck?);
3. ``blankett overview svar.jsonl --public``: both overviews from extract's output (counting and writing alone).

Issue 20's target: 10 000 forms → both overviews in under 30 s on 2 cores, memory flat (the same at 1 000 and
10 000 forms).
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
from pathlib import Path

from benchmarks.bench import Run, _run_blankett
from tests.records import full_record

TARGET_S = 30.0
#: Issue 20's figures before the pipelined reading (the session that built the overview, a loaded machine):
#: 10 000 forms to both overviews, the share of it that was reading, and the peak memory at 1 000 and 10 000.
BEFORE_10K_S, BEFORE_READING_SHARE, BEFORE_PEAK_MB = 114.0, 0.93, {1_000: 210, 10_000: 247}
PERIOD = ["--from", "2026-01-01", "--to", "2026-12-31"]


def _records(n: int) -> list[dict]:
    """Varied answers: Ja, Nej or none; one to three talks or none; weaknesses on some."""
    out = []
    for i in range(1, n + 1):
        record = full_record(i)
        for key in ("polis_kontaktad", "polisanmald", "rutin_tillampad"):
            record[key] = ("Ja", "Nej", None)[i % 3]
        for talk in range(1 + i % 4, 4):
            for part in ("datum", "narvarande", "dokumentation"):
                record.pop(f"samtal{talk}_{part}", None)
        out.append(record)
    return out


def _line(label: str, run: Run, n: int, note: str = "") -> None:
    print(f"  {label:<48} {run.wall:7.1f} s  {n / run.wall:6.0f} /s  "
          f"högsta minne {run.peak_mb:5.0f} MB  {note}")


def bench(n: int, folder: Path, formats: tuple[str, ...] = ()) -> dict[str, Run]:
    data = folder / "poster.json"
    data.write_text(json.dumps(_records(n), ensure_ascii=False), encoding="utf-8")
    forms = folder / "inkomna"
    _run_blankett(["fill", str(data), "-o", str(forms)])
    runs = {
        "forms": _run_blankett(["overview", str(forms), "-o", str(folder / "a"), "--public", *PERIOD, *formats]),
        "extract": _run_blankett(["extract", str(forms), "-o", str(folder / "svar.jsonl")]),
    }
    runs["sheet"] = _run_blankett(["overview", str(folder / "svar.jsonl"), "-o", str(folder / "b"), "--public",
                                   *PERIOD, *formats])
    print(f"{n} blanketter ({os.cpu_count()} kärnor):")
    at_10k = runs["forms"].wall * 10_000 / n  # the reading is per form: the time grows with the forms
    _line("lägesbild, båda versionerna, från blanketterna", runs["forms"], n,
          f"mål < {TARGET_S:.0f} s för 10 000 (i den här takten {at_10k:.0f} s: "
          + ("håller)" if at_10k < TARGET_S else "håller inte)"))
    _line("extract till .jsonl (bara läsningen)", runs["extract"], n,
          f"{runs['extract'].wall / runs['forms'].wall:.0%} av lägesbildens tid")
    _line("lägesbild från extracts .jsonl (räkning + filer)", runs["sheet"], n)
    if n == 10_000:
        print(f"  före (ärende 20): lägesbilden från blanketterna {BEFORE_10K_S:.0f} s, varav läsningen "
              f"{BEFORE_READING_SHARE:.0%}; högsta minne {BEFORE_PEAK_MB[n]} MB")
    elif n in BEFORE_PEAK_MB:
        print(f"  före (ärende 20): högsta minne {BEFORE_PEAK_MB[n]} MB")
    return runs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--forms", type=int, nargs="+", default=[1_000, 10_000])
    parser.add_argument("--format", action="append", default=[], choices=["docx", "pdf", "xlsx", "html"],
                        help="only these formats (as blankett overview --format); without pdf, no LibreOffice: "
                             "the reading and counting alone")
    args = parser.parse_args()
    formats = tuple(arg for f in args.format for arg in ("--format", f))
    peaks = []
    for n in args.forms:
        with tempfile.TemporaryDirectory(prefix="blankett-bench-") as tmp:
            peaks.append((n, bench(n, Path(tmp), formats)["forms"].peak_mb))
    if len(peaks) > 1:
        print("minne (lägesbild från blanketterna): " + ", ".join(f"{n}: {mb:.0f} MB" for n, mb in peaks))


if __name__ == "__main__":
    main()
