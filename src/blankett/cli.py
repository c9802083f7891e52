"""The command line: one library call per command; user errors become one Swedish line."""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import json
import os
import shlex
import signal
import sys
import threading
from collections.abc import Callable, Generator, Iterable, Iterator, Sequence
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Any, NoReturn, ParamSpec, TypeVar

import click

from . import __version__
from .batch import Summary, fill_files
from .build import blank_bytes, build_bytes
from .errors import BlankettError, InputError, OutputExistsError, os_problem
from .model import json_schema
from .profile import load_profile
from .protect import encrypted_office
from .workbook import workbook_bytes
from .write import write_bytes, write_text

if TYPE_CHECKING:
    from .readback import Result

P = ParamSpec("P")
R = TypeVar("R")

# The commands that need pypdf, the readers, the exporters or the web server import them when they run:
# importing them here made every start of `blankett` 135–170 ms slower (652–825 ms measured for this module with
# `python -c 'import time; ...'`, three runs; +45–120 ms more for the web server), for commands that use none.

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}
INTERRUPTED = "Avbrutet. Inga halvskrivna filer har lämnats kvar."

# --- click in Swedish: its own messages (usage errors, help headings) translated -------------

_SV = {
    "Usage:": "Användning:",
    "Options": "Alternativ",
    "Commands": "Kommandon",
    "Positional arguments": "Argument",
    "Show this message and exit.": "Visa den här hjälpen och avsluta.",
    "Show the version and exit.": "Visa versionen och avsluta.",
    "Error: {message}": "Fel: {message}",
    "Try '{command} {option}' for help.": "Se '{command} {option}' för hjälp.",
    "Invalid value: {message}": "Ogiltigt värde: {message}",
    "Invalid value for {param_hint}: {message}": "Ogiltigt värde för {param_hint}: {message}",
    "Missing argument": "Argument saknas:",
    "Missing option": "Alternativ saknas:",
    "Missing parameter": "Värde saknas:",
    "Missing parameter: {param_name}": "Värde saknas: {param_name}",
    "Missing command.": "Ange ett kommando.",
    "No such option {name!r}.": "Alternativet {name!r} finns inte.",
    "No such option: {name}": "Alternativet {name} finns inte.",
    "No such command {name!r}.": "Kommandot {name!r} finns inte.",
    "Did you mean {possibility}?": "Menade du {possibility}?",
    "(Did you mean one of: {possibilities}?)": "(Menade du något av: {possibilities}?)",
    "Got unexpected extra argument ({args})": "Oväntat extra argument ({args})",
    "Got unexpected extra arguments ({args})": "Oväntade extra argument ({args})",
    "Option {name!r} requires an argument.": "Alternativet {name!r} behöver ett värde.",
    "Option {name!r} requires {nargs} arguments.": "Alternativet {name!r} behöver {nargs} värden.",
    "Option {name!r} does not take a value.": "Alternativet {name!r} tar inget värde.",
    "Argument {name!r} takes {nargs} values.": "Argumentet {name!r} tar {nargs} värden.",
    "{value!r} is not {choice}.": "{value!r} är inte {choice}.",
    "{value!r} is not one of {choices}.": "{value!r} är inte något av {choices}.",
    "{value!r} is not a valid {number_type}.": "{value!r} är inget giltigt {number_type}.",
    "integer": "heltal",
    "float": "tal",
    "{value} is not in the range {range}.": "{value} ligger utanför intervallet {range}.",
    "{value!r} is not a valid boolean. Recognized values: {states}":
        "{value!r} är inget giltigt sanningsvärde. Giltiga värden: {states}",
    "file": "fil",
    "directory": "mapp",
    "path": "sökväg",
    "{name} {filename!r} does not exist.": "{name} {filename!r} finns inte.",
    "{name} {filename!r} is a file.": "{name} {filename!r} är en fil, inte en mapp.",
    "{name} {filename!r} is a directory.": "{name} {filename!r} är en mapp, inte en fil.",
    "{name} {filename!r} is not readable.": "{name} {filename!r} kan inte läsas (behörighet saknas).",
    "{name} {filename!r} is not writable.": "{name} {filename!r} kan inte skrivas (behörighet saknas).",
    "{name} {filename!r} is not executable.": "{name} {filename!r} är inget program som kan köras.",
    "Could not open file {filename!r}: {message}": "Filen {filename!r} kan inte öppnas: {message}",
    "default: {default}": "standard: {default}",
    "Aborted!": INTERRUPTED,
    "{value!r} does not match the format {format}.": "{value!r} är inget datum (skriv ÅÅÅÅ-MM-DD).",
    "{value!r} does not match the formats {formats}.": "{value!r} är inget datum (skriv ÅÅÅÅ-MM-DD).",
    "Error: The two entered values do not match.": "Fel: lösenorden är inte lika. Skriv samma lösenord två gånger.",
    "Error: The value you entered was invalid.": "Fel: ogiltigt värde.",
}


