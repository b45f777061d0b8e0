"""Page-level boilerplate: what one page alone shows to be furniture rather than content.

Two shapes matter for text pulled out of web pages. Menus: a run of link labels, either one very
long line of labels without sentences (the WIPO menu is ~200 labels on one line) or many
consecutive short label lines. A long line is a menu when its words are Title-Case labels, or,
in any of the six languages (Chinese and Arabic have no capitals), when most of it is made of
WIPO's menu labels, which the language tables list (:mod:`ingest.enrich.lang`), with the names
the menu keeps in every language (PATENTSCOPE, ePCT, WIPO Lex ...). Trailing furniture: "Watch
the event", "Loading...", newsletter invitations, "(Photo: WIPO)" credits, "Video: ..."
teasers, share bars, cookie notices, and image alt captions (a short lower-case line on its
own, which no heading or sentence starts with), and rows of links between separators ("Contact
us · Terms of use"). Content recurring across pages of one site is the job of
:mod:`ingest.sitewide`.
"""

from __future__ import annotations

import re
from functools import cache

from .enrich.lang import alternation, languages
from .readers.base import Block

_FURNITURE = re.compile(
    r"""^(?:
        watch\ (?:the\ )?(?:event|video|webcast|recording|replay|session|livestream)s?\b.{0,60}
      | (?:\(\s*)?(?:photos?|images?|pictures?|credits?|photo\ credit)\s*:.{0,100}
      | videos?\s*:.{0,200}
      | (?:share|share\ this(?:\ page|\ article)?|print(?:\ this\ page)?|tweet|e-?mail\ this
         |back\ to\ top|top\ of\ page|read\ more|learn\ more|related\ links|related\ content
         |follow\ us(?:\ on\ .{0,40})?|skip\ to\ (?:main\ )?content
         |loading(?:\ content)?(?:\.\.\.|…)?|please\ wait|page\ (?:is\ )?loading
         |(?:please\ )?enable\ javascript.{0,60}|javascript\ is\ (?:disabled|required).{0,60})[.!:]?
    )$""",
    re.IGNORECASE | re.VERBOSE,
)
_NEWSLETTER = re.compile(r"\b(?:subscribe|sign\ up|register)\b.{0,40}\bnewsletters?\b",
                         re.IGNORECASE | re.VERBOSE)
_COOKIES = re.compile(r"\bcookies?\b.{0,200}\b(?:accept|consent|agree|settings|policy)\b",
                      re.IGNORECASE)
#: A sentence end: ".", "!" or "?" not after a full stop (an ellipsis ends nothing), closing
#: quotes, then a space or the end; or a CJK or Arabic end mark. Written to open with the
#: marks' class, so the scan skips to them in C instead of trying each branch at every
#: character (the same matches as ``(?<!\.)[.!?]['"”’)]*(?=\s|$)|[。！？؟]``).
_SENTENCE_END = re.compile(r"[.!?。！？؟](?:(?<=[。！？؟])|(?<!\.[.!?])['\"”’)]*(?=\s|$))")
#: What every sentence end (_SENTENCE_END) holds.
_SENTENCE_MARKS = ".!?。！？؟"
_SEPARATORS = re.compile(r"\s[·|•]\s")
_TERMINAL = re.compile(r"[.!?:;,。！？：；，؟،؛]['\"”’)」』]*$")
_MENU_MIN_WORDS = 30
#: A line this long (characters) made mostly of menu labels is a menu in any script.
_LABEL_LINE_MIN_CHARS = 60
_LABEL_LINE_MIN_LABELS = 6
_LABEL_SHARE = 0.5
_RUN_MIN_LINES = 6
_LABEL_MAX_WORDS = 5
_CAPTION_MAX_WORDS = 15


def clean_page(blocks: list[Block], *, web_text: bool = True) -> list[Block]:
    """Drop furniture and menus from one page's blocks.

    :param web_text: the blocks came from plain text without markup, so line shapes (menu
        lines, label runs, lower-case alt captions) are the only evidence; HTML has already
        been cut to its main content, where such shapes are usually content (job listings,
        lists of short items).
    """
    kept = [b for b in blocks if not is_furniture(b.text)]
    if web_text:
        kept = [b for b in _drop_label_runs(kept)
                if not is_menu_line(b.text) and not _is_alt_caption(b.text)]
    return kept


