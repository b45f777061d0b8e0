"""Front matter of papers and third-party submissions: title, authors, abstract.

Academic papers and submissions about the Conversation open with a title, the authors (with
affiliations, e-mail addresses and note markers) and often an abstract. The authors are who
"said" the document, so they become its speakers and leave the body; affiliation and e-mail
lines are not content either; a date line becomes the document's date. The abstract becomes
the first passage, under the heading "Abstract", whether the paper sets it as a heading or
writes "Abstract: ..." inline.

The type follows who wrote it: an organisation ("Submitted by ...") or a title naming a
submission, comments or a report (without an abstract) make a third-party report; named
authors make a paper; a title that says what it is ("Summary of ...", "Transcript ...") is
left to the usual inference. A document with WIPO's own marks (a document symbol, the
Secretariat) is not read here at all: WIPO's papers and reports keep the usual inference.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..enrich.dates import parse_date
from ..enrich.speakers import normalise_speaker
from ..textutil import normalise, wordset
from .base import HEADING, PARAGRAPH, Block, RawDocument

ABSTRACT = "Abstract"
#: "Abstract" alone (a heading), or "Abstract: ..." / "Abstract — ..." opening a paragraph.
_ABSTRACT = re.compile(r"^abstract\s*(?:[.:]?$|[.:—–-]\s*(?P<rest>.+)$)", re.IGNORECASE | re.DOTALL)
_KEYWORDS = re.compile(r"^(?P<label>key\s?words|index\s+terms)\s*[.:—–-]\s*(?P<rest>.+)$",
                       re.IGNORECASE | re.DOTALL)
_WIPO_MARKS = re.compile(r"\bWIPO/[A-Z]|\bWIPO\s+Secretariat\b|\bprepared\s+by\s+the\s+"
                         r"(?:International\s+Bureau|Secretariat)\b", re.IGNORECASE)
_ORGANISATION = re.compile(
    r"^(?:(?:submitted|prepared|written|contributed|presented)\s+by|"
    r"(?:submission|contribution|comments?|response|statement)\s+(?:of|from|by))"
    r"\s*:?\s*(?P<who>.+?)\.?$", re.IGNORECASE)
_BY = re.compile(r"^(?:by|authors?\s*:)\s+", re.IGNORECASE)
_AFFILIATION = re.compile(
    r"\b(?:universit\w*|univ\.|institut\w*|school|faculty|department|dept\.|college|"
    r"cent(?:er|re)|laborator\w*|inc\.?|ltd\.?|gmbh|llp|llc|corporation|foundation|"
    r"association|academy|hospital|ministry|office|group|consortium|council|committee|"
    r"society|federation|agency|commission|network|alliance|initiative|project|forum)\b|"
    r"@|https?://|www\.|\s(?:at|\[at\])\s+[\w-]+(?:\.[\w-]+)+$", re.IGNORECASE)
_PARENS = re.compile(r"\([^)]*\)|\[[^\]]*\]")
_SEPARATORS = re.compile(r"\s*(?:,|;|&|\band\b|\bet\b)\s*")
_MARKS = re.compile(r"[\d*†‡§¶¹²³⁴⁵⁶⁷⁸⁹⁰]+")
_PARTICLES = frozenset({"de", "del", "della", "da", "di", "do", "dos", "du", "van", "von",
                        "der", "den", "la", "le", "bin", "ibn", "al"})
#: Capitalised words that make a line a title or a heading rather than a person's name.
_NOT_NAMES = wordset(
    "the a an of for on in to with from issues issue paper papers report study review policy "
    "law laws session conversation copyright patent patents data draft revised summary "
    "abstract introduction keywords working comments submission intellectual property "
    "artificial intelligence machine learning generative technology technologies frontier "
    "innovation rights trade secrets ownership inventorship")
_SUBMISSION = re.compile(r"\b(?:submission|comments?|contribution|response|statement|"
                         r"position\s+paper|white\s+paper)\b", re.IGNORECASE)
_REPORT = re.compile(r"\b(?:report|survey)\b", re.IGNORECASE)
_OWN_KIND = re.compile(r"\b(?:summary|transcript|verbatim|minutes)\b", re.IGNORECASE)
#: How far into a document front matter is looked for, in blocks.
_ABSTRACT_WINDOW = 15
_TITLE_WINDOW = 3
_FRONT_WINDOW = 6
_NAME_WORDS = (2, 5)
_DATE_MAX_WORDS = 8


@dataclass
class FrontMatter:
    title: str
    authors: list[str]
    date: str
    doc_type: str
    blocks: list[Block]

    def document(self, fallback_title: str = "") -> RawDocument:
        return RawDocument(blocks=self.blocks, title=self.title or fallback_title,
                           date=self.date, doc_type=self.doc_type, speakers=self.authors)


def read(blocks: list[Block], title_at: int | None, metadata_author: str = ""
         ) -> FrontMatter | None:
    """The front matter of a paper, or None when the document does not open like one.

    :param title_at: the block the format shows as the title (the largest type on the first
        page, Word's Title style), else the first heading near the top is taken.
    :param metadata_author: the file's own author field, trusted only for names that also
        appear in the front matter (word processors fill it with an account name).
    """
    head = blocks[:_ABSTRACT_WINDOW]
    if any(_WIPO_MARKS.search(b.text) for b in head):
        return None
    abstract_at = next((i for i, b in enumerate(head) if _ABSTRACT.match(b.text)), None)
    if title_at is None:
        limit = min(_TITLE_WINDOW, abstract_at if abstract_at is not None else len(blocks))
        title_at = next((i for i, b in enumerate(blocks[:limit]) if b.kind == HEADING), None)
    if title_at is None or (abstract_at is not None and abstract_at <= title_at):
        return None
    end = abstract_at if abstract_at is not None else min(len(blocks), title_at + 1
                                                          + _FRONT_WINDOW)
    authors: list[str] = []
    organisation = False
    date = ""
    kept: list[Block] = []
    for i in range(title_at + 1, end):
        block = blocks[i]
        kind, value = _classify(block.text)
        if kind == "other" and abstract_at is None:
            end = i
            break
        if kind in ("authors", "organisation"):
            authors.extend(n for n in value if n not in authors)
            organisation = organisation or kind == "organisation"
        elif kind == "date" and not date:
            date = value[0]
        elif kind != "affiliation":  # a subtitle or a line about the paper: not a section
            kept.append(Block(block.text, PARAGRAPH, group=block.group))
    if not authors and metadata_author:
        front = normalise(" ".join(b.text for b in blocks[:end]))
        authors = [n for n in _names(metadata_author) or [] if normalise(n) in front]
    if not authors and abstract_at is None:
        return None
    title = blocks[title_at].text
    # What stands above the title (a journal's name, a series) is not a section heading either.
    kept = [Block(b.text, PARAGRAPH, group=b.group) for b in blocks[:title_at]] + kept
    body = kept + (_abstract(blocks[end:]) if abstract_at is not None else blocks[end:])
    return FrontMatter(title, authors, date, _paper_type(title, organisation,
                                                         abstract_at is not None), body)


def _paper_type(title: str, organisation: bool, abstract: bool) -> str:
    """third-party-report, paper, or "" to leave the type to the usual inference."""
    if organisation or _SUBMISSION.search(title) or (_REPORT.search(title) and not abstract):
        return "third-party-report"
    if _OWN_KIND.search(title):
        return ""
    return "paper"


def _classify(text: str) -> tuple[str, list[str]]:
    """What one front-matter line is: authors, an organisation, an affiliation, a date, other."""
    match = _ORGANISATION.match(text)
    if match:
        return "organisation", [normalise_speaker(match["who"])]
    names = _names(text)
    if names:
        return "authors", names
    if _AFFILIATION.search(text):
        return "affiliation", []
    if len(text.split()) <= _DATE_MAX_WORDS:
        date = parse_date(text)
        if date:
            return "date", [date]
    return "other", []


def _names(line: str) -> list[str] | None:
    """The person names a line lists ("Jane Doe¹, John Smith and Ana Souza (University of X)"),
    or None when any part of it is not a name or an affiliation."""
    names: list[str] = []
    for part in _SEPARATORS.split(_PARENS.sub(" ", _BY.sub("", line))):
        part = _MARKS.sub("", part).strip(" .,*")
        if not part:
            continue
        if _AFFILIATION.search(part):
            continue
        if not _is_name(part):
            return None
        names.append(normalise_speaker(part))
    return names or None


def _is_name(text: str) -> bool:
    words = text.split()
    if not _NAME_WORDS[0] <= len(words) <= _NAME_WORDS[1]:
        return False
    if words[0].lower() in _PARTICLES or words[-1].lower() in _PARTICLES:
        return False
    for word in words:
        if word.lower() in _PARTICLES:
            continue
        if (not word[0].isupper() or word.lower().strip(".") in _NOT_NAMES
                or not all(c.isalpha() or c in "'’.-" for c in word)):
            return False
    return True


def _abstract(blocks: list[Block]) -> list[Block]:
    """The abstract as a heading of its own over its paragraphs; a keywords line after it
    gets its own heading, so the abstract passage holds the abstract alone."""
    match = _ABSTRACT.match(blocks[0].text)
    assert match is not None
    out = [Block(ABSTRACT, HEADING, group=blocks[0].group)]
    if match["rest"]:
        out.append(Block(match["rest"].strip(), PARAGRAPH, group=blocks[0].group))
    rest = blocks[1:]
    for i, block in enumerate(rest):
        keywords = _KEYWORDS.match(block.text)
        if block.kind == HEADING and not keywords:
            break
        if keywords:
            label = keywords["label"][:1].upper() + keywords["label"][1:].lower()
            return out + rest[:i] + [Block(label, HEADING, group=block.group),
                                     Block(keywords["rest"].strip(), PARAGRAPH,
                                           group=block.group)] + rest[i + 1:]
    return out + rest