def _sv(message: str) -> str:
    return _SV.get(message, message)


def _sv_n(singular: str, plural: str, n: int) -> str:
    return _sv(singular if n == 1 else plural)


@contextlib.contextmanager
def _swedish_click() -> Iterator[None]:
    """Route click's own texts through :data:`_SV` while our command runs, and put click's own back after.

    Click looks ``_`` and ``ngettext`` up in its modules. Set only for the run (``Blankett.main``): importing
    this module must not change click for another program in the same process (an integrator's own click app).
    """
    from click import core, decorators, exceptions, formatting, parser, termui, types

    modules = (core, decorators, exceptions, formatting, parser, termui, types)
    saved = [(m, name, getattr(m, name)) for m in modules for name in ("_", "ngettext") if hasattr(m, name)]
    for module, name, _old in saved:
        setattr(module, name, _sv if name == "_" else _sv_n)
    try:
        yield
    finally:
        for module, name, old in saved:
            setattr(module, name, old)


def _on_interrupt(signum: int, frame: FrameType | None) -> None:
    """Ctrl-C: stop the work; a second Ctrl-C must not cut the clean-up short (temporary files, workers)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    raise KeyboardInterrupt


def _by_interrupt(exc: BaseException | None) -> bool:
    """True when ``exc`` is Ctrl-C, or an error raised while a library cleaned up after Ctrl-C."""
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        if isinstance(exc, (KeyboardInterrupt, click.Abort)):
            return True
        seen.add(id(exc))
        exc = exc.__cause__ or exc.__context__
    return False


def _interrupted() -> NoReturn:
    """Say it in one line and exit 130, as a shell does for Ctrl-C."""
    sys.stdout.flush()
    click.echo(INTERRUPTED, err=True)
    sys.exit(130)


class Command(click.Command):
    """A command whose usage line is Swedish."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("options_metavar", "[ALTERNATIV]")
        super().__init__(*args, **kwargs)


class Blankett(click.Group):
    """The ``blankett`` group: Swedish usage, and Ctrl-C as one line and exit 130 from every command."""

    command_class = Command

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("options_metavar", "[ALTERNATIV]")
        kwargs.setdefault("subcommand_metavar", "KOMMANDO [ARGUMENT]...")
        super().__init__(*args, **kwargs)

    def main(self, args: Sequence[str] | None = None, prog_name: str | None = None,
             complete_var: str | None = None, standalone_mode: bool = True, **extra: Any) -> Any:
        """Run a command; an interrupt anywhere is one Swedish line and exit 130.

        A process started with Ctrl-C ignored (a shell's background job) keeps ignoring it, as Python itself does.
        """
        ours = (threading.current_thread() is threading.main_thread()
                and signal.getsignal(signal.SIGINT) is not signal.SIG_IGN)
        before = signal.signal(signal.SIGINT, _on_interrupt) if ours else None
        try:
            with _swedish_click():
                result = super().main(args, prog_name or "blankett", complete_var, standalone_mode=False,
                                      **extra)
        except click.ClickException as exc:
            if not standalone_mode:
                raise
            with _swedish_click():
                exc.show()
            sys.exit(exc.exit_code)
        except Exception as exc:
            if not standalone_mode or not _by_interrupt(exc):
                raise
            _interrupted()
        except KeyboardInterrupt:
            if not standalone_mode:
                raise
            _interrupted()
        finally:
            if ours:  # the command line's own run ends here: a late Ctrl-C changes nothing any more
                signal.signal(signal.SIGINT, signal.SIG_IGN if args is None else before or signal.default_int_handler)
        if not standalone_mode:
            return result
        sys.exit(result if isinstance(result, int) else 0)


