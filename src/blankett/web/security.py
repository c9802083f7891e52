"""The guard in front of every request: Host, token, Origin, upload size, headers and a log without personal data.

A pure ASGI middleware, so that it sees every request before Starlette parses
anything and every response after: nothing reaches a page or the API without
passing it, and nothing leaves without the security headers.
"""

from __future__ import annotations

import hmac
import ipaddress
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
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

NO_TOKEN = ("Åtkomst nekad. Öppna adressen som kommandot blankett serve skrev ut (den med ?token=…), "
            "eller skicka nyckeln i huvudet Authorization: Bearer <nyckel>.")
TOKEN_IN_ADDRESS = ("Åtkomst nekad: nyckeln tas inte emot i adressen (?token=…) vid {method}. Skicka den i huvudet "
                    "Authorization: Bearer <nyckel>.")
BAD_HOST = "Okänd värd i Host-huvudet; servern svarar bara på sitt eget namn och sin egen adress."
BAD_ORIGIN = "Begäran kom från en annan webbplats och avvisades."
TOO_BIG = "Uppladdningen är för stor: högst {mb} MB sammanlagt per gång. Dela upp filerna på flera uppladdningar."


class BodyTooLarge(Exception):
    """The request body grew past the total upload limit while it was read."""


@dataclass
class Guard:
    """What the guard checks against: the token, the names the server answers to, the total upload size."""

    token: str
    hosts: frozenset[str] = LOOPBACK_NAMES
    max_body: int = 256 * 1024 * 1024
    cookie: str = "blankett_token"
    log: logging.Logger = field(default=LOG)


def host_name(value: str) -> str:
    """The name in a Host header or URL authority, lower case, without port and brackets."""
    value = value.strip().lower()
    if value.startswith("["):
        return value[1:value.find("]")] if "]" in value else ""
    return value.rsplit(":", 1)[0] if value.count(":") == 1 else value


def allowed_hosts(bind: str, extra: tuple[str, ...] = ()) -> frozenset[str]:
    """The Host names to accept: the loopback names, the bind address, and any named on purpose."""
    names = set(LOOPBACK_NAMES) | {host_name(h) for h in extra if h}
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


def _token_from(scope: Scope, cookie_name: str) -> str | None:
    """The token offered by the request's Authorization header, else by its cookie."""
    auth = _header(scope, b"authorization")
    if auth and auth[:7].lower() == "bearer ":
        return auth[7:].strip()
    raw = _header(scope, b"cookie")
    if raw:
        jar: SimpleCookie = SimpleCookie()
        try:
            jar.load(raw)
        except Exception:  # noqa: BLE001 - a garbled cookie header is no token
            return None
        if cookie_name in jar:
            return jar[cookie_name].value
    return None


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
            self.guard.log.info("%s %s %s %d B %.0f ms", loggable(scope.get("method", "-")),
                                loggable(scope.get("path", "-")), state["status"], state["size"],
                                (time.perf_counter() - started) * 1000)

    async def _guarded(self, scope: Scope, receive: Receive, send: Send) -> None:
        guard = self.guard
        host = _header(scope, b"host")
        if not host or host_name(host) not in guard.hosts:
            await _plain(send, 400, BAD_HOST)
            return
        method = scope.get("method", "GET")
        in_query, rest = _query_tokens(scope)
        if in_query and method not in ("GET", "HEAD"):
            # a token in the address ends up in proxy logs and the history: only the link to open takes one
            await _plain(send, 401, TOKEN_IN_ADDRESS.format(method=loggable(method, 10)),
                         [(b"www-authenticate", b'Bearer realm="blankett"')])
            return
        by_query = bool(in_query) and all([same_token(offered, guard.token) for offered in in_query])
        if not (by_query or same_token(_token_from(scope, guard.cookie), guard.token)):
            await _plain(send, 401, NO_TOKEN, [(b"www-authenticate", b'Bearer realm="blankett"')])
            return
        if in_query:
            # pages and API alike: the token leaves the address bar (and the history) at once, and the
            # cookie carries it from now on (a wrong one beside a right header or cookie is just dropped)
            headers = [(b"location", _address(scope, rest))]
            if by_query:
                headers.append((b"set-cookie",
                                f"{guard.cookie}={guard.token}; HttpOnly; SameSite=Strict; Path=/".encode("latin-1")))
            await _plain(send, 303, "Vidare till sidan.", headers)
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
