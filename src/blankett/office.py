"""LibreOffice, headless: finding it and converting files with it.

Each run gets a private, temporary LibreOffice profile, so parallel runs and a
person's own LibreOffice never clash; a hung conversion is killed, and Ctrl-C
stops every LibreOffice a batch has started. Works on Linux, macOS and Windows:
LibreOffice is looked for where its installers put it, and a start is stopped
as a process group on POSIX and as a process tree (``taskkill /T``) on Windows.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import weakref
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

from .errors import BlankettError, OfficeMissingError
from .interrupt import check

ENV_VAR = "BLANKETT_SOFFICE"
_INSTALL = ("'sudo bash scripts/install-libreoffice.sh' (Debian/Ubuntu: paketet libreoffice-writer-nogui)"
            if sys.platform.startswith("linux") else "från https://www.libreoffice.org/download/")
INSTALL_HINT = (
    f"LibreOffice behövs för detta men hittades inte. Installera det {_INSTALL} "
    f"eller ange sökvägen till soffice med --soffice eller miljövariabeln {ENV_VAR}."
)
_CANDIDATES = ("soffice", "libreoffice")
_KNOWN_PATHS = (
    "/usr/bin/soffice",
    "/usr/lib/libreoffice/program/soffice",
    "/opt/libreoffice/program/soffice",
    "/Applications/LibreOffice.app/Contents/MacOS/soffice",
    r"C:\Program Files\LibreOffice\program\soffice.exe",
    r"C:\Program Files (x86)\LibreOffice\program\soffice.exe",
)


def find_soffice(explicit: str | Path | None = None) -> str:
    """The soffice program to run: ``explicit``, ``$BLANKETT_SOFFICE``, PATH, or a usual install place."""
    for candidate in (explicit, os.environ.get(ENV_VAR)):
        if candidate:
            found = shutil.which(str(candidate))
            if found:
                return found
            raise OfficeMissingError(f"LibreOffice hittades inte på {candidate}. {INSTALL_HINT}")
    for name in _CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    for path in _KNOWN_PATHS:
        if Path(path).is_file():
            return path
    raise OfficeMissingError(INSTALL_HINT)


class ConversionError(BlankettError):
    """LibreOffice failed or hung."""


#: POSIX systems stop a LibreOffice start as a process group; others (Windows) as a process tree.
_POSIX = os.name == "posix"
#: Address space of one LibreOffice start (converting 25 of our forms needs more than 512 MB and less than 1 GB).
#: Set with util-linux's ``prlimit`` where there is one (Linux); elsewhere only the time budget holds.
MAX_OFFICE_MEMORY = 2 * 1024 * 1024 * 1024
#: The private profile's settings, defence in depth behind :func:`blankett.staging.prepare`: block every link
#: from a document (images, sections, OLE), never update links, no macros, no active content (OLE, DDE), no
#: online update check.
SETTINGS = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" \
xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Common/Security/Scripting"><prop oor:name="BlockUntrustedRefererLinks" \
oor:op="fuse"><value>true</value></prop></item>
<item oor:path="/org.openoffice.Office.Common/Security/Scripting"><prop oor:name="DisableActiveContent" \
oor:op="fuse"><value>true</value></prop></item>
<item oor:path="/org.openoffice.Office.Common/Security/Scripting"><prop oor:name="DisableMacrosExecution" \
oor:op="fuse"><value>true</value></prop></item>
<item oor:path="/org.openoffice.Office.Common/Security/Scripting"><prop oor:name="MacroSecurityLevel" \
oor:op="fuse"><value>3</value></prop></item>
<item oor:path="/org.openoffice.Office.Writer/Content/Update"><prop oor:name="Link" oor:op="fuse">\
<value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Content/Update"><prop oor:name="Link" oor:op="fuse">\
<value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Jobs/Jobs/org.openoffice.Office.Jobs:Job['UpdateCheck']/Arguments">\
<prop oor:name="AutoCheckEnabled" oor:op="fuse"><value>false</value></prop></item>
</oor:items>
"""


#: A test hook: a folder holding a profile (``user/``) that LibreOffice has already started with, made from
#: :func:`_profile`'s settings (tests/conftest.py). Each start copies it instead of beginning empty, which saves
#: LibreOffice about a second of first-start set-up per conversion (2.0 s -> 1.0 s for one form).
PROFILE_SEED_VAR = "BLANKETT_OFFICE_PROFILE_SEED"