def user_errors(func: Callable[P, R]) -> Callable[P, R]:
    """Turn a :class:`BlankettError` into one line on stderr and its exit code; Ctrl-C into exit 130."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return func(*args, **kwargs)
        except BlankettError as exc:
            click.echo(f"Fel: {_worded(exc)}", err=True)
            sys.exit(exc.exit_code)
        except KeyboardInterrupt:
            _interrupted()
        except Exception as exc:  # e.g. a library that fails while it cleans up after Ctrl-C
            if not _by_interrupt(exc):
                raise
            _interrupted()

    return wrapper


#: How to replace files that are already there (the library says only that they are).
FORCE_HINT = "ange --force för att skriva över"


def _worded(exc: BlankettError) -> str:
    """The library's message as the command line says it: an existing output names the option that replaces it."""
    return f"{exc}; {FORCE_HINT}" if isinstance(exc, OutputExistsError) else str(exc)


def _skipped(summary: Summary, verbose: bool, shown: int = 3) -> str | None:
    """One line naming the files that were already there (a few, or all with --verbose); None if none."""
    if not summary.existing:
        return None
    names = [str(p) for p in summary.existing]
    more = len(names) - shown if not verbose and len(names) > shown + 1 else 0
    listed = ", ".join(names[:len(names) - more])
    if more:
        listed += f" och {more} till (--verbose visar alla)"
    files = "1 fil" if len(names) == 1 else f"{len(names)} filer"
    return f"{files} fanns redan och hoppades över ({FORCE_HINT}): {listed}"


def _ending(output: Path, suffix: str, example: str, option: str = "-o") -> None:
    """Refuse an output whose ending is not the format written (a Word file named .pdf helps nobody); the example
    names the option the output was given with."""
    if output.suffix.lower() != suffix:
        raise InputError(f"{output}: fel filändelse; kommandot skriver {suffix}-filer (till exempel {option} {example})")


# Click's option types take their names (click.Path: "fil", "mapp") when they are declared, below: in Swedish,
# and click is as it was again once the commands are declared (the end of this module).
_DECLARING = _swedish_click()
_DECLARING.__enter__()


@click.group("blankett", cls=Blankett, context_settings=CONTEXT)
@click.version_option(__version__, "-V", "--version", message="blankett %(version)s")
def main() -> None:
    """blankett – Bilaga 5, Incidentrapport och händelsedokumentation.

    Fyller i blanketten från data, läser tillbaka ifyllda blanketter och tar
    fram den tomma blanketten för webbplatsen.
    """


profile_option = click.option(
    "--profile", "profile_path", type=click.Path(dir_okay=False, path_type=Path),
    help="Kommunprofil (JSON) med namn, adresser och logotyp. Standard: Oxelösunds kommun.",
)
force_option = click.option("--force", is_flag=True, help="Skriv över filer som redan finns.")


def password_options(func: Callable[P, R]) -> Callable[P, R]:
    """``--password-file`` and ``--password-env``: the password's sources, never the password itself, which every
    local user could read in the process list (``ps``)."""
    func = click.option("--password-env", metavar="NAMN",
                        help="Läs lösenordet från miljövariabeln NAMN (aldrig lösenordet på kommandoraden).")(func)
    return click.option("--password-file", type=click.Path(dir_okay=False, path_type=Path), metavar="FIL",
                        help="Läs lösenordet från första raden i FIL (en fil bara du kan läsa).")(func)


