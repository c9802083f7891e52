"""Ctrl-C: a real SIGINT to the command's process group gives one Swedish line and exit 130, from every command."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from .conftest import EXAMPLE, ROOT

LINE = "Avbrutet. Inga halvskrivna filer har lämnats kvar.\n"
ENV = dict(os.environ, PYTHONPATH=str(ROOT / "src"))

#: Per command: the library function it spends its time in (held there until Ctrl-C), and its arguments.
HELD = {
    "blank": ("blankett.cli", "blank_bytes", ["blank", "-o", "b.docx"]),
    "template": ("blankett.cli", "build_bytes", ["template", "-o", "t.docx"]),
    "workbook": ("blankett.cli", "workbook_bytes", ["workbook", "-o", "w.xlsx"]),
    "schema": ("blankett.cli", "json_schema", ["schema"]),
    "fill": ("blankett.batch", "load_rows", ["fill", str(EXAMPLE), "-o", "ut"]),
    "extract": ("blankett.readback", "_guarded_batch", ["extract", str(EXAMPLE.with_suffix(".docx")), "-o", "s.json"]),
    "publish": ("blankett.publish", "blank_pdf", ["publish", "-o", "webb"]),
    "check": ("blankett.check", "check_file", ["check", str(ROOT / "templates" / "Bilaga5.docx")]),
}


def _interrupt(cmd: list[str], cwd: Path, ready, env: dict | None = None) -> subprocess.CompletedProcess:
    """Start ``cmd`` in its own process group, wait for ``ready(pid)``, then Ctrl-C it as a terminal does."""
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env or ENV,
                            cwd=cwd, start_new_session=True)
    deadline = time.monotonic() + 60
    while not ready(proc.pid) and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    assert proc.poll() is None, proc.communicate()
    os.killpg(proc.pid, signal.SIGINT)  # to the command and every process it started
    try:
        out, err = proc.communicate(timeout=120)
    except subprocess.TimeoutExpired:  # say why the signal did not end it (blocked, ignored, caught), then end it
        status = Path(f"/proc/{proc.pid}/status").read_text()
        signals = [line for line in status.splitlines() if line.startswith(("SigPnd", "ShdPnd", "SigBlk", "SigIgn",
                                                                            "SigCgt", "Threads", "State"))]
        os.killpg(proc.pid, signal.SIGKILL)
        out, err = proc.communicate()
        pytest.fail(f"no exit 120 s after Ctrl-C: {signals}; stderr {err!r}")
    return subprocess.CompletedProcess(cmd, proc.returncode, out, err)


@pytest.mark.parametrize("command", sorted(HELD))
def test_ctrl_c_in_every_command_is_one_swedish_line_and_exit_130(command, tmp_path):
    module, name, args = HELD[command]
    marker = tmp_path / "inne"
    script = textwrap.dedent(f"""
        import importlib, pathlib, sys, time
        from blankett.interrupt import quiet_workers
        with quiet_workers():  # loaded as __main__.run loads the command
            module = importlib.import_module({module!r})
        def held(*args, **kwargs):
            pathlib.Path({str(marker)!r}).touch()
            time.sleep(600)
        setattr(module, {name!r}, held)
        sys.argv = ["blankett", *{args!r}]
        from blankett.__main__ import run
        run()
    """)
    (tmp_path / "arbete").mkdir()
    result = _interrupt([sys.executable, "-c", script], tmp_path / "arbete", lambda pid: marker.exists())
    assert (result.returncode, result.stderr, result.stdout) == (130, LINE, "")
    assert list((tmp_path / "arbete").rglob("*")) in ([], [tmp_path / "arbete" / "ut"], [tmp_path / "arbete" / "webb"])



def test_a_command_started_with_ctrl_c_ignored_keeps_ignoring_it(tmp_path):
    """A shell starts a script's background job (`blankett … &`) with Ctrl-C ignored: it must run to its end."""
    marker = tmp_path / "inne"
    script = textwrap.dedent(f"""
        import pathlib, sys, time
        import blankett.cli as cli
        real = cli.json_schema
        def held(*args, **kwargs):
            pathlib.Path({str(marker)!r}).touch()
            time.sleep(1.5)
            return real(*args, **kwargs)
        cli.json_schema = held
        sys.argv = ["blankett", "schema", "-o", "s.json"]
        from blankett.__main__ import run
        run()
    """)
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=ENV, cwd=tmp_path, start_new_session=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN))
    deadline = time.monotonic() + 60
    while not marker.exists() and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    os.killpg(proc.pid, signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert (proc.returncode, err, out) == (0, "", "Skrev s.json.\n")
    assert json.loads((tmp_path / "s.json").read_text(encoding="utf-8"))["title"]

def test_ctrl_c_while_the_command_is_still_loading_is_the_same_line(tmp_path):
    marker = tmp_path / "laddar"
    script = textwrap.dedent(f"""
        import builtins, pathlib, sys, time
        real = builtins.__import__
        def slow(name, *args, **kwargs):
            if name == "cli" and args and args[-1] == 1:  # `from .cli import main`: the heavy imports
                pathlib.Path({str(marker)!r}).touch()
                time.sleep(3)  # Ctrl-C arrives meanwhile and is held until loading ends (a second is enough; 3 for a busy machine)
            return real(name, *args, **kwargs)
        builtins.__import__ = slow
        sys.argv = ["blankett", "fill", "x.json"]
        from blankett.__main__ import run
        run()
    """)
    result = _interrupt([sys.executable, "-c", script], tmp_path, lambda pid: marker.exists())
    assert (result.returncode, result.stderr, result.stdout) == (130, LINE, "")


def test_importing_blankett_loads_nothing_heavy_before_the_command_handles_ctrl_c():
    code = "import sys, blankett.__main__; print(sorted(m for m in sys.modules if m.split('.')[0] in " \
           "('openpyxl', 'pypdf', 'docx', 'pydantic', 'lxml', 'click')))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=ENV, check=True).stdout
    assert out == "[]\n"


def test_threads_started_while_loading_leave_ctrl_c_to_the_main_thread():
    code = textwrap.dedent("""
        import os, sys
        from blankett.__main__ import _load
        _load()  # what __main__.run loads before the command runs
        print("numpy" in sys.modules, len(os.listdir("/proc/self/task")) > 1)
        main = os.getpid()
        for task in sorted(os.listdir("/proc/self/task")):
            status = open(f"/proc/self/task/{task}/status").read()
            blocked = int(next(l for l in status.splitlines() if l.startswith("SigBlk")).split()[1], 16)
            print(int(task) == main, bool(blocked & (1 << 1)))  # SIGINT is signal 2: bit 1
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=ENV, check=True).stdout
    loaded, *lines = out.splitlines()
    assert loaded == "True True"  # numpy (installed with the tests' PDF readers) and its threads: what is checked
    assert "True False" in lines  # the main thread takes Ctrl-C
    assert all(line == "False True" for line in lines if line != "True False")  # no other thread does


@pytest.fixture(scope="module")
def returned(tmp_path_factory) -> Path:
    """1000 filled forms: enough for extract to read them in worker processes for a few seconds."""
    from click.testing import CliRunner

    from blankett.cli import main

    folder = tmp_path_factory.mktemp("inkomna")
    base = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    records = [dict(base[i % 2], diarienummer=f"KS-{i:04d}") for i in range(1000)]
    data = folder.parent / "poster.json"
    data.write_text(json.dumps(records, ensure_ascii=False), encoding="utf-8")
    assert CliRunner().invoke(main, ["fill", str(data), "-o", str(folder)]).exit_code == 0
    return folder


def _children(pid: int) -> list[int]:
    """The process's children, whichever of its threads started them (the reading workers start in threads)."""
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found += [int(p) for p in (task / "children").read_text().split()]
        except OSError:  # the thread ended meanwhile
            continue
    return found


@pytest.mark.parametrize("after", [0.0, 0.3, 0.8])
def test_ctrl_c_during_a_parallel_extract_to_xlsx_leaves_nothing_and_prints_no_worker_traceback(returned, tmp_path,
                                                                                                after):
    work, tmp = tmp_path / "arbete", tmp_path / "tmp"
    work.mkdir()
    tmp.mkdir()
    cmd = [sys.executable, "-m", "blankett", "extract", str(returned), "-o", "svar.xlsx"]
    started: list[float] = []

    def ready(pid: int) -> bool:  # the workers are reading: then wait ``after`` seconds more
        if not started and len(_children(pid)) >= 2:
            started.append(time.monotonic())
        return bool(started) and time.monotonic() - started[0] >= after

    result = _interrupt(cmd, work, ready, dict(ENV, TMPDIR=str(tmp)))
    if result.returncode == 0:  # finished before the signal came
        pytest.fail(f"extract finished before Ctrl-C ({result.stderr!r}); make the batch bigger")
    assert (result.returncode, result.stderr) == (130, LINE)
    assert list(work.iterdir()) == []  # no svar.xlsx, no temporary file beside it
    assert list(tmp.iterdir()) == []  # openpyxl's temporary sheet (it holds answers) is gone too
