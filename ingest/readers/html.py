"""HTML (.html, .htm): main content, headings kept, page metadata (title, date, canonical URL).

Main-content extraction is trafilatura's (it beats hand-written density rules on real pages; see
bench/extraction.py); kb walks its content tree so headings stay headings. When trafilatura
finds nothing (tiny or unusual pages), an lxml pass keeps the visible text outside
navigation, headers and footers, so a page is never silently empty. That visible text is
also used when trafilatura keeps only a small share of it: on listing pages (product grids,
event lists) trafilatura often keeps a fragment and misses the content.
"""

from __future__ import annotations

import re
from typing import Any

import lxml.html
import trafilatura
from lxml import etree
from trafilatura.settings import Document as ExtractedPage

from ..encoding import decode
from ..errors import IngestError
from ..textutil import clean_line
from . import EXTENSIONS
from .base import HEADING, PARAGRAPH, Block, RawDocument, Reader
from .htmlstream import stream_blocks

_CLOSING = re.compile(r"</(?:html|body)\s*>", re.IGNORECASE)
_OPENING = re.compile(r"<(?:html|body)[\s>]", re.IGNORECASE)
_META_CHARSET = re.compile(rb"<meta[^>]+charset=[\"']?([A-Za-z0-9_-]+)", re.IGNORECASE)
#: Content-tree elements that hold blocks of their own when nested in another.
_NESTED = frozenset({"p", "list", "item", "quote", "code", "table", "head", "div"})
_SKIP_TAGS = ("script", "style", "noscript", "nav", "header", "footer", "aside", "form",
              "template", "svg", "button", "select", "iframe", "head")
_LANDMARKS = "//*[@role='navigation' or @role='banner' or @role='contentinfo' or " \
             "@role='complementary']"
_HEADING_TAGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_LINE_TAGS = frozenset({"p", "div", "li", "ul", "ol", "dl", "dt", "dd", "tr", "table", "br",
                        "section", "article", "blockquote", "pre", "figure", "figcaption",
                        "main", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "address"})
_CELL_TAGS = frozenset({"td", "th"})
_MARKED_TAGS = tuple(sorted(_HEADING_TAGS | _LINE_TAGS | _CELL_TAGS))
_MENU_MIN_ITEMS = 6
_MENU_ITEM_WORDS = 5
_SITE_SUFFIX = re.compile(r"\s+[|·–—-]\s+[^|·–—-]{1,40}$")
_DATE_XPATH = (
    "//meta[@property='article:published_time' or @name='date' or @name='DC.date.issued' "
    "or @name='dcterms.date' or @name='citation_publication_date' or @name='pubdate' "
    "or @name='publish-date' or @itemprop='datePublished']/@content"
    " | //time[@datetime][1]/@datetime"
)
_LOWER = "translate({}, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz')"
_CANONICAL_XPATH = ("//link[contains(concat(' ', normalize-space(" + _LOWER.format("@rel")
                    + "), ' '), ' canonical ')]/@href")
_LANG_XPATH = ("/html/@lang | /html/@xml:lang | //body/@lang | //meta["
               + _LOWER.format("@http-equiv") + "='content-language']/@content")
#: The ``lang`` of an ``<html>`` start tag, read from the text where the tree lost it.
_HTML_LANG = re.compile(r"<html\b[^>]*?\blang\s*=\s*[\"']?([A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{1,8})*)",
                        re.IGNORECASE)
_HTML_LANG_WINDOW = 20_000
_HEADING_MARK = "\ue000"  # a private-use character no page contains
#: When trafilatura keeps less than this share of the visible main text, it has most likely
#: missed the content (listings, product grids): kb keeps the visible text instead. Measured
#: with bench/extraction.py (see the README).
_MIN_KEPT_SHARE = 0.25
#: Pages beyond these go to the visible-text pass instead of trafilatura (see _suits_extractor).
_MAX_EXTRACTOR_ELEMENTS = 50_000
_MAX_EXTRACTOR_DEPTH = 250


