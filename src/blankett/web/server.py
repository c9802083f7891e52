"""Run the application on uvicorn: one line with the address, a log without personal data, Ctrl-C stops it."""

from __future__ import annotations

import ipaddress
import logging
import os
import re
import secrets
import socket
import sys
import threading
import webbrowser
from typing import Protocol, TextIO

from ..errors import BlankettError, InputError
from .app import create_app
from .security import LOG, allowed_hosts

ENV_TOKEN = "BLANKETT_TOKEN"
_TOKEN_CHARS = re.compile(r"[A-Za-z0-9._~-]+")
NOT_LOOPBACK = (
    "Varning: servern lyssnar på {host}, inte bara på den här datorn. Andra datorer i nätet kan då nå den, och "
    "blanketterna innehåller känsliga personuppgifter. Lägg den bakom kommunens inloggning (en omvänd proxy med "
    "HTTPS och inloggning, se README) och släpp inte fram den direkt till nätet."
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
    sock.listen(128)
    sock.set_inheritable(True)
    return sock


def _cores() -> int:
    """The cores this process may run on (its affinity where the system says, else all of them)."""
    if hasattr(os, "sched_getaffinity"):  # Linux; Windows and macOS have no affinity call
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


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


class Echo(Protocol):
    """How ``run`` prints a line: ``print`` or ``click.echo``."""

    def __call__(self, message: str, /, *, file: TextIO | None = ...) -> object: ...


def run(host: str = "127.0.0.1", port: int = 8765, token: str | None = None, open_browser: bool = False,
        extra_hosts: tuple[str, ...] = (), quiet: bool = False, echo: Echo = print) -> None:
    """Serve until Ctrl-C (or SIGTERM): print the address with its token, optionally open the browser."""
    import uvicorn

    token = token or secrets.token_urlsafe(24)
    if not _TOKEN_CHARS.fullmatch(token):  # it travels in an address and a cookie: anything else breaks one of them
        raise InputError("nyckeln (--token eller BLANKETT_TOKEN) får bara innehålla bokstäverna a–z och A–Z, "
                         "siffror och tecknen - _ . ~")
    sock = _bind(host, port)
    app = None
    try:
        port = sock.getsockname()[1]
        app = create_app(token, allowed_hosts(host, extra_hosts), cookie=f"blankett_token_{port}",
                         fill_workers=_fill_workers())
        if app.state.server.pool is not None:
            app.state.server.pool.start()
        workers = os.environ.get("BLANKETT_FILL_WORKERS", "").strip()
        if workers and not workers.isdigit():
            echo(f"Varning: BLANKETT_FILL_WORKERS={workers} är inget antal; en fyllprocess per kärna används.",
                 file=sys.stderr)
        if not is_loopback(host):
            echo(NOT_LOOPBACK.format(host=host), file=sys.stderr)
        url = f"http://{_url_host(host)}:{port}/?token={token}"
        echo(f"Öppna {url}")
        sys.stdout.flush()
        if not quiet:
            _log_handler()
        config = uvicorn.Config(app, access_log=False, log_level="warning", server_header=False,
                                date_header=False, lifespan="off", timeout_graceful_shutdown=5)
        server = uvicorn.Server(config)
        if open_browser:
            threading.Timer(0.5, webbrowser.open, args=(url,)).start()
        server.run(sockets=[sock])  # stops on Ctrl-C after the running requests are answered
    except KeyboardInterrupt:  # uvicorn passes Ctrl-C on once it has shut down: that is the normal way to stop
        pass
    finally:
        if app is not None:
            app.state.server.close()
        sock.close()
