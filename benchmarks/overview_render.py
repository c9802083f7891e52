"""Benchmark: drawing the overview's documents at 100, 1 000 and 10 000 cases, ``python -m benchmarks.overview_render``.

For each number of cases: that many synthetic cases (:func:`_cases`, the period 2025, a third of them with the
first talk overdue, a weakness in the routine noted in every one and in the plan in every other one, as a
municipality that notes one in each form would have) are counted into the internal overview and its public
version, then each file of both is drawn once: Word, PDF (LibreOffice) and workbook of the internal one, web
page and PDF of the public one. Reading the forms is left out (``benchmarks.overview`` measures that), so this
is the rendering alone, beside issue 20's target: both overviews of 10 000 forms in under 30 s on 2 cores,
reading included. Each number of cases runs in its own process, so its peak memory (RSS) is its own.
Not a test: figures depend on the machine; docs/lagesbild-dokument.md quotes a run.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import resource
import subprocess
import sys
import time
from collections.abc import Callable, Iterator

from blankett.errors import BlankettError
from blankett.overview import formats, render_docx, render_html, render_pdf, render_xlsx
from blankett.overview.cases import Case, DateFrom
from blankett.overview.count import CHECKLIST, ROUTINE_KEY, WEAKNESS_KEYS, count
from blankett.overview.report import Listing, Overview
from blankett.overview.suppress import public

TARGET_SECONDS = 30.0
START, END, TODAY = dt.date(2025, 1, 1), dt.date(2025, 12, 31), dt.date(2026, 1, 15)
TYPES = ("hot", "trakasserier", "skadegörelse", "våld", "stöld", "korruptionsförsök", "annat")
CHANNELS = ("sociala medier", "personligen", "telefon", "e-post", "brev", "sms", "annat")
ANSWERS = ("Ja", "Nej", None)
#: What one run draws: every file of both overviews (formats.render_all: one Word document per overview, one
#: LibreOffice start for both PDFs), as ``blankett lägesbild --offentlig`` and the web page do.
RUN = "båda, som en körning gör dem"


def _cases(n: int) -> Iterator[Case]:
    """``n`` varied cases of 2025, each with a case number and free-text weaknesses as a strategist notes them."""
    routine, plan = WEAKNESS_KEYS
    for i in range(n):
        incident = START + dt.timedelta(days=i * 7 % 365)
        record: dict[str, object] = {
            "diarienummer": f"KS 2025/{i:05d}", "handelsedatum": incident.isoformat(),
            "typ": [TYPES[i % len(TYPES)]], "kanal": [CHANNELS[i * 3 % len(CHANNELS)]],
            ROUTINE_KEY: ANSWERS[i % 3],
            routine: [f"Larmknappen i receptionen fungerade inte (ärende {i}) och ingen visste vem som skulle "
                      "kontakta polisen"],
            plan: [f"Planen saknar ersättare för säkerhetsstrategen vid semester (ärende {i})"] if i % 2 else [],
        }
        record |= {key: ANSWERS[(i + k) % 3] for k, key in enumerate(CHECKLIST)}
        if i % 3:  # a third without a first talk: overdue, listed
            record["samtal1_datum"] = (incident + dt.timedelta(days=7 + i % 10)).isoformat()
        yield Case(str(record["diarienummer"]), record, incident, DateFrom.CODED)


def _timed(make: Callable[[], bytes]) -> tuple[float | None, int, str]:
    """Seconds and bytes of one drawing, or why it failed (LibreOffice's time budget ran out)."""
    start = time.perf_counter()
    try:
        size = len(make())
    except BlankettError as exc:
        return None, 0, str(exc)
    return time.perf_counter() - start, size, ""


def one(n: int) -> dict[str, object]:
    """Every file of both overviews of ``n`` cases, drawn once in this process: seconds, bytes, peak memory."""
    start = time.perf_counter()
    internal = count(_cases(n), START, END, TODAY)
    outside = public(internal)
    counted = time.perf_counter() - start
    files: dict[str, tuple[Overview, Callable[[Overview], bytes]]] = {
        "intern: Word": (internal, render_docx.render),
        "intern: PDF (LibreOffice)": (internal, render_pdf.render),
        "intern: kalkylblad": (internal, render_xlsx.render),
        "offentlig: webbsida": (outside, render_html.render),
        "offentlig: PDF (LibreOffice)": (outside, render_pdf.render),
    }
    listed = sum(len(b.items) for b in internal.blocks if isinstance(b, Listing))
    times = {label: _timed(lambda o=overview, r=render: r(o)) for label, (overview, render) in files.items()}
    jobs = [(f, outside if f.public else internal) for f in formats.FORMATS]
    times[RUN] = _timed(lambda: b"".join(formats.render_all(jobs)))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"counted": counted, "listed": listed, "times": times, "peak_mb": peak}


def _cell(seconds: float | None) -> str:
    return f"{seconds:8.2f} s" if seconds is not None else "  avbröts"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cases", type=int, nargs="+", default=[100, 1_000, 10_000])
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)  # a child: one number of cases, JSON out
    args = parser.parse_args()
    if args.one is not None:
        print(json.dumps(one(args.one)))
        return
    runs = {}
    for n in args.cases:  # a process each: its peak memory is its own
        child = subprocess.run([sys.executable, "-m", "benchmarks.overview_render", "--one", str(n)],
                               capture_output=True, text=True, check=True)
        runs[n] = json.loads(child.stdout.splitlines()[-1])
    print(f"lägesbildens filer, ritade (räkningen av färdiga ärenden för sig; mål för allt, läsningen av "
          f"blanketterna inräknad: under {TARGET_SECONDS:.0f} s)")
    print(f"  {'ärenden':<32}" + "".join(f"{n:>11}" for n in args.cases))
    print(f"  {'poster i listorna':<32}" + "".join(f"{runs[n]['listed']:>11}" for n in args.cases))
    print(f"  {'räkning (count + offentlig)':<32}" + "".join(_cell(runs[n]["counted"]) for n in args.cases))
    for label in runs[args.cases[0]]["times"]:
        note = f"   (mål {TARGET_SECONDS:.0f} s för allt)" if label == RUN else ""
        print(f"  {label:<32}" + "".join(_cell(runs[n]["times"][label][0]) for n in args.cases) + note)
    totals = [sum(t[0] or render_pdf.OFFICE_SECONDS for label, t in runs[n]["times"].items() if label != RUN)
              for n in args.cases]
    print(f"  {'summa av de fem var för sig':<32}" + "".join(_cell(t) for t in totals))
    print(f"  {'högsta minne (RSS, utan LO)':<32}" + "".join(f"{runs[n]['peak_mb']:8.0f} MB" for n in args.cases))
    for n in args.cases:
        for label, (_, _, why) in runs[n]["times"].items():
            if why:
                print(f"  {n} ärenden, {label}: {why}")


if __name__ == "__main__":
    main()
