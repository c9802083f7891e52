"""blankett: Bilaga 5 (Incidentrapport och händelsedokumentation) filled, read back and published.

The library API; the ``blankett`` command is a thin layer over it.
"""

__version__ = "0.1.0"
