"""Worker processes: how they are started, one choice for every pool.

``fork`` where the system has it and it is safe (Linux), else ``spawn`` (Windows,
macOS). ``BLANKETT_START_METHOD=spawn`` starts them the Windows way on Linux too,
so that the tests can show that nothing depends on memory copied by ``fork``.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
from multiprocessing.context import BaseContext

from .errors import BlankettError

ENV_VAR = "BLANKETT_START_METHOD"


def context() -> BaseContext:
    """The multiprocessing context worker pools start their processes with."""
    method = os.environ.get(ENV_VAR) or ("fork" if sys.platform.startswith("linux") else "spawn")
    if method not in multiprocessing.get_all_start_methods():
        raise BlankettError(f"{ENV_VAR}={method}: okänt sätt att starta arbetsprocesser; välj bland "
                            f"{', '.join(multiprocessing.get_all_start_methods())}")
    return multiprocessing.get_context(method)
