"""The web application: pages for the three jobs and the HTTP API, all over the library's front door.

Nothing here fills, reads back, validates or publishes: every job is one call
of :mod:`blankett`. This module only moves requests to those calls and their
results back, in a private temporary folder that is removed when the request
(or the background job) is done.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import re
import tempfile
import threading
import time
import unicodedata
from pathlib import Path
from typing import Any, cast

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import ClientDisconnect, Request
from starlette.responses import (
    FileResponse,
    HTMLResponse,
    JSONResponse,
    PlainTextResponse,
    RedirectResponse,
    Response,
)
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

import blankett

from .._api import DOCX_MEDIA, RESULT_MEDIA, ExportFormat, form_file_name
from ..guard import stop_idle
from ..load import NotJsonError, parse_json
from ..office import ConversionError
from . import guide, lagesbild, pages
from .jobs import (
    DONE,
    FAILED,
    GONE,  # noqa: F401 - the message, imported from here by its users
    Job,
    Jobs,
    extract_job,
    extract_results,
    fill_job,
    unpacked,
)
from .openapi import openapi
from .pool import FillPool, WorkerLost
from .private import stop_office_in
from .security import LOG, LOOPBACK_NAMES, Guard, GuardMiddleware, Sessions, login_headers, same_token, session_name
from .uploads import CLIENT_GONE, Limits, UploadRefused, read_files, read_form

STATIC = Path(__file__).parent / "static"
MEDIA: dict[str, str] = {"docx": DOCX_MEDIA, "pdf": "application/pdf", **RESULT_MEDIA, "zip": "application/zip",
                         "ics": "text/calendar; charset=utf-8", "html": "text/html; charset=utf-8"}
#: How long a page upload waits for its job before showing the progress page (small batches finish at once).
WAIT_SECONDS = 3.0
#: Seconds a stop waits for running jobs to end (their LibreOffice starts are killed meanwhile).
STOP_SECONDS = 10.0
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
EMPTY_PASSWORD = "Lösenordet är tomt (eller inte text); ett tomt lösenord skyddar ingenting."
NO_ARCHIVE_PASSWORD = ("Arkivexemplar (PDF/A) krypteras inte: ett arkiv ska gå att öppna utan lösenord. "
                       "Välj Word eller PDF, eller lämna lösenordet tomt.")


def download(data: bytes, name: str, kind: str) -> Response:
    """A file to save: its media type, a safe file name (ASCII, plus the UTF-8 form), never cached."""
    kind = "pdf" if kind == "pdfa" else kind  # an archive copy is a PDF (PDF/A-3a)
    ascii_name = _UNSAFE.sub("-", unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()).strip("-.")
    ascii_name = ascii_name or f"blankett.{kind}"
    from urllib.parse import quote

    disposition = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name, safe='')}"
    return Response(data, media_type=MEDIA[kind], headers={"content-disposition": disposition})


def _form_name(record: dict[str, Any], kind: str) -> str:
    """The file name of one filled form: its case number when given (as ``fill`` names it), else Bilaga5."""
    return form_file_name(record, "pdf" if kind == "pdfa" else kind)


class Server:
    """The application's state: limits, jobs, one template per thread, the blank forms once made."""

    def __init__(self, limits: Limits, jobs: Jobs, fill_workers: int = 0) -> None:
        self.limits = limits
        self.jobs = jobs
        self.pool = FillPool(fill_workers) if fill_workers > 0 else None
        self._local = threading.local()
        self._blank: dict[str, bytes] = {}
        self._blank_lock = threading.Lock()
        self._follow_up: tuple[Any, blankett.Reminders] | None = None
        self._follow_up_lock = threading.Lock()

    def template(self) -> blankett.Template:
        template = getattr(self._local, "template", None)
        if template is None:
            template = self._local.template = blankett.Template()
        return template

    def blank(self, kind: str) -> bytes:
        with self._blank_lock:
            if kind not in self._blank:
                self._blank[kind] = blankett.blank_docx() if kind == "docx" else blankett.blank_pdf()
            return self._blank[kind]

    def fill(self, record: Any, kind: str, password: str | None = None) -> bytes:
        """One filled form; encrypted here, in the request's thread, when ``password`` is given (it never goes
        to a fill worker)."""
        if kind == "pdfa" and password:
            blankett.validate(record)  # a bad record's problems first, as without a password
            raise blankett.InputError(NO_ARCHIVE_PASSWORD)
        if password is not None and not password:
            raise blankett.InputError(EMPTY_PASSWORD)
        data = self._fill(record, kind)
        return data if password is None else blankett.encrypt(data, password, f".{kind}")

    def _fill(self, record: Any, kind: str) -> bytes:
        if kind == "pdfa":  # through LibreOffice: its own processes, not the fill workers
            return blankett.fill_pdfa(record, template=self.template())
        if self.pool is not None:  # PDF too: filled without LibreOffice, it is CPU work like a .docx
            return self.pool.fill(record, kind)
        if kind == "pdf":
            return blankett.fill_pdf(record, template=self.template())
        return blankett.fill_docx(record, self.template())

    def follow_ups(self, folder: Path) -> blankett.Reminders:
        """The folder's follow-up talks today, read again only when a file in it changed or the day did."""
        key = (dt.date.today(), _listing(folder))
        with self._follow_up_lock:
            if self._follow_up is None or self._follow_up[0] != key:
                self._follow_up = (key, blankett.follow_ups([folder], key[0]))  # guarded workers read the forms
            return self._follow_up[1]

    def close(self, timeout: float = STOP_SECONDS, office_in: Path | None = None) -> None:
        """Stop every job and worker: running jobs interrupted, the fill workers ended.

        ``office_in`` (``blankett serve``'s private folder): also kill the LibreOffice that running PDF
        jobs started with their profile there, since a job waiting for LibreOffice wakes only when it ends.
        """
        self.jobs.stop()
        deadline = time.monotonic() + timeout
        # A killed LibreOffice makes the job try the next file with a new one: kill them until every job has ended.
        while not self.jobs.join(0.1) and time.monotonic() < deadline:
            if office_in is not None:
                stop_office_in(office_in)
        if self.pool is not None:
            self.pool.shutdown()
        stop_idle()  # the reading workers kept for the next upload (busy ones ended with their jobs)


