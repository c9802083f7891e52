"""The overview's output files, one line each: which file, for which version, drawn by which renderer.

Each renderer takes an :class:`~.report.Overview` and gives the file's bytes. The internal overview is the
Word document (for the kommunstyrelse's agenda), its PDF and the workbook with charts; the public one the
accessible HTML page, its tagged PDF and the workbook of its suppressed tables. A format is added here and
nowhere else (``blankett.overview_files`` and the command write what is listed).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from . import render_xlsx
from .report import Overview


@dataclass(frozen=True)
class Format:
    """One output file: its name in the output folder, the version it is made for, its renderer."""

    name: str
    public: bool
    render: Callable[[Overview], bytes]


#: Every file one run writes, internal first. (render_docx, render_pdf and render_html: issue 20's renderers,
#: one line each here when they are in.)
FORMATS: tuple[Format, ...] = (
    Format("lagesbild.xlsx", False, render_xlsx.render),
    Format("lagesbild-offentlig.xlsx", True, render_xlsx.render),
)
