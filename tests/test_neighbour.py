"""A neighbour on the same computer: another program on another port of 127.0.0.1 and localhost.

Cookies are scoped to a host, not a port, so whatever a browser keeps for
127.0.0.1 or localhost it also sends to every other program listening there.
These tests run ``blankett serve`` as its own process, sign in with Chromium
through the printed link, use the pages, then visit a recording neighbour in the
same browser (directly, by links and by redirects) and replay everything the
neighbour received against the server: nothing may get in. The --open and
``ps`` tests look at what other users of the computer can read.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx2 as httpx
import pytest
from playwright.sync_api import expect, sync_playwright

import blankett

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]
TOKEN = "grannens-test-nyckel-0123456789abcdef"


class Neighbour:
    """Another program's HTTP server on 127.0.0.1: it records every request it gets, whole."""

    def __init__(self, ours: int) -> None:
        seen: list[str] = []
        self.seen = seen
        lock = threading.Lock()

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                with lock:
                    seen.append(f"{self.requestline}\n{self.headers}")
                port = self.server.server_address[1]
                if self.path == "/omdirigera":
                    self.send_response(302)
                    self.send_header("Location", f"http://localhost:{port}/landade")
                    self.end_headers()
                    return
                body = f"""<!doctype html><title>granne</title>
<a id="ours" href="http://127.0.0.1:{ours}/">blankett</a>
<a id="ours-localhost" href="http://localhost:{ours}/fyll-i">blankett</a>
<a id="next" href="http://localhost:{port}/omdirigera">vidare</a>
<img src="http://127.0.0.1:{ours}/api/schema"><img src="http://localhost:{ours}/static/favicon.svg">
<script>fetch("http://127.0.0.1:{ours}/api/schema", {{credentials: "include"}}).catch(() => 0);</script>
""".encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                # another app's cookies, one that Python's SimpleCookie cannot read (issue 16, item 5)
                self.send_header("Set-Cookie", "granne=1; Path=/")
                self.send_header("Set-Cookie", 'x={"a":1}; Path=/')
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def text(self) -> str:
        return "\n".join(self.seen)

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def _start(*args: str, env: dict[str, str] | None = None) -> tuple[subprocess.Popen, str, int]:
    """``blankett serve`` as its own process with the key in the environment; its printed link and port."""
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "BLANKETT_TOKEN": TOKEN, **(env or {})}
    proc = subprocess.Popen([sys.executable, "-m", "blankett", "serve", "--port", "0", *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    line = proc.stdout.readline().strip()
    m = re.fullmatch(r"Öppna (http://127\.0\.0\.1:(\d+)/\S*)", line)
    assert m, (line, proc.stderr.read() if proc.poll() is not None else "")
    port = int(m.group(2))
    for _ in range(100):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                break
        except OSError:
            time.sleep(0.1)
    return proc, m.group(1), port


def _stop(proc: subprocess.Popen) -> str:
    proc.send_signal(signal.SIGINT)
    try:
        _, err = proc.communicate(timeout=30)
    finally:
        proc.kill()
    assert proc.returncode == 0 and "Traceback" not in err, err
    return err


def _code(link: str) -> str:
    m = re.search(r"[?&](?:kod|token)=([^&]+)", link)
    assert m, link
    return m.group(1)


def test_nothing_that_opens_the_server_reaches_a_neighbour_on_another_port(tmp_path):
    proc, link, port = _start()
    neighbour = Neighbour(port)
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            context = browser.new_context(accept_downloads=True, locale="sv-SE")
            page = context.new_page()
            page.set_default_timeout(30_000)
            # signed in through the printed link, and the pages work: a page, a form post, a download
            page.goto(link)
            expect(page.locator("h1")).to_have_text("Blankett för incidentrapport")
            ours = re.match(r"http://[^/]+", page.url).group(0)
            for path in ("/fyll-i", "/las-in", "/api"):
                page.goto(ours + path)
                expect(page.locator("h1")).to_be_visible()
            page.goto(ours + "/fyll-i/blankett")
            page.get_by_label("Vem rapporterar incidenten?").fill("Maria Lindqvist")
            with page.expect_download() as info:
                page.get_by_role("button", name="Skapa den ifyllda blanketten").click()
            got = blankett.extract(Path(info.value.path()).read_bytes(), "svar.docx")
            assert got.record["rapporterad_av"] == "Maria Lindqvist"
            # the neighbour, in the same browser: typed in, through its links and redirects, and from our page
            for url in (f"http://127.0.0.1:{neighbour.port}/", f"http://localhost:{neighbour.port}/start"):
                page.goto(url)
                page.wait_for_load_state("networkidle")
            page.click("#next")  # -> /omdirigera -> 302 -> /landade
            page.wait_for_url(re.compile("/landade$"))
            page.click("#ours")  # the neighbour's link to our server on 127.0.0.1: no session there
            page.goto(f"http://localhost:{neighbour.port}/igen")
            page.click("#ours-localhost")
            page.goto(ours + "/")
            page.evaluate(f"""() => {{ const a = document.createElement("a");
                a.href = "http://127.0.0.1:{neighbour.port}/fran-sidan"; a.id = "ut"; a.textContent = "ut";
                document.body.append(a); }}""")
            page.click("#ut")
            page.wait_for_url(re.compile("/fran-sidan$"))
            page.goto(ours + "/las-in")
            page.evaluate(f'() => {{ window.location = "http://localhost:{neighbour.port}/via-script"; }}')
            page.wait_for_url(re.compile("/via-script$"))
            page.wait_for_load_state("networkidle")
            jar = context.cookies()
            browser.close()
        received = neighbour.text()
        # the recording works: the neighbour's own cookie came back to it on 127.0.0.1 and localhost
        assert "granne=1" in received and received.count("GET ") >= 8, received
        session = [c for c in jar if c["name"] == "blankett_session"]
        ours_cookies = [c for c in jar if c["name"] not in ("granne", "x")]
        for secret in [TOKEN, _code(link)] + [c["value"] for c in ours_cookies]:
            assert secret not in received, (secret, received)
        # the session lives on a random name of its own, never on the names other programs share
        assert len(session) == 1 and re.fullmatch(r"[0-9a-f]{32}\.localhost", session[0]["domain"]), jar
        assert all(c["domain"] not in ("127.0.0.1", "localhost") for c in ours_cookies), jar
        assert session[0]["domain"] not in received and session[0]["httpOnly"] and session[0]["sameSite"] == "Strict"
        # whatever the neighbour did get, replayed to the running server as a cookie or a key, opens nothing
        values = set(re.findall(r"^Cookie: (.*)$", received, re.M))
        values |= {v.split("=", 1)[-1] for header in list(values) for v in header.split("; ")}
        assert values
        for value in values | {_code(link)}:
            for host in ("127.0.0.1", "localhost", session[0]["domain"]):
                for headers in ({"Cookie": value}, {"Cookie": f"blankett_session={value}"},
                                {"Authorization": f"Bearer {value}"}):
                    r = httpx.get(f"http://127.0.0.1:{port}/api/schema", headers={**headers, "Host": f"{host}:{port}"})
                    assert r.status_code == 401, (value, host, r.status_code)
            assert httpx.get(f"http://127.0.0.1:{port}/logga-in", params={"kod": value}).status_code == 401
        # while the browser's own session still opens it (the replays above were refused, not broken)
        r = httpx.get(f"http://127.0.0.1:{port}/api/schema", headers={
            "Host": f"{session[0]['domain']}:{port}", "Cookie": f"blankett_session={session[0]['value']}"})
        assert r.status_code == 200
    finally:
        neighbour.close()
        err = _stop(proc)
    assert TOKEN not in err


def test_a_used_login_code_and_a_session_on_another_name_open_nothing():
    """The code works once; the session it gives works only on the session's own name, and ends with the server."""
    proc, link, port = _start()
    try:
        base = f"http://127.0.0.1:{port}"
        r = httpx.get(link, follow_redirects=False)
        assert r.status_code == 303 and "set-cookie" not in r.headers  # nothing set on 127.0.0.1
        hop = r.headers["location"]
        m = re.fullmatch(rf"http://([0-9a-f]{{32}}\.localhost):{port}/logga-in\?kod=([\w-]+)", hop)
        assert m, hop
        name = m.group(1)
        assert httpx.get(link, follow_redirects=False).status_code == 401  # used once: never again
        r = httpx.get(base + "/logga-in?kod=" + m.group(2), headers={"Host": f"{name}:{port}"}, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"] == "/"
        cookie = r.headers["set-cookie"].split(";")[0]
        assert TOKEN not in cookie
        assert httpx.get(base + "/api/schema", headers={"Host": f"{name}:{port}", "Cookie": cookie}).status_code == 200
        for host in ("127.0.0.1", "localhost"):  # a cookie that reached another name opens nothing there
            assert httpx.get(base + "/api/schema", headers={"Host": f"{host}:{port}", "Cookie": cookie}
                             ).status_code == 401
        r = httpx.get(base + "/logga-in?kod=" + m.group(2), headers={"Host": f"{name}:{port}"})
        assert r.status_code == 401 and "Inloggningen gick inte" in r.text
        # a neighbour's cookie that SimpleCookie cannot read locks nobody out (issue 16, item 5)
        messy = f'x={{"a":1}}; {cookie}; y=a b; z'
        assert httpx.get(base + "/api/schema", headers={"Host": f"{name}:{port}", "Cookie": messy}).status_code == 200
        # a ?token= link no longer signs in, and sets nothing
        r = httpx.get(f"{base}/?token={TOKEN}", follow_redirects=False)
        assert r.status_code == 401 and "set-cookie" not in r.headers and "historik" in r.text
    finally:
        _stop(proc)
    proc, _, port2 = _start()  # the next server knows no old session
    try:
        r = httpx.get(f"http://127.0.0.1:{port2}/api/schema", headers={"Host": f"{name}:{port2}", "Cookie": cookie})
        assert r.status_code == 400  # not even its name
    finally:
        _stop(proc)


def _cmdlines() -> dict[int, str]:
    """Every process's arguments, as ``ps`` shows them to any user of the computer."""
    found = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                found[int(entry.name)] = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode("utf-8", "replace")
            except OSError:
                pass
    return found


def test_open_gives_the_browser_a_private_file_and_no_key_or_code_in_any_process(tmp_path):
    seen = tmp_path / "browser.txt"
    script = tmp_path / "browser.py"
    script.write_text(
        "import os, stat, sys\n"
        "from urllib.parse import urlsplit, unquote\n"
        "path = unquote(urlsplit(sys.argv[1]).path)\n"
        f"with open({str(seen)!r}, 'w') as out:\n"
        "    out.write(repr(sys.argv) + '\\n' + oct(stat.S_IMODE(os.stat(path).st_mode)) + ' '\n"
        "              + oct(stat.S_IMODE(os.stat(os.path.dirname(path)).st_mode)) + '\\n' + open(path).read())\n")
    proc, link, port = _start("--open", env={"BROWSER": f"{sys.executable} {script} %s"})
    try:
        for _ in range(200):
            if seen.exists() and seen.read_text().count("\n") >= 2:
                break
            time.sleep(0.05)
        argv, modes, html = seen.read_text().split("\n", 2)
        assert re.fullmatch(r"\['[^']*browser\.py', 'file://[^']*/oppna\.html'\]", argv), argv
        assert TOKEN not in argv and "kod=" not in argv and "token" not in argv
        assert modes == "0o600 0o700"  # only this user can read the page with the code
        opened = re.search(r'content="0;url=([^"]+)"', html).group(1).replace("&amp;", "&")
        assert opened.startswith(f"http://127.0.0.1:{port}/logga-in?kod=") and _code(opened) != _code(link)
        file = Path(argv.split("'file://")[1].rstrip("']"))
        assert file.exists()
        everyone = _cmdlines()  # ps: the server, its fill processes, the browser: no key, no code
        assert proc.pid in everyone
        for pid, line in everyone.items():
            for secret in (TOKEN, _code(link), _code(opened)):
                assert secret not in line, (pid, line)
        assert httpx.get(opened, follow_redirects=False).status_code == 303  # the browser signs in...
        assert not file.exists() and not file.parent.exists()  # ...and the page with the code is gone
        assert httpx.get(link, follow_redirects=False).status_code == 303  # the printed link has its own code
    finally:
        err = _stop(proc)
    assert "Varning" not in err


def test_a_key_on_the_command_line_is_warned_about_in_one_swedish_line():
    proc, _, _ = _start("--token", "synlig-nyckel-i-ps")
    err = _stop(proc)
    assert ("Varning: --token syns för alla användare på datorn (ps, /proc); ange nyckeln i miljövariabeln "
            "BLANKETT_TOKEN i stället.") in err.splitlines()
    proc, _, _ = _start()
    assert "--token" not in _stop(proc)  # the key from BLANKETT_TOKEN: no warning


def test_a_websocket_request_is_refused_and_logged_once():
    proc, _, port = _start()
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
            s.sendall(f"GET /jobb/hemligt-jobb-id HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\n"
                      "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                      f"Sec-WebSocket-Version: 13\r\nAuthorization: Bearer {TOKEN}\r\n\r\n".encode())
            answer = s.recv(4096).decode("latin-1")
    finally:
        err = _stop(proc)
    assert answer.startswith("HTTP/1.1 403"), answer
    lines = [line for line in err.splitlines() if "Servern har stoppats" not in line]
    assert len(lines) == 1 and re.search(r" GET /jobb/\{id\} 403 \d+ B \d+ ms$", lines[0]), err
    assert "hemligt-jobb-id" not in err