def _listing(folder: Path) -> tuple[tuple[str, int, int], ...]:
    """Each file in ``folder`` (recursively) with its size and time of change: what says the folder changed."""
    found = []
    for path in sorted(folder.rglob("*")):
        with contextlib.suppress(OSError):
            info = path.stat()
            found.append((str(path), info.st_size, info.st_mtime_ns))
    return tuple(found)


def _server(request: Request) -> Server:
    server: Server = request.app.state.server  # set by create_app; starlette's state is untyped
    return server


def _wants_json(request: Request) -> bool:
    return "application/json" in request.headers.get("accept", "")


def _problems(exc: blankett.RecordError) -> list[dict[str, Any]]:
    return [{"field": p.field, "message": p.message} for p in exc.problems]


# --- pages -------------------------------------------------------------------------------------


async def start(request: Request) -> Response:
    folder = request.app.state.follow_up_dir
    panel = pages.follow_up_panel(await run_in_threadpool(_server(request).follow_ups, folder)) if folder else ""
    return HTMLResponse(pages.start(blankett.pdf_available(), "borttaget" in request.query_params, panel))


async def follow_up_ics(request: Request) -> Response:
    """The watched folder's follow-up talks as a calendar file (404 when the server watches no folder)."""
    folder = request.app.state.follow_up_dir
    if not folder:
        raise HTTPException(404)
    found = await run_in_threadpool(_server(request).follow_ups, folder)
    return download(blankett.follow_ups_ics(found), "bevakning.ics", "ics")


async def fill_page(request: Request) -> Response:
    return HTMLResponse(pages.fill(blankett.pdf_available()))


async def read_page(request: Request) -> Response:
    return HTMLResponse(pages.read())


async def api_page(request: Request) -> Response:
    base = str(request.base_url)
    server = request.scope.get("server")
    if request.url.hostname == request.app.state.guard.session_host and server:
        # the examples end up in scripts and on command lines (ps): they name the address, never the session's name
        host, port = server
        base = f"http://{f'[{host}]' if ':' in host else host}:{port}/"
    return HTMLResponse(pages.api_page(base))


