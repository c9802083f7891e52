"""uvicorn, made fit to run as a service: stop signals, slow clients, open files and a quiet log.

* SIGTERM and SIGHUP stop the server as Ctrl-C does (uvicorn alone re-sends
  SIGTERM to itself after its shutdown, which killed the process before it had
  cleaned up).
* A connection must send its request head (request line and headers) within
  :data:`HEADER_SECONDS`; uvicorn alone waits for ever, so a thousand sockets that
  never finish a request used up every open file.
* At most :data:`MAX_CONNECTIONS` connections are open (fewer when the system
  allows fewer open files); a new one beyond that closes the oldest connection
  that is still waiting for its request head, so people sending real requests
  get in while slow ones are dropped.
* Running out of open files is one log line every :data:`LOG_EVERY_SECONDS`,
  not a traceback for each try.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import logging
import signal
import threading
import time
from collections.abc import Callable, Generator
from types import FrameType
from typing import Any

import h11
import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol

#: The signals that stop the server, all as Ctrl-C does (SIGBREAK: Ctrl-Break on Windows).
STOP_SIGNALS = tuple(getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP", "SIGBREAK")
                     if hasattr(signal, name))
#: Seconds a connection has to send its request head, from when it opens or its previous answer was sent.
HEADER_SECONDS = 10.0
#: Open connections at most (fewer when the open-file limit is low, see :func:`connection_cap`).
MAX_CONNECTIONS = 500
#: Connections taken from the listening socket at once (its backlog), before any is checked against the cap.
BACKLOG = 128
#: Open files kept for everything else (a burst of :data:`BACKLOG` new connections, uploads, worker pipes,
#: LibreOffice) when the limit is low.
FILES_RESERVED = 2 * BACKLOG
#: The fewest connections the cap allows, however low the open-file limit.
MIN_CONNECTIONS = 16
#: At most one log line per kind of event in this many seconds.
LOG_EVERY_SECONDS = 10.0


def raise_open_files() -> int:
    """Raise this process's open-file limit to what the system allows it; the limit now in force."""
    try:
        import resource
    except ImportError:  # pragma: no cover - Windows only; the tests run on Linux
        return 8192
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = hard if hard != resource.RLIM_INFINITY else max(soft, 65536)
    if soft != resource.RLIM_INFINITY and soft < wanted:
        with contextlib.suppress(ValueError, OSError):  # some systems refuse the hard limit itself (macOS)
            resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
    soft = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
    return soft if soft != resource.RLIM_INFINITY else 1 << 20


def connection_cap(open_files: int) -> int:
    """The connections allowed with ``open_files`` open files: :data:`MAX_CONNECTIONS`, or fewer to leave room."""
    return max(MIN_CONNECTIONS, min(MAX_CONNECTIONS, open_files - FILES_RESERVED))


class Throttled:
    """A log line said at most once per :data:`LOG_EVERY_SECONDS`, with how often it happened meanwhile."""

    def __init__(self, log: logging.Logger, message: Callable[[int], str], every: float = LOG_EVERY_SECONDS) -> None:
        self.log, self.message, self.every = log, message, every
        self.count = 0
        self._last = -every

    def __call__(self) -> None:
        self.count += 1
        now = time.monotonic()
        if now - self._last >= self.every:
            self.log.warning(self.message(self.count))
            self.count, self._last = 0, now


def _times(count: int) -> str:
    """How often, said once per :data:`LOG_EVERY_SECONDS`: "1 gång sedan förra raden om detta …"."""
    times = "1 gång" if count == 1 else f"{count} gånger"
    return f"{times} sedan förra raden om detta (högst en rad per {LOG_EVERY_SECONDS:.0f} s)"


class Connections:
    """The server's connections still waiting for a request head, oldest first; the cap on all connections."""

    def __init__(self, cap: int, log: logging.Logger) -> None:
        self.cap = cap
        self.waiting: dict[GuardedH11Protocol, None] = {}  # insertion order: the oldest first
        self.slow = Throttled(log, lambda n: f"Stängde anslutningar som inte skickade en hel begäran inom "
                                             f"{HEADER_SECONDS:.0f} s, eller fick ge plats åt nya: {_times(n)}.")
        self.full = Throttled(log, lambda n: f"Servern har {cap} anslutningar, alla med en begäran: en ny "
                                             f"stängdes, {_times(n)}.")


class GuardedH11Protocol(H11Protocol):
    """uvicorn's HTTP/1.1 protocol with a deadline for the request head and a cap on connections."""

    connections_state: Connections  # set per server by :func:`protocol_class`
    _head_timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        state = self.connections_state
        if len(self.connections) > state.cap:
            oldest = next(iter(state.waiting), None)
            if oldest is None:  # every connection is busy with a request: this one waits its turn elsewhere
                state.full()
                transport.close()
                return
            oldest.drop()
        self._wait_for_head()

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if self.conn.their_state is not h11.IDLE:  # the request head is in (or the connection is closing)
            self._head_in()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing() and self.conn.their_state is h11.IDLE:  # kept alive for the next one
            self._wait_for_head()

    def connection_lost(self, exc: Exception | None) -> None:
        self._head_in()
        super().connection_lost(exc)

    def _wait_for_head(self) -> None:
        self._head_in()
        self.connections_state.waiting[self] = None
        self._head_timer = self.loop.call_later(HEADER_SECONDS, self.drop)

    def _head_in(self) -> None:
        self.connections_state.waiting.pop(self, None)
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def drop(self) -> None:
        """Close a connection that did not send its request head in time (or must make room)."""
        self._head_in()
        if not self.transport.is_closing():
            self.connections_state.slow()
            self.transport.close()


def protocol_class(connections: Connections) -> type[GuardedH11Protocol]:
    """The protocol for one server, sharing its list of waiting connections."""
    return type("ServerH11Protocol", (GuardedH11Protocol,), {"connections_state": connections})


class Server(uvicorn.Server):
    """uvicorn's server: SIGTERM and SIGHUP stop it as Ctrl-C does; out of open files is a quiet log line."""

    def __init__(self, config: uvicorn.Config, log: logging.Logger) -> None:
        super().__init__(config)
        self._out_of_files = Throttled(log, lambda n: f"Servern hade slut på öppna filer; nya anslutningar fick "
                                                      f"vänta, {_times(n)}.")

    @contextlib.contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        """Stop on any of :data:`STOP_SIGNALS`; unlike uvicorn, never re-send one afterwards (it killed us)."""
        if threading.current_thread() is not threading.main_thread():
            yield
            return
        before = {sig: signal.signal(sig, self.handle_exit) for sig in STOP_SIGNALS}
        try:
            yield
        finally:
            for sig, handler in before.items():
                signal.signal(sig, handler)

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        """The first stop signal: answer the running requests, then stop; a second one: stop now."""
        if self.should_exit:
            self.force_exit = True
        self.should_exit = True

    async def startup(self, sockets: Any = None) -> None:
        asyncio.get_running_loop().set_exception_handler(self._loop_error)
        await super().startup(sockets)

    def _loop_error(self, loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        exc = context.get("exception")
        if isinstance(exc, OSError) and exc.errno in (errno.EMFILE, errno.ENFILE, errno.ENOBUFS, errno.ENOMEM):
            self._out_of_files()  # asyncio logs a traceback for every accept it tries (2 048 a tick)
            return
        loop.default_exception_handler(context)
