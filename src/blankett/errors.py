"""User errors: each carries a Swedish one-line message; the CLI prints it, never a traceback."""

from __future__ import annotations

import errno
import json
import re
from dataclasses import dataclass
from pathlib import Path

#: A path given as a file that is a folder, read or written: the same words everywhere.
IS_A_FOLDER = "det är en mapp, inte en fil"


def os_problem(exc: OSError) -> str:
    """A file that cannot be opened, in the same Swedish words whatever its format."""
    if isinstance(exc, FileNotFoundError):
        return "filen finns inte"
    if isinstance(exc, PermissionError):
        return "filen kan inte läsas (behörighet saknas)"
    if isinstance(exc, IsADirectoryError):
        return IS_A_FOLDER
    return f"filen kan inte läsas ({exc.strerror or exc.__class__.__name__})"


def write_problem(exc: OSError) -> str:
    """Why a file cannot be written, in the same Swedish words for every output (the system's own are English)."""
    if isinstance(exc, NotADirectoryError):
        return "en del av sökvägen är en fil, inte en mapp"
    if isinstance(exc, IsADirectoryError):
        return IS_A_FOLDER
    if isinstance(exc, FileNotFoundError):
        return "mappen finns inte och kan inte skapas där"
    if isinstance(exc, PermissionError):
        return "behörighet saknas"
    if exc.errno == errno.ENOSPC:
        return "disken är full"
    if exc.errno == errno.EROFS:
        return "filsystemet är skrivskyddat"
    return f"systemets svar: {exc.strerror or exc.__class__.__name__}"


def cannot_write(path: object, exc: OSError) -> str:
    """The line for an output that cannot be written: the path, then why (:func:`write_problem`)."""
    return f"{path}: kan inte skriva filen ({write_problem(exc)})"


#: What a file name's bytes that are no UTF-8 (Python's lone surrogates) and its control characters (a newline)
#: are shown as: no UTF-8 file, sheet or terminal takes the first, and the second would break a message's one line.
_UNSHOWABLE = re.compile("[\x00-\x1f\x7f\ud800-\udfff]")


def shown_name(name: str) -> str:
    """A file name as one line of text that any output takes, each byte that cannot be shown as U+FFFD (as a
    file manager shows it)."""
    return _UNSHOWABLE.sub("\ufffd", name)


#: What Python's json module says is wrong, by the start of its English message, in Swedish.
JSON_PROBLEMS = {
    "Expecting value": "ett värde saknas",
    "Expecting ':' delimiter": "ett kolon (:) saknas efter nyckeln",
    "Expecting ',' delimiter": "ett kommatecken (,) saknas",
    "Expecting property name enclosed in double quotes":
        'en nyckel inom citattecken (") väntades, eller ett kommatecken för mycket före }',
    "Unterminated string starting at": 'en text som börjar där stängs aldrig med ett citattecken (")',
    "Invalid control character at": "ett styrtecken, till exempel en radbrytning, i en text (skriv \\n)",
    "Invalid \\uXXXX escape": "en ogiltig \\u-följd i en text",
    "Invalid \\escape": "ett bakstreck (\\) som inte följs av n, t, \", / eller \\ i en text",
    "Extra data": "mer text efter det första JSON-värdet",
}


def json_problem(exc: json.JSONDecodeError) -> str:
    """Why JSON text breaks where ``exc`` says, in Swedish (Python's own words are English)."""
    return next((sv for en, sv in JSON_PROBLEMS.items() if exc.msg.startswith(en)), "texten följer inte JSON-reglerna")


class BlankettError(Exception):
    """A problem the user can act on; ``str()`` is the Swedish message."""

    exit_code = 1


@dataclass(frozen=True)
class Problem:
    """One bad value of a record: the field's key (None for the record as a whole) and a Swedish message.

    ``message`` names the field (a line of its own, as the command prints it); ``text`` is the same without the
    field's name, for a form that shows it beside the field (the whole message when it names no field).
    """

    field: str | None
    message: str
    text: str = ""

    def __post_init__(self) -> None:
        if not self.text:
            object.__setattr__(self, "text", self.message)


class RecordError(BlankettError):
    """One record (row, file) failed validation; ``messages`` names each bad field, ``problems`` by key."""

    def __init__(self, messages: list[str], problems: list[Problem] | None = None):
        self.messages = list(messages)
        self.problems = list(problems) if problems is not None else [Problem(None, m) for m in self.messages]
        super().__init__("; ".join(self.messages))


class InputError(BlankettError):
    """An input file cannot be read (missing, wrong format, unsafe, broken)."""


class UnsafeFileError(InputError):
    """A file refused before it is parsed: zip bomb, entity declaration, encryption, …"""


class EncryptedError(InputError):
    """An encrypted file that cannot be read as it stands; ``str()`` names the file, never the password."""


class PasswordNeededError(EncryptedError):
    """The file is encrypted and no password was given."""


class WrongPasswordError(EncryptedError):
    """The password given does not open the file."""


class UnsupportedEncryptionError(EncryptedError):
    """The file is encrypted in a way we cannot open (RC4, IRM, a certificate, an unknown scheme)."""


class OutputExistsError(BlankettError):
    """An output file exists and the caller did not ask to replace it; the caller says how (the CLI: --force)."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        super().__init__(f"{path} finns redan")


class OfficeMissingError(BlankettError):
    """LibreOffice is needed but not found."""
