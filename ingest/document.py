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
from .enrich.language import Detected, detect_paragraphs, majority_of
from .enrich.words import Paragraph, passage_words
from .errors import IngestError, NothingToIndex
from .identity import document_id, passage_ids
from .passages import HEADING_SEPARATOR, build_passages
from .readers.base import HEADING, Block, RawDocument
from .readers.structure import DATE_LINE
from .recording import moment_url
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

    warnings = list(raw.warnings)
    given = meta.sessions or _known_sessions(raw.sessions, registry, warnings)
    # Each passage is split into paragraphs and tokenised once, for every enricher below.
    shared = [passage_words(d.text) for d in drafts]
    leads = [None if given else _lead(w.paragraphs[0], session_matcher) for w in shared]
    for text, draft, words in zip(texts, drafts, shared, strict=True):
        # The decision below reads each passage again from the matcher's memory.
        session_matcher.find(text, sessions.phrase_words(draft.heading, words))
    split = about.decide(session_matcher, title, origin.name, dateline, texts, leads, given)
    main = split.document

    topic_matcher = topics.matcher_for(registry)
    # A heading equal to the title speaks for the whole document, not for this passage.
    subjects = [topic_matcher.passage_subjects("" if d.heading == title else d.heading, d.text,
                                               w) for d, w in zip(drafts, shared, strict=True)]
    names, speaker_warnings = speakers.name_speakers(
        (d.speaker for d in drafts), meta.speaker_map, registry.speakers)
    warnings += speaker_warnings
    recording = meta.recording or raw.recording or _registered_recording(
        given, raw, registry)
    ids = passage_ids(doc_id, [d.text for d in drafts])
    passages = [
        Passage(passage_id=pid, doc_id=doc_id, position=i, text=d.text, heading=d.heading,
                speaker=names.get(d.speaker, d.speaker), start=d.start,
                sessions=split.passages[i], mentions=split.mentions[i],
                topics=subjects[i][0],
                recording_url=moment_url(recording, d.start)
                if recording and d.start is not None else "")
        for i, (pid, d) in enumerate(zip(ids, drafts, strict=True))
    ]
    body = "\n\n".join(p.text for p in passages)
    doc_sessions = split.document
    site = _site(url) or origin.site
    # A transcript's declared language (Whisper's "language", a caption header's) is the
    # tool's own knowledge of the audio: it wins over guessing from a few words.
    declared = raw.language if raw.doc_type == "transcript" else ""
    # Each paragraph is detected once: the document's language and each passage's are
    # majorities of the same detections.
    detected = [detect_paragraphs(w.paragraphs) for w in shared]
    language = meta.language or declared or _language(detected, raw.language)
    _mark_other_languages(passages, detected, language)
    return Document(
        doc_id=doc_id,
        source=origin.source,
        title=title,
        doc_type=meta.doc_type or doctype.infer_type(
            format_type=raw.doc_type, title=title,
            headings=[b.text for b in blocks if b.kind == HEADING],
            has_dateline=bool(dateline), site=site, has_sessions=bool(doc_sessions), url=url),
        date=meta.date or parse_date(raw.date) or _day_date(main, raw.day, registry, warnings)
        or parse_date(dateline) or _event_date(main, registry),
        language=language,
        sessions=doc_sessions,
        topics=topic_matcher.document_topics(
            title, [(p.topics, words) for p, (_, words) in zip(passages, subjects, strict=True)]),
        speakers=[registry.speakers.canonical(n) for n in meta.speakers] or list(dict.fromkeys(
            [p.speaker for p in passages if p.speaker]
            + [registry.speakers.canonical(n) for n in raw.speakers])),
        key_phrases=phrases.key_phrases(
            body, paragraphs=[p for w in shared for p in w.paragraphs]),
        site=site,
        url=meta.url or meta.original_url or url,
        content_hash=origin.content_hash,
        passages=passages,
        recording=recording,
        warnings=warnings,
        speaker_labels={label: name for label, name in names.items() if label != name},
    )


def _without_prefix(heading: str, title: str) -> str:
    prefix = f"{title}{HEADING_SEPARATOR}"
    if title and heading.lower().startswith(prefix.lower()):
        return heading[len(prefix):]
    return heading