def parse(data: bytes, name: str) -> list[RawDocument]:
    html = _decode(data)
    if _is_truncated(html):
        raise IngestError("HTML is truncated: the file ends inside the page, before </body> or "
                          "</html>; save the complete page again")
    tree, complete = _parse_tree(html)
    meta = _metadata(tree, html) if tree is not None else {}
    blocks: list[Block] = []
    if tree is not None and complete and _suits_extractor(tree):
        try:
            extracted = trafilatura.bare_extraction(
                html, output_format="python", include_comments=False, with_metadata=False)
        except Exception as exc:  # trafilatura raises many kinds on malformed trees
            raise IngestError(f"HTML could not be parsed: {exc}") from None
        if isinstance(extracted, ExtractedPage) and extracted.body is not None:
            blocks = _tree_blocks(extracted.body)
    if not complete:
        visible = stream_blocks(html)
    else:
        visible = _visible_blocks(tree) if tree is not None else []
    if _words(blocks) < _MIN_KEPT_SHARE * _words(visible):
        blocks = visible
    if not blocks:
        raise IngestError("HTML page has no readable text")
    return [RawDocument(blocks=blocks, title=meta.get("title", ""), date=meta.get("date", ""),
                        url=meta.get("url", ""), language=meta.get("lang", ""), web=True)]


def _parse_tree(html: str) -> tuple[Any, bool]:
    """The page's tree, and False when the parser had to cut it (nesting beyond its limit)."""
    parser = lxml.html.HTMLParser(huge_tree=True)
    try:
        tree = lxml.html.document_fromstring(html, parser=parser)
    except (etree.ParserError, ValueError):
        return None, True
    cut = any(e.type == etree.ErrorTypes.ERR_RESOURCE_LIMIT for e in parser.error_log)
    return tree, not cut


def _suits_extractor(tree: Any) -> bool:
    """Whether trafilatura can read this page whole and in reasonable time.

    Its parser drops what is nested deeper than 255 elements (silently: 300 nested <div>s
    kept 254 paragraphs), and its cost grows with the element count (a page of a million tiny
    elements took minutes and gigabytes). Such pages get kb's own visible-text pass, which
    keeps all of their text.
    """
    count = depth = 0
    for event, _ in etree.iterwalk(tree, events=("start", "end")):
        if event == "end":
            depth -= 1
            continue
        count += 1
        depth += 1
        if count > _MAX_EXTRACTOR_ELEMENTS or depth >= _MAX_EXTRACTOR_DEPTH:
            return False
    return True


def _metadata(tree: Any, html: str) -> dict[str, str]:
    """Title, canonical URL, publication date and declared language from the page's markup.

    Read from the tags pages use for them (this is much cheaper than trafilatura's metadata
    pass, which guesses dates from the whole page); a dateline in the text is found later.
    ``rel`` is a list of words in any case (``rel="alternate Canonical"``); the language may be
    declared on ``<html>``, ``<body>`` or a ``content-language`` meta tag, and where text
    before ``<html>`` (a server warning, a stray BOM line) made the parser imply its own root,
    the ``lang`` of the page's own ``<html>`` tag is read from the tag itself.
    """
    def first(xpath: str) -> str:
        for value in tree.xpath(xpath):
            text = clean_line(value if isinstance(value, str) else value.text_content())
            if text:
                return text
        return ""

    title = first("//h1") or first("//meta[@property='og:title']/@content") or \
        _SITE_SUFFIX.sub("", first("//title"))
    start_tag = _HTML_LANG.search(html[:_HTML_LANG_WINDOW])
    return {
        "title": title,
        "url": first(_CANONICAL_XPATH) or first("//meta[@property='og:url']/@content"),
        "date": first(_DATE_XPATH),
        "lang": first(_LANG_XPATH) or (start_tag.group(1) if start_tag else ""),
    }


def _decode(data: bytes) -> str:
    declared = _META_CHARSET.search(data[:4096])
    if declared:
        try:
            return data.decode(declared.group(1).decode("ascii"))
        except (LookupError, UnicodeDecodeError):
            pass
    return decode(data)


