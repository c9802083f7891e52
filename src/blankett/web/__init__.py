"""blankett serve: the three jobs in a web browser and an HTTP API, over the library's front door.

Start it with ``blankett serve``; build the application for tests or another
ASGI server with :func:`create_app`.
"""

from .app import create_app
from .server import end_process_soon, run

__all__ = ["create_app", "end_process_soon", "run"]
