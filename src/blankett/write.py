"""Write: atomic output files, never overwriting without being asked.

Files that hold answers (filled forms, their PDFs, extracted data) are owner-only (0600, in folders made
0700); files that hold none and exist to be handed out (the blank form, the published .docx and PDF, the
input workbook, the template, the schema) are ``public``: readable by all (0644, in folders made 0755).
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from .errors import BlankettError, OutputExistsError, cannot_write

#: File and new-folder modes for files with answers and for public files.
PRIVATE, PUBLIC = 0o600, 0o644
_DIR_MODE = {PRIVATE: 0o700, PUBLIC: 0o755}


def _make_dir(folder: Path, mode: int) -> None:
    """Make ``folder`` and its missing parents, each exactly 0700 (answers) or 0755 (public).

    The mode is set after ``mkdir``, which the umask narrows: public files in a folder only their owner can
    enter would not be public. Folders that exist already are left as they are.
    """
    missing = []
    while not folder.exists():
        missing.append(folder)
        folder = folder.parent
    for new in reversed(missing):
        try:
            new.mkdir(mode=_DIR_MODE[mode])
        except FileExistsError:  # batch workers may race to create it
            continue
        with contextlib.suppress(OSError):  # where chmod means little (Windows), the folder is still made
            os.chmod(new, _DIR_MODE[mode])


@contextlib.contextmanager
def atomic_path(path: str | Path, force: bool = False, public: bool = False) -> Iterator[Path]:
    """A temporary path beside ``path`` that becomes ``path`` when the block ends without error.

    The file is owner-only (0600), or readable by all (0644) when ``public``: see the module's docstring.

    Without ``force`` an existing ``path`` is never replaced, even if it appears
    while the block runs. On any error, and on Ctrl-C, the temporary file is removed.
    """
    path = Path(path)
    if path.exists() and not force:
        raise OutputExistsError(path)
    mode = PUBLIC if public else PRIVATE
    try:
        _make_dir(path.parent, mode)
        fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:  # a folder in the path is a file, cannot be made, is read-only: one line, not a traceback
        raise BlankettError(cannot_write(path, exc)) from None
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        yield tmp
        os.chmod(tmp, mode)
        if force:
            os.replace(tmp, path)
        else:
            try:
                os.link(tmp, path)  # fails if path appeared meanwhile: no silent overwrite
            except FileExistsError:
                raise OutputExistsError(path) from None
            except OSError:
                if path.exists():
                    raise OutputExistsError(path) from None
                os.replace(tmp, path)  # file systems without hard links
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    else:
        with contextlib.suppress(OSError):
            tmp.unlink()


def write_bytes(path: str | Path, data: bytes, force: bool = False, public: bool = False) -> Path:
    """Write ``data`` to ``path`` atomically, owner-only (or readable by all when ``public``); the path written."""
    with atomic_path(path, force, public) as tmp:
        try:
            with open(tmp, "wb") as fh:
                fh.write(data)
        except OSError as exc:
            raise BlankettError(cannot_write(path, exc)) from None
    return Path(path)


def write_text(path: str | Path, text: str, force: bool = False, public: bool = False) -> Path:
    """Write UTF-8 ``text`` atomically, owner-only (or readable by all when ``public``)."""
    return write_bytes(path, text.encode("utf-8"), force, public)