def _interactive() -> bool:
    """Whether a person is at the keyboard to be asked (standard input is a terminal)."""
    return sys.stdin.isatty()


def _password(file: Path | None, env: str | None, ask: bool, twice: bool) -> str | None:
    """The password from its file or environment variable, else asked for (hidden; ``twice`` to encrypt, so that
    a typing error does not lock the forms); None when none is wanted."""
    if file is not None and env is not None:
        raise BlankettError("Ange lösenordet på ett sätt: --password-file eller --password-env, inte båda.")
    if file is not None:
        try:
            lines = file.read_text(encoding="utf-8").splitlines()
        except OSError as exc:
            raise InputError(f"{file}: {os_problem(exc)}") from None
        except UnicodeDecodeError:
            raise InputError(f"{file}: lösenordsfilen är inte text (UTF-8)") from None
        if not lines or not lines[0]:
            raise InputError(f"{file}: lösenordsfilen är tom; lösenordet ska stå på första raden")
        return lines[0]
    if env is not None:
        if not os.environ.get(env):
            raise InputError(f"Miljövariabeln {env} är inte satt eller är tom; den ska hålla lösenordet.")
        return os.environ[env]
    if not ask:
        return None
    # never '': click.prompt asks again after an empty line (it has no default), so no check for an empty one
    password: str = click.prompt("Lösenord", hide_input=True, err=True,
                                 confirmation_prompt="Upprepa lösenordet" if twice else False)
    return password
soffice_option = click.option(
    "--soffice", type=click.Path(dir_okay=False, path_type=Path),
    help="Programmet soffice (LibreOffice), om det inte hittas av sig självt. Även miljövariabeln BLANKETT_SOFFICE.",
)
template_option = click.option(
    "--template", "template_path", type=click.Path(dir_okay=False, exists=True, path_type=Path),
    help="Använd en annan mall (.docx) än den inbyggda.",
)


@main.command(context_settings=CONTEXT)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=Path("out/Bilaga5.docx"),
              show_default=True, help="Filen som skrivs.")
@profile_option
@force_option
@user_errors
def blank(output: Path, profile_path: Path | None, force: bool) -> None:
    """Skriv den tomma, ifyllbara blanketten (.docx)."""
    _ending(output, ".docx", "Bilaga5.docx")
    data = blank_bytes(load_profile(profile_path) if profile_path else None)
    write_bytes(output, data, force, public=True)
    click.echo(f"Skrev {output} ({len(data) // 1024} kB).")


@main.command(context_settings=CONTEXT)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              default=Path("templates/Bilaga5.docx"), show_default=True,
              help="Mallfilen som skrivs (sökvägen räknas från mappen du står i).")
@profile_option
@force_option
@user_errors
def template(output: Path, profile_path: Path | None, force: bool) -> None:
    """Bygg mallen från formulärets deklaration och kommunprofilen (använd den med fill --template)."""
    _ending(output, ".docx", "Bilaga5.docx")
    data = build_bytes(load_profile(profile_path))
    write_bytes(output, data, force, public=True)
    click.echo(f"Skrev {output} ({len(data) // 1024} kB). Använd den med: "
               f"blankett fill --template {shlex.quote(str(output))} …")


@main.command(context_settings=CONTEXT)
@click.argument("inputs", nargs=-1, required=True, metavar="FIL...", type=click.Path(path_type=Path))
@click.option("-o", "--output", type=click.Path(file_okay=False, path_type=Path), default=Path("out"),
              show_default=True, help="Mappen där de ifyllda blanketterna skrivs.")
@click.option("--check", is_flag=True, help="Kontrollera indata utan att skriva något.")
@click.option("-j", "--jobs", type=click.IntRange(1, 64), default=None, metavar="ANTAL",
              help="Antal processer som fyller i samtidigt. Standard: alla processorkärnor.")
@click.option("--pdf", "with_pdf", is_flag=True,
              help="Skriv också en PDF bredvid varje .docx (utan LibreOffice; en egen --template behöver det en gång).")
