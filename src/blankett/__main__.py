"""``python -m blankett`` and the ``blankett`` command."""

import importlib
import importlib.util
import sys
from collections.abc import Callable


def _load() -> Callable[[], object]:
    """The command line's entry, loaded with Ctrl-C held back from every thread a library starts meanwhile."""
    from .interrupt import quiet_workers

    # Threads that libraries start while loading (numpy's OpenBLAS, imported by openpyxl when present) keep
    # Ctrl-C blocked, so that it always reaches the main thread at once, even while it waits.
    with quiet_workers():
        from .cli import main

        # openpyxl is loaded when a workbook is first read or written, and loads numpy where it is installed;
        # numpy would start its threads then, outside this block, so it is loaded here where there is one
        if importlib.util.find_spec("numpy") is not None:
            importlib.import_module("numpy")
    return main


def run() -> None:
    """The command line; Ctrl-C while the program is still loading is the same one line and exit 130."""
    try:
        main = _load()
    except KeyboardInterrupt:
        sys.stderr.write("Avbrutet. Inga halvskrivna filer har lämnats kvar.\n")
        sys.exit(130)
    main()


if __name__ == "__main__":
    run()
