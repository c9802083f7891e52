"""Batch fill: thousands of rows on every core, names and bytes independent of scheduling, safe on Ctrl-C."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from blankett import batch
from blankett.cli import main

from .conftest import ROOT, docx_xml, sdt_by_tag, sdt_text
from .forms import expected
from .records import full_record
from .sheets import write_xlsx

ROWS = 2000


@pytest.fixture(scope="module")
def big_xlsx(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("big") / "incidenter.xlsx"
    write_xlsx(path, ROWS)
    return path


def test_2000_rows_fill_on_all_cores(big_xlsx, tmp_path):
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["fill", str(big_xlsx), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert result.output == f"Klart: {ROWS} skrivna, 0 hoppade över (finns redan), 0 fel.\n"  # no progress bar
    names = sorted(p.name for p in out.iterdir())
    assert names == [f"Bilaga5-KS-2026-{n:05d}.docx" for n in range(1, ROWS + 1)]
    last = sdt_by_tag(docx_xml(out / f"Bilaga5-KS-2026-{ROWS:05d}.docx"))
    assert sdt_text(last["handelse"]) == full_record(ROWS)["handelse"]


def test_names_and_bytes_do_not_depend_on_scheduling(tmp_path):
    path = tmp_path / "in.xlsx"
    write_xlsx(path, 150)
    one = batch.fill_files([path], tmp_path / "one", jobs=1)
    two = batch.fill_files([path], tmp_path / "two", jobs=2)
    assert one.counts == two.counts == {"skriven": 150, "kontrollerad": 0, "finns redan": 0, "fel": 0}
    assert [p.name for p in one.written] == [p.name for p in two.written]
    for a, b in zip(one.written, two.written, strict=True):
        assert a.read_bytes() == b.read_bytes()


def test_check_writes_nothing(big_xlsx, tmp_path):
    result = CliRunner().invoke(main, ["fill", "--check", str(big_xlsx), "-o", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert result.output == f"Klart: {ROWS} godkända, 0 hoppade över (finns redan), 0 fel.\n"
    assert not (tmp_path / "out").exists()


def test_existing_files_are_skipped_without_force_and_replaced_with_it(tmp_path):
    path = tmp_path / "in.csv"
    path.write_text("Diarienummer;Händelse\nKS 1;Första\nKS 2;Andra\n", encoding="utf-8")
    out = tmp_path / "out"
    assert CliRunner().invoke(main, ["fill", str(path), "-o", str(out)]).exit_code == 0
    path.write_text("Diarienummer;Händelse\nKS 1;Ändrad\nKS 2;Andra\n", encoding="utf-8")
    again = CliRunner().invoke(main, ["fill", str(path), "-o", str(out)])
    assert again.exit_code == 0
    assert "Klart: 0 skrivna, 2 hoppade över (finns redan), 0 fel." in again.output
    assert "--force" in again.output
    forced = CliRunner().invoke(main, ["fill", str(path), "-o", str(out), "--force"])
    assert "Klart: 2 skrivna" in forced.output
    assert sdt_text(sdt_by_tag(docx_xml(out / "Bilaga5-KS-1.docx"))["handelse"]) == "Ändrad"


def test_names_are_unique_across_input_files(tmp_path):
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    a.write_text("Händelse\nHot\n", encoding="utf-8")
    b.write_text("Händelse\nVåld\n", encoding="utf-8")
    summary = batch.fill_files([a, b], tmp_path / "out")
    assert [p.name for p in summary.written] == ["Bilaga5-rad-0002.docx", "Bilaga5-rad-0002-2.docx"]


def test_an_unreadable_file_fails_and_the_next_is_read(tmp_path):
    good = tmp_path / "ok.csv"
    good.write_text("Händelse\nHot\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["fill", str(tmp_path / "saknas.xlsx"), str(good), "-o", str(tmp_path / "o")])
    assert result.exit_code == 1
    assert "saknas.xlsx: filen finns inte" in result.output
    assert "Klart: 1 skrivna, 0 hoppade över (finns redan), 1 fel." in result.output


def test_ctrl_c_leaves_only_complete_files(big_xlsx, tmp_path):
    out = tmp_path / "out"
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
    proc = subprocess.Popen([sys.executable, "-m", "blankett", "fill", str(big_xlsx), "-o", str(out)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
                            start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and len(list(out.glob("*.docx"))) < 100:
        time.sleep(0.01)
    os.killpg(proc.pid, signal.SIGINT)  # as Ctrl-C does: to the parent and its workers
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 130, stderr
    assert "Avbrutet" in stderr and "Traceback" not in stderr
    files = list(out.iterdir())
    assert all(p.suffix == ".docx" and not p.name.startswith(".") for p in files), files
    assert 100 <= len(files) < ROWS
    for p in files:
        with zipfile.ZipFile(p) as zf:
            assert zf.testzip() is None


def test_a_crashed_worker_is_one_swedish_line(tmp_path, monkeypatch):
    path = tmp_path / "in.xlsx"
    write_xlsx(path, 100)
    monkeypatch.setattr(batch, "_work", _crash)
    result = CliRunner().invoke(main, ["fill", str(path), "-o", str(tmp_path / "out"), "-j", "2"])
    assert result.exit_code == 1
    assert "Fel: en arbetsprocess avbröts oväntat" in result.output
    assert "Traceback" not in result.output


def _crash(items):
    """A worker task that dies as the out-of-memory killer would end it."""
    os._exit(9)


def test_batch_and_extract_work_with_workers_started_by_spawn(tmp_path, monkeypatch):
    """Windows (and macOS) start workers with ``spawn``: nothing may depend on memory copied by ``fork``."""
    import multiprocessing.context

    from blankett import workers
    from blankett.readback import read_files

    spawned = []
    start = multiprocessing.context.SpawnProcess.start
    monkeypatch.setattr(multiprocessing.context.SpawnProcess, "start",
                        lambda self: (spawned.append(self.name), start(self))[1])
    monkeypatch.setenv(workers.ENV_VAR, "spawn")
    path = tmp_path / "in.xlsx"
    write_xlsx(path, 100)
    summary = batch.fill_files([path], tmp_path / "out", jobs=2)
    assert summary.counts == {"skriven": 100, "kontrollerad": 0, "finns redan": 0, "fel": 0}, summary.problems
    assert 1 <= len(spawned) <= 2  # spawn pools start workers as they are needed
    from blankett import guard

    guard.stop_idle()
    readers = []
    begin = guard.Worker.__init__
    monkeypatch.setattr(guard.Worker, "__init__", lambda self, *a: (begin(self, *a), readers.append(self.proc.args))[0])
    results = list(read_files(summary.written, workers=2))
    assert readers and all(args[1:4] == ["-P", "-m", "blankett.guard"] for args in readers)  # fresh, never forked
    assert [r.source for r in results] == [str(p) for p in summary.written]
    assert [r.record for r in results] == [expected(full_record(n)) for n in range(1, 101)]  # case number too


def test_an_unknown_start_method_is_one_swedish_line(tmp_path, monkeypatch):
    from blankett import workers

    monkeypatch.setenv(workers.ENV_VAR, "teleport")
    path = tmp_path / "in.xlsx"
    write_xlsx(path, 100)
    result = CliRunner().invoke(main, ["fill", str(path), "-o", str(tmp_path / "out"), "-j", "2"])
    assert result.exit_code == 1
    assert result.output.startswith("Fel: BLANKETT_START_METHOD=teleport: okänt sätt att starta arbetsprocesser")
    assert "Traceback" not in result.output and not (tmp_path / "out").exists()