def _profile(folder: Path) -> None:
    """A private LibreOffice profile with :data:`SETTINGS`, owner-only."""
    user = folder / "user"
    seed = os.environ.get(PROFILE_SEED_VAR)
    if seed and (Path(seed) / "user" / "registrymodifications.xcu").is_file():
        shutil.copytree(Path(seed) / "user", user)
        user.chmod(0o700)
        # our settings again, last (a later item wins): the seed's file is what LibreOffice wrote back, which
        # dropped the update check's item; whatever a seed holds, these settings hold
        settings = user / "registrymodifications.xcu"
        ours = SETTINGS.split("\n", 2)[2].replace("</oor:items>\n", "")
        settings.write_text(settings.read_text(encoding="utf-8").replace("</oor:items>", ours + "</oor:items>"),
                            encoding="utf-8")
        return
    user.mkdir(mode=0o700)
    (user / "registrymodifications.xcu").write_text(SETTINGS, encoding="utf-8")


def _limited(cmd: list[str], seconds: float) -> list[str]:
    """``cmd`` under the memory, CPU and core-file limits, where ``prlimit`` can set them."""
    prlimit = shutil.which("prlimit") if sys.platform.startswith("linux") else None
    if prlimit is None:
        return cmd
    import resource

    _, hard = resource.getrlimit(resource.RLIMIT_AS)  # never above our own (a guarded worker's is lower)
    memory = MAX_OFFICE_MEMORY if hard == resource.RLIM_INFINITY else min(hard, MAX_OFFICE_MEMORY)
    return [prlimit, f"--as={memory}", f"--cpu={int(seconds) + 1}", "--core=0", "--", *cmd]