async def help_page(request: Request) -> Response:
    return HTMLResponse(pages.help_page(guide.render()))


async def help_picture(request: Request) -> Response:
    """A picture the guide shows, by name from the package's own list (no path is ever joined from the request)."""
    found = guide.pictures().get(request.path_params["name"])
    if found is None:
        raise HTTPException(404)
    return FileResponse(found, media_type="image/png")


async def one_form(request: Request) -> Response:
    office = blankett.pdf_available()
    if request.method == "GET":
        return HTMLResponse(pages.one_form(office))
    try:
        form = await read_form(request, 0)
    except UploadRefused as exc:
        if exc.status == 400 or "filer" in str(exc):  # a file, where the page sends none: not this page's form
            exc = UploadRefused(400, "Formuläret kunde inte läsas (trasig formulärdata).")
        return HTMLResponse(pages.one_form(office, {}, {}, [str(exc)]), status_code=exc.status)
    fields = {k: v for k, v in form.multi_items() if isinstance(v, str)}
    await form.close()
    password = _password(fields)  # never shown again on the page
    record = pages.record_from_form(fields)
    kind = fields["format"] if fields.get("format") in ("pdf", "pdfa") else "docx"
    try:
        data = await run_in_threadpool(_server(request).fill, record, kind, password)
    except blankett.RecordError as exc:
        errors: dict[str, list[str]] = {}
        general = []
        for p in exc.problems:
            if p.field:
                errors.setdefault(p.field, []).append(p.text)
            else:
                general.append(p.message)
        return HTMLResponse(pages.one_form(office, fields | _lists(record), errors, general), status_code=422)
    except blankett.InputError as exc:  # a PDF/A asked for with a password
        return HTMLResponse(pages.one_form(office, fields | _lists(record), {}, [str(exc)]), status_code=422)
    except blankett.BlankettError as exc:
        return HTMLResponse(pages.one_form(office, fields | _lists(record), {}, [str(exc)]), status_code=503)
    return download(data, _form_name(record, kind), kind)


def _lists(record: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in record.items() if isinstance(v, list)}


async def _start_job(request: Request, kind: str) -> Response:
    server = _server(request)

    def refuse(status: int, message: str, markup: str | None = None) -> Response:
        if _wants_json(request):
            return JSONResponse({"fel": message}, status_code=status)
        html = pages.fill(blankett.pdf_available(), message, markup) if kind == "fill" else pages.read(message)
        return HTMLResponse(html, status_code=status)

    if server.jobs.full():
        return refuse(503, "Servern har för många pågående arbeten. Vänta en stund och försök igen.")
    folder = tempfile.TemporaryDirectory(prefix="blankett-web-")  # owner-only (0700), removed with the job
    try:
        staged, fields = await read_files(request, "filer", server.limits, Path(folder.name))
        password = _password(fields)  # held by the job's work only, until it ends
        if not staged:
            folder.cleanup()
            return refuse(400, "Välj minst en fil att ladda upp.")
        if kind == "fill":
            bad = [s.name for s in staged if s.path.suffix.lower() not in blankett.INPUT_ENDINGS]
            if bad:
                folder.cleanup()
                forms = [name for name in bad if Path(name).suffix.lower() in blankett.FORM_ENDINGS]
                if forms:
                    said = f"{forms[0]} ser ut att vara en ifylld blankett. Ifyllda blanketter läser du in på sidan"
                    return refuse(415, f"{said} Läs in (/las-in).", f'{pages.e(said)} <a href="/las-in">Läs in</a>.')
                return refuse(415, f"{bad[0]} går inte att fylla i från. Blanketterna fylls i från Excel (.xlsx), "
                                   "LibreOffice Calc (.ods), CSV, JSON eller JSON Lines (.jsonl).")
            chosen = fields.get("format")
            pdf = chosen in ("pdf", "pdfa")
            if (chosen == "pdfa" and not blankett.office_available()) or (chosen == "pdf" and not blankett.pdf_available()):
                folder.cleanup()
                return refuse(503, "PDF kräver LibreOffice, som inte finns på den här datorn. Välj Word.")
            (Path(folder.name) / "in").mkdir(mode=0o700)  # not by mkdir(parents=True): that made it 0755
            for s in staged:  # the input files keep their names: the messages name them and their rows
                target = Path(folder.name) / "in" / s.path.parent.name / s.name
                target.parent.mkdir(mode=0o700)
                s.path.rename(target)
                s.path = target
            column = fields.get(pages.PASSWORD_COLUMN_FIELD, "").strip() or None
            if chosen == "pdfa" and (password or column):
                folder.cleanup()
                return refuse(422, NO_ARCHIVE_PASSWORD)
            work = fill_job(staged, Path(folder.name), pdf, server.jobs.max_rows, server.jobs.max_result,
                            archive=fields.get("format") == "pdfa", password=password, password_column=column)
            job = server.jobs.start(Job("fill", pdf=pdf), work, folder)
        else:
            job = server.jobs.start(Job("extract"), extract_job(staged, Path(folder.name), server.limits, password),
                                    folder)
    except UploadRefused as exc:
        folder.cleanup()
        return refuse(exc.status, str(exc))
    except BaseException:
        folder.cleanup()
        raise
    page = f"/jobb/{job.id}"
    if _wants_json(request):
        return JSONResponse({"id": job.id, "page": page, "status": f"/api/jobb/{job.id}"}, status_code=202)
    import anyio

    with anyio.move_on_after(WAIT_SECONDS):
        while job.state not in (DONE, FAILED):
            await anyio.sleep(0.1)
    return RedirectResponse(page, status_code=303)