@click.option("--format", "fmt", type=click.Choice(["docx", "pdf", "pdfa"]), default="docx", show_default=True,
              help="Filformat: docx, pdf för bara PDF (fylls i direkt, utan LibreOffice), eller pdfa för "
                   "arkivexemplar (PDF/A-3a med posten inbäddad; kräver LibreOffice).")
@click.option("--flatten/--no-flatten", default=False, show_default=True,
              help="PDF: svaren som vanlig text (--flatten) eller i ifyllbara fält som går att läsa tillbaka.")
@force_option
@template_option
@soffice_option
@click.option("-v", "--verbose", is_flag=True, help="Nämn varje fil som redan fanns och hoppades över.")
@click.option("--encrypt", "--lösenord", "encrypt", is_flag=True,
              help="Kryptera varje .docx och PDF med ett lösenord (AES-256; Word, LibreOffice och PDF-läsare "
                   "frågar efter det). Utan --password-file/--password-env frågas det efter lösenordet två gånger. "
                   "Samma lösenord öppnar en krypterad arbetsbok (.xlsx).")
@click.option("--password-column", "--lösenordskolumn", "password_column", metavar="KOLUMN",
              help="Kryptera varje rads blankett med radens eget lösenord ur kolumnen KOLUMN (rubriken på rad 1, "
                   "eller nyckeln i JSON). Kolumnen skrivs aldrig in i blanketten; en rad utan lösenord skrivs inte. "
                   "Lösenordet från --password-file/--password-env öppnar då bara en krypterad arbetsbok.")
@password_options
@user_errors
def fill(inputs: tuple[Path, ...], output: Path, check: bool, jobs: int | None, with_pdf: bool, fmt: str,
         flatten: bool, force: bool, template_path: Path | None, soffice: Path | None, verbose: bool, encrypt: bool,
         password_column: str | None, password_file: Path | None, password_env: str | None) -> None:
    """Fyll i en blankett (.docx och/eller PDF) per incident från Excel (.xlsx), Calc (.ods), CSV, JSON eller JSON Lines."""
    progress = sys.stderr.isatty()
    if password_column is not None and not password_column.strip():
        raise InputError("--password-column ska vara rubriken på kolumnen med lösenorden; den är tom.")
    # a workbook saved with a password: asked for once, at a terminal; a script without a password source gets
    # the file's own line ("inget lösenord angavs") and the other files are filled
    locked = _interactive() and any(encrypted_office(path) for path in inputs)
    encrypting = encrypt and not check and password_column is None
    password = _password(password_file, password_env, encrypting or locked, twice=encrypting)
    if (with_pdf or fmt in ("pdf", "pdfa")) and not check:
        from .pdf.fill import fill_with_pdf

        summaries = fill_with_pdf(list(inputs), output, fmt == "docx", flatten, force, template_path, jobs,
                                  soffice, progress, archive=fmt == "pdfa", password=password,
                                  password_column=password_column)
    else:
        summaries = [fill_files(inputs, output, check, force, template_path, jobs, progress=progress,
                                password=password, password_column=password_column)]
    for line in (line for s in summaries for line in s.problems):
        click.echo(line, err=True)
    for line in filter(None, (_skipped(s, verbose) for s in summaries)):
        click.echo(line, err=True)
    for n, summary in enumerate(summaries):
        click.echo(summary.line("Klart" if n == 0 else "PDF"))
    sys.exit(1 if any(s.failed for s in summaries) else 0)


@main.command(context_settings=CONTEXT)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              default=Path("out/Bilaga5-inmatning.xlsx"), show_default=True, help="Filen som skrivs.")
@force_option
@user_errors
def workbook(output: Path, force: bool) -> None:
    """Skriv Excel-arbetsboken att mata in incidenter i (en rad per incident)."""
    _ending(output, ".xlsx", "Bilaga5-inmatning.xlsx")
    write_bytes(output, workbook_bytes(), force, public=True)
    click.echo(f"Skrev {output}. Fyll i en rad per incident och kör: blankett fill {shlex.quote(str(output))}")