class _Starts:
    """The LibreOffice starts of one batch, so that Ctrl-C can stop them all and no new one begins."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.running: set[subprocess.Popen[bytes]] = set()
        self.stopped = _ALL_STOPPED.is_set()
        with _ALL_LOCK:
            _ALL_STARTS.add(self)

    def stop(self) -> None:
        """Kill every running start; later starts of this batch raise :class:`ConversionError` at once."""
        with self.lock:
            self.stopped = True
            running = list(self.running)
        for proc in running:
            _kill(proc)


_ALL_STOPPED = threading.Event()
_ALL_STARTS: weakref.WeakSet[_Starts] = weakref.WeakSet()
_ALL_LOCK = threading.Lock()


def stop_all() -> None:
    """Kill every LibreOffice this process runs, in every batch and thread, and start none from now on.

    For a process that is ending (``blankett serve``'s stop): a job's thread learns that it should stop only
    between two steps, while the threads converting for it would otherwise start the next LibreOffice, and the
    interpreter waits for those threads before it exits.
    """
    _ALL_STOPPED.set()
    with _ALL_LOCK:
        batches = list(_ALL_STARTS)
    for starts in batches:
        starts.stop()


def convert(files: list[Path], target: str, outdir: Path, timeout: float = 300.0,
            soffice: str | Path | None = None, _starts: _Starts | None = None) -> dict[Path, Path | None]:
    """Convert ``files`` with one LibreOffice start; each input maps to its output, or None if none came out.

    ``target`` is what ``--convert-to`` takes (``pdf``, ``docx``, ``odt``,
    ``pdf:writer_pdf_Export:{...}``). On a timeout (or Ctrl-C) LibreOffice and
    every process it started are killed; a timeout raises :class:`ConversionError`.
    """
    program = find_soffice(soffice)
    outdir.mkdir(parents=True, exist_ok=True)
    ext = target.split(":", 1)[0]
    starts = _starts or _Starts()
    with tempfile.TemporaryDirectory(prefix="blankett-lo-") as profile:
        _profile(Path(profile))
        cmd = _limited([
            program, f"-env:UserInstallation={Path(profile).as_uri()}", "--headless", "--invisible",
            "--nologo", "--norestore", "--nodefault", "--nolockcheck",
            "--convert-to", target, "--outdir", str(outdir), *[str(f) for f in files],
        ], timeout)
        env = {k: v for k, v in os.environ.items() if not k.startswith("SAL_")}
        with starts.lock:
            if starts.stopped:
                raise ConversionError("avbruten")
            proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env,
                                    start_new_session=_POSIX)  # its own group: Ctrl-C and a kill reach it whole
            starts.running.add(proc)
        try:
            _, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            _kill(proc)
            raise ConversionError(f"LibreOffice svarade inte inom {timeout:.0f} s och avbröts") from None
        except BaseException:
            _kill(proc)
            raise
        finally:
            with starts.lock:
                starts.running.discard(proc)
    results: dict[Path, Path | None] = {}
    for f in files:
        out = outdir / f"{Path(f).stem}.{ext}"
        results[Path(f)] = out if out.is_file() and out.stat().st_size > 0 else None
    if proc.returncode != 0 and not any(results.values()):
        detail = (err or b"").decode("utf-8", "replace").strip().splitlines()
        raise ConversionError(f"LibreOffice misslyckades (kod {proc.returncode}){': ' + detail[-1] if detail else ''}")
    return results


def _kill(proc: subprocess.Popen[bytes]) -> None:
    """Stop a LibreOffice start and every process it started (soffice starts soffice.bin), then reap it."""
    if _POSIX:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)
    else:  # pragma: no cover - Windows only; the tests run on Linux
        taskkill = shutil.which("taskkill")  # part of Windows: the tree, not only soffice.exe
        if taskkill:
            subprocess.run([taskkill, "/F", "/T", "/PID", str(proc.pid)], stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL, check=False)
        with contextlib.suppress(OSError):
            proc.kill()
    proc.wait()


#: Files per LibreOffice start: big enough to amortize the start, small enough that a failed chunk costs little.
CHUNK = 25
#: Seconds a conversion may take: a start-up allowance plus this much per file.
START_SECONDS, FILE_SECONDS = 60.0, 20.0


@dataclass
class Converted:
    """What became of one file in a batch: its output, or a Swedish message why there is none."""

    source: Path
    output: Path | None = None
    error: str = ""
    refused: bool = False  # never given to LibreOffice (``error`` says why)


def _budget(count: int, per_file: float) -> float:
    """Seconds allowed for one LibreOffice start converting ``count`` files."""
    return START_SECONDS + per_file * count


def _one_by_one(files: list[Path], target: str, outdir: Path, per_file: float,
                soffice: str | Path | None, starts: _Starts | None = None) -> list[Converted]:
    """Convert each file with its own start: isolates the file that makes LibreOffice fail or hang."""
    done = []
    for f in files:
        try:
            out = convert([f], target, outdir, _budget(1, per_file), soffice, starts)[f]
        except ConversionError as exc:
            done.append(Converted(f, None, f"{f.name}: {exc}"))
            continue
        done.append(Converted(f, out, "" if out else f"{f.name}: LibreOffice gav ingen fil"))
    return done


def _chunk(part: list[Path], target: str, outdir: Path, per_file: float, program: str,
           starts: _Starts | None = None) -> list[Converted]:
    """One LibreOffice start over ``part``; on failure or a missing output, the files concerned one by one."""
    try:
        outs = convert(part, target, outdir, _budget(len(part), per_file), program, starts)
    except ConversionError:
        return _one_by_one(part, target, outdir, per_file, program, starts)
    missing = [f for f in part if outs[f] is None]
    done = [Converted(f, outs[f]) for f in part if outs[f] is not None]
    return done + (_one_by_one(missing, target, outdir, per_file, program, starts) if missing else [])


def iter_convert(files: list[Path], target: str, outdir: Path, per_file: float = FILE_SECONDS,
                 chunk: int = CHUNK, soffice: str | Path | None = None,
                 workers: int | None = None) -> Iterator[Converted]:
    """Convert many files, ``chunk`` files per LibreOffice start and ``workers`` starts at a time; yield as chunks end.

    Each start has its own private profile, so starts never clash. A hung start
    is killed after its time budget and its files retried one by one, so only the
    file that hangs is reported; the rest of the batch goes on. Ctrl-C kills every
    running start at once.
    :class:`OfficeMissingError` is raised before anything starts when LibreOffice
    is not there. Stems must be unique (LibreOffice names outputs after them).
    """
    program = find_soffice(soffice)
    files = [Path(f) for f in files]
    if len({f.stem for f in files}) != len(files):
        raise ValueError("iter_convert needs unique file stems")
    size = max(1, chunk)
    parts = [files[i:i + size] for i in range(0, len(files), size)]
    workers = max(1, min(workers or os.cpu_count() or 1, len(parts) or 1))
    starts = _Starts()
    pool = ThreadPoolExecutor(workers)
    try:
        futures = [pool.submit(_chunk, part, target, outdir, per_file, program, starts) for part in parts]
        for future in as_completed(futures):
            check()  # a server's job asked to stop: stop here as on Ctrl-C
            yield from future.result()
    except (KeyboardInterrupt, GeneratorExit):
        starts.stop()  # Ctrl-C, or the caller stopped early: LibreOffice is in its own group and would run on
        raise
    finally:
        pool.shutdown(wait=True, cancel_futures=True)  # starts not begun are dropped; running ones end or time out


def convert_batch(files: list[Path], target: str, outdir: Path, per_file: float = FILE_SECONDS,
                  chunk: int = CHUNK, soffice: str | Path | None = None,
                  workers: int | None = None) -> list[Converted]:
    """Every file's :class:`Converted`, in input order (see :func:`iter_convert`)."""
    files = [Path(f) for f in files]
    order = {f: i for i, f in enumerate(files)}
    done = iter_convert(files, target, outdir, per_file, chunk, soffice, workers)
    return sorted(done, key=lambda c: order[c.source])
