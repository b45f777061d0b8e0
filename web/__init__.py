"""kb's research web UI: a thin Flask layer over :class:`kb.search.Library`.

It reads the index and never writes it; pages and the JSON API are built from the same data
functions so that they can never disagree.
"""

from __future__ import annotations

from web.access import access_log as access_log
from web.app import create_app as create_app

__all__ = ["access_log", "create_app"]