@main.command(context_settings=CONTEXT)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Skriv schemat till en fil i stället för till skärmen.")
@force_option
@user_errors
def schema(output: Path | None, force: bool) -> None:
    """Skriv JSON Schema för en incidentpost."""
    text = json.dumps(json_schema(), ensure_ascii=False, indent=2) + "\n"
    if output:
        _ending(output, ".json", "bilaga5.schema.json")
        write_text(output, text, force, public=True)
        click.echo(f"Skrev {output}.")
    else:
        click.echo(text, nl=False)


@main.command(context_settings=CONTEXT)
@click.option("-o", "--output", type=click.Path(file_okay=False, path_type=Path), default=Path("out/webb"),
              show_default=True, help="Mappen där Bilaga5.docx och Bilaga5.pdf skrivs.")
@profile_option
@force_option
@soffice_option
@user_errors
def publish(output: Path, profile_path: Path | None, force: bool, soffice: Path | None) -> None:
    """Skriv den tomma blanketten för webbplatsen: Word-fil och tillgänglig, ifyllbar PDF."""
    from .publish import publish as publish_form

    for path, size in publish_form(output, load_profile(profile_path) if profile_path else None, force, soffice):
        click.echo(f"Skrev {path} ({max(1, size // 1024)} kB).")


@main.command(context_settings=CONTEXT)
@click.argument("paths", nargs=-1, required=True, metavar="FIL_ELLER_MAPP...", type=click.Path(path_type=Path))
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Skriv till .xlsx, .ods, .csv, .json eller .jsonl (efter filändelsen). Standard: JSON på skärmen.")
@force_option
@click.option("--password", "--lösenord", "ask", is_flag=True,
              help="Fråga efter lösenordet till krypterade blanketter (eller ange det med --password-file/-env).")
@password_options
@user_errors
def extract(paths: tuple[Path, ...], output: Path | None, force: bool, ask: bool, password_file: Path | None,
            password_env: str | None) -> None:
    """Läs ifyllda blanketter (.docx, .docm, .doc, .odt, .pdf; skannade: .png, .jpg, .tif; mappar: alla sådana filer
    i dem) till data."""
    from .export import Tally, check_output, export
    from .readback import NO_FORMS_IN_FOLDER, expand, read_files

    check_output(output)
    if output is not None and output.exists() and not force:
        raise OutputExistsError(output)
    each = [(p, expand([p])) for p in paths]
    files = [f for _, found in each for f in found]
    empty = [p for p, found in each if not found]  # only a folder expands to nothing
    if not files:  # nothing to read: no empty result file that looks like a reading of no forms
        raise InputError(f"{empty[0]}: {NO_FORMS_IN_FOLDER}")
    for folder in empty:  # the other paths are read
        click.echo(f"{folder}: {NO_FORMS_IN_FOLDER}", err=True)
    password = _password(password_file, password_env, ask, twice=False)
    tally = Tally()
    pages = _ScanProgress() if sys.stderr.isatty() else None
    results = _reported(tally.watch(read_files(files, workers=_workers(len(files)), on_page=pages,
                                               password=password)))
    try:
        if any(p.is_dir() for p in paths) and sys.stderr.isatty():
            with click.progressbar(results, length=len(files), label="Läser blanketter", file=sys.stderr) as bar:
                export(bar, output, force)
        else:
            export(results, output, force)
    finally:
        results.close()  # on Ctrl-C too: the workers stop and temporary conversions are removed now
    click.echo(tally.line() + (f" Skrev {output}." if output else ""), err=True)
    if tally.failed:
        sys.exit(1)


class _ScanProgress:
    """A progress bar per scanned file while OCR reads its pages (seconds each), on stderr."""

    def __init__(self) -> None:
        self._lock = threading.Lock()

    def __call__(self, source: str, done: int, total: int) -> None:
        with self._lock:  # parallel readers report from their threads
            bar = click.progressbar(length=total, label=f"OCR {Path(source).name}", show_pos=True, file=sys.stderr)
            bar.pos = done
            bar.render_progress()
            if done == total:
                click.echo(file=sys.stderr)


