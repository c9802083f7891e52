"""Benchmark: what a start of ``blankett serve`` costs, beside another checkout's, in turns in one run.

    .venv/bin/python -m benchmarks.start [--rounds 5] [--before PATH_TO_AN_OLD_CHECKOUT]

Each round starts the server (``python -m blankett serve --port 0``) as the tests and an operator do, waits for
its one line, gives its fill workers ``--settle`` seconds to start, and stops it with SIGTERM; the time to the
line, and the CPU of the whole process tree (server and fill workers) until it has ended. ``--before``: the same
rounds with ``PYTHONPATH`` pointing at that checkout's ``src`` (for example ``git worktree add /tmp/old <rev>``),
taken in turns with this one so that the machine's load falls on both. Then, in the same turns, a new Python
process that reads one .docx as a reading worker does (``readback._task``): its CPU, what each worker's start costs;
and ``blankett fill`` of a JSON file of one record, the whole command.

The test suite starts some 90 servers (tests/test_serve_process.py, test_web.py, …): each CPU second here is
about 90 of the suite's.
"""

from __future__ import annotations

import argparse
import os
import resource
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def one_start(src: Path, settle: float) -> tuple[float, float]:
    """(seconds to the server's line, CPU seconds of its process tree) for one start and stop."""
    env = {**os.environ, "BLANKETT_TOKEN": "benchmark-token-not-secret", "PYTHONPATH": str(src)}
    env.pop("BLANKETT_FILL_WORKERS", None)  # the default: one fill worker per core
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.monotonic()
    proc = subprocess.Popen([sys.executable, "-m", "blankett", "serve", "--port", "0"], cwd="/", env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    assert proc.stdout is not None
    line = proc.stdout.readline()
    ready = time.monotonic() - started
    if "http://" not in line:
        proc.kill()
        raise SystemExit(f"the server in {src} did not start: {line!r}")
    time.sleep(settle)
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=30)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ready, (after.ru_utime + after.ru_stime) - (used.ru_utime + used.ru_stime)


def one_reading(src: Path, form: Path) -> float:
    """CPU seconds of a new Python process that reads one .docx as a reading worker does (``readback._task``):
    what every reading worker's start costs before its first answer."""
    env = {**os.environ, "PYTHONPATH": str(src)}
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run([sys.executable, "-P", "-c", "import sys; from blankett import readback; "
                    "assert readback._task(sys.argv[1], None, None)['status'] == 'ok'", str(form)],
                   cwd="/", env=env, check=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime + after.ru_stime) - (used.ru_utime + used.ru_stime)


def one_command(src: Path, folder: Path) -> float:
    """CPU seconds of ``blankett fill`` of a JSON file of one record, start to end (as a person runs it)."""
    env = {**os.environ, "PYTHONPATH": str(src)}
    out = folder / f"ut-{time.monotonic_ns()}"
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run([sys.executable, "-m", "blankett", "fill", str(folder / "en.json"), "-o", str(out)], cwd=folder,
                   env=env, check=True, stdout=subprocess.DEVNULL)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime + after.ru_stime) - (used.ru_utime + used.ru_stime)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--settle", type=float, default=2.0, help="seconds the fill workers get to start")
    parser.add_argument("--before", type=Path, help="another checkout, measured in turns with this one")
    args = parser.parse_args(argv)
    sources = {"nu": ROOT / "src"}
    if args.before:
        sources["före"] = args.before.resolve() / "src"
    figures: dict[str, list[tuple[float, float]]] = {name: [] for name in sources}
    readings: dict[str, list[float]] = {name: [] for name in sources}
    commands: dict[str, list[float]] = {name: [] for name in sources}
    with tempfile.TemporaryDirectory() as tmp:
        form = Path(tmp) / "svar.docx"
        subprocess.run([sys.executable, "-c", "import sys, blankett; open(sys.argv[1], 'wb').write("
                        "blankett.fill_docx({'utsatt': 'Ann Ek', 'polisanmald': 'Ja'}))", str(form)], check=True)
        (Path(tmp) / "en.json").write_text('[{"utsatt": "Ann Ek"}]', encoding="utf-8")
        for _ in range(args.rounds):
            for name, src in sources.items():
                figures[name].append(one_start(src, args.settle))
                readings[name].append(one_reading(src, form))
                commands[name].append(one_command(src, Path(tmp)))
    print(f"blankett serve: start och stopp, median av {args.rounds} varv ({os.cpu_count()} kärnor, en "
          "fyllprocess per kärna)")
    for name, runs in figures.items():
        ready = statistics.median(r for r, _ in runs)
        cpu = statistics.median(c for _, c in runs)
        print(f"  {name:5s} redo efter {ready:.2f} s, processortid för servern och fyllprocesserna {cpu:.2f} s")
    print("en läsprocess: ny Python-process som läser en .docx (readback._task), processortid, median")
    for name, runs in readings.items():
        print(f"  {name:5s} {statistics.median(runs):.2f} s")
    print("blankett fill av en JSON-fil med en post, hela kommandot, processortid, median")
    for name, runs in commands.items():
        print(f"  {name:5s} {statistics.median(runs):.2f} s")


if __name__ == "__main__":
    main()
