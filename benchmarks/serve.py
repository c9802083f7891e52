"""Benchmark: blankett serve under load, beside the command line's batch rate, in one run.

    .venv/bin/python benchmarks/serve.py [--seconds 20] [--clients 8] [--rows 1000] [--forms 1000]

1. Starts ``python -m blankett serve`` as its own process on a free loopback port.
2. ``POST /api/fill`` from ``--clients`` concurrent clients (threads, keep-alive) for ``--seconds``:
   forms per second, p50/p99 latency, the server's RSS sampled from /proc (peak, and first vs last
   quarter of the run: is memory flat?).
3. ``blankett fill`` on ``--rows`` rows (JSON Lines), as its own process on all cores: forms per second.
4. ``POST /api/extract`` of one .zip holding ``--forms`` filled forms: time and the server's peak RSS.
5. ``POST /api/extract`` of one form at a time, one request after the other (keep-alive): the median per
   request, beside the figure before a reading worker was kept between uploads.
6. ``POST /api/lagesbild`` of five forms, then ``POST /api/extract`` of one, ten times in a row: the medians
   (before 14b0011 every overview ended the reading workers, and both requests waited for a new one).

Targets (issue 11): API ≥ 0.5 × the command line's rate, p99 ≤ 100 ms at 8 clients, memory flat.
The load generator runs on the same cores as the server, so the API figures are a floor.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from pathlib import Path

import httpx2 as httpx

ROOT = Path(__file__).resolve().parents[1]
TOKEN = "benchmark-token-not-secret"
#: POST /api/extract of one form, median of 20 requests in a row, before 7c685a3 (every upload killed its reading
#: worker, as on Ctrl-C, and the next waited for a new one); this benchmark on b0516a7, 2 quiet cores, 2026-12-05.
BEFORE_EXTRACT_ONE_MS = 278
#: POST /api/lagesbild of five forms and then /api/extract of one, medians of 10 in a row, before 14b0011 (every
#: overview ended the idle reading workers); this benchmark against cfc4e6e's src, 2 quiet cores, 2026-12-05.
BEFORE_OVERVIEW_THEN_EXTRACT_MS = (79.1, 231.9)


def _rss(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def _children(pid: int) -> list[int]:
    kids = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            kids += [int(k) for k in (task / "children").read_text().split()]
        except OSError:
            pass
    return kids


def rss_kb(pid: int) -> int:
    """The resident memory (kB) of a process and all its descendants (the server's fill workers), from /proc."""
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        total += _rss(p)
        todo += _children(p)
    return total


class Sampler(threading.Thread):
    """RSS of a process every ``every`` seconds until stopped."""

    def __init__(self, pid: int, every: float = 0.2) -> None:
        super().__init__(daemon=True)
        self.pid, self.every, self.samples = pid, every, []
        self._halt = threading.Event()

    def run(self) -> None:
        while not self._halt.is_set():
            self.samples.append((time.monotonic(), rss_kb(self.pid)))
            self._halt.wait(self.every)

    def stop(self) -> list[tuple[float, int]]:
        self._halt.set()
        self.join()
        return self.samples


def start_server() -> tuple[subprocess.Popen, str]:
    env = {**os.environ, "BLANKETT_TOKEN": TOKEN, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen([sys.executable, "-m", "blankett", "serve", "--port", "0"], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    line = proc.stdout.readline()
    m = re.search(r"(http://127\.0\.0\.1:\d+)/", line)
    if not m:
        proc.kill()
        raise SystemExit(f"the server did not start: {line!r}")
    base = m.group(1)
    for _ in range(100):
        try:
            httpx.get(base + "/api/schema", headers={"Authorization": f"Bearer {TOKEN}"})
            return proc, base
        except httpx.ConnectError:
            time.sleep(0.1)
    raise SystemExit("the server did not answer")


def records(n: int) -> list[dict]:
    examples = json.loads((ROOT / "data" / "exempel.json").read_text(encoding="utf-8"))
    out = []
    for i in range(n):
        rec = dict(examples[i % len(examples)])
        rec["diarienummer"] = f"BENCH {i:05d}"
        out.append(rec)
    return out


def load(base: str, clients: int, seconds: float, recs: list[dict], fmt: str = "docx") -> tuple[list[float], int]:
    """Latencies (s) of every POST /api/fill made by ``clients`` threads in ``seconds``, and the errors."""
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    end = time.monotonic() + seconds

    def client(k: int) -> None:
        mine, bad = [], 0
        with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {TOKEN}"}, timeout=30) as c:
            i = k
            while time.monotonic() < end:
                started = time.perf_counter()
                r = c.post(f"/api/fill?format={fmt}", json=recs[i % len(recs)])
                mine.append(time.perf_counter() - started)
                bad += r.status_code != 200
                i += clients
        with lock:
            latencies.extend(mine)
            errors[0] += bad

    threads = [threading.Thread(target=client, args=(k,)) for k in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return latencies, errors[0]


def cli_rate(rows: int, recs: list[dict]) -> tuple[float, float]:
    """``blankett fill`` of ``rows`` rows as its own process: (seconds, forms per second)."""
    with tempfile.TemporaryDirectory(prefix="blankett-bench-") as tmp:
        src = Path(tmp) / "rader.jsonl"
        src.write_text("\n".join(json.dumps(recs[i % len(recs)] | {"diarienummer": f"CLI {i:05d}"},
                                            ensure_ascii=False) for i in range(rows)), encoding="utf-8")
        started = time.perf_counter()
        done = subprocess.run([sys.executable, "-m", "blankett", "fill", str(src), "-o", str(Path(tmp) / "ut")],
                              cwd=ROOT, capture_output=True, text=True, check=False)
        took = time.perf_counter() - started
        if done.returncode != 0:
            raise SystemExit(f"blankett fill failed: {done.stderr[-500:]}")
        written = len(list((Path(tmp) / "ut").glob("*.docx")))
        assert written == rows, (written, rows)
    return took, rows / took


def zip_of_forms(n: int, recs: list[dict]) -> bytes:
    import blankett

    template = blankett.Template()
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as zf:
        for i in range(n):
            zf.writestr(f"svar-{i:05d}.docx", blankett.fill_docx(recs[i % len(recs)], template))
    return buf.getvalue()


def extract_one_by_one(base: str, record: dict, requests: int = 20) -> dict:
    """``POST /api/extract`` of one filled form, ``requests`` times in a row on one connection: the median."""
    import blankett

    form = blankett.fill_docx(record)
    times = []
    with httpx.Client(headers={"Authorization": f"Bearer {TOKEN}"}, timeout=60) as client:
        for n in range(requests + 1):
            started = time.perf_counter()
            r = client.post(base + "/api/extract", files={"filer": ("svar.docx", form)})
            if n:  # the first one may start the reading worker
                times.append(time.perf_counter() - started)
            assert r.status_code == 200 and r.json()[0]["status"] == "ok", r.text
    return {"requests": requests, "p50_ms": round(1000 * statistics.median(times), 1),
            "before_ms": BEFORE_EXTRACT_ONE_MS}


def overview_one_by_one(base: str, recs: list[dict], requests: int = 10) -> dict:
    """``POST /api/lagesbild`` (the public web page, no LibreOffice) of a zip of five filled forms, ``requests``
    times in a row on one connection, each followed by ``POST /api/extract`` of one form: the medians."""
    import blankett

    forms = zip_of_forms(5, recs)
    one = blankett.fill_docx(recs[0])
    overview, extract = [], []
    with httpx.Client(headers={"Authorization": f"Bearer {TOKEN}"}, timeout=60) as client:
        for n in range(requests + 1):
            started = time.perf_counter()
            r = client.post(base + "/api/lagesbild?version=public&format=html", files={"filer": ("svar.zip", forms)})
            middle = time.perf_counter()
            e = client.post(base + "/api/extract", files={"filer": ("svar.docx", one)})
            if n:  # the first ones may start the reading worker
                overview.append(middle - started)
                extract.append(time.perf_counter() - middle)
            assert r.status_code == 200 and e.status_code == 200, (r.text, e.text)
    return {"requests": requests, "overview_p50_ms": round(1000 * statistics.median(overview), 1),
            "extract_p50_ms": round(1000 * statistics.median(extract), 1)}


def quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main(argv: list[str] | None = None) -> None:
    """Measure the server and print the figures beside the command line's batch rate."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--rows", type=int, default=1000)
    parser.add_argument("--forms", type=int, default=1000)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON as well")
    parser.add_argument("--format", choices=["docx", "pdf"], default="docx",
                        help="what POST /api/fill returns (pdf: the shipped blank filled directly, no LibreOffice)")
    args = parser.parse_args(argv)
    recs = records(200)
    figures: dict = {"cores": os.cpu_count(), "clients": args.clients}

    proc, base = start_server()
    try:
        rss_start = rss_kb(proc.pid)
        load(base, args.clients, 2, recs, args.format)  # warm-up: templates loaded in the threads, caches filled
        sampler = Sampler(proc.pid)
        sampler.start()
        started = time.monotonic()
        latencies, errors = load(base, args.clients, args.seconds, recs, args.format)
        took = time.monotonic() - started
        samples = sampler.stop()
        quarter = max(1, len(samples) // 4)
        first = statistics.mean(kb for _, kb in samples[:quarter])
        last = statistics.mean(kb for _, kb in samples[-quarter:])
        figures["api"] = {
            "seconds": round(took, 1), "requests": len(latencies), "errors": errors,
            "forms_per_s": round(len(latencies) / took, 1),
            "p50_ms": round(1000 * statistics.median(latencies), 1),
            "p99_ms": round(1000 * quantile(latencies, 0.99), 1),
            "rss_start_mb": round(rss_start / 1024, 1),
            "rss_peak_mb": round(max(kb for _, kb in samples) / 1024, 1),
            "rss_first_quarter_mb": round(first / 1024, 1), "rss_last_quarter_mb": round(last / 1024, 1),
            "flat": last <= first * 1.10 + 5 * 1024,
        }

        data = zip_of_forms(args.forms, recs)
        sampler = Sampler(proc.pid, 0.05)
        before = rss_kb(proc.pid)
        sampler.start()
        started = time.perf_counter()
        r = httpx.post(base + "/api/extract", headers={"Authorization": f"Bearer {TOKEN}"},
                       files={"filer": ("svar.zip", data)}, timeout=600)
        took = time.perf_counter() - started
        samples = sampler.stop()
        rows = r.json()
        figures["extract_zip"] = {
            "forms": args.forms, "zip_mb": round(len(data) / 2**20, 1), "status": r.status_code,
            "ok": sum(1 for row in rows if row["status"] == "ok"), "seconds": round(took, 1),
            "forms_per_s": round(args.forms / took, 1), "rss_before_mb": round(before / 1024, 1),
            "rss_peak_mb": round(max(kb for _, kb in samples) / 1024, 1),
        }
        figures["extract_one"] = extract_one_by_one(base, recs[0])
        figures["overview_one"] = overview_one_by_one(base, recs)
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()

    cli_seconds, rate = cli_rate(args.rows, recs)
    figures["cli"] = {"rows": args.rows, "seconds": round(cli_seconds, 1), "forms_per_s": round(rate, 1)}
    api = figures["api"]
    figures["targets"] = {
        "api_vs_cli": round(api["forms_per_s"] / rate, 2),
        "api_at_least_half_cli": api["forms_per_s"] >= 0.5 * rate,
        "p99_at_most_100ms": api["p99_ms"] <= 100,
        "memory_flat": api["flat"],
    }

    ex, t = figures["extract_zip"], figures["targets"]
    print(f"Maskin: {figures['cores']} kärnor; lastgeneratorn går på samma kärnor som servern.")
    print(f"API POST /api/fill?format={args.format}, {args.clients} klienter, {api['seconds']} s: {api['forms_per_s']} blanketter/s, "
          f"p50 {api['p50_ms']} ms, p99 {api['p99_ms']} ms, {api['errors']} fel av {api['requests']}")
    print(f"  serverns minne: start {api['rss_start_mb']} MB, topp {api['rss_peak_mb']} MB, första kvartalet "
          f"{api['rss_first_quarter_mb']} MB, sista {api['rss_last_quarter_mb']} MB ({'plant' if api['flat'] else 'VÄXER'})")
    print(f"CLI blankett fill, {args.rows} rader: {figures['cli']['seconds']} s, {figures['cli']['forms_per_s']} "
          f"blanketter/s (hela processen, start inräknad)")
    print(f"API / CLI: {t['api_vs_cli']} (mål ≥ 0.5: {'ja' if t['api_at_least_half_cli'] else 'NEJ'}); "
          f"p99 ≤ 100 ms: {'ja' if t['p99_at_most_100ms'] else 'NEJ'}; minnet plant: {'ja' if t['memory_flat'] else 'NEJ'}")
    print(f"API POST /api/extract, zip med {ex['forms']} blanketter ({ex['zip_mb']} MB): {ex['seconds']} s "
          f"({ex['forms_per_s']} blanketter/s, {ex['ok']} ok), serverns minne {ex['rss_before_mb']} → topp "
          f"{ex['rss_peak_mb']} MB")
    one = figures["extract_one"]
    print(f"API POST /api/extract, en blankett per begäran ({one['requests']} i följd): median {one['p50_ms']} ms "
          f"(före: {one['before_ms']} ms, då varje uppladdning väntade på en ny läsprocess)")
    ov = figures["overview_one"]
    print(f"API POST /api/lagesbild av 5 blanketter och sedan /api/extract av en, {ov['requests']} gånger i följd: "
          f"median {ov['overview_p50_ms']} ms och {ov['extract_p50_ms']} ms (före: {BEFORE_OVERVIEW_THEN_EXTRACT_MS[0]} ms "
          f"och {BEFORE_OVERVIEW_THEN_EXTRACT_MS[1]} ms, då varje lägesbild avslutade läsprocesserna)")
    if args.json:
        print(json.dumps(figures, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