def _reported(results: Iterable[Result]) -> Generator[Result, None, None]:
    """Pass results through, printing each problem as one line naming the file on stderr."""
    for result in results:
        for message in result.messages:
            click.echo(f"{result.source}: {message}", err=True)
        yield result


def _workers(count: int) -> int:
    """Worker processes for reading: one per core for big batches, none for a few files."""
    return min(os.cpu_count() or 1, 8) if count >= 200 else 1


@main.command(context_settings=CONTEXT)
@click.argument("file", metavar="FIL", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@user_errors
def check(file: Path) -> None:
    """Kontrollera att en fil (en mall som ändrats i Word, eller vår PDF) fortfarande är en komplett Bilaga 5."""
    from .check import check_file

    problems = check_file(file)
    for line in problems:
        click.echo(f"{file.name}: {line}", err=True)
    if problems:
        click.echo(f"{file.name}: inte en komplett Bilaga 5 ({len(problems)} problem).", err=True)
        sys.exit(1)
    click.echo(f"{file.name}: en komplett Bilaga 5, alla fält finns.")


@main.command("follow-up", context_settings=CONTEXT)
@click.argument("paths", nargs=-1, required=True, metavar="FIL_ELLER_MAPP...", type=click.Path(path_type=Path))
@click.option("--ics", type=click.Path(dir_okay=False, path_type=Path), metavar="FIL",
              help="Skriv också en kalenderfil (.ics) med ett heldagsevenemang per samtal, för Outlook och "
              "Thunderbird.")
@click.option("--today", "--idag", "today", type=click.DateTime(["%Y-%m-%d"]), metavar="ÅÅÅÅ-MM-DD",
              help="Räkna som om det vore den här dagen. Standard: dagens datum.")
@force_option
@user_errors
def follow_up(paths: tuple[Path, ...], ics: Path | None, today: dt.datetime | None, force: bool) -> None:
    """Lista uppföljningssamtal som ska hållas, är försenade eller är planerade (ärendenummer och datum, aldrig
    svar) ur ifyllda blanketter, mappar med dem eller extract-utdata. Samma kommando: follow-up och bevaka."""
    import blankett

    if ics is not None:
        _ending(ics, ".ics", "bevakning.ics", "--ics")  # bevaka has no -o
        if ics.exists() and not force:
            raise OutputExistsError(ics)
    found = blankett.follow_ups(paths, today.date() if today else None)
    for line in found.problems:
        click.echo(line, err=True)
    for item in found.items:
        click.echo(item.line())
    if not found.items:
        click.echo("Inga uppföljningssamtal att bevaka.")
    if ics is not None:
        write_bytes(ics, blankett.follow_ups_ics(found), force)
        click.echo(f"Skrev {ics}.", err=True)
    if found.problems:
        sys.exit(1)


main.add_command(follow_up, "bevaka")


DATE = click.DateTime(formats=["%Y-%m-%d"])


@main.command(context_settings=CONTEXT)
@click.argument("paths", nargs=-1, required=True, metavar="FIL_ELLER_MAPP...", type=click.Path(path_type=Path))
@click.option("-o", "--output", type=click.Path(file_okay=False, path_type=Path), default=Path("out/lagesbild"),
              show_default=True, help="Mappen som lägesbildens filer skrivs till.")
@click.option("--from", "--från", "start", type=DATE, metavar="ÅÅÅÅ-MM-DD",
              help="Periodens första dag. Standard: 1 januari förra året.")
@click.option("--to", "--till", "end", type=DATE, metavar="ÅÅÅÅ-MM-DD",
              help="Periodens sista dag. Standard: 31 december förra året (med bara --from: i dag).")
@click.option("--public", "--offentlig", "public", is_flag=True,
              help="Skriv också den offentliga versionen (små antal dolda, inga ärendenummer eller fritext).")
@click.option("--format", "formats", multiple=True, type=click.Choice(["docx", "pdf", "xlsx", "html"]),
              help="Bara filerna i det här formatet (kan upprepas). Standard: alla (intern: docx, pdf, xlsx; "
              "offentlig: html, pdf, xlsx). PDF:erna kräver LibreOffice.")
@force_option
@user_errors
def overview(paths: tuple[Path, ...], output: Path, start: Any, end: Any, public: bool, formats: tuple[str, ...],
             force: bool) -> None:
    """Lägesbild för en period: ärenden per månad, typ och kanal, checklistans svar, uppföljningen och noterade
    sårbarheter, från ifyllda blanketter (filer, mappar) eller utdata från extract (.xlsx, .ods, .csv, .json)."""
    from ._api import overview_files, overview_form_count

    forms = overview_form_count(paths)
    problems: list[str] = []
    with contextlib.ExitStack() as stack:
        on_form = None
        if forms and sys.stderr.isatty():
            bar = stack.enter_context(click.progressbar(length=forms, label="Läser blanketter", file=sys.stderr))
            on_form = functools.partial(bar.update, 1)
        written = overview_files(paths, output, start and start.date(), end and end.date(), public=public,
                                 force=force, problems=problems, workers=_workers(forms), on_form=on_form,
                                 formats=formats or None)
    for line in problems:
        click.echo(line, err=True)
    if problems:
        click.echo(f"{len(problems)} problem (se ovan); allt annat är räknat.", err=True)
    for path in written:
        click.echo(f"Skrev {path}.")


main.add_command(overview, "lägesbild")


TOKEN_ON_COMMAND_LINE = ("Varning: --token syns för alla användare på datorn (ps, /proc); ange nyckeln i "
                         "miljövariabeln BLANKETT_TOKEN i stället.")


@main.command(context_settings=CONTEXT)
@click.option("--host", default="127.0.0.1", show_default=True, metavar="ADRESS",
              help="Adressen servern lyssnar på. Annat än 127.0.0.1 kräver kommunens inloggning framför (se docs/drift.md).")
@click.option("--port", type=click.IntRange(0, 65535), default=8765, show_default=True, metavar="PORT",
              help="Porten.")
@click.option("--token", envvar="BLANKETT_TOKEN", metavar="NYCKEL",
              help="Nyckeln för API:t och proxyn (Authorization: Bearer). Ange den i miljövariabeln BLANKETT_TOKEN: "
              "på kommandoraden syns den för alla användare (ps). Standard: en ny slumpad nyckel vid varje start.")
@click.option("--allow-host", "allow_hosts", multiple=True, metavar="NAMN",
              help="Ytterligare värdnamn servern svarar på (t.ex. namnet i den omvända proxyn). Kan upprepas.")
@click.option("--open", "open_browser", is_flag=True, help="Öppna webbläsaren direkt.")
@click.option("--follow-up-dir", "--bevakningsmapp", "follow_up_dir", envvar="BLANKETT_FOLLOW_UP_DIR", metavar="MAPP",
              type=click.Path(file_okay=False, exists=True, path_type=Path),
              help="Mapp med inkomna blanketter vars uppföljningssamtal startsidan visar (och ger som .ics). "
              "Även miljövariabeln BLANKETT_FOLLOW_UP_DIR.")
@user_errors
def serve(host: str, port: int, token: str | None, allow_hosts: tuple[str, ...], open_browser: bool,
          follow_up_dir: Path | None) -> None:
    """Starta webbsidorna och API:et: fyll i, läs in och hämta blanketten i webbläsaren. Stoppa med Ctrl-C."""
    from .web import end_process_soon, run

    if click.get_current_context().get_parameter_source("token") == click.core.ParameterSource.COMMANDLINE:
        click.echo(TOKEN_ON_COMMAND_LINE, err=True)

    run(host, port, token, open_browser, allow_hosts, echo=click.echo,
        follow_up_dir=follow_up_dir.resolve() if follow_up_dir else None)
    click.echo("Servern har stoppats.", err=True)
    end_process_soon()  # everything is stopped and removed: a hung process pool must not keep the process


_DECLARING.__exit__(None, None, None)
