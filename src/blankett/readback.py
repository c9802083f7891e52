"""Read back: a returned form (.docx, .docm, .doc, .odt) to the record ``fill`` reads.

Open (untrusted package) → read (content controls by tag, with fallbacks for
answers typed beside or in place of a control) → validate (the same model as
``fill``). Each file gives one :class:`Result`; a bad file is a ``fel`` result
with a Swedish message, never an exception, so the rest of a batch goes on.

A reader per file ending is registered in :data:`READERS_BY_SUFFIX`; it gives the
raw values by field key and its warnings, and raises :class:`BlankettError`.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable, Generator, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lxml import etree

from . import controls, kinds, ooxml, protect
from .bounded import in_order
from .errors import BlankettError, InputError, RecordError, UnsafeFileError, shown_name
from .form import FIELDS, LIST_ITEMS, REGISTRATION_BY_KEY, TAGS, Field, Kind
from .guard import Guards
from .interrupt import check
from .model import Values, registration_values, to_record, validate
from .notform import NotTheFormError, not_the_form
from .office import Converted
from .package import open_package
from .scan import SCAN_ENDINGS, Page, ScanNeeded, continues, page_header, pages_missing, read_image, read_pages
from .staging import CONVERT_HINT, CONVERTED, Conversions, converted, size_check
from .status import ExtractStatus

OK, VARNING, FEL = ExtractStatus.OK, ExtractStatus.WARNING, ExtractStatus.FAILED
MACRO_NOTE = "filen innehåller makron (.docm); de kördes inte och följer inte med, bara svaren lästes"
#: A returned form in which nobody answered anything: read (an empty row), but worth a look.
NOTHING_ANSWERED = "blanketten är inte ifylld: inga svar hittades"
#: Table cells searched for questions when controls are missing (the form has about 150).
MAX_CELLS = 5000

Reading = tuple[Values, list[str]]
#: Tables as rows of cells, each cell its paragraphs' texts (:func:`ooxml.cell_grid`).
Grid = list[list[list[list[str]]]]
#: Where a question's label is: (table, row, cell, paragraph).
Where = tuple[int, int, int, int]
#: Told of each page of a scan read by OCR: (source, pages done, pages).
PageProgress = Callable[[str, int, int], None]
_ALL_TAGS = frozenset(tag for tags in TAGS.values() for tag in tags)


@dataclass
class ExtractResult:
    """What one returned file gave: status, Swedish messages (one line each), the record (None if unreadable).

    ``blankett.ExtractResult``.
    """

    source: str
    status: ExtractStatus = ExtractStatus.OK
    messages: list[str] = field(default_factory=list)
    record: dict[str, Any] | None = None

    def __post_init__(self) -> None:
        self.source = shown_name(self.source)  # a name read from a Linux folder may hold any bytes
        self.status = ExtractStatus(self.status)
        self.messages = [" ".join(m.splitlines()) for m in self.messages]

    @classmethod
    def failure(cls, source: str, message: str) -> Result:
        """The result of a file that could not be read at all."""
        return cls(source, ExtractStatus.FAILED, [message])

    def as_dict(self) -> dict[str, Any]:
        """The result as a JSON-ready object."""
        return {"source": self.source, "status": str(self.status), "messages": self.messages, "record": self.record}


# --- the document: values from controls, with fallbacks -----------------------------



#: The package's own short name for :class:`ExtractResult`.
Result = ExtractResult

def _mark(text: str, answer: str) -> bool:
    """True when a Ja/Nej cell's text, less its word, is a tick (X, ☒, ✓ …)."""
    rest = text.strip()
    if rest.casefold().startswith(answer.casefold()):
        rest = rest[len(answer):]
    rest = rest.replace(ooxml.BOX_UNCHECKED, "").strip()
    try:
        return kinds.parse_janej(rest) == kinds.JA
    except ValueError:
        return False