async def fill_upload(request: Request) -> Response:
    return await _start_job(request, "fill")


async def read_upload(request: Request) -> Response:
    return await _start_job(request, "extract")


def _job(request: Request) -> Job | None:
    return _server(request).jobs.get(request.path_params["job"])


def _gone(request: Request) -> str:
    """Why the job of the address is not there: removed, expired, or removed to make room for newer results."""
    return _server(request).jobs.gone(request.path_params["job"])


async def job_page(request: Request) -> Response:
    job = _job(request)
    if job is None:
        return HTMLResponse(pages.page("Resultatet finns inte", f'<p role="alert">{_gone(request)}</p>'),
                            status_code=404)
    return HTMLResponse(pages.job_page(job))


async def job_status(request: Request) -> Response:
    job = _job(request)
    if job is None:
        return JSONResponse({"fel": _gone(request)}, status_code=404)
    return JSONResponse(job.status())


async def job_remove(request: Request) -> Response:
    _server(request).jobs.remove(request.path_params["job"])
    return RedirectResponse("/?borttaget", status_code=303)  # a flag only: no job id, nothing personal


async def job_zip(request: Request) -> Response:
    job = _job(request)
    if job is None or job.archive is None:
        return PlainTextResponse(_gone(request), status_code=404)
    return download(job.archive, "Bilaga5-blanketter.zip", "zip")


async def job_answers(request: Request) -> Response:
    job = _job(request)
    fmt: ExportFormat = request.path_params["fmt"]
    if fmt not in RESULT_MEDIA:
        return PlainTextResponse("Okänt filformat.", status_code=404)
    if job is None or job.kind != "extract" or job.state != DONE:
        return PlainTextResponse(_gone(request), status_code=404)
    data = await run_in_threadpool(blankett.export_bytes, job.results, fmt)
    return download(data, f"svar.{fmt}", fmt)


async def _overview(request: Request, query: bool) -> Response | lagesbild.Refused:
    """The overview a page's form (``query`` False) or an API call asks for, as a download, or why not."""
    server = _server(request)
    with tempfile.TemporaryDirectory(prefix="blankett-web-") as tmp:  # owner-only (0700), gone with the request
        try:
            staged, fields = await read_files(request, "filer", server.limits, Path(tmp))
            asked = lagesbild.read_request(request.query_params if query else fields)
            if not staged:
                return lagesbild.Refused(400, "Välj minst en fil att ladda upp.")
            counting: lagesbild.Counting = request.app.state.count_overview
            name, data, kind = await run_in_threadpool(lagesbild.make, [s.path for s in staged], asked, counting)
        except UploadRefused as exc:
            return lagesbild.Refused(exc.status, str(exc))
        except lagesbild.Refused as exc:
            return exc
        except blankett.OfficeMissingError as exc:
            return lagesbild.Refused(503, f"PDF kan inte göras: LibreOffice saknas på servern. {exc}")
        except ConversionError as exc:  # LibreOffice failed or ran out of time: the server's trouble
            return lagesbild.Refused(503, f"PDF kan inte göras: {exc}")
        except blankett.BlankettError as exc:  # the counting's refusal of the files
            return lagesbild.Refused(422, str(exc))
    return download(data, name, kind)


