"""Write: atomic, owner-only output files, never overwriting without being asked."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path
from typing import Iterator

from .errors import BlankettError, OutputExistsError


def _owner_only_dir(folder: Path) -> None:
    if not folder.exists():
        folder.mkdir(parents=True, mode=0o700, exist_ok=True)  # batch workers may race to create it


@contextlib.contextmanager
def atomic_path(path: str | Path, force: bool = False) -> Iterator[Path]:
    """A temporary path beside ``path`` that becomes ``path`` (mode 0600) when the block ends without error.

    Without ``force`` an existing ``path`` is never replaced, even if it appears
    while the block runs. On any error, and on Ctrl-C, the temporary file is removed.
    """
    path = Path(path)
    if path.exists() and not force:
        raise OutputExistsError(f"{path} finns redan; ange --force för att skriva över")
    _owner_only_dir(path.parent)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        yield tmp
        os.chmod(tmp, 0o600)
        if force:
            os.replace(tmp, path)
        else:
            try:
                os.link(tmp, path)  # fails if path appeared meanwhile: no silent overwrite
            except FileExistsError:
                raise OutputExistsError(f"{path} finns redan; ange --force för att skriva över") from None
            except OSError:
                if path.exists():
                    raise OutputExistsError(f"{path} finns redan; ange --force för att skriva över") from None
                os.replace(tmp, path)  # file systems without hard links
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    else:
        with contextlib.suppress(OSError):
            tmp.unlink()


def write_bytes(path: str | Path, data: bytes, force: bool = False) -> Path:
    """Write ``data`` to ``path`` atomically and owner-only; the path written."""
    with atomic_path(path, force) as tmp:
        try:
            with open(tmp, "wb") as fh:
                fh.write(data)
        except OSError as exc:
            raise BlankettError(f"{path}: kan inte skriva filen ({exc.strerror})") from None
    return Path(path)


def write_text(path: str | Path, text: str, force: bool = False) -> Path:
    """Write UTF-8 ``text`` atomically and owner-only."""
    return write_bytes(path, text.encode("utf-8"), force)