def _janej_from(ja: bool, nej: bool, f: Field, notes: list[str]) -> str | None:
    """Ja, Nej or None from two ticks found as text; both ticked is a warning and not answered (as in a control)."""
    ja_tag, nej_tag = TAGS[f.key]
    ticks = {ja_tag: ooxml.Control(None, "checkbox", ja), nej_tag: ooxml.Control(None, "checkbox", nej)}
    found: str | None = _by_the_rules(f, ticks, notes)
    return found


def _by_the_rules(f: Field, found: controls.ByTag, notes: list[str]) -> Any:
    """Answers found as text, read by the same rules (and warnings) as the field's controls."""
    value, warnings = controls.READERS[f.kind](found, f)
    notes.extend(warnings)
    return value


def _clean(paragraphs: Iterable[str], drop: Iterable[str] = ()) -> str:
    """Paragraphs as one text, without placeholder texts, the given label lines, and outer blank lines.

    The blanks inside the kept lines stay, leading and trailing ones too, as a control's text keeps them.
    """
    drop = {d.strip() for d in drop if d}
    lines = []
    for line in paragraphs:
        line = "" if controls.is_placeholder(line) else controls.without_blank_placeholder(line)
        for plc in controls.HINT_TEXTS:
            line = line.replace(plc, "")
        if line.strip() not in drop:
            lines.append(line)
    while lines and not lines[0].strip():
        lines.pop(0)
    while lines and not lines[-1].strip():
        lines.pop()
    return "\n".join(lines)


def _value_of(f: Field, text: str, notes: list[str]) -> Any:
    """A text found outside a control, as the field's raw value (every written line of a list is an item)."""
    if f.kind is Kind.LIST:
        return [line for line in text.split("\n") if line.strip()]
    kind = "date" if f.kind is Kind.DATE else "text"
    return _by_the_rules(f, {f.key: ooxml.Control(None, kind, text=text)}, notes)


def _element(control: ooxml.Control) -> etree._Element:
    """A .docx control's element (only PDF fields, never read here, have none)."""
    assert control.element is not None
    return control.element


def _beside(ctl: controls.ByTag, f: Field) -> str:
    """Text typed in an empty control's cell but outside the control."""
    texts = [_clean(ooxml.outside_text(_element(ctl[tag])), (f.label, f.hint)) for tag in TAGS[f.key]]
    return "\n".join(t for t in texts if t)


def _read_controls(ctl: controls.ByTag, f: Field, notes: list[str], outside: list[str]) -> Any:
    """One field from its controls; an empty answer is looked for beside the control too."""
    value, warnings = controls.READERS[f.kind](ctl, f)
    if warnings:
        notes.extend(warnings)
        if f.kind is Kind.JANEJ:  # both ticked: a warning and not answered, never a guess
            return value
    if not value:  # no answer (None, or an empty list)
        return _read_beside(ctl, f, notes, outside, value)
    if f.kind is Kind.DATE:
        return _date_as_shown(ctl[f.key], f, value, notes)
    return value


def _read_beside(ctl: controls.ByTag, f: Field, notes: list[str], outside: list[str], value: Any) -> Any:
    """An empty field's answer typed beside its controls, if any (noted in ``outside``)."""
    found: Any
    if f.kind is Kind.JANEJ:
        ja, nej = (_mark(_clean(ooxml.outside_text(_element(ctl[tag]))), a)
                   for tag, a in zip(TAGS[f.key], (kinds.JA, kinds.NEJ), strict=True))
        found = _janej_from(ja, nej, f, notes)
    else:
        text = _beside(ctl, f)
        found = _value_of(f, text, notes) if text else None
    if found not in (None, []):
        outside.append(f.column)
        return found
    return value


