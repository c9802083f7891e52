"""Run the application on uvicorn: one line with the address, a log without personal data; Ctrl-C, SIGTERM or
SIGHUP stop it and leave nothing behind (see :mod:`.serving` and :mod:`.private`)."""

from __future__ import annotations

import contextlib
import ipaddress
import logging
import os
import re
import secrets
import shutil
import signal
import socket
import sys
import tempfile
import threading
import time
import webbrowser
from html import escape
from pathlib import Path
from typing import Any, Protocol, TextIO

import uvicorn

from .. import office
from ..errors import BlankettError, InputError
from .app import create_app
from .private import PrivateRoot, stop_office_in
from .security import LOG, LOGIN_PATH, Sessions, allowed_hosts, session_name
from .serving import BACKLOG, STOP_SIGNALS, Connections, Server, connection_cap, protocol_class, raise_open_files

_TOKEN_CHARS = re.compile(r"[A-Za-z0-9._~-]+")
NOT_LOOPBACK = (
    "Varning: servern lyssnar på {host}, inte bara på den här datorn. Andra datorer i nätet kan då nå den, och "
    "blanketterna innehåller känsliga personuppgifter. Lägg den bakom kommunens inloggning (en omvänd proxy med "
    "HTTPS och inloggning, se docs/drift.md) och släpp inte fram den direkt till nätet."
)


def is_loopback(host: str) -> bool:
    """True for an address or name that only this computer can reach."""
    if host.strip("[]").lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _url_host(host: str) -> str:
    host = host.strip("[]")
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return host
    if address.is_unspecified:
        return "127.0.0.1" if address.version == 4 else "[::1]"
    return f"[{host}]" if address.version == 6 else host


def _session_host(host: str) -> str:
    """Where browser sessions live: a random ``….localhost`` name wherever the server listens on this computer.

    A cookie goes to every port of the name that set it; on a name no other program knows, no other
    program receives it. On another computer's address (behind the proxy) that address itself.
    """
    bind = host.strip("[]")
    try:
        local = ipaddress.ip_address(bind).is_unspecified or ipaddress.ip_address(bind).is_loopback
    except ValueError:
        local = bind.lower() == "localhost"
    return session_name() if local else bind.lower()


