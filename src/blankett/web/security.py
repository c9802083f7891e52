"""The guard in front of every request: Host, key or session, Origin, upload size, headers and a log without personal data.

A pure ASGI middleware, so that it sees every request before Starlette parses
anything and every response after: nothing reaches a page or the API without
passing it, and nothing leaves without the security headers.

Two ways in. Programs (the API, and the reverse proxy in front of the pages) send
the key in ``Authorization: Bearer``. A browser signs in once, with a one-time code
from the printed link (or the key typed into ``/logga-in``), and then carries a
session cookie. Browsers send a cookie to every port of the host that set it, so
the session lives on a random name of its own (``<random>.localhost``, which
browsers resolve to this computer themselves): a program on another port of
127.0.0.1 or localhost never receives it. Sessions are random, kept only in this
process, never the key, and end by time and when the server stops.
"""

from __future__ import annotations

import hmac
import ipaddress
import logging
import re
import secrets
import threading
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, unquote_plus, urlsplit

Scope = dict[str, Any]
Message = dict[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

LOG = logging.getLogger("blankett.web")
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1"})
LOGIN_PATH = "/logga-in"
#: An unused code from the printed link (or --open's file) stops working after 12 hours.
LOGIN_CODE_SECONDS = 12 * 3600
#: The code for the step from 127.0.0.1 to the session's own name stops working after 60 seconds.
LOGIN_HOP_SECONDS = 60
#: A browser session ends after 8 hours without a request, and after 24 hours in any case.
SESSION_IDLE_SECONDS = 8 * 3600
SESSION_MAX_SECONDS = 24 * 3600
#: At most 100 sessions and 100 unused codes; past that a new one ends the oldest.
MAX_SESSIONS = 100
MAX_CODES = 100

HEADERS = [
    (b"content-security-policy",
     (b"default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
      b"form-action 'self'; frame-ancestors 'none'; base-uri 'none'")),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
    (b"cache-control", b"no-store"),
]

NO_TOKEN = ("Åtkomst nekad. Öppna inloggningslänken som kommandot blankett serve skrev ut (den gäller en gång), "
            "logga in med nyckeln på /logga-in, eller skicka nyckeln i huvudet Authorization: Bearer <nyckel>.")
TOKEN_IN_ADDRESS = ("Åtkomst nekad: nyckeln tas inte emot i adressen (?token=…) vid {method}. Skicka den i huvudet "
                    "Authorization: Bearer <nyckel>.")
TOKEN_NOT_IN_ADDRESS = ("Åtkomst nekad: nyckeln tas inte emot i adressen (?token=…), där den stannar i webbläsarens "
                        "historik. Öppna inloggningslänken som blankett serve skrev ut, logga in med nyckeln på "
                        "/logga-in, eller skicka nyckeln i huvudet Authorization: Bearer <nyckel>.")
NO_WEBSOCKET = "Servern tar inte emot WebSocket-anslutningar."
BAD_HOST = "Okänd värd i Host-huvudet; servern svarar bara på sitt eget namn och sin egen adress."
BAD_ORIGIN = "Begäran kom från en annan webbplats och avvisades."
TOO_BIG = "Uppladdningen är för stor: högst {mb} MB sammanlagt per gång. Dela upp filerna på flera uppladdningar."


class BodyTooLarge(Exception):
    """The request body grew past the total upload limit while it was read."""


class Sessions:
    """One-time login codes and browser sessions: random, kept only here, ended by use, by time or by the stop.

    The server's event loop calls these, and a thread may issue a code: one lock guards both tables.
    """

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._codes: dict[str, tuple[float, Callable[[], None] | None]] = {}  # code -> (expires, on_use)
        self._sessions: dict[str, tuple[float, float]] = {}  # id -> (started, last seen)

    def code(self, seconds: float = LOGIN_CODE_SECONDS, on_use: Callable[[], None] | None = None) -> str:
        """A new code that signs one browser in once, within ``seconds``; ``on_use`` runs when it is used."""
        code = secrets.token_urlsafe(24)
        with self._lock:
            self._codes[code] = (self._clock() + seconds, on_use)
            while len(self._codes) > MAX_CODES:
                del self._codes[next(iter(self._codes))]
        return code

    def use_code(self, code: str) -> bool:
        """True once for a code that was given and has not run out; never again."""
        with self._lock:
            entry = self._codes.pop(code, None)
        if entry is None or entry[0] < self._clock():
            return False
        if entry[1] is not None:
            entry[1]()
        return True

    def start(self) -> str:
        """A new session's id (random, 256 bits)."""
        session = secrets.token_urlsafe(32)
        now = self._clock()
        with self._lock:
            self._sessions[session] = (now, now)
            while len(self._sessions) > MAX_SESSIONS:
                del self._sessions[next(iter(self._sessions))]
        return session

    def valid(self, session: str) -> bool:
        """True for a live session (and it counts as used now); an expired one is forgotten."""
        now = self._clock()
        with self._lock:
            entry = self._sessions.get(session)
            if entry is None:
                return False
            started, seen = entry
            if now - seen > SESSION_IDLE_SECONDS or now - started > SESSION_MAX_SECONDS:
                del self._sessions[session]
                return False
            self._sessions[session] = (started, now)
            return True

    def clear(self) -> None:
        """Forget every code and session (the server stops)."""
        with self._lock:
            for _, on_use in self._codes.values():
                if on_use is not None:
                    on_use()
            self._codes.clear()
            self._sessions.clear()


def session_name() -> str:
    """A random host name for the browser session: browsers resolve ``*.localhost`` to this computer themselves."""
    return f"{secrets.token_hex(16)}.localhost"


@dataclass
class Guard:
    """What the guard checks against: the key, the names the server answers to, the total upload size, the sessions.

    ``session_host`` is the only name on which a browser session is set and accepted.
    """

    token: str
    hosts: frozenset[str] = LOOPBACK_NAMES
    max_body: int = 256 * 1024 * 1024
    cookie: str = "blankett_session"
    log: logging.Logger = field(default=LOG)
    session_host: str = field(default_factory=session_name)
    sessions: Sessions = field(default_factory=Sessions)


# host[:port] and nothing else: a name, an IPv4 address or a bracketed IPv6 address, then an optional port
_HOST = re.compile(r"(?:\[(?P<ip6>[0-9A-Fa-f:.]+)\]|(?P<name>[A-Za-z0-9_.-]+))(?::(?P<port>[0-9]{1,5}))?")


def split_host(value: str) -> tuple[str, int | None] | None:
    """The name (lower case, without brackets) and port of a Host header, or None unless it is exactly host[:port]."""
    m = _HOST.fullmatch(value.strip())
    if m is None:
        return None
    name = m.group("ip6") or m.group("name")
    if m.group("ip6"):
        try:
            ipaddress.IPv6Address(name)
        except ValueError:
            return None
    port = int(m.group("port")) if m.group("port") else None
    return name.lower(), port


def host_name(value: str) -> str:
    """The name in a Host header, lower case, without port and brackets; "" for anything but host[:port]."""
    parts = split_host(value)
    return parts[0] if parts else ""


def allowed_hosts(bind: str, extra: tuple[str, ...] = ()) -> frozenset[str]:
    """The Host names to accept: the loopback names, the bind address, and any named on purpose."""
    names = set(LOOPBACK_NAMES) | {host_name(h) or h.strip().strip("[]").lower() for h in extra if h}
    bind = bind.strip().strip("[]").lower()
    try:
        unspecified = ipaddress.ip_address(bind).is_unspecified
    except ValueError:
        unspecified = False
    if unspecified:  # 0.0.0.0 or :: answers on every address: accept the machine's own names
        import socket

        names |= {socket.gethostname().lower(), socket.getfqdn().lower()}
    elif bind:
        names.add(bind)
    return frozenset(names)


_JOB = re.compile(r"^(/(?:api/)?jobb/)[^/]+")


def route(path: str) -> str:
    """The path as the log shows it: a job's id is its only key behind the shared proxy key, so it becomes ``{id}``."""
    return _JOB.sub(r"\1{id}", path)


def loggable(text: str, limit: int = 200) -> str:
    """``text`` as one log line's part: control characters escaped, at most ``limit`` characters.

    The path comes from whoever sent the request, refused or not; a decoded ``%0A`` in it
    must not start a made-up line in the administrator's log.
    """
    text = "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in text)
    return text if len(text) <= limit else text[:limit] + "…"


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key == name:
            return bytes(value).decode("latin-1")
    return None


def cookies(raw: str) -> list[tuple[str, str]]:
    """The cookies of a Cookie header as browsers send them: split on ';', name up to the first '='.

    Anything goes in another program's cookie on the same host (``x={"a":1}``); it must not make ours unreadable.
    """
    found = []
    for piece in raw.split(";"):
        name, sep, value = piece.partition("=")
        if sep:
            value = value.strip()
            if len(value) >= 2 and value[0] == value[-1] == '"':
                value = value[1:-1]
            found.append((name.strip(), value))
    return found


def _bearer(scope: Scope) -> str | None:
    """The key offered in the request's Authorization header."""
    auth = _header(scope, b"authorization")
    if auth and auth[:7].lower() == "bearer ":
        return auth[7:].strip()
    return None


def _session_cookies(scope: Scope, cookie_name: str) -> list[str]:
    """Every value the request's Cookie headers give our session cookie (another app may have set one too)."""
    values = []
    for key, raw in scope.get("headers", ()):
        if key == b"cookie":
            values += [v for k, v in cookies(bytes(raw).decode("latin-1")) if k == cookie_name]
    return values


def _query_tokens(scope: Scope) -> tuple[list[str], str]:
    """The ``token`` values in the query string, and the query string without them (the rest exactly as sent)."""
    tokens: list[str] = []
    rest: list[str] = []
    for piece in bytes(scope.get("query_string", b"")).decode("latin-1").split("&"):
        name, _, value = piece.partition("=")
        if unquote_plus(name) == "token":
            tokens.append(unquote_plus(value))
        elif piece:
            rest.append(piece)
    return tokens, "&".join(rest)


def _address(scope: Scope, query: str) -> bytes:
    """The request's own path (as sent) with ``query``: where a link with the token goes on to."""
    raw = scope.get("raw_path")
    path = bytes(raw) if raw else quote(scope.get("path", "/")).encode("ascii")
    path = b"/" + path.lstrip(b"/\\")  # never //host or /\host: a browser would go to that host
    return path + (b"?" + query.encode("latin-1") if query else b"")


def signed_in(guard: Guard, scope: Scope, name: str) -> bool:
    """True for the key in the Authorization header, or a live session on the session's own name."""
    if same_token(_bearer(scope), guard.token):
        return True
    return name == guard.session_host and any(guard.sessions.valid(v) for v in _session_cookies(scope, guard.cookie))


def login_headers(guard: Guard, scope: Scope) -> list[tuple[bytes, bytes]]:
    """The 303's headers after a good code or key: a session on the session's own name, else on to that name.

    A cookie set on 127.0.0.1 or localhost would go to every other program on that name, on any port; so
    there, the browser only gets a short code for the session's name and goes there to sign in.
    """
    parts = split_host(_header(scope, b"host") or "")
    name, port = parts if parts else ("", None)
    if name == guard.session_host:
        cookie = f"{guard.cookie}={guard.sessions.start()}; HttpOnly; SameSite=Strict; Path=/"
        return [(b"location", b"/"), (b"set-cookie", cookie.encode("latin-1"))]
    port = port or (scope.get("server") or ("", None))[1]
    authority = f"{guard.session_host}:{port}" if port else guard.session_host
    hop = guard.sessions.code(LOGIN_HOP_SECONDS)
    return [(b"location", f"http://{authority}{LOGIN_PATH}?kod={hop}".encode("latin-1"))]


def same_token(offered: str | None, token: str) -> bool:
    """Constant-time comparison of the offered token with the server's."""
    if offered is None:
        return False
    return hmac.compare_digest(offered.encode("utf-8", "replace"), token.encode("utf-8"))


def _origin_ok(scope: Scope, host: str) -> bool:
    """False for an unsafe request sent by another site (Origin or Sec-Fetch-Site says so).

    With ``Referrer-Policy: no-referrer`` a browser sends ``Origin: null`` for the
    page's own form posts; then its ``Sec-Fetch-Site: same-origin`` (which a page
    cannot forge) decides.
    """
    site = _header(scope, b"sec-fetch-site")
    if site is not None and site not in ("same-origin", "none"):
        return False
    origin = _header(scope, b"origin")
    if origin is None:
        return True  # not a browser (curl, an e-service): the token alone decides
    if origin == "null":
        return site == "same-origin"
    parts = urlsplit(origin)
    return bool(parts.netloc) and parts.netloc.lower() == host.lower()


class GuardMiddleware:
    """Refuse foreign Host (400), missing token (401), foreign Origin (403), too big a body (413); add headers; log."""

    def __init__(self, app: ASGIApp, guard: Guard) -> None:
        self.app = app
        self.guard = guard

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":
            await self._refuse_websocket(scope, receive, send)
            return
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        state = {"status": 0, "size": 0}

        async def send_secured(message: Message) -> None:
            if message["type"] == "http.response.start":
                state["status"] = message["status"]
                names = {k.lower() for k, _ in message.get("headers", [])}
                message["headers"] = list(message.get("headers", [])) + [
                    (k, v) for k, v in HEADERS if k not in names]
            elif message["type"] == "http.response.body":
                state["size"] += len(message.get("body", b""))
            await send(message)

        try:
            await self._guarded(scope, receive, send_secured)
        except Exception as exc:  # noqa: BLE001 - never a traceback (it might name a file) in the log or the page
            if state["status"] == 0:
                await _plain(send_secured, 500, "Ett oväntat fel inträffade på servern. Försök igen.")
            self.guard.log.error("fel i begäran: %s", exc.__class__.__name__)
        finally:
            # method, path without the query string (it may hold the token), status, size, time: nothing else,
            # for refused requests too (400, 401, 403, 413), so that attempts to get in show in the log
            self._log(scope, state["status"], state["size"], started)

    def _log(self, scope: Scope, status: int, size: int, started: float) -> None:
        self.guard.log.info("%s %s %s %d B %.0f ms", loggable(scope.get("method", "WEBSOCKET")),
                            loggable(route(scope.get("path", "-"))), status, size,
                            (time.perf_counter() - started) * 1000)

    async def _refuse_websocket(self, scope: Scope, receive: Receive, send: Send) -> None:
        """The app has no WebSocket: refuse the handshake (the server answers 403) and log it as any request."""
        started = time.perf_counter()
        message = await receive()
        if message["type"] == "websocket.connect":
            await send({"type": "websocket.close", "code": 1008})
        self._log(scope, 403, 0, started)

    async def _guarded(self, scope: Scope, receive: Receive, send: Send) -> None:
        guard = self.guard
        host = _header(scope, b"host")
        name = host_name(host or "")
        if not host or (name not in guard.hosts and name != guard.session_host):
            await _plain(send, 400, BAD_HOST)
            return
        if "websocket" in (_header(scope, b"upgrade") or "").lower():  # a server without a WebSocket library
            await _plain(send, 403, NO_WEBSOCKET)
            return
        method = scope.get("method", "GET")
        in_query, rest = _query_tokens(scope)
        if in_query and method not in ("GET", "HEAD"):
            # a key in the address ends up in proxy logs and the history
            await _plain(send, 401, TOKEN_IN_ADDRESS.format(method=loggable(method, 10)),
                         [(b"www-authenticate", b'Bearer realm="blankett"')])
            return
        login = scope.get("path") == LOGIN_PATH  # the login page and its codes need no session yet
        if not login and not signed_in(guard, scope, name):
            text = TOKEN_NOT_IN_ADDRESS if in_query else NO_TOKEN
            await _plain(send, 401, text, [(b"www-authenticate", b'Bearer realm="blankett"')])
            return
        if in_query:
            # signed in otherwise: a key in the address only leaves it (a key there never signs anyone in)
            await _plain(send, 303, "Vidare till sidan.", [(b"location", _address(scope, rest))])
            return
        if method in UNSAFE_METHODS and not _origin_ok(scope, host):
            await _plain(send, 403, BAD_ORIGIN)
            return
        length = _header(scope, b"content-length")
        if length is not None and length.isdigit() and int(length) > guard.max_body:
            await _plain(send, 413, TOO_BIG.format(mb=guard.max_body // 2**20), [(b"connection", b"close")])
            return
        received = 0

        async def receive_limited() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > guard.max_body:
                    raise BodyTooLarge()
            return message

        started = {"done": False}

        async def send_tracked(message: Message) -> None:
            if message["type"] == "http.response.start":
                started["done"] = True
            await send(message)

        try:
            await self.app(scope, receive_limited, send_tracked)
        except BodyTooLarge:
            if not started["done"]:
                await _plain(send, 413, TOO_BIG.format(mb=guard.max_body // 2**20), [(b"connection", b"close")])


async def _plain(send: Send, status: int, text: str, headers: list[tuple[bytes, bytes]] | None = None) -> None:
    body = (text + "\n").encode("utf-8")
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"text/plain; charset=utf-8"),
                            (b"content-length", str(len(body)).encode())] + list(headers or [])})
    await send({"type": "http.response.body", "body": body})
