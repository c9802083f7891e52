"""Benchmark: filled PDFs without LibreOffice, beside the .docx fill and the issue's LibreOffice baselines.

    .venv/bin/python -m benchmarks.pdf [--forms 1000] [--memory-forms 10000]

1. Per form, in one process, the same 1 000 records: the .docx fill (``Template.render``), the PDF fill as an
   incremental update of the shipped blank (what blankett does), the same fields written by rewriting the
   whole file with pikepdf (the alternative measured), and the flattened copy.
2. ``blankett fill --format pdf`` over the whole batch as its own process, beside ``blankett fill`` (.docx).
3. Peak memory of ``blankett fill --format pdf`` over ``--memory-forms`` forms, sampled from /proc, at a
   tenth of the forms and at all of them: flat or not.

Issue 18's baselines (LibreOffice route, quiet machine): 0.212 s per form in batches, 1.38 s for a single form.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import pikepdf

from benchmarks.bench import _run_blankett
from blankett.fill import Template
from blankett.model import validate
from blankett.model import values as model_values
from blankett.pdf.blank import SHIPPED, template_for
from blankett.pdf.common import FONT
from blankett.pdf.flat import render
from blankett.pdf.layout import appearance_body, layout
from blankett.pdf.write import tag_texts
from tests.records import full_record

BASELINE_BATCH_S, BASELINE_SINGLE_S = 0.212, 1.38
TARGET_RATIO = 5.0


def _ms_per_form(func, items: list) -> float:
    """Median milliseconds of ``func(item)`` over ``items`` (after one warm-up call)."""
    func(items[0])
    times = []
    for item in items:
        start = time.perf_counter()
        func(item)
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def _pikepdf_rewrite(blank: bytes, template, incident) -> bytes:
    """The same fields and appearances written by opening the blank with pikepdf and saving the whole file."""
    values = tag_texts(model_values(incident))
    with pikepdf.open(io.BytesIO(blank)) as pdf:
        font = pdf.get_object((template.font, 0))
        for field in pdf.Root.AcroForm.Fields:
            value = values.get(str(field.T))
            if isinstance(value, bool):
                field.V = field.AS = pikepdf.Name("/Yes" if value else "/Off")
            elif value:
                slot = template.slots[str(field.T)]
                field.V = pikepdf.String(value)
                stream = pdf.make_stream(appearance_body(slot.width, slot.height,
                                                         layout(value, slot.width, slot.height, slot.multiline)))
                stream.Type, stream.Subtype = pikepdf.Name.XObject, pikepdf.Name.Form
                stream.BBox = [0, 0, slot.width, slot.height]
                stream.Resources = pikepdf.Dictionary(Font=pikepdf.Dictionary({FONT: font}))
                field.AP = pikepdf.Dictionary(N=stream)
        out = io.BytesIO()
        pdf.save(out)
        return out.getvalue()


def per_form(forms: int) -> dict:
    """Milliseconds per form for each way of writing it, over the same records."""
    incidents = [validate(full_record(n))[0] for n in range(1, forms + 1)]
    docx = Template()
    blank = SHIPPED.read_bytes()
    template = template_for(blank)
    sample = incidents[: max(1, forms // 10)]
    return {
        "docx_ms": _ms_per_form(docx.render, incidents),
        "pdf_incremental_ms": _ms_per_form(lambda i: render(template, i), incidents),
        "pdf_rewrite_ms": _ms_per_form(lambda i: _pikepdf_rewrite(blank, template, i), sample),
        "pdf_flattened_ms": _ms_per_form(lambda i: render(template, i, flatten=True), sample),
    }


def batch(forms: int, folder: Path) -> dict:
    """``blankett fill`` (.docx) and ``blankett fill --format pdf`` over the same ``forms`` records, one core."""
    data = folder / "incidenter.json"
    data.write_text(json.dumps([full_record(n) for n in range(1, forms + 1)], ensure_ascii=False), encoding="utf-8")
    docx = _run_blankett(["fill", str(data), "-o", str(folder / "docx"), "-j", "1"])
    pdf = _run_blankett(["fill", str(data), "-o", str(folder / "pdf"), "-j", "1", "--format", "pdf"])
    return {"docx_s": docx.wall / forms, "pdf_s": pdf.wall / forms, "pdf_peak_mb": pdf.peak_mb,
            "docx_summary": docx.summary, "pdf_summary": pdf.summary}


def memory(forms: int, folder: Path) -> dict:
    """Peak RSS of ``fill --format pdf`` over a tenth of ``forms`` and over all of them."""
    peaks = {}
    for n in (forms // 10, forms):
        data = folder / f"m{n}.jsonl"
        with data.open("w", encoding="utf-8") as fh:
            for i in range(1, n + 1):
                fh.write(json.dumps(full_record(i), ensure_ascii=False) + "\n")
        run = _run_blankett(["fill", str(data), "-o", str(folder / f"m{n}"), "--format", "pdf"])
        peaks[n] = (run.peak_mb, run.wall, run.summary)
    return peaks


def main(argv: list[str] | None = None) -> None:
    """Measure and print side by side."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--forms", type=int, default=1000)
    parser.add_argument("--memory-forms", type=int, default=10_000)
    args = parser.parse_args(argv)
    print(f"Maskin: {os.cpu_count()} kärnor (delad: siffrorna är mätta under annan last).")
    f = per_form(args.forms)
    print(f"Per blankett i en process, {args.forms} poster (median):")
    print(f"  .docx (Template.render)                        {f['docx_ms']:8.2f} ms")
    print(f"  PDF, inkrementell uppdatering (blankett)       {f['pdf_incremental_ms']:8.2f} ms  "
          f"= {f['pdf_incremental_ms'] / f['docx_ms']:.1f} × .docx (mål ≤ {TARGET_RATIO:g} ×)")
    print(f"  PDF, hela filen omskriven med pikepdf          {f['pdf_rewrite_ms']:8.2f} ms  "
          f"(inkrementell är {f['pdf_rewrite_ms'] / f['pdf_incremental_ms']:.1f} × snabbare)")
    print(f"  PDF, utplattad (--flatten, pikepdf)            {f['pdf_flattened_ms']:8.2f} ms")
    print(f"  Förut, LibreOffice: {BASELINE_BATCH_S * 1000:.0f} ms i batch, {BASELINE_SINGLE_S * 1000:.0f} ms för "
          "en blankett (issue 18, tyst maskin)")
    with tempfile.TemporaryDirectory() as tmp:
        b = batch(args.forms, Path(tmp))
        print(f"Hela kommandot, {args.forms} poster, -j 1 (start inräknad):")
        print(f"  blankett fill (.docx)          {b['docx_s'] * 1000:8.2f} ms per blankett  {b['docx_summary']}")
        print(f"  blankett fill --format pdf     {b['pdf_s'] * 1000:8.2f} ms per blankett  {b['pdf_summary']}  "
              f"= {b['pdf_s'] / b['docx_s']:.1f} × .docx (mål ≤ {TARGET_RATIO:g} ×); förut "
              f"{BASELINE_BATCH_S / b['pdf_s']:.0f} × långsammare")
        m = memory(args.memory_forms, Path(tmp))
        (few, (mb_few, s_few, _)), (many, (mb_many, s_many, line)) = sorted(m.items())
        print(f"Minne, blankett fill --format pdf: {few} blanketter topp {mb_few:.0f} MB ({s_few:.1f} s), "
              f"{many} blanketter topp {mb_many:.0f} MB ({s_many:.1f} s) – "
              f"{'plant' if mb_many <= mb_few * 1.2 + 10 else 'VÄXER'}; {line}")


if __name__ == "__main__":
    sys.exit(main())