def _open_file(url: str) -> Path:
    """A page only this user can read that sends the browser on to ``url``: its file:// address is all the
    browser's command line (seen by every user in ``ps``) carries, as Jupyter does."""
    folder = Path(tempfile.mkdtemp(prefix="blankett-oppna-"))  # 0700
    page = folder / "oppna.html"
    link = escape(url, quote=True)
    text = (f'<!doctype html><html lang="sv"><head><meta charset="utf-8"><meta http-equiv="refresh" content="0;url={link}">'
            f'<title>Bilaga 5</title></head><body><p><a href="{link}">Öppna Bilaga 5</a></p></body></html>\n')
    fd = os.open(page, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(text)
    return page


def _remove_open_file(page: Path) -> None:
    shutil.rmtree(page.parent, ignore_errors=True)


def _bind(host: str, port: int) -> socket.socket:
    """The listening socket, opened here so that a taken port is one Swedish line, not a log."""
    try:
        infos = socket.getaddrinfo(host.strip("[]"), port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror:
        raise BlankettError(f"adressen {host} finns inte på den här datorn") from None
    family, kind, proto, _, address = infos[0]
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(address)
    except OSError as exc:
        sock.close()
        if exc.errno in (98, 48):  # EADDRINUSE (Linux, macOS)
            raise BlankettError(f"porten {port} används redan; välj en annan med --port") from None
        raise BlankettError(f"kan inte lyssna på {host}:{port} ({exc.strerror})") from None
    sock.listen(128)  # serving.BACKLOG: uvicorn listens again with its own number
    sock.set_inheritable(True)
    return sock


def _cores() -> int:
    """The cores this process may run on (its affinity where the system says, else all of them)."""
    if hasattr(os, "sched_getaffinity"):  # Linux; Windows and macOS have no affinity call
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1  # pragma: no cover - Windows and macOS only; the tests run on Linux


def _fill_workers() -> int:
    """Worker processes for the API's fills: BLANKETT_FILL_WORKERS, by default one per core.

    One Python process fills on about one core however many threads it has; ``blankett fill`` uses
    every core. Measured on 2 cores, the API reached 0.47–0.65 of the command line's rate in the
    server's threads and 0.71–1.01 with two fill processes (p99 35–38 ms against 56 ms), for 245 MB
    instead of 96 MB (see the README), so processes are the default wherever there is more than one
    core. BLANKETT_FILL_WORKERS=0 fills in the server's threads (the least memory).
    """
    value = os.environ.get("BLANKETT_FILL_WORKERS", "").strip()
    if value.isdigit():
        return min(int(value), 64)
    cores = _cores()
    return min(cores, 8) if cores > 1 else 0


def _log_handler() -> None:
    if not LOG.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(asctime)s %(message)s", "%Y-%m-%d %H:%M:%S"))
        LOG.addHandler(handler)
    LOG.setLevel(logging.INFO)
    LOG.propagate = False


class _NoUpgradeWarning(logging.Filter):
    """uvicorn's two warnings per WebSocket request when no WebSocket library is installed: the guard logs it once."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith(("Unsupported upgrade request", "No supported WebSocket library"))


class Echo(Protocol):
    """How ``run`` prints a line: ``print`` or ``click.echo``."""

    def __call__(self, message: str, /, *, file: TextIO | None = ...) -> object: ...


def run(host: str = "127.0.0.1", port: int = 8765, token: str | None = None, open_browser: bool = False,
        extra_hosts: tuple[str, ...] = (), quiet: bool = False, echo: Echo = print,
        follow_up_dir: Path | None = None) -> None:
    """Serve until Ctrl-C, SIGTERM or SIGHUP: print a one-time login link, optionally open the browser with another.

    However it stops (short of SIGKILL), every job and worker is stopped and the private temporary
    folder removed before this returns; a folder left by a server that was killed is removed at start.
    """
    token = token or secrets.token_urlsafe(24)
    if not _TOKEN_CHARS.fullmatch(token):  # it travels in a header and a form: keep it to what both carry plainly
        raise InputError("nyckeln (--token eller BLANKETT_TOKEN) får bara innehålla bokstäverna a–z och A–Z, "
                         "siffror och tecknen - _ . ~")
    sock = _bind(host, port)
    signals = _stop_as_ctrl_c()
    umask = os.umask(0o077)  # all the server writes is personal data: owner-only, whatever the library opens
    root = None
    app = None
    sessions = Sessions()
    try:
        root = _private_root()
        if root.swept:
            echo(SWEPT.format(count=root.swept), file=sys.stderr)
        _private_temp(root.path)
        port = sock.getsockname()[1]
        app = create_app(token, allowed_hosts(host, extra_hosts), fill_workers=_fill_workers(),
                         session_host=_session_host(host), sessions=sessions, follow_up_dir=follow_up_dir)
        if app.state.server.pool is not None:
            app.state.server.pool.start()
        workers = os.environ.get("BLANKETT_FILL_WORKERS", "").strip()
        if workers and not workers.isdigit():
            echo(f"Varning: BLANKETT_FILL_WORKERS={workers} är inget antal; en fyllprocess per kärna används.",
                 file=sys.stderr)
        if not is_loopback(host):
            echo(NOT_LOOPBACK.format(host=host), file=sys.stderr)
        base = f"http://{_url_host(host)}:{port}{LOGIN_PATH}?kod="
        echo(f"Öppna {base}{sessions.code()}")
        sys.stdout.flush()
        if not quiet:
            _log_handler()
        server = _uvicorn(app)
        _stop_server_on(signals, server)
        logging.getLogger("uvicorn.error").addFilter(_NoUpgradeWarning())
        if open_browser:
            # its own code, so the printed link still works; the file goes once the code is used, or at the stop
            page: list[Path] = []
            page.append(_open_file(base + sessions.code(on_use=lambda: _remove_open_file(page[0]))))
            threading.Timer(0.5, webbrowser.open, args=(page[0].as_uri(),)).start()
        server.run(sockets=[sock])  # stops on a stop signal after the running requests are answered
    except KeyboardInterrupt:  # a stop signal before or after uvicorn ran: the normal way to stop too
        pass
    finally:
        for sig in signals:  # a second signal must not cut the clean-up short
            signal.signal(sig, signal.SIG_IGN)
        try:
            office.stop_all()  # no PDF job's thread may start another LibreOffice while the server stops
            sessions.clear()  # every code and session ends with the server (and --open's file goes)
            if app is not None:
                app.state.server.close(office_in=root.path if root is not None else None)
            if root is not None:
                stop_office_in(root.path)
            sock.close()
            if root is not None:
                root.close()
        finally:
            _restore_temp()
            os.umask(umask)
            for sig, handler in signals.items():
                signal.signal(sig, handler)


#: Seconds the ``blankett serve`` process may take to end once :func:`run` has stopped and cleaned up everything.
EXIT_SECONDS = 10.0


def end_process_soon(seconds: float = EXIT_SECONDS) -> None:
    """End this process ``seconds`` from now unless it has ended by itself: called by ``blankett serve`` once
    :func:`run` has returned, every job, worker and temporary folder gone.

    Python's exit waits for every process pool's manager thread, and CPython 3.11's may hang for good after a
    worker was killed (a SIGKILL while the pool wrote to it; the pool was replaced, a request answered 503): the
    server then never ended after SIGTERM, and its service manager had to kill it (seen in CI). Only a process's
    last step: never from the library's ``run``, which an integrator may call in a process that goes on.
    """
    def end() -> None:
        time.sleep(seconds)
        logging.shutdown()
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(Exception):
                stream.flush()
        os._exit(0)

    threading.Thread(target=end, name="blankett-exit", daemon=True).start()


SWEPT = ("Tog bort tillfälliga filer som en tidigare server lämnade när den avbröts ({count} mapp(ar)). "
         "Inga andra filer rörs.")
_TEMP_BEFORE: list[tuple[str | None, str | None]] = []


def _private_root() -> PrivateRoot:
    try:
        return PrivateRoot()
    except OSError as exc:
        raise BlankettError(f"kan inte skapa serverns privata tillfälliga mapp i {tempfile.gettempdir()} "
                            f"({exc.strerror}); ange en annan med miljövariabeln TMPDIR") from None


def _stop_as_ctrl_c() -> dict[int, Any]:
    """SIGTERM and SIGHUP as Ctrl-C (KeyboardInterrupt) outside uvicorn too; the handlers they had before."""
    before: dict[int, Any] = {}
    if threading.current_thread() is not threading.main_thread():  # only the main thread may set handlers
        return before
    for sig in STOP_SIGNALS:
        if sig == signal.SIGINT:
            continue
        before[sig] = signal.signal(sig, signal.default_int_handler)
    before.setdefault(signal.SIGINT, signal.getsignal(signal.SIGINT))
    return before


def _stop_server_on(signals: dict[int, Any], server: Server) -> None:
    """From here on a stop signal asks ``server`` to stop instead of raising KeyboardInterrupt.

    A KeyboardInterrupt raised while ``asyncio.run`` builds its event loop leaves a half-made loop whose
    ``__del__`` prints a traceback at exit (seen when SIGINT came just after the login link was printed);
    ``should_exit`` set before uvicorn starts makes it start, stop at once and return.
    """
    for sig in signals:
        signal.signal(sig, server.handle_exit)


def _private_temp(folder: Path) -> None:
    """Every temporary file of this process and its children (workers, LibreOffice) inside ``folder``."""
    _TEMP_BEFORE.append((tempfile.tempdir, os.environ.get("TMPDIR")))
    tempfile.tempdir = str(folder)
    os.environ["TMPDIR"] = str(folder)


def _restore_temp() -> None:
    if _TEMP_BEFORE:
        tempdir, env = _TEMP_BEFORE.pop()
        tempfile.tempdir = tempdir
        if env is None:
            os.environ.pop("TMPDIR", None)
        else:
            os.environ["TMPDIR"] = env


def _uvicorn(app: Any) -> Server:
    """uvicorn with a deadline for request heads, a cap on connections, and SIGTERM/SIGHUP as Ctrl-C."""
    connections = Connections(connection_cap(raise_open_files()), LOG)
    config = uvicorn.Config(app, http=protocol_class(connections), backlog=BACKLOG, access_log=False,
                            log_level="warning",
                            server_header=False, date_header=False, lifespan="off", timeout_graceful_shutdown=5)
    return Server(config, LOG)
