"""The error for a document that is not (all of) Bilaga 5: shared by every reader (.docx, .odt, .doc, .pdf)."""

from __future__ import annotations

from .errors import InputError
from .form import FIELDS, Field
from .kinds import Values


class NotTheFormError(InputError):
    """The document is not Bilaga 5, or misses some of its fields; ``values`` holds what was found."""

    def __init__(self, message: str, values: Values | None = None):
        super().__init__(message)
        self.values: Values = values or {}


def not_the_form(missing: list[Field], values: Values) -> NotTheFormError:
    """The error for a document without (some of) the form's fields."""
    if len(missing) == len(FIELDS):
        return NotTheFormError("dokumentet är inte blanketten Bilaga 5 (inga av blankettens fält hittades)")
    names = ", ".join(f.column for f in missing)
    return NotTheFormError(f"blanketten saknar {len(missing)} av sina {len(FIELDS)} fält (en äldre eller ändrad "
                           f"mall?): {names}", values)