async def overview_page(request: Request) -> Response:
    if request.method == "GET":
        return HTMLResponse(lagesbild.form_page())
    answer = await _overview(request, query=False)
    if isinstance(answer, lagesbild.Refused):
        return HTMLResponse(lagesbild.form_page(str(answer)), status_code=answer.status)
    return answer


# --- the API -----------------------------------------------------------------------------------


async def api_overview(request: Request) -> Response:
    answer = await _overview(request, query=True)
    if isinstance(answer, lagesbild.Refused):
        return JSONResponse({"fel": str(answer)}, status_code=answer.status)
    return answer


async def api_schema(request: Request) -> Response:
    return JSONResponse(blankett.schema())


async def api_openapi(request: Request) -> Response:
    return JSONResponse(openapi())


async def api_blank(request: Request) -> Response:
    kind = request.path_params["kind"]
    if kind not in ("docx", "pdf"):
        return PlainTextResponse("Okänt filformat.", status_code=404)
    try:
        data = await run_in_threadpool(_server(request).blank, kind)
    except blankett.OfficeMissingError as exc:
        return JSONResponse({"fel": f"PDF kan inte göras: LibreOffice saknas på servern. {exc}"}, status_code=503)
    except blankett.BlankettError as exc:  # LibreOffice failed or hung: the server's trouble, said in Swedish
        return JSONResponse({"fel": str(exc)}, status_code=503)
    return download(data, f"Bilaga5.{kind}", kind)


async def api_workbook(request: Request) -> Response:
    return download(await run_in_threadpool(blankett.workbook_xlsx), "Bilaga5-inmatning.xlsx", "xlsx")


async def api_fill(request: Request) -> Response:
    kind = request.query_params.get("format", "docx")
    if kind not in ("docx", "pdf", "pdfa"):
        return JSONResponse({"fel": "format måste vara docx, pdf eller pdfa"}, status_code=400)
    body = await request.body()
    try:
        record = parse_json(body)
    except NotJsonError as exc:  # NaN, Infinity, 1e400, [[[[…: Python reads them, JSON has none of them
        return JSONResponse({"fel": f"kroppen är ingen giltig JSON: {exc}"}, status_code=400)
    except (ValueError, UnicodeDecodeError):
        return JSONResponse({"fel": "kroppen är ingen giltig JSON (en post: {\"fält\": värde, …})"}, status_code=400)
    record, password = _sealed_request(record)
    try:
        data = await run_in_threadpool(_server(request).fill, record, kind, password)
    except blankett.RecordError as exc:
        return JSONResponse(_problems(exc), status_code=422)
    except blankett.InputError as exc:  # a PDF/A asked for with a password, or an empty password
        return JSONResponse({"fel": str(exc)}, status_code=422)
    except WorkerLost as exc:
        return JSONResponse({"fel": str(exc)}, status_code=503, headers={"Retry-After": "1"})
    except blankett.OfficeMissingError as exc:
        return JSONResponse({"fel": f"PDF kan inte göras: LibreOffice saknas på servern. {exc}"}, status_code=503)
    except blankett.BlankettError as exc:  # LibreOffice failed or hung: the server's trouble, said in Swedish
        return JSONResponse({"fel": str(exc)}, status_code=503)
    return download(data, _form_name(record, kind), kind)


#: The JSON body of POST /api/fill that carries a password: the record under "post", the password beside it.
def _password(fields: dict[str, str]) -> str | None:
    """The password field of a posted form, taken out of the fields (never shown again); None when empty.

    One line break at its end is dropped: a browser's password field holds none, and ``curl -F "lösenord=<fil"``
    sends the file's last line with it, which opened nothing (the command line reads a password file's first line).
    """
    password = fields.pop(pages.PASSWORD_FIELD, "").removesuffix("\n").removesuffix("\r")
    return password or None


