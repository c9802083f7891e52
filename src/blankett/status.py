"""The statuses a job gives each file, one type per job. String-valued, so that JSON, CSV, Excel and the messages
show the same Swedish words as before (``str(FillStatus.WRITTEN) == "skriven"``)."""

from __future__ import annotations

from enum import StrEnum


class FillStatus(StrEnum):
    """What became of one form written by ``fill`` (a .docx, or its PDF)."""

    WRITTEN = "skriven"
    CHECKED = "kontrollerad"  # fill --check: valid, nothing written
    EXISTS = "finns redan"  # skipped: the file was there and replacing it was not asked for
    FAILED = "fel"


class ExtractStatus(StrEnum):
    """How one returned form was read back by ``extract``."""

    OK = "ok"
    WARNING = "varning"
    FAILED = "fel"
