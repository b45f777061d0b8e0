"""URLs that change one thing about the current search, so every control can be a plain link.

Links drop ``page`` whenever the result set changes: page 7 of a narrower search rarely exists.
"""

from __future__ import annotations

from urllib.parse import urlencode

from web.params import DATE_PARAMS, FACET_PARAMS


class SearchLinks:
    """Build /search URLs from the current search's parameters (name, value pairs in order)."""

    def __init__(self, base: str, params: list[tuple[str, str]]) -> None:
        self._base = base
        self._pairs = [(k, v) for k, v in params if v != ""]

    def _url(self, pairs: list[tuple[str, str]]) -> str:
        return f"{self._base}?{urlencode(pairs)}" if pairs else self._base

    def _without_page(self) -> list[tuple[str, str]]:
        return [(k, v) for k, v in self._pairs if k != "page"]

    def is_selected(self, param: str, value: str) -> bool:
        return (param, value) in self._pairs

    def toggle(self, param: str, value: str) -> str:
        """Select ``value`` of facet ``param`` if it is not selected, else unselect it."""
        pairs = self._without_page()
        if (param, value) in pairs:
            return self._url([p for p in pairs if p != (param, value)])
        return self._url(pairs + [(param, value)])

    def replace(self, param: str, value: str | int | None) -> str:
        """Set a single-valued parameter (sort, page, q); None removes it."""
        keep_page = param == "page"
        pairs = self._pairs if keep_page else self._without_page()
        pairs = [(k, v) for k, v in pairs if k != param]
        if value is not None:
            pairs.append((param, str(value)))
        return self._url(pairs)

    def without(self, *params: str) -> str:
        """The search without these parameters (a date range's two bounds, say)."""
        return self._url([(k, v) for k, v in self._without_page() if k not in params])

    def page(self, number: int) -> str:
        return self.replace("page", number if number > 1 else None)

    def without_filters(self) -> str:
        return self.without(*FACET_PARAMS, *DATE_PARAMS)

    def only(self, **params: str) -> str:
        """A fresh search with just these parameters (for suggestions and examples)."""
        return self._url([(k, v) for k, v in params.items() if v])
