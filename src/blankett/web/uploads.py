"""Uploads: files from a multipart request into a private temporary folder, within limits; .zip files unpacked.

Each file is staged as ``<folder>/<n>/<safe name>``: the number keeps two files
with the same name apart, the name is what the person sees in messages. A .zip
is checked as ``extract`` checks a returned form (zip bomb, encryption, not a
zip: :func:`blankett.package.open_package`) and further limited here: number of
members, size of each; member paths are never used as paths, only their last
part as a name.
"""

from __future__ import annotations

import os
import re
import shutil
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request

from ..errors import BlankettError
from ..package import open_package

MB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """Upload limits: size of one file, number of files, members of one .zip and the size of each."""

    file: int = 64 * MB
    count: int = 2000
    zip_members: int = 5000
    zip_member: int = 20 * MB


class UploadRefused(Exception):
    """An upload the server will not take; ``str()`` is the Swedish message, ``status`` the HTTP status."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status


@dataclass
class Staged:
    """One file ready to be read: its path in the private folder and the name shown to the person."""

    path: Path
    name: str
    error: str | None = None  # set when the file (a refused .zip) cannot be read at all


_CONTROL = re.compile(r"[\x00-\x1f\x7f/\\:*?\"<>|]+")


def safe_name(name: str | None, default: str = "fil") -> str:
    """The last part of a client's file name, without control or path characters, at most 120 characters."""
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    base = _CONTROL.sub("_", base).strip().lstrip(".")
    if len(base) > 120:
        stem, dot, ext = base.rpartition(".")
        base = (stem[:100] + dot + ext[:15]) if dot and len(ext) <= 15 else base[:120]
    return base or default


async def read_files(request: Request, field: str, limits: Limits, folder: Path) -> tuple[list[Staged], dict[str, str]]:
    """The uploaded files of ``field`` staged in ``folder``, and the other (text) fields of the form."""
    try:
        form = await request.form(max_files=limits.count, max_fields=200, max_part_size=MB)
    except HTTPException as exc:
        if "files" in str(exc.detail).lower():
            raise UploadRefused(413, f"För många filer: högst {limits.count} per uppladdning.") from None
        raise UploadRefused(400, "Uppladdningen kunde inte läsas (trasig formulärdata).") from None
    try:
        staged: list[Staged] = []
        for n, item in enumerate(form.getlist(field), 1):
            if not isinstance(item, UploadFile) or not item.filename:
                continue
            if item.size is not None and item.size > limits.file:
                raise UploadRefused(413, f"En fil är för stor: högst {limits.file // MB} MB per fil.")
            name = safe_name(item.filename)
            target = folder / f"{n:05d}" / name
            await run_in_threadpool(_copy, item, target, limits.file)  # off the event loop: big files take time
            staged.append(Staged(target, name))
        fields = {k: v for k, v in form.multi_items() if isinstance(v, str)}
    finally:
        await form.close()
    return staged, fields


def _copy(item: UploadFile, target: Path, limit: int) -> None:
    """The upload's bytes into the private folder, refusing more than ``limit``."""
    target.parent.mkdir(mode=0o700)
    item.file.seek(0)
    with _private(target) as out:
        copied = 0
        while chunk := item.file.read(MB):
            copied += len(chunk)
            if copied > limit:
                raise UploadRefused(413, f"En fil är för stor: högst {limit // MB} MB per fil.")
            out.write(chunk)


def _private(target: Path) -> IO[bytes]:
    """A new file only its owner can read (0600 whatever the umask): uploads hold personal data."""
    return open(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb")


def expand_zips(files: list[Staged], limits: Limits) -> list[Staged]:
    """Every .zip replaced by the files in it (checked and limited); a refused .zip stays, with its error."""
    out: list[Staged] = []
    for staged in files:
        if staged.path.suffix.lower() != ".zip":
            out.append(staged)
            continue
        try:
            out.extend(_unzip(staged, limits))
        except BlankettError as exc:
            message = str(exc)
            if message.startswith(f"{staged.name}: "):
                message = message[len(staged.name) + 2:]
            out.append(Staged(staged.path, staged.name, message))
        else:
            staged.path.unlink()
        if len(out) > limits.zip_members:
            raise UploadRefused(413, f"För många filer: högst {limits.zip_members} blanketter per uppladdning.")
    return out


def _unzip(staged: Staged, limits: Limits) -> list[Staged]:
    folder = staged.path.parent / "zip"
    folder.mkdir(mode=0o700)
    members: list[Staged] = []
    with open_package(staged.path, staged.name) as package:  # bomb, encryption, not-a-zip: refused here
        infos = [i for i in package.zip.infolist() if not i.is_dir()]
        if len(infos) > limits.zip_members:
            raise BlankettError(f"zip-filen innehåller {len(infos)} filer; högst {limits.zip_members} läses")
        for n, info in enumerate(infos, 1):
            name = safe_name(info.filename, "")
            if not name or name.startswith("~$") or info.filename.startswith("__MACOSX/"):
                continue
            if info.file_size > limits.zip_member:
                members.append(Staged(staged.path, f"{staged.name}/{name}",
                                      f"filen är större än {limits.zip_member // MB} MB och läses inte"))
                continue
            target = folder / f"{n:05d}" / name
            target.parent.mkdir(mode=0o700)
            try:
                with package.zip.open(info) as src, _private(target) as dst:
                    shutil.copyfileobj(_Capped(src, limits.zip_member), dst)
            except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError, _TooBig):
                members.append(Staged(staged.path, f"{staged.name}/{name}",
                                      "filen i zip-arkivet är trasig eller för stor och läses inte"))
                continue
            members.append(Staged(target, f"{staged.name}/{name}"))
    return members


class _TooBig(Exception):
    pass


class _Capped:
    """A reader that fails past ``limit`` bytes (a member may lie about its size in the directory)."""

    def __init__(self, src: IO[bytes], limit: int) -> None:
        self.src, self.left = src, limit

    def read(self, size: int | None = -1) -> bytes:
        data = self.src.read(MB if size is None or size < 0 else min(size, MB))
        self.left -= len(data)
        if self.left < 0:
            raise _TooBig()
        return data
