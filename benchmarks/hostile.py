"""Benchmark: the hostile corpus read by a real ``blankett serve``, while a second client keeps asking.

    .venv/bin/python -m benchmarks.hostile

1. Starts ``python -m blankett serve`` on a free loopback port and reads one normal form (a reading worker
   starts and is kept, as in normal use).
2. ``POST /api/extract`` of the hostile corpus, made here (tests/hostile_pdfs.py): a 1.5 MB PDF of object
   streams that inflate to 1.5 GB, a 0.43 MB one of whitespace-padded object streams (a minute of CPU), a 45 MB
   one whose cross-reference table points nowhere, a 0.2 MB .zip of 150 members of 1 MiB each, and one normal
   form, all in one upload.
3. Meanwhile a second client asks ``GET /api/schema`` and ``POST /api/extract`` of a normal form in turn: its
   slowest answer of each.
4. The server's memory (RSS of the server alone, and of the server with its reading workers) before, at its
   peak and after, sampled from /proc every 0.1 s.

Issue 16's target: past its limit each file is one ``fel`` row, the server's memory returns to where it was, and
the second client is answered within a second throughout. Linux only (/proc).
"""

from __future__ import annotations

import signal
import subprocess
import threading
import time
import zipfile
from io import BytesIO

import httpx2 as httpx

from benchmarks.serve import TOKEN, _rss, rss_kb, start_server
from tests.hostile_pdfs import broken_xref, object_streams

AUTH = {"Authorization": f"Bearer {TOKEN}"}
MB = 1024 * 1024


def corpus() -> list[tuple[str, bytes]]:
    """The hostile files, and one normal form last."""
    import blankett

    small_bombs = BytesIO()
    with zipfile.ZipFile(small_bombs, "w", zipfile.ZIP_DEFLATED) as zf:
        for n in range(150):
            zf.writestr(f"{n:03d}.docx", b"\0" * MB)
    return [
        ("objektstroemmar.pdf", object_streams(21)),
        ("blanksteg.pdf", object_streams(6, before=True)),
        ("trasig-xref.pdf", broken_xref(45 * MB)),
        ("smaa-bomber.zip", small_bombs.getvalue()),
        ("svar.docx", blankett.fill_docx({"utsatt": "Anders Bergström", "polisanmald": "Ja"})),
    ]


class Watch(threading.Thread):
    """The server's RSS (alone, and with its workers) every 0.1 s, and a second client's latencies."""

    def __init__(self, base: str, pid: int, form: bytes) -> None:
        super().__init__(daemon=True)
        self.base, self.pid, self.form = base, pid, form
        self.own: list[int] = []
        self.tree: list[int] = []
        self.schema: list[float] = []
        self.extract: list[float] = []
        self.errors = 0
        self.halt = threading.Event()

    def run(self) -> None:
        with httpx.Client(base_url=self.base, headers=AUTH, timeout=60) as client:
            turn = 0
            while not self.halt.is_set():
                self.own.append(_rss(self.pid))
                self.tree.append(rss_kb(self.pid))
                started = time.perf_counter()
                if turn % 2 == 0:
                    ok = client.get("/api/schema").status_code == 200
                    self.schema.append(time.perf_counter() - started)
                else:
                    r = client.post("/api/extract", files={"filer": ("annan.docx", self.form)})
                    ok = r.status_code == 200 and r.json()[0]["status"] == "ok"
                    self.extract.append(time.perf_counter() - started)
                self.errors += not ok
                turn += 1
                self.halt.wait(0.1)


def main() -> None:
    files = corpus()
    form = files[-1][1]
    print("Fientliga filer i en uppladdning till POST /api/extract (servern som egen process):")
    for name, data in files:
        print(f"  {name}: {len(data) / MB:.2f} MB")
    proc, base = start_server()
    try:
        httpx.post(base + "/api/extract", headers=AUTH, files={"filer": ("värm-upp.docx", form)}, timeout=60)
        time.sleep(0.5)
        own_before, tree_before = _rss(proc.pid), rss_kb(proc.pid)
        watch = Watch(base, proc.pid, form)
        watch.start()
        started = time.monotonic()
        r = httpx.post(base + "/api/extract", headers=AUTH, timeout=600,
                       files=[("filer", (name, data)) for name, data in files])
        took = time.monotonic() - started
        watch.halt.set()
        watch.join()
        time.sleep(1.0)
        own_after, tree_after = _rss(proc.pid), rss_kb(proc.pid)
        rows = r.json()
        print(f"Svar {r.status_code} efter {took:.1f} s, {len(rows)} rader:")
        for row in rows[:6]:
            print(f"  {row['source']}: {row['status']}" + (f" – {row['messages'][0]}" if row["messages"] else ""))
        if len(rows) > 6:
            print(f"  … och {len(rows) - 6} rader till")
        print(f"Serverns minne (RSS), servern själv: före {own_before / 1024:.0f} MB, topp {max(watch.own) / 1024:.0f} "
              f"MB, efter {own_after / 1024:.0f} MB")
        print(f"Serverns minne (RSS), med läsprocesserna: före {tree_before / 1024:.0f} MB, topp "
              f"{max(watch.tree) / 1024:.0f} MB, efter {tree_after / 1024:.0f} MB")
        print(f"Andra klienten under tiden: GET /api/schema {len(watch.schema)} gånger, längsta svarstid "
              f"{max(watch.schema):.2f} s; POST /api/extract av en blankett {len(watch.extract)} gånger, längsta "
              f"{max(watch.extract):.2f} s; {watch.errors} fel")
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()


if __name__ == "__main__":
    main()
