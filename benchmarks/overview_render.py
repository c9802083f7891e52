"""Benchmark: drawing the overview's documents, ``python -m benchmarks.overview_render``.

The sample overviews (tests/overview_sample.py) and an internal one whose listings name ``--cases`` cases (what
10 000 forms with a noted weakness each give), drawn as web page, Word and PDF; seconds and the process's peak
memory, beside issue 20's target (both overviews of 10 000 forms in under 30 s on 2 cores, counting included).
Not a test: figures depend on the machine; docs/lagesbild-dokument.md quotes a run.
"""

from __future__ import annotations

import argparse
import dataclasses
import resource
import time
from collections.abc import Callable

from blankett.errors import BlankettError
from blankett.overview import render_docx, render_html, render_pdf
from blankett.overview.report import Listing, Overview
from tests.overview_sample import INTERNAL, PUBLIC

TARGET_SECONDS = 30.0


def _timed(make: Callable[[], bytes], runs: int) -> tuple[float, int]:
    best, size = float("inf"), 0
    for _ in range(runs):
        start = time.perf_counter()
        size = len(make())
        best = min(best, time.perf_counter() - start)
    return best, size


def _big(cases: int) -> Overview:
    """The internal sample with both listings naming ``cases`` cases."""
    items = tuple((f"KS 2025/{n:05d}", "Larmknappen i receptionen fungerade inte och ingen visste vem som skulle "
                   "kontakta polisen") for n in range(cases))
    blocks = tuple(dataclasses.replace(b, items=items) if isinstance(b, Listing) else b for b in INTERNAL.blocks)
    return dataclasses.replace(INTERNAL, blocks=blocks)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    big = _big(args.cases)
    rows = [
        ("offentlig: webbsida (render_html)", lambda: render_html.render(PUBLIC), args.runs),
        ("offentlig: PDF (LibreOffice)", lambda: render_pdf.render(PUBLIC), 1),
        ("intern: Word (render_docx)", lambda: render_docx.render(INTERNAL), args.runs),
        ("intern: PDF (LibreOffice)", lambda: render_pdf.render(INTERNAL), 1),
        (f"intern, {args.cases} ärenden i listorna: Word", lambda: render_docx.render(big), 1),
        (f"intern, {args.cases} ärenden i listorna: PDF", lambda: render_pdf.render(big), 1),
    ]
    print(f"lägesbildens dokument (mål för hela körningen, räkningen inräknad: under {TARGET_SECONDS:.0f} s)")
    for label, make, runs in rows:
        try:
            seconds, size = _timed(make, runs)
        except BlankettError as exc:  # LibreOffice's time budget (render_pdf.OFFICE_SECONDS) ran out
            print(f"  {label:<46} {exc}")
            continue
        print(f"  {label:<46} {seconds:7.2f} s  {size / 1024:8.0f} KB")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"  högsta minne i processen (LibreOffice är egna processer)  {peak:.0f} MB")


if __name__ == "__main__":
    main()
