"""Uploads: files from a multipart request into a private temporary folder, within limits; .zip files unpacked.

Each file is staged as ``<folder>/<n>/<safe name>``: the number keeps two files
with the same name apart, the name is what the person sees in messages. A .zip
is checked as ``extract`` checks a returned form (zip bomb, encryption, not a
zip: :func:`blankett.package.open_package`) and further limited here: number of
members, size of each. Member paths are never used as paths: on disk a member is
staged by its last part only; its folders are kept in the name shown
(``x.zip/Moderaterna/Bilaga5.docx``), each part made safe by :func:`safe_name`.
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
from starlette.datastructures import FormData, UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect, Request

from ..errors import BlankettError
from ..package import BAD_MEMBER, open_package

MB = 1024 * 1024
#: Fields of one form (the one-form page has about 50; an upload a few): more is refused with 413.
MAX_FIELDS = 200
#: The status logged for a request whose client went away before it was answered (as nginx logs it).
CLIENT_GONE = 499
#: What the .zip files of one upload may unpack to disk, together (a zip of 5 000 returned forms is about 200 MB).
MAX_UNPACKED = 512 * MB


@dataclass(frozen=True)
class Limits:
    """Upload limits: size of one file, number of files, members of one .zip, the size of each, and what all the
    .zip files of one upload unpack to, together."""

    file: int = 64 * MB
    count: int = 2000
    zip_members: int = 5000
    zip_member: int = 20 * MB
    unpacked: int = MAX_UNPACKED


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


_CONTROL = re.compile(r"[\x00-\x1f\x7f/\\:*?\"<>|\ud800-\udfff]+")  # lone surrogates: no file system takes them
#: Longest file name kept, in UTF-8 bytes: file systems take 255 bytes (not characters), and the folder adds none.
NAME_BYTES = 200
#: Longest ending kept on a shortened name (``.docx``, ``.jsonl``); a longer one is part of the name.
_ENDING_BYTES = 16


def _cut(text: str, size: int) -> str:
    """``text`` cut to at most ``size`` bytes of UTF-8, never inside a character."""
    return text.encode("utf-8")[:size].decode("utf-8", "ignore")


def safe_name(name: str | None, default: str = "fil") -> str:
    """The last part of a client's file name, without control or path characters, at most :data:`NAME_BYTES` bytes.

    A shortened name keeps its ending, which decides how the file is read.
    """
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    base = _CONTROL.sub("_", base).strip().lstrip(".")
    if len(base.encode("utf-8")) > NAME_BYTES:
        stem, dot, ext = base.rpartition(".")
        if dot and len((dot + ext).encode("utf-8")) <= _ENDING_BYTES:
            base = _cut(stem, NAME_BYTES - len((dot + ext).encode("utf-8"))) + dot + ext
        else:
            base = _cut(base, NAME_BYTES)
    return base or default


_DRIVE = re.compile(r"^[A-Za-z]:$")


def member_name(path: str) -> str:
    """A zip member's path as a display name: its folders kept, each part as :func:`safe_name` makes it.

    Two members of one zip named alike in different folders (``Moderaterna/Bilaga5.docx``,
    ``Socialdemokraterna/Bilaga5.docx``) must stay apart in what a person reads. ``.``, an absolute path's
    empty parts and a drive letter are dropped, ``..`` drops the folder before it (never more than the zip
    holds); empty if the last part has no usable name.
    """
    parts: list[str] = []
    for part in path.replace("\\", "/").split("/"):
        if part.strip() == "..":  # as an unzip tool resolves it, but never above the zip itself
            parts = parts[:-1]
        elif part.strip() not in ("", ".") and not (not parts and _DRIVE.match(part)):
            parts.append(part)
    safe = [safe_name(p, "") for p in parts]
    if not safe or not safe[-1]:
        return ""
    return "/".join(p for p in safe if p)


async def read_form(request: Request, files: int) -> FormData:
    """The request's form (at most ``files`` files, :data:`MAX_FIELDS` fields); what it cannot take is refused."""
    try:
        return await request.form(max_files=files, max_fields=MAX_FIELDS, max_part_size=MB)
    except HTTPException as exc:
        detail = str(exc.detail).lower()
        if "files" in detail:
            raise UploadRefused(413, f"För många filer: högst {files} per uppladdning.") from None
        if "fields" in detail:
            raise UploadRefused(413, f"För många fält i formuläret: högst {MAX_FIELDS} per uppladdning.") from None
        raise UploadRefused(400, "Uppladdningen kunde inte läsas (trasig formulärdata).") from None
    except ClientDisconnect:
        # the person closed the page or lost the connection: no answer reaches them, and no server error happened
        raise UploadRefused(CLIENT_GONE, "Uppladdningen avbröts innan den var klar.") from None


