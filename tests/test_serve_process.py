"""blankett serve as a service runs it: real processes, real signals, real sockets.

Each test starts ``python -m blankett serve`` on a free port with its own TMPDIR,
so that what the server leaves on disk, and which of its processes outlive it,
can be seen. Linux only, as the services it is about (the tests read /proc).
"""

from __future__ import annotations

import fcntl
import logging
import os
import re
import resource
import signal
import socket
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx2 as httpx
import pytest

from .clients import program

TOKEN = "tjanst-nyckel-1234567890"
AUTH = {"Authorization": f"Bearer {TOKEN}", "Accept": "application/json"}
MARKER = "Dödshot-MARKÖR-7c1"
UNIT = Path(__file__).parent.parent / "deploy" / "blankett.service"


def _unit_settings() -> dict[str, str]:
    """The unit file's ``key=value`` lines (the service's settings)."""
    return dict(line.split("=", 1) for line in UNIT.read_text().splitlines() if "=" in line and line[0] != "#")


#: How long systemd waits after SIGTERM before it kills the whole service (our stops must fit in it).
STOP_TIMEOUT = float(_unit_settings()["TimeoutStopSec"])
RECORD = {"diarienummer": "KS 2026/0412", "rapporterad_av": "Maria Lindqvist", "polisanmald": "Ja"}


