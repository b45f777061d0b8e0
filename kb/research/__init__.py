"""Research tools over search: trends across sessions, keyword in context, citations, exports,
feeds and the profiles of topics and sessions. The CLI, the pages and the JSON API all call
these functions, so the three always agree."""

from __future__ import annotations