def _date_as_shown(control: ooxml.Control, f: Field, value: dt.date, notes: list[str]) -> dt.date:
    """The stored date, unless the shown text is another valid date (then what the person sees wins)."""
    text = controls.answer(control)
    if text == value.isoformat():  # shown as the form's ÅÅÅÅ-MM-DD: the usual case, no parsing
        return value
    try:
        shown = kinds.parse_date(text)
    except ValueError:
        return value
    if shown is not None and shown != value:
        notes.append(f'"{f.column}": datumet som visas ({shown}) skiljer sig från det lagrade ({value}); '
                     "det som visas lästes")
        return shown
    return value


# --- fallback: the question's text in the table ----------------------------------------


def _occurrence(f: Field) -> int:
    """How many earlier fields print the same label (``Datum`` is printed three times)."""
    return [g.label for g in FIELDS[: FIELDS.index(f)]].count(f.label)


def _find_label(grid: Grid, f: Field) -> Where | None:
    """(table, row, cell, paragraph) of the ``_occurrence``-th cell that starts with the field's label."""
    want, seen, wanted = f.label.strip(), 0, _occurrence(f)
    for t, table in enumerate(grid):
        for r, row in enumerate(table):
            for c, cell in enumerate(row):
                for p, text in enumerate(cell):
                    if not text.strip():
                        continue
                    if text.strip() == want:
                        if seen == wanted:
                            return t, r, c, p
                        seen += 1
                    break
    return None


def _answer_area(grid: Grid, f: Field, where: Where) -> list[list[str]]:
    """The cells that hold the answer to a question: the rest of its cell, the next cell, or the rows below."""
    t, r, c, p = where
    row = grid[t][r]
    rest = [text for text in row[c][p + 1:] if text.strip() != f.hint.strip() or not f.hint]
    if len(row[c]) > p + 1 + (1 if f.hint else 0):
        return [rest]
    if c + 1 < len(row):
        return row[c + 1:]
    below = grid[t][r + 1: r + 1 + (LIST_ITEMS if f.kind is Kind.LIST else 1)]
    return [[text for cell in cells for text in cell] for cells in below]


def _by_label(grid: Grid, f: Field, notes: list[str]) -> tuple[bool, Any]:
    """(found, value) of a field whose controls are gone, read from the text at its question."""
    where = _find_label(grid, f)
    if where is None:
        return False, None
    area = _answer_area(grid, f, where)
    if f.kind is Kind.JANEJ:
        ticks = {a: any(_mark(_clean(cell), a) for cell in area if _clean(cell).casefold().startswith(a.casefold()))
                 for a in (kinds.JA, kinds.NEJ)}
        return True, _janej_from(ticks[kinds.JA], ticks[kinds.NEJ], f, notes)
    return True, _value_of(f, "\n".join(text for text in map(_clean, area) if text), notes)


def _checkboxes(ctl: controls.ByTag, f: Field) -> bool:
    """True when a Ja/Nej field's controls are still checkboxes (an edited template may have changed them)."""
    return all(ctl[tag].kind == "checkbox" for tag in TAGS[f.key])


def read_root(root: etree._Element) -> Reading:
    """The raw values and warnings of a Bilaga 5 document; :class:`NotTheFormError` when fields are missing."""
    ctl = ooxml.read_controls(root)
    absent = _ALL_TAGS.difference(ctl)
    copied = controls.contradicted(ctl)
    values: Values = {}
    notes: list[str] = []
    outside: list[str] = []
    gone: list[Field] = []
    for f in FIELDS:
        if absent and not absent.isdisjoint(TAGS[f.key]):
            gone.append(f)
            continue
        notes.extend(controls.contradictions(copied, f))
        value = _read_controls(ctl, f, notes, outside)
        if value is None and f.kind is Kind.JANEJ and not _checkboxes(ctl, f):
            gone.append(f)  # checked only when unanswered: answered boxes are checkboxes
            continue
        values[f.key] = value
    missing = _fallback(root, gone, values, notes, outside) if gone else []
    if outside:
        notes.append(_outside_note(outside))
    if missing:
        raise not_the_form(missing, values)
    return values, notes


