"""``python -m blankett`` and the ``blankett`` command."""

import sys


def run() -> None:
    """The command line; Ctrl-C while the program is still loading is the same one line and exit 130."""
    try:
        from .cli import main
    except KeyboardInterrupt:
        sys.stderr.write("Avbrutet. Inga halvskrivna filer har lämnats kvar.\n")
        sys.exit(130)
    main()


if __name__ == "__main__":
    run()
