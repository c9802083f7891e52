"""Benchmark: password-encrypted forms (issue 21) beside plain ones, in one run.

    .venv/bin/python -m benchmarks.protect [--forms 1000] [--jobs 2] [--per-form 20]

1. Per form, in one process: the .docx fill alone, its encryption (ECMA-376 agile: the key is derived by
   100 000 SHA-512 rounds, by design, so that guessing passwords is slow), its decryption (the same derivation),
   and the same for the PDF (AES-256 R6: one short SHA-2 derivation).
2. ``blankett fill --pdf`` over ``--forms`` records as its own process, plain and ``--encrypt`` (password from
   the environment), then ``blankett extract`` of what each wrote, plain and with the password.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchmarks.bench import _run_blankett
from blankett import protect
from blankett.fill import Template
from blankett.model import validate
from blankett.pdf.blank import SHIPPED, template_for
from blankett.pdf.flat import render
from tests.records import full_record

PASSWORD = "benchmark-lösenord-1"
ENV = "BLANKETT_BENCH_PASSWORD"


def _ms(func: Callable[[Any], Any], items: list[Any]) -> float:
    """Median milliseconds of ``func(item)`` over ``items`` (after one warm-up call)."""
    func(items[0])
    times = []
    for item in items:
        start = time.perf_counter()
        func(item)
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def per_form(count: int) -> None:
    """Part 1: milliseconds per form for each step, one process."""
    template = Template()
    pdf_template = template_for(SHIPPED.read_bytes())
    incidents = [validate(full_record(n))[0] for n in range(1, count + 1)]
    docx = [template.render(i) for i in incidents]
    pdf = [render(pdf_template, i, False) for i in incidents]
    sealed_docx = [protect.encrypt_office(d, PASSWORD) for d in docx]
    sealed_pdf = [protect.encrypt_pdf(p, PASSWORD) for p in pdf]
    rows = [
        ("fill .docx (render)", _ms(template.render, incidents)),
        ("encrypt .docx (agile AES-256)", _ms(lambda d: protect.encrypt_office(d, PASSWORD), docx)),
        ("decrypt .docx", _ms(lambda d: protect.decrypt_office(d, PASSWORD, "x.docx"), sealed_docx)),
        ("fill PDF (render)", _ms(lambda i: render(pdf_template, i, False), incidents)),
        ("encrypt PDF (AES-256 R6)", _ms(lambda p: protect.encrypt_pdf(p, PASSWORD), pdf)),
        ("decrypt PDF", _ms(lambda p: protect.decrypt_pdf(p, PASSWORD, "x.pdf"), sealed_pdf)),
    ]
    print(f"Per form, median of {count}, one process:")
    for label, ms in rows:
        print(f"  {label:32s} {ms:8.1f} ms")


def batch(forms: int, jobs: int) -> None:
    """Part 2: the commands over ``forms`` records, plain and encrypted, side by side."""
    os.environ[ENV] = PASSWORD
    with tempfile.TemporaryDirectory(prefix="blankett-bench-") as tmp:
        source = Path(tmp) / "in.json"
        source.write_text(json.dumps([full_record(n) for n in range(1, forms + 1)]), encoding="utf-8")
        print(f"\n{forms} records, fill --pdf -j {jobs} (a .docx and a PDF each), then extract of all {2 * forms} files:")
        print(f"  {'':22s} {'plain':>10s} {'encrypted':>10s} {'per form extra':>15s}")
        runs = {}
        for name, extra in (("plain", []), ("encrypted", ["--encrypt", "--password-env", ENV])):
            out = Path(tmp) / name
            filled = _run_blankett(["fill", str(source), "-o", str(out), "--pdf", "-j", str(jobs), *extra])
            read = _run_blankett(["extract", str(out), "-o", str(Path(tmp) / f"{name}.json"),
                                  *(["--password-env", ENV] if extra else [])])
            runs[name] = (filled, read)
        for step, index in (("fill wall s", 0), ("extract wall s", 1)):
            plain, sealed = runs["plain"][index].wall, runs["encrypted"][index].wall
            print(f"  {step:22s} {plain:10.1f} {sealed:10.1f} {(sealed - plain) / forms * 1000:12.1f} ms")
        for step, index in (("fill peak MB", 0), ("extract peak MB", 1)):
            print(f"  {step:22s} {runs['plain'][index].peak_mb:10.0f} {runs['encrypted'][index].peak_mb:10.0f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--forms", type=int, default=1000)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--per-form", type=int, default=20)
    args = parser.parse_args()
    per_form(args.per_form)
    batch(args.forms, args.jobs)


if __name__ == "__main__":
    main()