def _outside_note(columns: list[str]) -> str:
    """One warning for every answer read from the text at its question instead of its control."""
    if len(columns) > 8:
        return (f"{len(columns)} av blankettens {len(FIELDS)} fält saknade innehållskontroll (filen har troligen "
                "sparats i ett annat format, t.ex. .doc) och lästes från texten vid frågorna – kontrollera svaren")
    return ("svar som stod utanför blankettens fält (innehållskontrollen saknas eller är tom) "
            f"lästes från texten vid frågan – kontrollera dem: {', '.join(columns)}")


def _fallback(root: etree._Element, gone: list[Field], values: Values, notes: list[str], outside: list[str]) -> list[Field]:
    """Read fields without controls by their question; the fields not found at all."""
    if ooxml.count_cells(root, MAX_CELLS) > MAX_CELLS:
        return gone  # far bigger than the form: not searched (a hostile file must not take long)
    grid = ooxml.cell_grid(root)
    missing = []
    for f in gone:
        found, value = _by_label(grid, f, notes)
        if not found:
            missing.append(f)
            continue
        values[f.key] = value
        outside.append(f.column)
    return missing


# --- readers by file ending ------------------------------------------------------------


def read_docx(path: Path, name: str | None = None, data: bytes | None = None) -> Reading:
    """A .docx or .docm (``name``: as messages call it): the document part only; macros never run or kept, only noted.

    ``data``: the file's bytes decrypted in memory (:mod:`protect`), read instead of the encrypted file.
    """
    size_check(path)
    with open_package(path if data is None else data, name or path.name) as pkg:
        macros = pkg.has_macros()
        root = pkg.xml(pkg.main_part())
        registered = registration_values(pkg.custom_property)  # written by fill; kept by Word and LibreOffice
    values, notes = read_root(root)
    values.update(registered)
    return values, notes + ([MACRO_NOTE] if macros or path.suffix.lower() == ".docm" else [])


def read_pdf(source: Path | bytes, name: str | None = None) -> Reading:
    """A PDF (:func:`blankett.pdf.read.read_pdf`), its reader loaded when the first PDF comes: a reading worker
    that reads .docx only starts without pypdf (60-70 ms of every worker's start)."""
    from .pdf.read import read_pdf as read

    return read(source, name)


def read_converted(path: Path) -> Reading:
    """A .doc or .odt: converted to .docx by LibreOffice in a private folder, then read."""
    size_check(path)
    with converted([path]) as done:
        return _read_conversion(path, done)


def _read_conversion(path: Path, done: Conversions) -> Reading:
    """Read the .docx LibreOffice made of ``path``; an error when there is none."""
    out = done.get(path)
    if out is not None and out.refused:
        raise UnsafeFileError(out.error)
    if out is None or out.output is None:
        why = f" ({_strip_name(out.error, out.source.name)})" if out is not None and out.error else ""
        raise InputError(f"LibreOffice kunde inte konvertera filen{why}; {CONVERT_HINT}")
    return read_docx(out.output, path.name)  # named as the person named it, never as LibreOffice's copy


#: Reader per file ending (lower case). The PDF reader registers ``.pdf`` here.
READERS_BY_SUFFIX: dict[str, Callable[[Path], Reading]] = {
    ".docx": read_docx,
    ".docm": read_docx,
    ".doc": read_converted,
    ".odt": read_converted,
    ".pdf": read_pdf,
}
READERS_BY_SUFFIX.update(dict.fromkeys(SCAN_ENDINGS, read_image))  # a scan: its pages read by OCR, a task each


#: The file endings ``extract`` reads returned forms from (lower case).
FORM_ENDINGS = frozenset(READERS_BY_SUFFIX)


# --- one file, many files ---------------------------------------------------------------


def _strip_name(message: str, name: str) -> str:
    """A lower layer's message without the file name it starts with (the result names the file)."""
    for prefix in (f"{name}: ", f"{name} "):
        if message.startswith(prefix):
            return message[len(prefix):]
    return message