def is_furniture(text: str) -> bool:
    """Lines that only point elsewhere: watch, subscribe, credits, teasers, share, cookies."""
    if _FURNITURE.match(text) or _is_link_row(text):
        return True
    # Words counted up to one past the most a notice has: a paragraph is not split whole.
    n_words = len(text.split(None, 80))
    if n_words > 80:
        return False
    # The cheap tests first: a notice that names no newsletter (in ASCII, where a case-blind
    # match is a substring of the lower case: elsewhere "ſ" matches "s") or no cookie is none.
    low = text.lower()
    if n_words <= 40 and ("newsletter" in low or not text.isascii()) \
            and _NEWSLETTER.search(text):
        return True
    return "cookie" in low and bool(_COOKIES.search(text))


def _is_link_row(text: str) -> bool:
    """A row of short labels between separators: "Contact us · Terms of use · Privacy"."""
    if "·" not in text and "|" not in text and "•" not in text:
        return False  # no separator: one part (the cheap test, as most lines are prose)
    parts = [p.strip() for p in _SEPARATORS.split(text)]
    return (len(parts) >= 3 and all(p and len(p.split()) <= 4 for p in parts)
            and not _SENTENCE_END.search(text))


@cache
def _menu_labels() -> re.Pattern[str]:
    return re.compile(alternation(label for lang in languages().values() for label in lang.menu))


def _mostly_menu_labels(text: str, sentences: int) -> bool:
    """Most of the line is WIPO menu labels (any language), with almost no sentence end
    (``sentences``: how many the line has)."""
    if len(text) < _LABEL_LINE_MIN_CHARS:
        return False
    if sentences > len(text) / 400:  # prose: a sentence end every few hundred characters
        return False
    found = _menu_labels().findall(text)
    if len(found) < _LABEL_LINE_MIN_LABELS:
        return False
    if sentences > len(found) / 10:
        return False
    covered = sum(len(label) for label in found)
    return covered / len("".join(text.split())) >= _LABEL_SHARE


def is_menu_line(text: str) -> bool:
    """One long run of link labels with (almost) no sentence endings: Title-Case labels, or
    WIPO's menu labels in any of the six languages."""
    tokens = text.split()
    if len(text) < _LABEL_LINE_MIN_CHARS and len(tokens) < _MENU_MIN_WORDS:
        return False  # too short for either test: no need to count its sentences
    sentences = _sentence_ends(text, max(len(text) / 400, len(tokens) / 40))
    if sentences is None:
        return False  # prose
    # The Title-Case test first: it is cheaper than looking for every language's labels.
    return _title_case_labels(tokens, sentences) or _mostly_menu_labels(text, sentences)


def _title_case_labels(tokens: list[str], sentences: int) -> bool:
    """Many words, nearly all capitalised, almost no sentence end (``sentences``)."""
    if len(tokens) < _MENU_MIN_WORDS:
        return False
    if sentences > len(tokens) / 40:
        return False
    long_words = [t for t in tokens if len(t) > 3 and t[0].isalpha()]
    if not long_words:
        return False
    capitalised = sum(1 for t in long_words if t[0].isupper())
    return capitalised / len(long_words) >= 0.6


def _sentence_ends(text: str, prose: float) -> int | None:
    """How many sentence ends the line has, or None once there are more than ``prose``.

    Both menu tests call a line with more sentence ends than a share of its characters
    (:func:`_mostly_menu_labels`) or of its words (:func:`is_menu_line`) prose, whatever else
    it holds: counting stops there, a few sentences into a paragraph, instead of at its end.
    """
    if not any(mark in text for mark in _SENTENCE_MARKS):
        return 0  # a menu line: no full stop at all
    found = 0
    for _ in _SENTENCE_END.finditer(text):
        found += 1
        if found > prose:
            return None
    return found


def _is_label(text: str) -> bool:
    # Words counted up to one past a label's most: a paragraph is not split whole.
    return len(text.split(None, _LABEL_MAX_WORDS)) <= _LABEL_MAX_WORDS and \
        not _TERMINAL.search(text)


def _drop_label_runs(blocks: list[Block]) -> list[Block]:
    """Remove runs of many consecutive short label lines (a menu with one label per line).

    The last label of a run is kept when a blank line sets it apart from the menu and content
    follows: that is the page's title.
    """
    out: list[Block] = []
    run: list[Block] = []
    for block in blocks:
        if _is_label(block.text):
            run.append(block)
            continue
        out.extend(_survivors(run))
        run = []
        out.append(block)
    if len(run) < _RUN_MIN_LINES:
        out.extend(run)
    return out


def _survivors(run: list[Block]) -> list[Block]:
    if len(run) < _RUN_MIN_LINES:
        return run
    if run[-1].group != run[-2].group:
        return run[-1:]
    return []


def _is_alt_caption(text: str) -> bool:
    """An image's alt text left on its own line: starts lower-case, short, no sentence end."""
    return (text[:1].islower() and len(text.split()) <= _CAPTION_MAX_WORDS
            and not _TERMINAL.search(text))
