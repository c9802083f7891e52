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