def result_of(source: str, reading: Callable[[], Reading]) -> Result:
    """Run a reader and validate what it read; every failure becomes a ``fel`` result."""
    partial: Values | None = None
    try:
        values, notes = reading()
    except ScanNeeded:  # the file's pages are images: the caller reads them by OCR, page by page
        raise
    except NotTheFormError as exc:
        if not exc.values:
            return Result(source, FEL, [str(exc)])
        values, notes, partial = exc.values, [str(exc)], exc.values
    except BlankettError as exc:
        return Result(source, FEL, [_strip_name(str(exc), Path(source).name)])
    except MemoryError:  # past the guarded worker's address space: the worker says so, and is replaced
        raise
    except (OSError, ValueError, etree.LxmlError, RecursionError) as exc:
        return Result(source, FEL, [f"filen kan inte läsas ({exc.__class__.__name__})"])
    except Exception as exc:  # noqa: BLE001 - an untrusted file must never stop the batch
        return Result(source, FEL, [f"filen kan inte läsas (oväntat fel: {exc.__class__.__name__})"])
    try:
        incident, more = validate(values)
    except RecordError as exc:
        return Result(source, FEL, notes + exc.messages)
    record = to_record(incident)
    if partial is None and not any(v not in (None, []) for k, v in record.items() if k not in REGISTRATION_BY_KEY):
        more = [*more, NOTHING_ANSWERED]
    status = FEL if partial is not None else VARNING if notes or more else OK
    return Result(source, status, notes + more, record)


def _unknown(path: Path) -> Reading:
    if not path.exists():  # a mistyped folder has no ending either: "okänt filformat" sent the person astray
        raise InputError("filen eller mappen finns inte")
    known = ", ".join(sorted(READERS_BY_SUFFIX))
    raise InputError(f"okänt filformat; blanketter läses från {known}")


def read_file(path: str | Path, *, password: str | None = None) -> Result:
    """One returned form as a :class:`Result` (never raises for a bad file), read within the limits of
    :mod:`blankett.guard`."""
    (result,) = read_files([Path(path)], password=password)  # a .doc/.odt converted here, read in the worker
    return result


def _task(path: str, conversion: list[Any] | None, failed: str | None, password: str | None = None) -> dict[str, Any]:
    """A guarded worker's task (JSON in and out): one path read, from its conversion when it has one; a scan
    answers ``{"scan": pages}`` and is read by OCR in tasks of its own."""
    done: Conversions = {}
    if conversion is not None:
        source, output, error, refused = conversion
        done[Path(path)] = Converted(Path(source), Path(output) if output else None, error, refused)
    try:
        return _one(Path(path), done, failed, password).as_dict()
    except ScanNeeded as exc:
        return {"scan": exc.pages}


def _read_here(path: Path, password: str | None = None) -> Result:
    """One returned form read in this process (a guarded worker's work); an encrypted one decrypted in memory."""
    reader = READERS_BY_SUFFIX.get(path.suffix.lower(), _unknown)
    return result_of(str(path), lambda: _unlocked_reading(path, password) or reader(path))


def _unlocked_reading(path: Path, password: str | None) -> Reading | None:
    """An encrypted .docx or PDF read from its bytes decrypted in memory; None for a file that is not encrypted."""
    if path.suffix.lower() not in READERS_BY_SUFFIX or path.suffix.lower() in CONVERTED:
        return None
    try:
        size_check(path)
    except InputError:
        return None  # empty, missing or too big: the file's own reader says so in its words
    data = protect.unlocked(path, password)
    if data is None:
        return None
    if path.suffix.lower() == ".pdf":
        return read_pdf(data, path.name)
    return read_docx(path, path.name, data)


#: A folder given to read that holds no form (a mistyped or wrong folder): one line naming it.
NO_FORMS_IN_FOLDER = ("mappen innehåller inga blanketter att läsa (.docx, .docm, .doc, .odt, .pdf eller skannade "
                      ".png, .jpg, .tif), inte heller i undermapparna")


