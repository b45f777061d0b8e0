"""One cleaned document's blocks to a :class:`kb.model.Document`: passages, then enrichment.

Everything here is a function of its inputs (blocks, reader metadata, sidecar, registry), so
the whole enrichment can be tested on hand-written blocks without files.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlparse

from kb.model import Document, Passage
from kb.registry import Registry

from .enrich import about, doctype, phrases, sessions, speakers, topics
from .enrich.dates import find_dates, is_date_line, parse_date
from .enrich.language import majority_language
from .errors import IngestError, NothingToIndex
from .identity import document_id, passage_ids
from .passages import HEADING_SEPARATOR, build_passages
from .readers.base import HEADING, Block, RawDocument
from .readers.structure import DATE_LINE
from .sidecar import Metadata
from .textutil import word_count

_DATELINE_BLOCKS = 6
_DATELINE_MAX_WORDS = 12
_TITLE_MAX_WORDS = 30


@dataclass
class Origin:
    """Where a document came from: its source path, file name, site and content hash."""

    source: str
    name: str
    site: str
    content_hash: str


def assemble(blocks: list[Block], raw: RawDocument, meta: Metadata, origin: Origin,
             registry: Registry) -> Document:
    """Build the Document; raises IngestError when no text is left to index."""
    session_matcher = sessions.matcher_for(registry)
    drafts = build_passages(blocks, lead_key=session_matcher.lead)
    if not drafts:
        if raw.blocks:
            raise NothingToIndex("only site boilerplate (menus, links, footers): the page's "
                                 "content is not in the file (it never loaded, or was not saved)")
        raise IngestError("no text left after removing boilerplate")
    url = meta.url or raw.url
    # Only a URL the researcher gave fixes the id: a page's own canonical link can change or be
    # shared by mirror copies, and ids must not move under existing links.
    doc_id = document_id(origin.source, meta.url, raw.record_id)
    title = meta.title or raw.title or _title(blocks)
    for draft in drafts:  # the title is shown with every hit: no need to repeat it in a path
        draft.heading = _without_prefix(draft.heading, title)
    dateline = _dateline(blocks)
    texts = [f"{d.heading}\n{d.text}" if d.heading else d.text for d in drafts]

    given = meta.sessions or raw.sessions
    leads = [None if given else _lead(d.text, session_matcher) for d in drafts]
    split = about.decide(session_matcher, title, origin.name, dateline, texts, leads, given)
    main = split.document

    topic_matcher = topics.matcher_for(registry)
    passage_topics = [topic_matcher.topics(t) for t in texts]
    names = speakers.unify(d.speaker for d in drafts)
    ids = passage_ids(doc_id, [d.text for d in drafts])
    passages = [
        Passage(passage_id=pid, doc_id=doc_id, position=i, text=d.text, heading=d.heading,
                speaker=names.get(d.speaker, d.speaker), start=d.start,
                sessions=split.passages[i], mentions=split.mentions[i],
                topics=passage_topics[i])
        for i, (pid, d) in enumerate(zip(ids, drafts, strict=True))
    ]
    body = "\n\n".join(p.text for p in passages)
    doc_sessions = split.document
    site = _site(url) or origin.site
    language = meta.language or _language(passages, raw.language)
    _mark_other_languages(passages, language)
    return Document(
        doc_id=doc_id,
        source=origin.source,
        title=title,
        doc_type=meta.doc_type or doctype.infer_type(
            format_type=raw.doc_type, title=title,
            headings=[b.text for b in blocks if b.kind == HEADING],
            has_dateline=bool(dateline), site=site, has_sessions=bool(doc_sessions), url=url),
        date=meta.date or parse_date(raw.date) or parse_date(dateline)
        or _event_date(main, registry),
        language=language,
        sessions=doc_sessions,
        topics=topic_matcher.roll_up(passage_topics),
        speakers=meta.speakers or list(dict.fromkeys(
            [p.speaker for p in passages if p.speaker] + list(raw.speakers))),
        key_phrases=phrases.key_phrases(body),
        site=site,
        url=url,
        content_hash=origin.content_hash,
        passages=passages,
    )


def _without_prefix(heading: str, title: str) -> str:
    prefix = f"{title}{HEADING_SEPARATOR}"
    if title and heading.lower().startswith(prefix.lower()):
        return heading[len(prefix):]
    return heading


#: Words a passage's opening paragraph needs to describe the session it names: a shorter one
#: ("Ninth session", a link label) names it without describing it.
_LEAD_MIN_WORDS = 8


def _lead(text: str, matcher: sessions.SessionMatcher) -> frozenset[int] | None:
    """The sessions a passage opens by describing, for the about/mentions decision."""
    first = text.split("\n\n", 1)[0]
    return matcher.lead(first) if word_count(first) >= _LEAD_MIN_WORDS else None


def _title(blocks: list[Block]) -> str:
    for block in blocks[:3]:
        if block.kind == HEADING:
            return block.text
    words = blocks[0].text.split() if blocks else []
    if len(words) <= _TITLE_MAX_WORDS:
        return " ".join(words)
    return " ".join(words[:12]) + " …"


def _dateline(blocks: list[Block]) -> str:
    """The page's own date: a short date line among its first blocks."""
    for block in blocks[:_DATELINE_BLOCKS]:
        text = block.text
        if DATE_LINE.match(text) or is_date_line(text) or (
                len(text.split()) <= _DATELINE_MAX_WORDS and find_dates(text)
                and block.kind != HEADING):
            return text
    return ""


def _event_date(main: list[int], registry: Registry) -> str:
    starts = [registry.sessions[n].start for n in main if n in registry.sessions]
    return max(starts).isoformat() if starts else ""


def _language(passages: list[Passage], hint: str) -> str:
    detected = majority_language(paragraph for p in passages for paragraph in p.text.split("\n\n"))
    if detected == "und" and hint[:2].lower() in ("en", "fr", "es", "ru", "ar", "zh"):
        return hint[:2].lower()
    return detected


def _mark_other_languages(passages: list[Passage], language: str) -> None:
    """Tag passages clearly written in another language than their document's.

    The index stems each passage in its language, so the English paragraph of a French page
    must say it is English or "copyrighted" would never find it.
    """
    for passage in passages:
        own = majority_language(passage.text.split("\n\n"))
        if own not in ("und", language):
            passage.language = own


def _site(url: str) -> str:
    return urlparse(url).netloc.lower() if url else ""
