"""A script run in a new Python process (what a worker or a command loads starts from nothing there), its JSON."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any


def in_new_python(script: str, *args: object) -> Any:
    """What ``script`` prints as JSON, run by this Python in a process of its own with ``args`` as its argv."""
    done = subprocess.run([sys.executable, "-c", script, *map(str, args)], capture_output=True, text=True,
                          timeout=60, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout)
