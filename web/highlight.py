"""Safe HTML for matched words: snippets and document passages, both marked by the index.

Corpus text is hostile by default (pages copied from anywhere), so nothing from it reaches the
page as markup except the ``<mark>`` tags that kb itself adds.
"""

from __future__ import annotations

import re

from markupsafe import Markup, escape

from kb.search import mark_words

_MARK = re.compile(r"(</?mark>)")


def safe_snippet(snippet: str) -> Markup:
    """Markup for an index snippet that should already be escaped text with ``<mark>`` tags.

    Only balanced ``<mark>``/``</mark>`` survive as tags; any other ``<`` or ``>`` (which a
    correct snippet never contains) is escaped, so a bug upstream shows as text, not script.
    """
    out: list[str] = []
    open_mark = False
    for part in _MARK.split(snippet):
        if part == "<mark>" and not open_mark:
            out.append(part)
            open_mark = True
        elif part == "</mark>" and open_mark:
            out.append(part)
            open_mark = False
        elif part in ("<mark>", "</mark>"):
            continue
        elif "<" in part or ">" in part:
            out.append(str(escape(part)))
        else:
            out.append(part)
    if open_mark:
        out.append("</mark>")
    return Markup("".join(out))


def highlight(text: str, words: frozenset[str]) -> Markup:
    """Escape ``text`` and mark ``words``, the indexed forms the search matched
    (``Library.match_words``): the same words, found the same way, as the snippets mark."""
    if not words:
        return escape(text)
    return safe_snippet(mark_words(text, words))