#: Words a passage's opening paragraph needs to describe the session it names: a shorter one
#: ("Ninth session", a link label) names it without describing it.
_LEAD_MIN_WORDS = 8


def _lead(first: Paragraph, matcher: sessions.SessionMatcher) -> frozenset[int] | None:
    """The sessions a passage opens by describing (from its ``first`` paragraph), for the
    about/mentions decision. An ASCII paragraph's words are its :func:`word_count` (no Han
    character there: each run of word characters counts one)."""
    words = len(first.words) if first.words is not None else word_count(first.text)
    return matcher.lead(first.text) if words >= _LEAD_MIN_WORDS else None


def _title(blocks: list[Block]) -> str:
    for block in blocks[:3]:
        if block.kind == HEADING:
            return block.text
    words = blocks[0].text.split() if blocks else []
    if len(words) <= _TITLE_MAX_WORDS:
        return " ".join(words)
    return " ".join(words[:12]) + " …"


def _dateline(blocks: list[Block]) -> str:
    """The page's own date: a short date line among its first blocks.

    A block that does not end on a digit (or a digit and a stop) is no ``DATE_LINE``, and a
    block's words are counted only up to one past the most a dateline has: the first blocks
    are mostly paragraphs, and both used to cost a pass over each of them.
    """
    for block in blocks[:_DATELINE_BLOCKS]:
        text = block.text
        if (any(map(str.isdigit, text[-3:])) and DATE_LINE.match(text)) or \
                is_date_line(text) or (
                block.kind != HEADING
                and len(text.split(None, _DATELINE_MAX_WORDS)) <= _DATELINE_MAX_WORDS
                and find_dates(text)):
            return text
    return ""


def _known_sessions(numbers: list[int], registry: Registry, warnings: list[str]) -> list[int]:
    """Sessions a file's name or header gives, if the registry knows them."""
    unknown = [n for n in numbers if registry.sessions and n not in registry.sessions]
    if unknown:
        warnings.append(f"session {unknown[0]} (from the file's name or header) is not in "
                        "sessions.toml; the session is inferred from the text instead")
    return [n for n in numbers if n not in unknown]


def _registered_recording(sessions: list[int], raw: RawDocument, registry: Registry) -> str:
    """The recording recordings.toml gives for the session, day and half-day a timed
    transcript's name or header names."""
    if len(sessions) != 1 or not raw.day or raw.doc_type != "transcript":
        return ""
    return registry.recordings.find(sessions[0], raw.day, raw.half)


def _day_date(main: list[int], day: int, registry: Registry, warnings: list[str]) -> str:
    """The date of day ``day`` of the one session a recording is of."""
    if not day or len(main) != 1 or main[0] not in registry.sessions:
        return ""
    dates = registry.sessions[main[0]].dates
    if day > len(dates):
        warnings.append(f"day {day} is past the last day of session {main[0]} "
                        f"({len(dates)} day(s) in sessions.toml); the date is not set from it")
        return ""
    return dates[day - 1].isoformat()


def _event_date(main: list[int], registry: Registry) -> str:
    starts = [registry.sessions[n].start for n in main if n in registry.sessions]
    return max(starts).isoformat() if starts else ""


def _language(detected: list[list[Detected]], hint: str) -> str:
    language = majority_of([paragraph for paragraphs in detected for paragraph in paragraphs])
    if language == "und" and hint[:2].lower() in ("en", "fr", "es", "ru", "ar", "zh"):
        return hint[:2].lower()
    return language


def _mark_other_languages(passages: list[Passage], detected: list[list[Detected]],
                          language: str) -> None:
    """Tag passages clearly written in another language than their document's.

    The index stems each passage in its language, so the English paragraph of a French page
    must say it is English or "copyrighted" would never find it.
    """
    for passage, paragraphs in zip(passages, detected, strict=True):
        own = majority_of(paragraphs)
        if own not in ("und", language):
            passage.language = own


def _site(url: str) -> str:
    return urlparse(url).netloc.lower() if url else ""