SEALED_KEYS = frozenset({"post", pages.PASSWORD_FIELD})


def _sealed_request(body: Any) -> tuple[Any, str | None]:
    """The record and the password of a fill request: ``{"post": {…}, "lösenord": "…"}``, or a bare record.

    The password travels in the body only (never in the address, where logs and browser history keep it).
    """
    if isinstance(body, dict) and set(body) == SEALED_KEYS:
        password = body[pages.PASSWORD_FIELD]
        # asked for and empty (or not text): refused as empty, never written unencrypted
        return body["post"], password if isinstance(password, str) else ""
    return body, None


async def api_extract(request: Request) -> Response:
    fmt = cast(ExportFormat, request.query_params.get("format", "json"))
    if fmt not in RESULT_MEDIA:
        return JSONResponse({"fel": "format måste vara json, xlsx, ods eller csv"}, status_code=400)
    server = _server(request)
    with tempfile.TemporaryDirectory(prefix="blankett-web-") as tmp:
        try:
            staged, fields = await read_files(request, "filer", server.limits, Path(tmp))
        except UploadRefused as exc:
            return JSONResponse({"fel": str(exc)}, status_code=exc.status)
        if not staged:
            return JSONResponse({"fel": "inga filer i fältet \"filer\""}, status_code=400)
        password = _password(fields)

        def work() -> list[blankett.ExtractResult]:
            return extract_results(unpacked(staged, server.limits), Path(tmp), password=password)

        try:
            results = await run_in_threadpool(work)
        except blankett.BlankettError as exc:
            return JSONResponse({"fel": str(exc)}, status_code=413)
    if fmt == "json":
        return JSONResponse([r.as_dict() for r in results])
    data = await run_in_threadpool(blankett.export_bytes, results, fmt)
    return download(data, f"svar.{fmt}", fmt)


LOGIN_FAILED = ("Inloggningen gick inte: länken har redan använts eller gäller inte längre, eller nyckeln är fel. "
                "Starta om blankett serve för en ny länk, eller skriv nyckeln (BLANKETT_TOKEN) nedan.")


def _login_page(message: str = "") -> str:
    alert = f'<div role="alert" id="fel" tabindex="-1"><p>{pages.e(message)}</p></div>\n' if message else ""
    return pages.page("Logga in", f"""{alert}<p>Öppna länken som <code>blankett serve</code> skrev ut när den
startade; den loggar in den här webbläsaren en gång. Eller skriv nyckeln (miljövariabeln
<code>BLANKETT_TOKEN</code>) här.</p>
<form method="post" action="/logga-in">
<label for="nyckel">Nyckel</label>
<input type="password" id="nyckel" name="nyckel" autocomplete="current-password" required>
<p><button type="submit">Logga in</button></p>
</form>""")


async def login(request: Request) -> Response:
    """Sign a browser in with a one-time code from the link (GET ?kod=) or with the key typed in (POST)."""
    guard: Guard = request.app.state.guard
    if request.method == "POST":
        try:
            form = await request.form(max_files=0, max_fields=5, max_part_size=4096)
        except HTTPException:
            return HTMLResponse(_login_page(LOGIN_FAILED), status_code=400)
        key = form.get("nyckel")
        await form.close()
        ok = isinstance(key, str) and same_token(key, guard.token)
    elif "kod" in request.query_params and request.method == "GET":  # a HEAD (a link preview) uses no code
        ok = guard.sessions.use_code(request.query_params["kod"])
    else:
        return HTMLResponse(_login_page())
    if not ok:
        return HTMLResponse(_login_page(LOGIN_FAILED), status_code=401)
    headers = login_headers(guard, dict(request.scope))
    location = dict(headers)[b"location"].decode("latin-1")
    if request.method == "POST" and not location.startswith("/"):
        # a form's answer may not redirect to another origin (CSP form-action): a page that goes on instead
        link = pages.e(location)
        return HTMLResponse(pages.page("Loggar in", f'<p><a href="{link}">Fortsätt till Bilaga 5</a></p>')
                            .replace("<head>", f'<head>\n<meta http-equiv="refresh" content="0;url={link}">', 1))
    response = Response(status_code=303)
    response.raw_headers.extend(headers)
    return response


