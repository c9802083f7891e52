"""``python -m blankett`` and the ``blankett`` command."""

import sys


def run() -> None:
    """The command line; Ctrl-C while the program is still loading is the same one line and exit 130."""
    from .interrupt import quiet_workers

    try:
        # Threads that libraries start while loading (numpy's OpenBLAS, imported by openpyxl when present) keep
        # Ctrl-C blocked, so that it always reaches the main thread at once, even while it waits.
        with quiet_workers():
            from .cli import main
    except KeyboardInterrupt:
        sys.stderr.write("Avbrutet. Inga halvskrivna filer har lämnats kvar.\n")
        sys.exit(130)
    main()


if __name__ == "__main__":
    run()
