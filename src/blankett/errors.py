"""User errors: each carries a Swedish one-line message; the CLI prints it, never a traceback."""

from __future__ import annotations


class BlankettError(Exception):
    """A problem the user can act on; ``str()`` is the Swedish message."""

    exit_code = 1


class RecordError(BlankettError):
    """One record (row, file) failed validation; ``messages`` names each bad field."""

    def __init__(self, messages: list[str]):
        self.messages = list(messages)
        super().__init__("; ".join(self.messages))


class InputError(BlankettError):
    """An input file cannot be read (missing, wrong format, unsafe, broken)."""


class UnsafeFileError(InputError):
    """A file refused before it is parsed: zip bomb, entity declaration, encryption, …"""


class OutputExistsError(BlankettError):
    """An output file exists and ``--force`` was not given."""


class OfficeMissingError(BlankettError):
    """LibreOffice is needed but not found."""
