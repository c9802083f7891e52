"""Overview (lägesbild) and follow-up reminders, from returned forms or extract's output (issue 20).

Stages, each its own module:

- ``cases``: returned forms (folders, files, zips) or extract's output (.xlsx/.csv/.json) → one :class:`Case`
  each, with the date that places it in a period and where that date came from;
- ``count``: cases and a period → an :class:`~.report.Overview` (internal: with case numbers and the noted
  weaknesses);
- ``suppress``: the internal overview → the public one (counts 1–2 shown as "färre än 3", secondary suppression,
  no listings, no free text, nothing finer than the month);
- ``render_*``: one module per output format, each walking the overview's blocks;
- ``followup``: the follow-up talks due or overdue, and their iCalendar file.

The front door (``blankett.overview_files`` …) is in ``blankett._api``; these modules are internal.
"""

import sys as _sys
import types as _types
from typing import Any as _Any


class _CallablePackage(_types.ModuleType):
    """``blankett.overview(...)`` is the library call, and ``blankett/overview/`` the package of its stages.

    Importing a submodule (``blankett.overview.report``) makes this package an attribute of ``blankett``, where it
    would hide the call ("module is not callable"); so the package, called, is the call.
    """

    def __call__(self, *args: _Any, **kwargs: _Any) -> _Any:
        from .make import make

        return make(*args, **kwargs)


_sys.modules[__name__].__class__ = _CallablePackage