async def favicon(request: Request) -> Response:
    """The browser's own request for /favicon.ico: nothing (the pages link their icon), so no 404 in the log."""
    return Response(status_code=204)


async def client_gone(request: Request, exc: Exception) -> Response:
    """A client that went away mid-request (closed page, lost connection): logged as 499, not a server error."""
    return PlainTextResponse("Begäran avbröts.", status_code=CLIENT_GONE)


async def http_error(request: Request, exc: Exception) -> Response:
    """404 and 405 in Swedish: a page with the menu, or for the API the usual {"fel": …}."""
    assert isinstance(exc, HTTPException)
    path = request.url.path
    if exc.status_code == 405:
        allowed = (exc.headers or {}).get("Allow", "")
        message = f"Anropet {request.method} går inte till {path}. Tillåtet: {allowed}."
        html = pages.not_allowed(request.method, path)
    else:
        message = f"Okänt anrop: {path}. Se /api/openapi.json."
        html = pages.not_found(path)
    if path == "/api" or path.startswith("/api/"):
        return JSONResponse({"fel": message}, status_code=exc.status_code, headers=exc.headers)
    return HTMLResponse(html, status_code=exc.status_code, headers=exc.headers)


def create_app(token: str, hosts: frozenset[str] = LOOPBACK_NAMES, limits: Limits | None = None,
               max_body: int = 256 * 1024 * 1024, cookie: str = "blankett_session",
               log: logging.Logger = LOG, jobs: Jobs | None = None, fill_workers: int = 0,
               session_host: str | None = None, sessions: Sessions | None = None,
               follow_up_dir: Path | None = None) -> Starlette:
    """The application, guarded by ``token`` and answering only to ``hosts`` (and ``session_host``).

    ``fill_workers`` > 0 fills the API's forms in that many worker processes (``blankett serve`` uses
    one per core); 0 fills them in the server's threads. Browsers sign in with codes from ``sessions``
    and keep their session on ``session_host`` only (by default a new random ``….localhost`` name).
    ``follow_up_dir``: a folder of returned forms whose follow-up talks the start page lists.
    """
    if not token:
        raise ValueError("token must not be empty")
    routes = [
        Route("/", start),
        Route("/fyll-i", fill_page),
        Route("/fyll-i", fill_upload, methods=["POST"]),
        Route("/fyll-i/blankett", one_form, methods=["GET", "POST"]),
        Route("/las-in", read_page),
        Route("/las-in", read_upload, methods=["POST"]),
        Route("/lagesbild", overview_page, methods=["GET", "POST"]),
        Route("/jobb/{job}", job_page),
        Route("/jobb/{job}/ta-bort", job_remove, methods=["POST"]),
        Route("/jobb/{job}/blanketter.zip", job_zip),
        Route("/jobb/{job}/svar.{fmt:str}", job_answers),
        Route("/bevakning.ics", follow_up_ics),
        Route("/api", api_page),
        Route("/api/openapi.json", api_openapi),
        Route("/api/schema", api_schema),
        Route("/api/blank.{kind:str}", api_blank),
        Route("/api/arbetsbok.xlsx", api_workbook),
        Route("/api/fill", api_fill, methods=["POST"]),
        Route("/api/extract", api_extract, methods=["POST"]),
        Route("/api/lagesbild", api_overview, methods=["POST"]),
        Route("/api/jobb/{job}", job_status),
        Route("/logga-in", login, methods=["GET", "POST"]),
        Route("/favicon.ico", favicon),
        Route(guide.PATH, help_page),
        Route(guide.PICTURE_PATH + "{name:str}", help_picture),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
    ]
    guard = Guard(token, hosts, max_body, cookie, log, session_host or session_name(), sessions or Sessions())
    app = Starlette(routes=routes, middleware=[Middleware(GuardMiddleware, guard=guard)],
                    exception_handlers={404: http_error, 405: http_error, ClientDisconnect: client_gone})
    app.state.guard = guard
    app.state.follow_up_dir = follow_up_dir
    app.state.server = Server(limits or Limits(), jobs or Jobs(), fill_workers)
    app.state.count_overview = lagesbild.count_overview  # the front door's counting (tests give their own)
    return app
