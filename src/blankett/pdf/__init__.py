"""The form as PDF: the rooms of this package, by what they do.

Writing a filled PDF (no LibreOffice):

- :mod:`.write`: the writer. Fills the blank PDF's fields directly (values and appearance streams); ``fill --pdf``.
- :mod:`.flat`: draws the answers into the pages instead of fields (``--flatten``).
- :mod:`.more`: continuation pages for answers longer than their box.
- :mod:`.fill`: the batch of ``fill --pdf`` (file naming, progress, ``--archive`` handed to :mod:`.archivefill`).
- :mod:`.blank`: the blank PDF every filled one starts from: shipped, or made once by LibreOffice and cached.

Laying out an answer (shared by every writer): :mod:`.layout` (widths, wrapping, font size, appearance content)
and :mod:`.font` (the embedded Liberation Sans).

Making a PDF through LibreOffice:

- :mod:`.convert`: the LibreOffice route (export options, chunks of files, results per file).
- :mod:`.mend`: LibreOffice's export mended: field names, tooltips, check-box states, cells, table headers,
  the logo's alternative text, metadata.
- :mod:`.archive` and :mod:`.archivefill`: the archive copy (PDF/A-3a, PDF/UA-1, the record embedded).

Reading a filled PDF back: :mod:`.read` (the reader) and :mod:`.embedded` (an archive copy's record). The
reader imports no writing module (an import contract in pyproject.toml holds that).

Shared: :mod:`.common` (field values, names, limits, the field-type rule) and :mod:`.pypdf_private`, the one
place that uses pypdf beyond its documented API.
"""