class Served:
    """One ``blankett serve`` process: its address, its TMPDIR and its stderr (a file: no pipe to fill up)."""

    def __init__(self, tmp: Path, env: dict[str, str] | None = None, open_files: int | None = None) -> None:
        self.tmp = tmp
        self.err_path = tmp.parent / f"{tmp.name}.stderr"
        environment = {**os.environ, "TMPDIR": str(tmp), "BLANKETT_TOKEN": TOKEN, "PYTHONUNBUFFERED": "1",
                       **(env or {})}

        def limit() -> None:
            if open_files is not None:
                resource.setrlimit(resource.RLIMIT_NOFILE, (open_files, open_files))

        with open(self.err_path, "w") as err:
            self.proc = subprocess.Popen([sys.executable, "-m", "blankett", "serve", "--port", "0"],
                                         stdout=subprocess.PIPE, stderr=err, text=True, env=environment,
                                         preexec_fn=limit)
        line = self.proc.stdout.readline()
        m = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
        assert m, (line, self.stderr())
        self.port = int(m.group(1))
        self.base = f"http://127.0.0.1:{self.port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                assert httpx.get(self.base + "/api/schema", headers=AUTH).status_code == 200
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, self.stderr()
                time.sleep(0.1)

    def stderr(self) -> str:
        return self.err_path.read_text()

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 60) -> int:
        self.proc.send_signal(sig)
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:  # say how far the stop got (a CI run's hang showed nothing)
            raise AssertionError(f"blankett serve did not end {timeout} s after signal {sig}; its stderr:\n"
                                 f"{self.stderr()}") from None
        finally:
            self.kill()

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self.proc.stdout.close()

    def post_fill(self, name: str, rows: int, fmt: str = "docx") -> str:
        csv = "diarienummer,rapporterad_av,utsatt,handelse\n" + "".join(
            f"KS 2026/{n},Maria Lindqvist,Anders Bergström,{MARKER} rad {n}\n" for n in range(rows))
        r = httpx.post(self.base + "/fyll-i", headers=AUTH, data={"format": fmt}, timeout=30,
                       files={"filer": (name, csv.encode())})
        assert r.status_code == 202, r.text
        return r.json()["status"]

    def wait_running(self, status: str, done: int = 1, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while True:
            job = httpx.get(self.base + status, headers=AUTH).json()
            if job["state"] == "pågår" and job["done"] >= done:
                return
            assert not job["finished"] and time.monotonic() < deadline, job
            time.sleep(0.05)


@pytest.fixture()
def served(tmp_path):
    started: list[Served] = []

    def start(name: str = "tmp", **kwargs) -> Served:
        tmp = tmp_path / name
        tmp.mkdir(exist_ok=True)
        started.append(Served(tmp, **kwargs))
        return started[-1]

    yield start
    for s in started:
        s.kill()


# --- processes, as /proc lists them ---------------------------------------------------------------------


def _stat(pid: int) -> list[str] | None:
    """state, ppid, …, as /proc/<pid>/stat gives them after the name; None when the process is gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return text[text.rindex(")") + 2:].split()


def descendants(pid: int) -> dict[int, str]:
    """Every living process below ``pid``, with its start time (to tell a reused pid apart)."""
    parents: dict[int, list[int]] = {}
    starts: dict[int, str] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit() and (fields := _stat(int(entry))) is not None and fields[0] != "Z":
            parents.setdefault(int(fields[1]), []).append(int(entry))
            starts[int(entry)] = fields[19]
    found: dict[int, str] = {}
    todo = [pid]
    while todo:
        for child in parents.get(todo.pop(), []):
            found[child] = starts[child]
            todo.append(child)
    return found


def alive(processes: dict[int, str]) -> list[int]:
    """The processes that still run (a zombie whose parent is gone counts as ended)."""
    return [pid for pid, start in processes.items()
            if (fields := _stat(pid)) is not None and fields[0] != "Z" and fields[19] == start]


def wait_gone(processes: dict[int, str], timeout: float = 10) -> list[int]:
    deadline = time.monotonic() + timeout
    while (left := alive(processes)) and time.monotonic() < deadline:
        time.sleep(0.1)
    return left


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def fill_workers(pid: int) -> list[int]:
    return sorted(p for p in descendants(pid) if "multiprocessing.spawn" in _cmdline(p))


def files_with(folder: Path, secret: str) -> list[Path]:
    """Every file under ``folder`` that holds ``secret`` in its name or its bytes."""
    found = []
    for path in folder.rglob("*"):
        if secret in path.name or (path.is_file() and not path.is_symlink() and secret.encode() in path.read_bytes()):
            found.append(path)
    return found


# --- 1. a normal stop leaves nothing -----------------------------------------------------------------


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGHUP])
def test_a_stop_signal_during_two_fill_jobs_stops_as_ctrl_c_does(served, sig):
    """SIGTERM (systemd, docker stop) killed the server before its clean-up: answers and workers stayed."""
    server = served()
    first = server.post_fill("hot-ett.csv", 600)
    server.post_fill("hot-två.csv", 600)
    server.wait_running(first, done=20)
    processes = descendants(server.proc.pid)
    assert len(fill_workers(server.proc.pid)) >= 1 and processes
    assert files_with(server.tmp, MARKER)  # the uploads are on disk while the jobs run
    started = time.monotonic()
    assert server.stop(sig, timeout=STOP_TIMEOUT) == 0, server.stderr()
    err = server.stderr()
    assert "Servern har stoppats." in err and "Traceback" not in err
    assert time.monotonic() - started < 30
    assert list(server.tmp.iterdir()) == []  # the private folder, and everything in it, is gone
    assert files_with(server.tmp.parent, MARKER) == []
    assert wait_gone(processes) == []  # fill workers and the resource tracker
    assert MARKER not in err and "hot-ett" not in err


@pytest.mark.office
def test_sigterm_during_a_pdf_job_kills_libreoffice_too(served):
    # The server runs traced by coverage.py in the suite: see the next test for why that once made this stop hang
    server = served()
    status = server.post_fill("hot.csv", 300, fmt="pdfa")  # archive copies: PDFs through LibreOffice
    deadline = time.monotonic() + 120
    while not any("soffice" in _cmdline(p) or "oosplash" in _cmdline(p) for p in descendants(server.proc.pid)):
        assert time.monotonic() < deadline and not httpx.get(server.base + status, headers=AUTH).json()["finished"]
        time.sleep(0.1)
    processes = descendants(server.proc.pid)
    assert server.stop(signal.SIGTERM, timeout=STOP_TIMEOUT) == 0, server.stderr()
    assert "Servern har stoppats." in server.stderr()
    assert wait_gone(processes) == [], [_cmdline(p) for p in alive(processes)]
    assert list(server.tmp.iterdir()) == []


_TRACED_STOP = """
import sys, threading, time, tempfile
from blankett.web.jobs import Job, Jobs

def tracer(frame, event, arg):  # what coverage.py, a debugger or a profiler installs
    return tracer

threading.settrace(tracer)
sys.settrace(tracer)
waiting, started = threading.Event(), threading.Event()

def work(job):  # a job waiting for something outside Python, as a PDF job waits for LibreOffice
    started.set()
    waiting.wait()
    from blankett.interrupt import check
    check()  # the library's next step
    raise AssertionError("the job went on after the stop")

jobs = Jobs()
jobs.start(Job("fill"), work, tempfile.TemporaryDirectory())
started.wait(10)
jobs.stop()
other = threading.Thread(target=lambda: sum(len(str(i)) for i in range(20000)))  # the server's other work
t = time.monotonic()
other.start()
other.join(20)
print("other", "done" if not other.is_alive() else "stalled", round(time.monotonic() - t, 2), flush=True)
waiting.set()  # LibreOffice ended (killed by the stop)
print("job", "stopped" if jobs.join(10) else "running", flush=True)
"""


def test_a_stopped_job_leaves_the_other_threads_running_under_a_tracer():
    # The stop used to raise KeyboardInterrupt into each job's thread from outside (PyThreadState_SetAsyncExc).
    # While such an exception waits for a thread blocked on a lock, Python 3.11 with a tracer all but stops every
    # other thread: with coverage.py, a SIGTERM during a PDF job hung past 100 s. Now the job stops itself at
    # its next step.
    out = subprocess.run([sys.executable, "-c", _TRACED_STOP], capture_output=True, text=True, timeout=45).stdout
    lines = out.splitlines()
    assert lines[0].startswith("other done"), out
    assert float(lines[0].split()[2]) < 5, out
    assert lines[1] == "job stopped", out


# --- 2. a crash leaves nothing readable, and the next start removes it ---------------------------------


def _modes(folder: Path) -> dict[str, str]:
    """Every file and folder under ``folder`` whose mode is not 0600 (files) or 0700 (folders)."""
    wrong = {}
    found = [folder]
    # os.walk, not rglob: a LibreOffice still converting removes its own folders while we walk, and rglob
    # then raised FileNotFoundError from scandir (a CI run failed so); os.walk passes a vanished folder by
    for top, dirs, files in os.walk(folder, onerror=lambda error: None):
        found += [Path(top, name) for name in dirs + files]
    for path in found:
        try:
            info = path.lstat()
        except FileNotFoundError:  # a LibreOffice still converting removes its own temporary files meanwhile
            continue
        wanted = 0o700 if stat.S_ISDIR(info.st_mode) else 0o600
        if stat.S_IMODE(info.st_mode) != wanted:
            wrong[str(path.relative_to(folder))] = oct(stat.S_IMODE(info.st_mode))
    return wrong


def test_after_sigkill_every_file_is_owner_only_and_the_next_start_removes_it(served, tmp_path):
    server = served()
    server.wait_running(server.post_fill("hot.csv", 600), done=20)
    processes = descendants(server.proc.pid)
    server.proc.kill()  # SIGKILL: a crash, a power cut; nothing of ours runs after it
    server.proc.wait()
    assert files_with(server.tmp, MARKER)  # the answers are there ...
    assert {p.name: _modes(p) for p in server.tmp.iterdir()} == {p.name: {} for p in server.tmp.iterdir()}
    (dead,) = server.tmp.iterdir()  # ... but only their owner can read them, at every level, in one folder
    assert dead.name.startswith("blankett-serve-")
    assert wait_gone(processes) == []  # the fill workers notice that the server is gone

    outside = tmp_path / "annat-program"
    outside.mkdir()
    (outside / "viktig.txt").write_text("rör inte")
    link = server.tmp / "blankett-serve-lank"
    link.symlink_to(outside)  # named as ours, but a link: never followed
    open_folder = server.tmp / "blankett-serve-oppen"
    open_folder.mkdir(mode=0o755)
    open_folder.chmod(0o755)  # not private, so not ours
    (open_folder / "fil.txt").write_text("rör inte")
    live = server.tmp / "blankett-serve-levande"
    live.mkdir(mode=0o700)
    lock = os.open(live / ".lock", os.O_RDWR | os.O_CREAT, 0o600)
    fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)  # a server that runs: its lock is held
    starting = server.tmp / "blankett-serve-startar"
    starting.mkdir(mode=0o700)  # no lock yet, just made: a server starting this moment
    stale = server.tmp / "blankett-serve-gammal"
    stale.mkdir(mode=0o700)
    os.utime(stale, (time.time() - 600, time.time() - 600))  # no lock, ten minutes old: a server that died starting
    other = server.tmp / "ett-annat-program"
    other.mkdir(mode=0o700)
    try:
        again = served()  # the same TMPDIR
        assert "Tog bort tillfälliga filer som en tidigare server lämnade när den avbröts (2 mapp(ar))." in again.stderr()
        assert not dead.exists() and not stale.exists()
        assert link.is_symlink() and (outside / "viktig.txt").read_text() == "rör inte"
        assert (open_folder / "fil.txt").exists() and live.is_dir() and starting.is_dir() and other.is_dir()
        ours = [p for p in server.tmp.iterdir() if p not in (link, open_folder, live, starting, other)]
        assert len(ours) == 1 and (ours[0] / ".lock").is_file()  # the new server's own folder
        assert again.stop(signal.SIGTERM) == 0
        assert sorted(server.tmp.iterdir()) == sorted([link, open_folder, live, starting, other])
    finally:
        os.close(lock)



def test_a_dead_looking_folder_whose_lock_is_no_plain_file_of_ours_is_left_alone(tmp_path):
    """A lock that is a pipe or a link to someone else's file is a trap, not a dead server's: nothing is removed."""
    from blankett.web import private

    old = time.time() - 600
    for name, make in (("ror", os.mkfifo), ("lank", lambda p: os.symlink(tmp_path / "annans.txt", p))):
        folder = tmp_path / f"{private.PREFIX}{name}"
        folder.mkdir(mode=0o700)
        (folder / "svar.txt").write_text("rör inte")
        make(folder / private.LOCK)
        os.utime(folder, (old, old))
    (tmp_path / "annans.txt").write_text("rör inte")
    root = private.PrivateRoot(tmp_path)
    try:
        assert root.swept == 0
        assert sorted(p.name for p in tmp_path.glob(f"{private.PREFIX}*/svar.txt")) == ["svar.txt", "svar.txt"]
        assert (tmp_path / "annans.txt").read_text() == "rör inte"
    finally:
        root.close()
    assert not root.path.exists() and len(list(tmp_path.glob(f"{private.PREFIX}*"))) == 2



def test_a_fill_worker_killed_while_idle_is_replaced_and_a_stopped_pool_says_so_in_swedish(tmp_path):
    import json

    import blankett
    from blankett.web.pool import FillPool, WorkerLost

    from .conftest import EXAMPLE
    from .forms import expected

    record = json.loads(EXAMPLE.read_text(encoding="utf-8"))[0]
    pool = FillPool(1)
    try:
        first = tmp_path / "forsta.pdf"
        first.write_bytes(pool.fill(record, "pdf"))
        (worker,) = fill_workers(os.getpid())
        os.kill(worker, signal.SIGKILL)  # out of memory, an operator's kill: between two forms
        deadline = time.monotonic() + 30
        while not getattr(pool._pool, "_broken", False):  # the executor notices the lost worker
            assert time.monotonic() < deadline
            time.sleep(0.05)
        again = tmp_path / "igen.pdf"
        again.write_bytes(pool.fill(record, "pdf"))  # a new worker fills it; the user never sees the loss
        assert [blankett.extract(p).record for p in (first, again)] == [expected(record)] * 2
        assert len(fill_workers(os.getpid())) == 1 and worker not in fill_workers(os.getpid())
    finally:
        pool.shutdown()
    with pytest.raises(WorkerLost, match="^Blanketten kunde inte fyllas i: servern stängs just nu. Försök igen"):
        pool.fill(record, "docx")


@pytest.mark.office
def test_after_sigkill_during_a_pdf_job_the_next_start_stops_the_libreoffice_left_behind(served):
    server = served()
    server.post_fill("hot.csv", 200, fmt="pdfa")  # archive copies: PDFs through LibreOffice
    deadline = time.monotonic() + 120
    while not (office := [p for p in descendants(server.proc.pid) if "UserInstallation" in _cmdline(p)]):
        assert time.monotonic() < deadline
        time.sleep(0.1)
    offices = {p: s for p, s in descendants(server.proc.pid).items() if p in office}
    server.proc.kill()
    server.proc.wait()
    assert {p.name: _modes(p) for p in server.tmp.iterdir()} == {p.name: {} for p in server.tmp.iterdir()}
    assert alive(offices)  # LibreOffice converts on without its server, which kept its time limit ...
    again = served()
    assert wait_gone(offices, 5) == []  # ... until the next start removes what the dead server left
    # and LibreOffice, killed before the folder is removed, cannot write a new one (it did, unkilled)
    assert again.stop() == 0 and list(server.tmp.iterdir()) == []


# --- 3. a dead fill worker is replaced ------------------------------------------------------------------


def test_a_killed_fill_worker_costs_at_most_one_request(served):
    """kill -9 of one fill worker made /api/fill and the one-form page answer 500 until the server restarted."""
    server = served(env={"BLANKETT_FILL_WORKERS": "2"})
    assert httpx.post(server.base + "/api/fill", headers=AUTH, json=RECORD).status_code == 200
    workers = fill_workers(server.proc.pid)
    assert len(workers) == 2
    answers: list[httpx.Response] = []
    stop = threading.Event()

    def client() -> None:
        with httpx.Client(headers=AUTH, timeout=60) as c:
            while not stop.is_set():
                answers.append(c.post(server.base + "/api/fill", json=RECORD))

    clients = [threading.Thread(target=client) for _ in range(4)]
    for t in clients:
        t.start()
    try:
        time.sleep(0.5)
        os.kill(workers[0], signal.SIGKILL)  # while requests are being filled
        time.sleep(3)
    finally:
        stop.set()
        for t in clients:
            t.join(60)
    after = httpx.post(server.base + "/api/fill", headers=AUTH, json=RECORD, timeout=60)
    page = httpx.post(server.base + "/fyll-i/blankett", headers={"Authorization": AUTH["Authorization"]},
                      data={"rapporterad_av": "Maria Lindqvist", "format": "docx"})
    statuses = [r.status_code for r in answers]
    assert after.status_code == 200 and page.status_code == 200, (after.text, page.text[:300])
    assert 500 not in statuses and statuses.count(200) >= len(statuses) - 1, statuses
    for failed in (r for r in answers if r.status_code != 200):
        assert failed.status_code == 503 and "Försök igen" in failed.json()["fel"]
    assert workers[0] not in fill_workers(server.proc.pid)
    assert server.stop() == 0
    assert "Traceback" not in server.stderr()


# --- 7. slow clients ----------------------------------------------------------------------------------


def _half_open(port: int, count: int, seconds: float = 30) -> list[socket.socket]:
    """``count`` connections that start a request and never finish its head (bounded by ``seconds``)."""
    socks = []
    deadline = time.monotonic() + seconds
    while len(socks) < count and time.monotonic() < deadline:
        s = socket.socket()
        s.settimeout(5)
        try:
            s.connect(("127.0.0.1", port))
            s.sendall(b"GET /api/schema HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        except OSError:
            s.close()
            continue
        socks.append(s)
    assert len(socks) == count
    return socks


def _closed_by_server(s: socket.socket) -> bool:
    s.settimeout(0.01)
    try:
        return s.recv(1) == b""
    except TimeoutError:
        return False
    except OSError:
        return True


def test_connections_that_never_finish_their_request_are_closed_and_do_not_lock_others_out(served):
    from blankett.web.serving import HEADER_SECONDS, MAX_CONNECTIONS

    server = served()
    socks = _half_open(server.port, MAX_CONNECTIONS + 200)
    try:
        started = time.monotonic()
        r = httpx.get(server.base + "/api/schema", headers=AUTH, timeout=3)  # 0.03-0.06 s on a quiet machine;
        assert r.status_code == 200 and time.monotonic() - started < 3  # before: no answer at all
        time.sleep(HEADER_SECONDS + 2)
        assert all(_closed_by_server(s) for s in socks)  # none waits for ever
        assert httpx.get(server.base + "/api/schema", headers=AUTH, timeout=3).status_code == 200
    finally:
        for s in socks:
            s.close()
    assert server.stop() == 0
    assert len(server.stderr().splitlines()) < 10, server.stderr()[:2000]


def test_more_half_open_connections_than_open_files_keep_the_server_answering_and_the_log_short(served):
    """1 100 such connections with 1 024 open files: requests timed out and the log grew by 80 MB in 18 s."""
    server = served(open_files=256)
    socks = _half_open(server.port, 400)
    try:
        started = time.monotonic()
        r = httpx.get(server.base + "/api/schema", headers=AUTH, timeout=3)  # 0.03-0.06 s on a quiet machine;
        assert r.status_code == 200 and time.monotonic() - started < 3  # before: no answer at all
    finally:
        for s in socks:
            s.close()
    assert server.stop() == 0
    err = server.stderr()
    assert len(err) < 4000 and "Traceback" not in err, err[:2000]


def test_running_out_of_open_files_is_one_log_line_per_ten_seconds(caplog):
    import asyncio
    import errno

    import uvicorn

    from blankett.web.serving import Server

    log = logging.getLogger("blankett.test-serving")
    server = Server(uvicorn.Config(app=None), log)
    loop = asyncio.new_event_loop()
    try:
        with caplog.at_level(logging.WARNING, logger=log.name):
            for _ in range(10_000):
                server._loop_error(loop, {"message": "socket.accept() out of system resource",
                                          "exception": OSError(errno.EMFILE, "Too many open files")})
    finally:
        loop.close()
    assert [r.getMessage() for r in caplog.records] == [
        "Servern hade slut på öppna filer; nya anslutningar fick vänta, 1 gång sedan förra raden om detta "
        "(högst en rad per 10 s)."]



def test_other_event_loop_errors_are_still_logged_and_a_second_stop_signal_stops_at_once(caplog):
    import asyncio

    import uvicorn

    from blankett.web.serving import Server

    server = Server(uvicorn.Config(app=None), logging.getLogger("blankett.test-serving"))
    loop = asyncio.new_event_loop()
    try:
        with caplog.at_level(logging.ERROR, logger="asyncio"):
            server._loop_error(loop, {"message": "något annat gick fel", "exception": ValueError("fel")})
    finally:
        loop.close()
    assert any("något annat gick fel" in r.getMessage() for r in caplog.records)  # not swallowed as out-of-files
    server.handle_exit(signal.SIGTERM, None)
    assert (server.should_exit, server.force_exit) == (True, False)  # the running requests are answered first
    server.handle_exit(signal.SIGTERM, None)
    assert server.force_exit  # an operator's second SIGTERM or Ctrl-C does not wait for them


def test_the_operators_guide_states_the_limits_the_server_keeps():
    from blankett.web import app, pool, private, serving

    guide = (Path(__file__).parents[1] / "docs" / "drift.md").read_text(encoding="utf-8")
    section = guide[guide.index("## Stopp, krascher och drift som tjänst (systemd)"):]
    section = " ".join(section[:section.index("\n## ", 4)].split())
    for said in (f"högst {app.STOP_SECONDS:.0f} s (`STOP_SECONDS`)", f"inom {serving.HEADER_SECONDS:.0f} s (`HEADER_SECONDS`)",
                 f"Högst {serving.MAX_CONNECTIONS} anslutningar", f"gränsen minus {serving.FILES_RESERVED}, minst "
                 f"{serving.MIN_CONNECTIONS}", f"högst en rad per {serving.LOG_EVERY_SECONDS:.0f} s",
                 f"inom {pool.FILL_SECONDS:.0f} s (`FILL_SECONDS`)", f"inom {pool.PARENT_CHECK_SECONDS:.0f} s",
                 f"äldre än {private.STARTING_SECONDS:.0f} s"):
        assert said in section, said


# --- running as a service: the unit file the operator's guide gives ---------------------------------------------------


def test_the_systemd_unit_is_valid_stops_as_tested_and_is_the_one_the_guide_shows(tmp_path):
    text = UNIT.read_text()
    guide = (Path(__file__).parent.parent / "docs" / "drift.md").read_text()
    assert f"```ini\n{text}```" in guide  # the operator's guide shows the file itself
    settings = _unit_settings()
    # systemd sends SIGTERM to the server alone (it stops its workers and LibreOffice itself, as tested above),
    # SIGKILL to what is left after TimeoutStopSec; its /tmp is its own and emptied at the stop
    assert (settings["KillMode"], settings["KillSignal"]) == ("mixed", "SIGTERM")
    assert (settings["PrivateTmp"], settings["UMask"], settings["ProtectSystem"]) == ("yes", "0077", "strict")
    assert "--token" not in settings["ExecStart"] and "EnvironmentFile" in settings  # the key never in ps
    env = tmp_path / "blankett.env"
    env.write_text("BLANKETT_TOKEN=nyckel\n")
    env.chmod(0o600)
    here = tmp_path / "blankett.service"  # the same unit, with this machine's paths
    here.write_text(text.replace("/opt/blankett/.venv/bin/blankett", str(Path(sys.executable).parent / "blankett"))
                    .replace("/etc/blankett/blankett.env", str(env)))
    r = subprocess.run([program("systemd-analyze", "systemd"), "verify", str(here)], capture_output=True, text=True,
                       timeout=60)
    assert (r.returncode, r.stdout, r.stderr) == (0, "", ""), r.stderr
    broken = tmp_path / "broken.service"  # and systemd-analyze does say when a setting is wrong
    broken.write_text(here.read_text().replace("KillMode=mixed", "KillMode=blandad"))
    r = subprocess.run([program("systemd-analyze", "systemd"), "verify", str(broken)], capture_output=True,
                       text=True, timeout=60)
    assert "KillMode" in r.stderr or "kill mode" in r.stderr