async def read_files(request: Request, field: str, limits: Limits, folder: Path) -> tuple[list[Staged], dict[str, str]]:
    """The uploaded files of ``field`` staged in ``folder``, and the other (text) fields of the form."""
    form = await read_form(request, limits.count)
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
    """Every .zip replaced by the files in it (checked and limited); a refused .zip stays, with its error.

    All the .zip files of one upload share :attr:`Limits.unpacked`: a zip that would unpack past it is refused
    whole (what it had unpacked removed), and so is every later one.
    """
    out: list[Staged] = []
    budget = _Budget(limits.unpacked)
    for staged in files:
        if staged.path.suffix.lower() != ".zip":
            out.append(staged)
            continue
        try:
            out.extend(_unzip(staged, limits, budget))
        except _TooBig:
            shutil.rmtree(staged.path.parent / "zip", ignore_errors=True)
            out.append(Staged(staged.path, staged.name, f"uppladdningens zip-filer packas upp till mer än "
                                                        f"{limits.unpacked // MB} MB tillsammans; den här läses inte"))
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


def _unzip(staged: Staged, limits: Limits, budget: _Budget) -> list[Staged]:
    """The members of one .zip, unpacked within the upload's ``budget`` (:class:`_TooBig` past it)."""
    folder = staged.path.parent / "zip"
    folder.mkdir(mode=0o700)
    members: list[Staged] = []
    with open_package(staged.path, staged.name) as package:  # bomb, encryption, not-a-zip: refused here
        infos = [i for i in package.zip.infolist() if not i.is_dir()]
        if len(infos) > limits.zip_members:
            raise BlankettError(f"zip-filen innehåller {len(infos)} filer; högst {limits.zip_members} läses")
        if sum(i.file_size for i in infos if i.file_size <= limits.zip_member) > budget.left:
            raise _TooBig()  # refused before a byte is written, from what the directory claims
        for n, info in enumerate(infos, 1):
            name, shown = safe_name(info.filename, ""), member_name(info.filename)
            if not name or not shown or name.startswith("~$") or info.filename.startswith("__MACOSX/"):
                continue
            if info.file_size > limits.zip_member:
                members.append(Staged(staged.path, f"{staged.name}/{shown}",
                                      f"filen är större än {limits.zip_member // MB} MB och läses inte"))
                continue
            target = folder / f"{n:05d}" / name
            target.parent.mkdir(mode=0o700)
            try:
                with package.zip.open(info) as src, _private(target) as dst:
                    # never more than the directory claims (a member may lie about its size), nor the budget
                    shutil.copyfileobj(_Capped(src, info.file_size, budget), dst)
            except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError, _Lies):
                target.unlink(missing_ok=True)
                members.append(Staged(staged.path, f"{staged.name}/{shown}", BAD_MEMBER))
                continue
            members.append(Staged(target, f"{staged.name}/{shown}"))
    return members


class _TooBig(Exception):
    """The upload's zips unpack to more than :attr:`Limits.unpacked` together."""


class _Lies(Exception):
    """A member inflates to more than the zip's directory claims."""


class _Budget:
    """The bytes the zips of one upload may still unpack."""

    def __init__(self, left: int) -> None:
        self.left = left


class _Capped:
    """A reader that fails past ``limit`` bytes (:class:`_Lies`) or past the upload's budget (:class:`_TooBig`)."""

    def __init__(self, src: IO[bytes], limit: int, budget: _Budget) -> None:
        self.src, self.left, self.budget = src, limit, budget

    def read(self, size: int | None = -1) -> bytes:
        data = self.src.read(MB if size is None or size < 0 else min(size, MB))
        self.left -= len(data)
        self.budget.left -= len(data)
        if self.left < 0:
            raise _Lies()
        if self.budget.left < 0:
            raise _TooBig()
        return data
