"""The municipality profile: the values that belong to the municipality, not to the form."""

from __future__ import annotations

import json
from dataclasses import dataclass, fields
from pathlib import Path

from .errors import InputError

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


def load_profile(path: str | Path | None = None) -> Profile:
    """The profile in a JSON file (the bundled Oxelösund profile by default); the logo path is relative to it."""
    path = Path(path) if path else DEFAULT
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InputError(f"{path}: profilen kan inte läsas ({exc.__class__.__name__})") from None
    names = {f.name for f in fields(Profile)}
    missing = sorted(names - data.keys())
    unknown = sorted(data.keys() - names)
    if missing or unknown:
        raise InputError(f"{path}: profilen saknar {missing} eller har okända nycklar {unknown}")
    data["postal_address"] = tuple(data["postal_address"])
    data["visiting_address"] = tuple(data["visiting_address"])
    data["logo"] = (path.parent / data["logo"]).resolve()
    return Profile(**data)