def expand(paths: Iterable[str | Path]) -> list[Path]:
    """The files to read: each file as given, and every readable file in each folder (sorted, recursive)."""
    files: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            files.extend(sorted(f for f in p.rglob("*") if f.is_file() and f.suffix.lower() in READERS_BY_SUFFIX
                                and not f.name.startswith(("~$", "."))))
        else:
            files.append(p)
    return files


def read_files(paths: Iterable[Path], workers: int = 1, on_page: PageProgress | None = None,
               password: str | None = None) -> Generator[Result, None, None]:
    """A result per file, in order; .doc/.odt converted by LibreOffice first; ``workers`` > 1 reads in parallel.

    ``password`` opens encrypted .docx and PDF files (decrypted in the reading worker's memory, never on disk).

    ``on_page(source, done, pages)`` hears of every page of a scan read by OCR (seconds each), for a progress bar.

    Closed before its last result (Ctrl-C, a caller that stops), it ends its reading workers; once every result
    is handed out, they wait idle for the next call, whether or not it was read to its end.
    """
    paths = list(paths)
    to_convert = [p for p in paths if p.suffix.lower() in CONVERTED and _convertible(p)]
    with contextlib.ExitStack() as stack:
        done: Conversions = {}
        if to_convert:
            try:
                done = stack.enter_context(converted(to_convert, password))
            except BlankettError as exc:
                failed = str(exc)
                done = {p: None for p in to_convert}
                yield from _each(paths, done, workers, failed, on_page, password)
                return
        yield from _each(paths, done, workers, None, on_page, password)


def _convertible(path: Path) -> bool:
    """True for a file worth handing to LibreOffice (it exists, is not empty and not too big)."""
    try:
        size_check(path)
    except InputError:
        return False
    return True


def _each(paths: list[Path], done: Conversions, workers: int, failed: str | None,
          on_page: PageProgress | None = None, password: str | None = None) -> Iterator[Result]:
    """Read every path in guarded workers (one per ``workers``), in order; converted ones from their conversion."""
    parallel = workers > 1 and len(paths) > 1
    guards = Guards(workers if parallel else 1)
    pool = ThreadPoolExecutor(workers, thread_name_prefix="blankett-läs") if parallel else None
    given = 0
    try:
        if pool is None:
            results: Iterator[Result] = _guarded_each(guards, paths, done, failed, on_page, password)
        else:
            results = in_order(_batches(paths),
                               lambda chunk: pool.submit(_guarded_chunk, guards, chunk, done, failed, on_page,
                                                         password).result,
                               WINDOW * workers)
        for result in results:
            given += 1  # counted before it is handed out: the caller may close the reading at this yield
            yield result
    except GeneratorExit:
        if given < len(paths):  # the caller stopped early (Ctrl-C, a closed job): the workers are killed
            guards.kill()
        raise  # closed once every result was handed out (never read to its StopIteration): the workers are kept
    except BaseException:  # Ctrl-C: the workers are killed, waiting threads wake
        guards.kill()
        raise
    finally:
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
        guards.stop()


def _guarded_batch(guards: Guards, paths: list[Path], done: Conversions, failed: str | None,
                   on_page: PageProgress | None = None, password: str | None = None) -> Iterator[Result]:
    """Each path's result, read in one pipelined batch of guarded tasks; past a limit, a ``fel`` result saying so
    (for that file alone: the others of the batch are read in a new worker)."""
    # the password goes to the worker on its stdin pipe, never in its arguments or environment
    answers = guards.run_each("blankett.readback:_task", [_task_args(path, done, failed, password) for path in paths])
    for path, answer in zip(paths, answers, strict=True):
        check()  # before each file, as without batches: a PDF of scanned pages takes seconds a page from here
        yield _answered(guards, path, answer, on_page)