def _is_truncated(html: str) -> bool:
    """A page that opens <html>/<body> but never closes either and ends mid-text or mid-tag."""
    if not _OPENING.search(html[:20_000]) or _CLOSING.search(html):
        return False
    return not html.rstrip().endswith(">")


def _tree_blocks(body: Any) -> list[Block]:
    blocks: list[Block] = []
    for element in body:
        _walk(element, blocks)
    return blocks


def _walk(element: Any, blocks: list[Block]) -> None:
    """One block per heading, paragraph line, list item and table row; each text once only."""
    tag = element.tag
    if tag == "head":
        _add(blocks, clean_line(" ".join(element.itertext())), HEADING)
        return
    if tag == "table":
        for row in element.iter("row"):
            cells = [clean_line(" ".join(cell.itertext())) for cell in row.iter("cell")]
            _add(blocks, " ".join(c for c in cells if c), PARAGRAPH)
        return
    for line in _own_lines(element):
        _add(blocks, line, PARAGRAPH)
    for child in element:
        if child.tag in _NESTED:
            _walk(child, blocks)


def _own_lines(element: Any) -> list[str]:
    """The element's text without nested blocks, split at <lb/> line breaks."""
    parts: list[str] = [element.text or ""]
    for child in element:
        if child.tag == "lb":
            parts.append("\n")
        elif child.tag not in _NESTED:
            parts.append("".join(child.itertext()))
        else:
            parts.append("\n")
        parts.append(child.tail or "")
    return [clean_line(line) for line in "".join(parts).split("\n") if clean_line(line)]


def _is_link_menu(element: Any) -> bool:
    """A list of many short items that are nothing but links: a menu, not content.

    Listings that are content (products, events, jobs) carry text outside their links: a
    price, a date, a description.
    """
    items = element.xpath("./li")
    if len(items) < _MENU_MIN_ITEMS:
        return False
    text = " ".join(element.text_content().split())
    linked = " ".join(" ".join(a.text_content().split()) for a in element.xpath(".//a"))
    words = len(text.split())
    return bool(text) and len(linked) >= 0.9 * len(text) and words <= _MENU_ITEM_WORDS * len(items)


def _words(blocks: list[Block]) -> int:
    return sum(len(b.text.split()) for b in blocks)


def _add(blocks: list[Block], text: str, kind: str) -> None:
    if text:
        blocks.append(Block(text, kind))


def _visible_blocks(tree: Any) -> list[Block]:
    """The visible text of the page's main region: <main>, else the body without navigation,
    header, footer and sidebars. Block elements become lines; headings stay headings.
    (The tree is changed in place.)"""
    etree.strip_elements(tree, *_SKIP_TAGS, etree.Comment, with_tail=False)
    for element in tree.xpath(_LANDMARKS):
        element.drop_tree()
    for element in tree.xpath("//ul|//ol"):
        if _is_link_menu(element):
            element.drop_tree()
    roots = tree.xpath("//main|//*[@role='main']") or tree.xpath("//article") or \
        tree.xpath("//body") or [tree]
    root = roots[0]
    # Only the elements that get a mark (lxml picks them by name, without a Python step per
    # inline element, comment or text-less node); each change is to the element's own text.
    for element in root.iter(*_MARKED_TAGS):
        tag = element.tag
        if tag in _HEADING_TAGS:
            element.text = _HEADING_MARK + (element.text or "")
        if tag in _LINE_TAGS:
            element.tail = "\n" + (element.tail or "")
            element.text = "\n" + (element.text or "")
        elif tag in _CELL_TAGS:
            element.tail = " " + (element.tail or "")
    blocks: list[Block] = []
    for line in root.text_content().split("\n"):
        heading = _HEADING_MARK in line
        text = clean_line(line.replace(_HEADING_MARK, " "))
        _add(blocks, text, HEADING if heading else PARAGRAPH)
    return blocks


READER = Reader("html", EXTENSIONS["html"], parse)
