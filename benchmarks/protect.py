"""Benchmark: password-encrypted forms (issue 21) beside plain ones, in one run.

    .venv/bin/python -m benchmarks.protect [--forms 1000] [--jobs 2] [--per-form 20]

1. Per form, in one process: the .docx fill alone, its encryption (ECMA-376 agile: the key is derived by
   100 000 SHA-512 rounds, by design, so that guessing passwords is slow), its decryption (the same derivation),
   and the same for the PDF (AES-256 R6: one short SHA-2 derivation).
2. ``blankett fill --pdf`` over ``--forms`` records as its own process, plain and ``--encrypt`` (password from
   the environment), then ``blankett extract`` of what each wrote, plain and with the password.
3. The input side: ``blankett fill --check`` of a ``--forms``-row workbook, plain and saved with a password
   (decrypted in memory), and ``blankett fill`` with one password for the batch beside one password per row
   (``--password-column``).
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
from tests.sheets import write_xlsx

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


def inputs(forms: int, jobs: int) -> None:
    """Part 3: an encrypted input workbook beside a plain one; a password per row beside one for the batch."""
    import io

    from msoffcrypto.format.ooxml import OOXMLFile

    os.environ[ENV] = PASSWORD
    with tempfile.TemporaryDirectory(prefix="blankett-bench-") as tmp:
        plain = Path(tmp) / "plain.xlsx"
        write_xlsx(plain, forms)
        sealed = Path(tmp) / "sealed.xlsx"
        out = io.BytesIO()
        OOXMLFile(io.BytesIO(plain.read_bytes())).encrypt(PASSWORD, out)
        sealed.write_bytes(out.getvalue())
        checked = [_run_blankett(["fill", "--check", str(plain)]),
                   _run_blankett(["fill", "--check", str(sealed), "--password-env", ENV])]
        print(f"\n{forms}-row workbook ({plain.stat().st_size // 1024} kB), fill --check: plain, then saved with a "
              "password:")
        print(f"  {'wall s':22s} {checked[0].wall:10.1f} {checked[1].wall:10.1f}")
        print(f"  {'peak MB':22s} {checked[0].peak_mb:10.0f} {checked[1].peak_mb:10.0f}")
        source = Path(tmp) / "in.json"
        source.write_text(json.dumps([{**full_record(n), "lösenord": f"rad-{n}-{PASSWORD}"}
                                      for n in range(1, forms + 1)]), encoding="utf-8")
        plain_json = Path(tmp) / "in-plain.json"
        plain_json.write_text(json.dumps([full_record(n) for n in range(1, forms + 1)]), encoding="utf-8")
        commands = {
            "one": ["fill", str(plain_json), "-j", str(jobs), "--encrypt", "--password-env", ENV],
            "per row": ["fill", str(source), "-j", str(jobs), "--password-column", "lösenord"],
        }
        walls: dict[str, list[float]] = {"one": [], "per row": []}
        # in the order one, per row, per row, one: a machine whose load drifts during the run favours neither
        for n, name in enumerate(("one", "per row", "per row", "one")):
            walls[name].append(_run_blankett([*commands[name], "-o", str(Path(tmp) / f"ut-{n}")]).wall)
        print(f"\n{forms} records, fill -j {jobs} (.docx), run twice each (one, per row, per row, one): one "
              "password for the batch, then one per row:")
        print(f"  {'wall s, each run':22s} {' / '.join(f'{w:.1f}' for w in walls['one']):>14s} "
              f"{' / '.join(f'{w:.1f}' for w in walls['per row']):>14s}")
        print(f"  {'wall s, mean':22s} {statistics.mean(walls['one']):14.1f} {statistics.mean(walls['per row']):14.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--forms", type=int, default=1000)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--per-form", type=int, default=20)
    args = parser.parse_args()
    per_form(args.per_form)
    batch(args.forms, args.jobs)
    inputs(args.forms, args.jobs)


if __name__ == "__main__":
    main()