def _task_args(path: Path, done: Conversions, failed: str | None, password: str | None) -> list[Any]:
    """The arguments of :func:`_task` for one path (its conversion, when it has one)."""
    out = done.get(path)
    conversion = None if out is None else [str(out.source), str(out.output) if out.output else None, out.error,
                                           out.refused]
    if path in done and out is None:
        conversion = [str(path), None, "", False]
    return [str(path), conversion, failed, password]


def _answered(guards: Guards, path: Path, answer: dict[str, Any] | BlankettError,
              on_page: PageProgress | None) -> Result:
    """A path's result from its task's answer; a scan's pages read by OCR first, each a task of its own."""
    try:
        if isinstance(answer, BlankettError):
            raise answer
        if "scan" in answer:
            return _assembled(guards, path, _scan_pages(guards, path, answer["scan"], on_page))
        return Result(**answer)
    except BlankettError as exc:
        return Result(str(path), FEL, [str(exc)])


def _scan_pages(guards: Guards, path: Path, pages: int, on_page: PageProgress | None) -> list[Page]:
    """A scan's pages read by OCR, each in a guarded task of its own (its own time limit)."""
    def page_done(done: int, total: int) -> None:
        if on_page is not None:
            on_page(str(path), done, total)

    def run(source: str, index: int) -> dict[str, Any]:
        page: dict[str, Any] = guards.run("blankett.scan:_page_task", source, index)
        return page

    return read_pages(run, path, pages, page_done)


def _assembled(guards: Guards, path: Path, pages: list[Page]) -> Result:
    """A scanned form's result from its pages read by OCR."""
    return Result(**guards.run("blankett.scanread:_assemble_task", str(path), [p.as_json() for p in pages]))


@dataclass
class _ScanFile:
    """An image file of one page, read by OCR, and the page number its header prints (``(2, 5)``), if read."""

    path: Path
    pages: list[Page]
    header: tuple[int, int] | None


def _guarded_each(guards: Guards, paths: list[Path], done: Conversions, failed: str | None,
                  on_page: PageProgress | None, password: str | None = None) -> Iterator[Result]:
    """Each path's result in order; consecutive image files of one page each whose headers number them as the
    pages of one form (1(3), 2(3), 3(3)) are read as that form (as many scanners save a form: a file a page).
    Headers of one page count that rise with a gap (1(3), 3(3)) keep their files apart, with a warning."""
    group: list[_ScanFile] = []
    for run in _runs(paths):
        check()  # a server's job asked to stop: stop here as on Ctrl-C
        path = run[0]
        scanned = _one_page_scan(guards, path, on_page) if path.suffix.lower() in SCAN_ENDINGS else None
        if not isinstance(scanned, _ScanFile):
            yield from _group_results(guards, group)
            group = []
            if scanned is not None:
                yield scanned
            else:
                yield from _guarded_batch(guards, run, done, failed, on_page, password)
            continue
        if not (group and continues(group[-1].header, scanned.header)):
            yield from _group_results(guards, group)
            group = []
        group.append(scanned)
        if scanned.header is None or scanned.header[0] == scanned.header[1]:  # nothing can follow it
            yield from _group_results(guards, group)
            group = []
    yield from _group_results(guards, group)


def _runs(paths: list[Path]) -> Iterator[list[Path]]:
    """The paths as runs read in one pipelined batch each (up to :data:`CHUNK` files that are no image files),
    and each image file alone (its header may make it a page of the form in the next file)."""
    run: list[Path] = []
    for path in paths:
        if path.suffix.lower() in SCAN_ENDINGS:
            if run:
                yield run
                run = []
            yield [path]
            continue
        run.append(path)
        if len(run) >= CHUNK:
            yield run
            run = []
    if run:
        yield run


