"""The visible text of a page too deeply nested for any tree parser, read as a stream.

libxml2 (under lxml and trafilatura) stops building the tree 255 elements deep, or 2,048 with
its "huge" option, and drops what is below; a page of 10,000 nested <div>s then looked empty.
Python's own tokenizer keeps no tree, so nesting costs it nothing: here every text outside
scripts and styles is kept, one line per block element, headings marked as headings.
"""

from __future__ import annotations

from html.parser import HTMLParser

from ..textutil import clean_line
from .base import HEADING, PARAGRAPH, Block

_INVISIBLE = frozenset({"script", "style", "template", "noscript", "head", "title"})
_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_INLINE = frozenset({"a", "abbr", "b", "bdi", "bdo", "cite", "code", "data", "dfn", "em", "i",
                     "kbd", "mark", "q", "s", "samp", "small", "span", "strong", "sub", "sup",
                     "time", "u", "var", "font", "label"})


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[Block] = []
        self._parts: list[str] = []
        self._hidden = 0
        self._heading = 0

    def handle_starttag(self, tag: str, attrs: object) -> None:
        if tag in _INVISIBLE:
            self._hidden += 1
        elif tag not in _INLINE:
            self._flush()
            self._heading += tag in _HEADINGS

    def handle_startendtag(self, tag: str, attrs: object) -> None:
        if tag not in _INLINE:
            self._flush()

    def handle_endtag(self, tag: str) -> None:
        if tag in _INVISIBLE:
            self._hidden = max(0, self._hidden - 1)
        elif tag not in _INLINE:
            self._flush()
            if tag in _HEADINGS:
                self._heading = max(0, self._heading - 1)

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self._parts.append(data)

    def finish(self) -> list[Block]:
        self.close()
        self._flush()
        return self.blocks

    def _flush(self) -> None:
        text = clean_line("".join(self._parts))
        self._parts = []
        if text:
            self.blocks.append(Block(text, HEADING if self._heading else PARAGRAPH))


def stream_blocks(html: str) -> list[Block]:
    """Blocks of the page's visible text, whatever its nesting depth."""
    collector = _Collector()
    collector.feed(html)
    return collector.finish()
