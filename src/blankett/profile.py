"""The municipality profile: the values that belong to the municipality, not to the form."""

from __future__ import annotations

import json
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from .errors import InputError, json_problem

PROFILES = Path(__file__).with_name("profiles")
DEFAULT = PROFILES / "oxelosund.json"


@dataclass(frozen=True)
class Profile:
    """Name, addresses, logo and the plan the form belongs to."""

    name: str
    postal_address: tuple[str, ...]
    visiting_address: tuple[str, ...]
    phone: str
    fax: str
    web: str
    email: str
    org_nr: str
    logo: Path
    logo_alt: str
    plan_title: str
    plan_date: str
    plan_url: str
    appendix: str


_LINES = ("postal_address", "visiting_address")


def _problem(path: Path, message: str) -> InputError:
    return InputError(f"{path}: {message}")


def _keys(names: list[str]) -> str:
    return ", ".join(f'"{n}"' for n in names)


def _read(path: Path) -> dict[str, Any]:
    """The profile's JSON object; a Swedish one-line error naming the file otherwise."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise _problem(path, "profilen finns inte") from None
    except UnicodeDecodeError:
        raise _problem(path, "profilen är inte UTF-8-kodad") from None
    except OSError as exc:
        raise _problem(path, f"profilen kan inte läsas ({exc.strerror})") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise _problem(path, f"profilen är ingen giltig JSON (rad {exc.lineno}, kolumn {exc.colno}: "
                                 f"{json_problem(exc)})") from None
    if not isinstance(data, dict):
        raise _problem(path, "profilen ska vara ett JSON-objekt med nycklar och värden")
    return data


def _logo(path: Path, value: str) -> Path:
    """The logo file, relative to the profile's folder; it must exist and be an image Word can show."""
    from docx.image.exceptions import UnrecognizedImageError
    from docx.image.image import Image

    logo = (path.parent / value).resolve()
    where = f'nyckeln "logo": bildfilen {value}'
    if not logo.is_file():
        raise _problem(path, f"{where} finns inte (sökvägen räknas från profilfilens mapp, {path.parent.resolve()})")
    try:
        Image.from_file(str(logo))
    except (UnrecognizedImageError, OSError, ValueError, IndexError):
        raise _problem(path, f"{where} är ingen bild som Word kan visa (PNG, JPEG, GIF, BMP eller TIFF)") from None
    return logo


def load_profile(path: str | Path | None = None) -> Profile:
    """The profile in a JSON file (the bundled Oxelösund profile by default); the logo path is relative to it.

    Every problem (no file, bad JSON, a key missing, unknown or of the wrong type, no logo) is an
    :class:`InputError` with one Swedish line naming the file and the key.
    """
    path = Path(path) if path else DEFAULT
    data = _read(path)
    names = [f.name for f in fields(Profile)]
    missing = [n for n in names if n not in data]
    unknown = sorted(data.keys() - set(names))
    if missing:
        raise _problem(path, f"{'nyckeln' if len(missing) == 1 else 'nycklarna'} {_keys(missing)} saknas i profilen")
    if unknown:
        raise _problem(path, f"{'okänd nyckel' if len(unknown) == 1 else 'okända nycklar'} {_keys(unknown)} "
                             f"i profilen (giltiga: {', '.join(names)})")
    for name in names:
        value = data[name]
        if name in _LINES:
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise _problem(path, f'nyckeln "{name}" ska vara en lista med textrader, till exempel ["rad 1", "rad 2"]')
            data[name] = tuple(value)
        elif not isinstance(value, str):
            raise _problem(path, f'nyckeln "{name}" ska vara en text inom citattecken')
    data["logo"] = _logo(path, data["logo"])
    return Profile(**data)