def _one_page_scan(guards: Guards, path: Path, on_page: PageProgress | None) -> Result | _ScanFile:
    """An image file's pages read by OCR, with the page number its header prints when it holds one page; a
    result when it cannot be read, or holds several pages (a TIFF is a whole scan)."""
    try:
        answer = guards.run("blankett.readback:_task", str(path), None, None)
        if "scan" not in answer:
            return Result(**answer)
        pages = _scan_pages(guards, path, answer["scan"], on_page)
        if len(pages) > 1:
            return _assembled(guards, path, pages)
    except BlankettError as exc:
        return Result(str(path), FEL, [str(exc)])
    return _ScanFile(path, pages, page_header(pages[0]))


#: The note of a form read from image files of a page each, and of each file after the first.
JOINED = "bildfilerna {names} är sidorna {headers} av en blankett enligt sina sidhuvuden och lästes som en blankett"
PAGE_OF = "sidan {header} av blanketten i {first}: svaren från alla dess sidor står där"
#: The warning on image files whose headers say pages of their form are not among the files.
MISSING = ("{which} {missing} av {count} saknas bland de skannade bildfilerna ({names}), som lästes var för sig: "
           "skanna alla sidor för att få hela blanketten")


def _group_results(guards: Guards, group: list[_ScanFile]) -> list[Result]:
    """The results of consecutive one-page image files: one form when their headers are its pages 1 to the last,
    each file apart otherwise (named in a warning when their headers say a page is missing)."""
    if not group:
        return []
    headers = [f.header for f in group if f.header is not None]
    names = _listed([f.path.name for f in group])
    if len(group) > 1 and len(headers) == len(group) == headers[0][1]:  # rising numbers, as many as the count
        pages = [page for f in group for page in f.pages]
        for number, page in enumerate(pages, 1):
            page.number = number
        joined = _assembled(guards, group[0].path, pages)
        shown = _listed([f"{n}({c})" for n, c in headers])
        _warn(joined, JOINED.format(names=names, headers=shown))
        return [joined, *(Result(str(f.path), joined.status, [PAGE_OF.format(header=f"{n}({c})",
                                                                            first=group[0].path.name)])
                          for f, (n, c) in zip(group[1:], headers[1:], strict=True))]
    results = [_assembled(guards, f.path, f.pages) for f in group]
    if headers and len(headers) == len(group) and (missing := pages_missing(headers)):
        for result in results:
            _warn(result, MISSING.format(which="sidan" if len(missing) == 1 else "sidorna",
                                         missing=_listed([str(n) for n in missing]), count=headers[0][1], names=names))
    return results


def _listed(items: list[str]) -> str:
    """Swedish list: ``a, b och c``."""
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} och {items[-1]}"


def _warn(result: Result, message: str) -> None:
    """The result with one more message first; a result read without warnings becomes one with a warning."""
    result.messages.insert(0, message)
    if result.status == OK:
        result.status = VARNING


def _batches(paths: list[Path]) -> Iterator[list[Path]]:
    """The paths in lists of :data:`CHUNK` for the reading threads, consecutive image files never split (their
    pages may make one form)."""
    batch: list[Path] = []
    for path in paths:
        image = path.suffix.lower() in SCAN_ENDINGS
        if len(batch) >= CHUNK and not (image and batch[-1].suffix.lower() in SCAN_ENDINGS):
            yield batch
            batch = []
        batch.append(path)
    if batch:
        yield batch


def _guarded_chunk(guards: Guards, chunk: list[Path], done: Conversions, failed: str | None,
                   on_page: PageProgress | None = None, password: str | None = None) -> list[Result]:
    return list(_guarded_each(guards, chunk, done, failed, on_page, password))


def _one(path: Path, done: Conversions, failed: str | None, password: str | None = None) -> Result:
    """One path's result, read in this process; a converted file is read from its .docx."""
    if path in done:
        if failed:
            return Result(str(path), FEL, [failed])
        return result_of(str(path), lambda: _read_conversion(path, done))
    return _read_here(path, password)


#: Files per task handed to a reading thread, and tasks in flight per thread: bounded, so memory stays flat.
CHUNK, WINDOW = 32, 4
