"""blankett serve: the three jobs in a web browser and an HTTP API, over the library's front door.

Start it with ``blankett serve``; build the application for tests or another
ASGI server with :func:`create_app`.

The names are imported when first used (PEP 562): a fill worker process (:mod:`.pool`), which imports this
package to reach its own module, must not load the web server (Starlette, uvicorn, the pages) it never runs.
"""

import importlib as _importlib
import typing as _typing

__all__ = ["create_app", "end_process_soon", "run"]

_WHERE = {"create_app": ".app", "end_process_soon": ".server", "run": ".server"}

if _typing.TYPE_CHECKING:
    from .app import create_app
    from .server import end_process_soon, run
else:

    def __getattr__(name: str) -> _typing.Any:
        try:
            module = _WHERE[name]
        except KeyError:
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None
        value = getattr(_importlib.import_module(module, __name__), name)
        globals()[name] = value
        return value
