"""Benchmarks: ``python -m benchmarks.bench`` prints each measurement beside its floor, its rival and its target.

One section per function (``bench_fill``, ``bench_batch``, …); ``--only`` picks
sections. Not a test: figures depend on the machine; the README quotes a run.
Needs the ``bench`` extra (docxtpl, docx2python) for the comparisons. Run from
the repository root; the records and workbooks it measures come from the tests'
generators (``tests/records.py``, ``tests/sheets.py``). Unix only: memory and
CPU time of the measured processes come from ``/proc`` and ``resource``.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from blankett import guard, kinds, ooxml, readback
from blankett.build import blank_bytes
from blankett.fill import Template, fill_record
from blankett.form import FIELDS, LIST_ITEMS, TAGS, Kind, janej_tag, list_tag
from blankett.model import validate
from blankett.package import open_package, read_all, zip_bytes
from blankett.pdf.fill import fill_with_pdf
from blankett.readback import Result, read_file, read_root
from tests.records import full_record
from tests.sheets import write_xlsx

RSS_LIMIT_MB = 300
#: Issue 17's figures before the pipelined batches (docs/hastighet.md, 2026-12-05 03:55, a quiet moment): one
#: form through the guard, and ``blankett extract`` of a folder of 1000 forms.
BEFORE_EXTRACT_RATIO, BEFORE_EXTRACT_1000_S = 1.97, 3.0


def _per_call_ms(func: Callable[[], object], repeat: int) -> float:
    """Median of ``repeat`` timed calls, in milliseconds, after one warm-up call."""
    func()
    return _median_ms(func, repeat)


def _median_ms(func: Callable[[], object], calls: int) -> float:
    """Median of ``calls`` timed calls, in milliseconds (no warm-up)."""
    times = []
    for _ in range(calls):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def _row(label: str, value: str, note: str = "") -> None:
    print(f"  {label:<44} {value:>14}  {note}")


# --- fill: one form, one process -------------------------------------------------


def _jinja_template(folder: Path) -> Path:
    """A copy of the template whose controls hold Jinja tags ``{{ v_<tag> }}``, for docxtpl."""
    parts = read_all(blank_bytes())
    out = []
    for name, data in parts:
        if name == "word/document.xml":
            root = etree.fromstring(data)
            for tag, sdt in ooxml.first_controls(root).items():
                var = "{{ " + _var(tag) + " }}"
                if ooxml.kind_of(sdt) == "checkbox":
                    content = sdt.find(ooxml.w("sdtContent"))
                    texts = list(content.iter(ooxml.w("t")))
                    texts[0].text = var
                else:
                    ooxml.set_text(sdt, var)
            data = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
        out.append((name, data))
    path = folder / "Bilaga5-jinja.docx"
    path.write_bytes(zip_bytes(out))
    return path


def _var(tag: str) -> str:
    """A Jinja variable name for a control tag."""
    return "v_" + "".join(c if c.isalnum() else "_" for c in tag)


def _jinja_context(incident) -> dict:
    """The values of a validated incident as docxtpl variables (text with line breaks as Listing)."""
    from docxtpl import Listing

    ctx: dict = {}
    for f in FIELDS:
        value = getattr(incident, f.key)
        if f.kind is Kind.JANEJ:
            for answer in (kinds.JA, kinds.NEJ):
                ctx[_var(janej_tag(f.key, answer))] = "☒" if value == answer else "☐"
        elif f.kind is Kind.LIST:
            for i in range(1, LIST_ITEMS + 1):
                ctx[_var(list_tag(f.key, i))] = value[i - 1] if i <= len(value) else ""
        else:
            ctx[_var(f.key)] = Listing(kinds.text_of(f.kind, value))
    return ctx


def _paired_ms(func: Callable[[], object], floor: Callable[[], object], rounds: int = 40,
               block: int = 10) -> tuple[float, float, float]:
    """A measurement and its floor, taken in turns (``rounds`` blocks of ``block`` calls each, after a warm-up).

    Both see the same machine: load that comes and goes on a shared machine hits
    both alike. Gives the median block of each, in milliseconds, and the median
    of the per-round ratios (the figure compared with a target).
    """
    func(), floor()
    ours, floors, ratios = [], [], []
    for _ in range(rounds):
        a, b = _median_ms(func, block), _median_ms(floor, block)
        ours.append(a)
        floors.append(b)
        ratios.append(a / b)
    return statistics.median(ours), statistics.median(floors), statistics.median(ratios)


def _three_ms(guarded: Callable[[], object], unguarded: Callable[[], object], floor: Callable[[], object],
              rounds: int = 40, block: int = 10) -> tuple[list[float], list[float]]:
    """Three measurements taken in turns as in :func:`_paired_ms`: their median blocks (ms) and median ratios to
    the last one (the floor), the guarded-minus-unguarded difference last (the guard's cost per file)."""
    guarded(), unguarded(), floor()
    blocks: list[list[float]] = [[], [], []]
    ratios: list[list[float]] = [[], []]
    for _ in range(rounds):
        a, b, c = (_median_ms(f, block) for f in (guarded, unguarded, floor))
        for i, v in enumerate((a, b, c)):
            blocks[i].append(v)
        ratios[0].append(a / c)
        ratios[1].append(b / c)
    costs = [a - b for a, b in zip(blocks[0], blocks[1], strict=True)]
    return ([statistics.median(x) for x in blocks] + [statistics.median(costs)],
            [statistics.median(x) for x in ratios])


def bench_fill(repeat: int = 50) -> dict:
    """Milliseconds per form: blankett's fill, the floor (rewrite the package unchanged), docxtpl."""
    template = Template()
    incident, _ = validate(full_record())
    source = blank_bytes()
    fill_ms, floor_ms, ratio = _paired_ms(lambda: template.render(incident), lambda: zip_bytes(read_all(source)))
    # issue 20's coded fields beside the case number: three more document properties in docProps/custom.xml
    coded, _ = validate(full_record() | {"handelsedatum": "2026-03-04", "typ": ["hot", "skadegörelse"],
                                         "kanal": ["sociala medier", "e-post"]})
    coded_ms, _, coded_ratio = _paired_ms(lambda: template.render(coded), lambda: zip_bytes(read_all(source)))
    result = {"fill_ms": fill_ms, "floor_ms": floor_ms, "ratio": ratio, "docxtpl_ms": None, "coded_ms": coded_ms}
    try:
        from docxtpl import DocxTemplate
    except ImportError:
        DocxTemplate = None
    if DocxTemplate is not None:
        with tempfile.TemporaryDirectory() as tmp:
            jinja = _jinja_template(Path(tmp))
            context = _jinja_context(incident)

            def render_docxtpl() -> bytes:
                doc = DocxTemplate(str(jinja))
                doc.render(context, autoescape=True)
                buf = io.BytesIO()
                doc.save(buf)
                return buf.getvalue()

            result["docxtpl_ms"] = _per_call_ms(render_docxtpl, max(5, repeat // 5))
    print("fill: en blankett, en process (median, ms per blankett; fill och golv mätta växelvis)")
    _row("blankett fill (fullt ifylld post)", f"{fill_ms:.2f} ms",
         f"{ratio:.2f} × golvet (mål ≤ 1.2)")
    _row("blankett fill (dessutom kodade fält)", f"{coded_ms:.2f} ms",
         f"{coded_ratio:.2f} × golvet (issue 20: tre dokumentegenskaper till)")
    _row("golv: skriv om mallens paket oförändrat", f"{floor_ms:.2f} ms",
         "läs alla delar, skriv alla, samma komprimering")
    if result["docxtpl_ms"] is None:
        _row("docxtpl", "saknas", "installera med: pip install -e '.[bench]'")
    else:
        speedup = result["docxtpl_ms"] / fill_ms
        _row("docxtpl (samma mall med Jinja-taggar)", f"{result['docxtpl_ms']:.2f} ms",
             f"fill är {speedup:.1f} × snabbare (mål ≥ 5)")
    return result


# --- batch: 10 000 rows from .xlsx ---------------------------------------------------------------


def _tree(pid: int) -> list[int]:
    """``pid`` and all its descendants."""
    children: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                with open(f"/proc/{entry.name}/stat") as fh:
                    ppid = int(fh.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(children.get(p, []))
    return out


def _rss_mb(pids: list[int]) -> float:
    """Summed resident memory of ``pids`` in MB (shared pages counted in each process: an upper bound)."""
    total = 0
    for p in pids:
        try:
            with open(f"/proc/{p}/status") as fh:
                for line in fh:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
        except OSError:
            pass
    return total / 1024


@dataclass
class Run:
    """One ``blankett fill`` run: wall and CPU seconds (all its processes), peak RSS (MB), its summary line."""

    wall: float
    cpu: float
    peak_mb: float
    summary: str


def _run_blankett(args: list[str]) -> Run:
    """Run ``blankett ARGS`` as a separate process: wall and CPU time and peak RSS of its process tree."""
    cmd = [sys.executable, "-m", "blankett", *args]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peak = 0.0
    while proc.poll() is None:
        peak = max(peak, _rss_mb(_tree(proc.pid)))
        time.sleep(0.1)
    wall = time.perf_counter() - start
    stdout, stderr = proc.communicate()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        raise SystemExit(f"blankett {args[0]} misslyckades ({proc.returncode}): {stderr[-500:]}")
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    summary = (stdout.strip() or stderr.strip()).splitlines()
    return Run(wall, cpu, peak, summary[-1] if summary else "")


def run_fill(xlsx: Path, out: Path, jobs: int) -> Run:
    """Run ``blankett fill`` as a separate process and measure it, its workers included."""
    return _run_blankett(["fill", str(xlsx), "-o", str(out), "-j", str(jobs)])


def _best(runs: list[Run]) -> Run:
    """The fastest of repeated runs (others' work on the machine only ever slows a run), with the highest memory."""
    best = min(runs, key=lambda r: r.wall)
    return Run(best.wall, best.cpu, max(r.peak_mb for r in runs), best.summary)


def bench_batch(rows: int = 10_000, repeat: int = 1) -> dict:
    """Wall time, forms/s and peak memory for ``rows`` .xlsx rows, on all cores and on one (best of ``repeat``)."""
    jobs = os.cpu_count() or 1
    load_before = os.getloadavg()[0]  # other work on the machine skews the comparison: shown beside it
    with tempfile.TemporaryDirectory() as tmp:
        xlsx = Path(tmp) / "incidenter.xlsx"
        start = time.perf_counter()
        write_xlsx(xlsx, rows)
        made = time.perf_counter() - start
        manys, ones, written = [], [], 0
        for _ in range(repeat):  # alternating, so that a busy spell hits both kinds of run
            manys.append(run_fill(xlsx, Path(tmp) / "alla", jobs))
            written = sum(1 for _ in (Path(tmp) / "alla").glob("*.docx"))
            ones.append(run_fill(xlsx, Path(tmp) / "en", 1))
            for out in ("alla", "en"):
                shutil.rmtree(Path(tmp) / out)
        many, one = _best(manys), _best(ones)
    rate_n, rate_1 = rows / many.wall, rows / one.wall
    print(f"batch: {rows} rader från .xlsx till .docx ({jobs} kärnor; bästa av {repeat}; "
          f"indatafilen gjordes på {made:.1f} s; "
          f"datorns belastning före/efter: {load_before:.1f}/{os.getloadavg()[0]:.1f})")
    _row(f"alla kärnor (-j {jobs}): väggtid", f"{many.wall:.1f} s", many.summary)
    _row("alla kärnor: blanketter per sekund", f"{rate_n:.0f} /s",
         f"{rate_n / rate_1:.2f} × en process (mål ≥ 1.6)")
    _row("alla kärnor: högsta minne (RSS, alla processer)", f"{many.peak_mb:.0f} MB", f"mål ≤ {RSS_LIMIT_MB} MB")
    _row("alla kärnor: CPU-tid per blankett", f"{many.cpu / rows * 1000:.2f} ms", "alla processer")
    _row("en process (-j 1): väggtid", f"{one.wall:.1f} s", "")
    _row("en process: blanketter per sekund", f"{rate_1:.0f} /s", f"högsta minne {one.peak_mb:.0f} MB")
    _row("en process: CPU-tid per blankett", f"{one.cpu / rows * 1000:.2f} ms", "")
    _row("filer skrivna (alla kärnor)", f"{written}", "")
    return {"rows": rows, "wall_s": many.wall, "rate": rate_n, "rate_single": rate_1, "peak_mb": many.peak_mb,
            "cpu_ms_per_form": many.cpu / rows * 1000, "cpu_ms_per_form_single": one.cpu / rows * 1000,
            "written": written}


def _fill_pdf_seconds(records: list[dict], folder: Path, **options: bool) -> float:
    """Wall seconds for ``fill --pdf`` (the library call behind it, with ``options``) over ``records`` in one JSON file."""

    folder.mkdir(parents=True)
    data = folder / "incidenter.json"
    data.write_text(json.dumps(records, ensure_ascii=False), encoding="utf-8")
    start = time.perf_counter()
    summaries = fill_with_pdf([data], folder / "ut", jobs=1, **options)
    wall = time.perf_counter() - start
    if any(s.failed for s in summaries) or summaries[-1].counts["skriven"] != len(records):
        raise SystemExit(f"fill --pdf misslyckades: {summaries[-1].line()} {summaries[-1].problems[:3]}")
    return wall


def bench_pdf(forms: int = 200, sample: int = 10) -> dict:
    """Seconds per form for ``fill --pdf`` (.docx and a PDF filled directly): a batch of ``forms`` vs one form a run."""
    records = [full_record(n) for n in range(1, forms + 1)]
    with tempfile.TemporaryDirectory() as tmp:
        batch = _fill_pdf_seconds(records, Path(tmp) / "batch") / forms
        single = sum(_fill_pdf_seconds([r], Path(tmp) / f"en-{n}") for n, r in enumerate(records[:sample])) / sample
    print("pdf: fill --pdf, .docx + PDF per blankett (PDF:en fylls i direkt, ingen LibreOffice)")
    _row(f"batch om {forms}: sekunder per blankett", f"{batch:.3f} s", "förut 0.212 s (LibreOffice, issue 18)")
    _row(f"en blankett per körning ({sample} mätta)", f"{single:.3f} s", "förut 1.38 s")
    _row("batch jämfört med en blankett per körning", f"{single / batch:.1f} ×", "")
    return {"forms": forms, "batch_s_per_form": batch, "single_s_per_form": single, "speedup": single / batch}


def bench_pdfa(forms: int = 50, sample: int = 5) -> dict:
    """Seconds per form for the archive copy (``fill --format pdfa``) beside the flattened PDF it is made from
    (``fill --format pdf --flatten``), both alone; reading one back and checking it with page-validation."""
    import page

    from blankett import extract

    records = [full_record(n) for n in range(1, forms + 1)]
    flat, arch = {"keep_docx": False, "flatten": True}, {"keep_docx": False, "archive": True}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        flat_batch = _fill_pdf_seconds(records, folder / "platt", **flat) / forms
        arch_batch = _fill_pdf_seconds(records, folder / "arkiv", **arch) / forms
        flat_one = sum(_fill_pdf_seconds([r], folder / f"p-{n}", **flat) for n, r in enumerate(records[:sample])) / sample
        arch_one = sum(_fill_pdf_seconds([r], folder / f"a-{n}", **arch) for n, r in enumerate(records[:sample])) / sample
        copy = next((folder / "arkiv" / "ut").glob("*.pdf"))
        data = copy.read_bytes()
        read_ms = _median_ms(lambda: extract(data, "arkiv.pdf"), 20)
        check_ms = {p: _median_ms(lambda p=p: page.validate_pdf_bytes(data, profile=p), 5) for p in ("3a", "ua1")}
    print("pdfa: arkivexemplar (PDF/A-3a + PDF/UA-1, posten inbäddad) bredvid platt PDF, bara PDF, samma körning")
    _row(f"platt PDF, batch om {forms}: per blankett", f"{flat_batch:.3f} s", "fill --format pdf --flatten")
    _row(f"arkivexemplar, batch om {forms}: per blankett", f"{arch_batch:.3f} s", "fill --format pdfa")
    _row(f"platt PDF, en åt gången ({sample} mätta)", f"{flat_one:.3f} s", "")
    _row(f"arkivexemplar, en åt gången ({sample} mätta)", f"{arch_one:.3f} s", "")
    _row("arkivexemplar jämfört med platt PDF (batch)", f"{arch_batch / flat_batch:.2f} ×", "")
    _row("storlek per arkivexemplar", f"{len(data) // 1024} kB", "")
    _row("extract av ett arkivexemplar", f"{read_ms:.1f} ms", "läsprocess och modellen inräknade")
    _row("page-validation 3a / ua1", f"{check_ms['3a']:.0f} / {check_ms['ua1']:.0f} ms", "")
    return {"flat_batch": flat_batch, "archive_batch": arch_batch, "flat_one": flat_one, "archive_one": arch_one,
            "read_ms": read_ms, "check_ms": check_ms, "bytes": len(data)}


# --- extract: read returned forms back -------------------------------------------------------


def _extract_floor(path: Path):
    """The floor of reading a form: unzip the package and parse its document part, nothing else."""
    with zipfile.ZipFile(path) as zf:
        return etree.fromstring(zf.read("word/document.xml"))


def _extract_parts(path: Path, repeat: int) -> dict[str, float]:
    """Where a read's time goes beyond the floor: the controls (on a freshly parsed part) and validation."""
    def parsed():
        with open_package(path) as pkg:
            return pkg.xml(pkg.main_part())

    open_ms = _per_call_ms(parsed, repeat)
    values, _ = read_root(parsed())
    return {
        "open": open_ms,
        "controls": _per_call_ms(lambda: ooxml.read_controls(parsed()), repeat) - open_ms,
        "fields": _per_call_ms(lambda: read_root(parsed()), repeat) - open_ms,
        "validate": _per_call_ms(lambda: validate(values), repeat),
    }


def _cpu_s(pids: list[int]) -> float:
    """CPU seconds (user and system) used so far by ``pids``."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / tick
        except (OSError, IndexError, ValueError):
            pass
    return total


def _batch_rounds(files: list[Path], rounds: int) -> dict[str, float]:
    """A folder's read as extract reads it (``read_files``: one guarded worker, the batch pipelined through it)
    beside the floor of the same files, in turns; per form: the medians of wall time (ms), of the ratio to the
    floor, and of the CPU time of the caller and its worker together (ms, and its ratio to the floor's)."""
    def workers() -> list[int]:
        return [w.proc.pid for w in guard._IDLE if w.alive()]

    list(readback.read_files(files))  # the worker started, and kept for the rounds
    walls, ratios, cpus, cpu_ratios = [], [], [], []
    for _ in range(rounds):
        pids = workers()
        cpu, mine, start = _cpu_s(pids), time.process_time(), time.perf_counter()
        results = list(readback.read_files(files))
        wall = time.perf_counter() - start
        used = time.process_time() - mine + _cpu_s(pids) - cpu
        assert all(r.status == "ok" for r in results) and pids == workers(), "one worker read every form"
        floor_cpu, start = time.process_time(), time.perf_counter()
        for path in files:
            _extract_floor(path)
        floor, floor_cpu = time.perf_counter() - start, time.process_time() - floor_cpu
        walls.append(wall / len(files) * 1000)
        ratios.append(wall / floor)
        cpus.append(used / len(files) * 1000)
        cpu_ratios.append(used / floor_cpu)
    return {"wall_ms": statistics.median(walls), "ratio": statistics.median(ratios),
            "cpu_ms": statistics.median(cpus), "cpu_ratio": statistics.median(cpu_ratios)}


def _docx2python_text(path: Path) -> str:
    from docx2python import docx2python

    with docx2python(str(path)) as doc:
        return doc.text


def _form_folder(folder: Path, forms: int, distinct: int = 100) -> None:
    """``forms`` filled forms in ``folder``: ``distinct`` different ones, the rest hard links to them (little disk)."""
    template = Template()
    folder.mkdir(parents=True)
    sources = []
    for n in range(1, min(distinct, forms) + 1):
        path = folder / f"svar-{n:05d}.docx"
        path.write_bytes(template.render(validate(full_record(n))[0]))
        sources.append(path)
    for n in range(len(sources) + 1, forms + 1):
        os.link(sources[n % len(sources)], folder / f"svar-{n:05d}.docx")


def run_extract(folder: Path, out: Path) -> Run:
    """Run ``blankett extract`` as a separate process and measure it, its workers included."""
    return _run_blankett(["extract", str(folder), "-o", str(out)])


def bench_extract(forms: int = 10_000, repeat: int = 200, rounds: int = 15) -> dict:
    """Milliseconds per form for reading back a fully filled form vs the floor and docx2python; ``forms`` to one .xlsx."""
    with tempfile.TemporaryDirectory() as tmp:
        one = Path(tmp) / "svar.docx"
        one.write_bytes(fill_record(full_record()))
        assert read_file(one).status == "ok"
        # the guarded read (what extract does) and the same reading in this process (what the worker does, and
        # the parent's rebuild of its answer), each beside the floor in the same rounds
        (read_ms, here_ms, floor_ms, guard_ms), (ratio, here_ratio) = _three_ms(
            lambda: read_file(one), lambda: Result(**readback._task(str(one), None, None)),
            lambda: _extract_floor(one))
        parts = _extract_parts(one, repeat)
        _form_folder(Path(tmp) / "hundra", 100)
        batch = _batch_rounds(sorted((Path(tmp) / "hundra").iterdir()), rounds)
        try:
            d2p_ms = _per_call_ms(lambda: _docx2python_text(one), max(5, repeat // 10))
        except ImportError:
            d2p_ms = None
        if forms:
            _form_folder(Path(tmp) / "inkomna", forms)
            run = run_extract(Path(tmp) / "inkomna", Path(tmp) / "svar.xlsx")
            size_mb = (Path(tmp) / "svar.xlsx").stat().st_size / 2**20
    print("extract: läs tillbaka en fullt ifylld blankett (median, ms per blankett; extract och golv mätta växelvis)")
    _row("en fil för sig (read_file: läs, validera, post)", f"{read_ms:.2f} ms",
         f"{ratio:.2f} × golvet (två processbyten per fil)")
    _row("golv: packa upp och tolka word/document.xml", f"{floor_ms:.2f} ms", "inget annat, ingen skyddad process")
    _row("samma läsning i den egna processen", f"{here_ms:.2f} ms", f"{here_ratio:.2f} × golvet (mål ≤ 1.5)")
    _row("skyddet: en fil fram och tillbaka", f"{guard_ms:.2f} ms",
         "JSON-uppgift och svar över röret, gränser, väckning av processen")
    print("extract av en mapp: 100 olika blanketter genom en läsprocess, pipelining (median av "
          f"{rounds} varv, golvet för samma filer växelvis)")
    _row("blankett extract, väggtid per blankett", f"{batch['wall_ms']:.2f} ms",
         f"{batch['ratio']:.2f} × golvet (mål ≤ 1.5; före: {BEFORE_EXTRACT_RATIO} × en fil i taget)")
    _row("processortid per blankett (anropare + läsprocess)", f"{batch['cpu_ms']:.2f} ms",
         f"{batch['cpu_ratio']:.2f} × golvets processortid")
    controls = sum(map(len, TAGS.values()))
    print("  extract steg för steg:")
    _row("  öppna och tolka (säkert)", f"{parts['open']:.2f} ms", "golvet + zip-kontroller och DTD-kontroll")
    _row(f"  läsa de {controls} kontrollerna", f"{parts['controls']:.2f} ms",
         f"{parts['controls'] / controls * 1000:.1f} µs per kontroll (Python och lxml)")
    _row("  läsa fälten (kontroller och reservvägar)", f"{parts['fields']:.2f} ms", "")
    _row("  validera posten (pydantic)", f"{parts['validate']:.2f} ms", "")
    if d2p_ms is None:
        _row("docx2python", "saknas", "installera med: pip install docx2python")
    else:
        _row("docx2python (samma fil, bara text)", f"{d2p_ms:.2f} ms",
             f"extract är {d2p_ms / read_ms:.0f} × snabbare (mål ≥ 10)")
    result = {**{f"batch_{k}": v for k, v in batch.items()},
              "read_ms": read_ms, "floor_ms": floor_ms, "ratio": ratio, "here_ms": here_ms, "here_ratio": here_ratio,
              "guard_ms": guard_ms, "docx2python_ms": d2p_ms, "forms": forms,
              **{f"{k}_ms": v for k, v in parts.items()}}
    if not forms:
        return result
    print(f"extract: {forms} blanketter från en mapp till en .xlsx ({os.cpu_count()} kärnor)")
    _row("väggtid", f"{run.wall:.1f} s", f"{forms / run.wall:.0f} blanketter/s; {run.summary}")
    if forms == 1000:
        _row("  före (ärende 17, lugn maskin)", f"{BEFORE_EXTRACT_1000_S:.1f} s", "")
    _row("högsta minne (RSS, alla processer)", f"{run.peak_mb:.0f} MB",
         f"mål ≤ {RSS_LIMIT_MB} MB; .xlsx {size_mb:.1f} MB")
    return {**result, "wall_s": run.wall, "peak_mb": run.peak_mb}


def bench_serve() -> dict:
    """The web server (``blankett serve``) under 8 concurrent clients, beside ``blankett fill``: see serve.py."""
    from . import serve

    print("serve: POST /api/fill från 8 samtidiga klienter i 20 s, och extract av en .zip med 1000 blanketter")
    serve.main([])
    return {}


def bench_hostile() -> dict:
    """The hostile corpus read by ``blankett serve`` while a second client asks: see hostile.py."""
    from . import hostile

    hostile.main()
    return {}


SECTIONS: dict[str, Callable[..., dict]] = {
    "fill": bench_fill,
    "batch": bench_batch,
    "pdf": bench_pdf,
    "pdfa": bench_pdfa,
    "extract": bench_extract,
    "serve": bench_serve,
    "hostile": bench_hostile,
}


def main(argv: list[str] | None = None) -> None:
    """Run the chosen sections (all by default) and print their figures."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench", description=__doc__.splitlines()[0])
    parser.add_argument("--only", action="append", choices=sorted(SECTIONS),
                        help="kör bara detta avsnitt (kan anges flera gånger)")
    parser.add_argument("--rows", type=int, default=10_000, help="rader i batch-avsnittet (standard 10000)")
    parser.add_argument("--repeat", type=int, default=1,
                        help="kör batch-avsnittet så många gånger och visa den snabbaste (standard 1)")
    parser.add_argument("--forms", type=int, default=10_000,
                        help="blanketter som extract-avsnittet läser från en mapp (standard 10000; 0: bara en blankett)")
    args = parser.parse_args(argv)
    for name in args.only or list(SECTIONS):
        kwargs: dict[str, int] = {"rows": args.rows, "repeat": args.repeat} if name == "batch" else {}
        if name == "extract":
            kwargs = {"forms": args.forms}
        SECTIONS[name](**kwargs)
        print()


if __name__ == "__main__":
    main()
