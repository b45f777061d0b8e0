"""The records every part of kb speaks.

Ingest produces :class:`Document` and :class:`Passage`; the index stores them and answers a
:class:`SearchRequest` with a :class:`SearchResult`; the CLI and the web only format these. Each
record has one ``to_dict()`` so that the CLI's JSON, the web API and the templates share a single
shape: that shape is a public interface (see the README), so fields are only ever added.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from kb.facets import DECLARED
from kb.facets import DOC_TYPES as DOC_TYPES
from kb.facets import LANGUAGES as LANGUAGES

#: Facet names in display order, with their labels (from the declarations in kb.facets).
FACETS: dict[str, str] = {facet.name: facet.label for facet in DECLARED}


#: Joins nested headings in ``Passage.heading`` ("Session 9 › Panel 2"); a passage a collapsed
#: copy added to its canonical document is headed "<copy's source> › <its heading>".
HEADING_SEPARATOR = " › "


@dataclass
class Passage:
    """A bounded, citable unit of a document: a section, a few paragraphs, a speaker turn.

    ``passage_id`` is derived from the document id and the passage's own text, so it survives a
    re-ingest as long as the text does (permalinks and citations depend on that).
    """

    passage_id: str
    doc_id: str
    position: int
    text: str
    heading: str = ""
    speaker: str = ""
    #: Seconds from the start of the recording, for captions; None elsewhere.
    start: float | None = None
    #: Sessions this passage is about (its document's, or on an overview page the session
    #: the passage describes).
    sessions: list[int] = field(default_factory=list)
    topics: list[str] = field(default_factory=list)
    #: Language of this passage when it differs from its document's ("" = the document's).
    language: str = ""
    #: Sessions this passage names without being about them ("following the first session").
    mentions: list[int] = field(default_factory=list)
    #: The recording at this passage's start (``...?t=754``), when the document has one.
    recording_url: str = ""

    def to_dict(self) -> dict[str, Any]:
        return _flat_dict(self)


def _flat_dict(record: Any) -> dict[str, Any]:
    """``asdict`` for a record whose fields are plain values, lists and dicts of them: a copy
    of each container, without asdict's deep copy of every item (which cost an ingest a tenth
    of its index write)."""
    names = record.__dataclass_fields__
    values = record.__dict__
    # The instance's attributes are its fields in order, as __init__ set them, unless one was
    # added or deleted since: then each field is read by name.
    if list(values) != list(names):
        values = {name: getattr(record, name) for name in names}
    return {name: value.copy() if isinstance(value, (list, dict)) else value
            for name, value in values.items()}


@dataclass
class Document:
    """One source file (or one JSON Lines record) after cleaning, structuring and enrichment."""

    doc_id: str
    #: The file's path relative to the folder that was ingested, with forward slashes.
    source: str
    title: str
    doc_type: str = "page"
    #: ISO date (YYYY-MM-DD) or "" when unknown.
    date: str = ""
    language: str = "und"
    #: Sessions the document is about (not those it only mentions: see Passage.mentions).
    sessions: list[int] = field(default_factory=list)
    topics: list[str] = field(default_factory=list)
    speakers: list[str] = field(default_factory=list)
    key_phrases: list[str] = field(default_factory=list)
    #: Site or corpus folder the document came from ("www.wipo.int", "corpus").
    site: str = ""
    url: str = ""
    #: Sources of near-duplicate copies collapsed into this document ("also at").
    duplicates: list[str] = field(default_factory=list)
    #: A collapsed copy's original address (its sidecar's ``url`` or ``original_url``, or the
    #: page's own), by the copy's source, where one is known.
    duplicate_urls: dict[str, str] = field(default_factory=dict)
    content_hash: str = ""
    #: When the index last wrote this document (ISO 8601, UTC): set by the index at commit,
    #: so "new since the last ingest" and feeds know what is new; "" before it is indexed.
    ingested: str = ""
    passages: list[Passage] = field(default_factory=list)
    #: Address of the recording a transcript was made from ("" for other documents).
    recording: str = ""
    #: What ingest could not use in the file, although the rest went in (cues dropped, a
    #: speaker map naming a label the file lacks).
    warnings: list[str] = field(default_factory=list)
    #: Speaker as the file writes it -> the name shown, where they differ ("SPEAKER_00" ->
    #: "Daren Tang", "Gurry" -> "Francis Gurry"), so a speaker map can be checked.
    speaker_labels: dict[str, str] = field(default_factory=dict)

    @property
    def year(self) -> int | None:
        return int(self.date[:4]) if len(self.date) >= 4 and self.date[:4].isdigit() else None

    @property
    def text(self) -> str:
        return "\n\n".join(p.text for p in self.passages)

    def to_dict(self, *, passages: bool = True) -> dict[str, Any]:
        data = _flat_dict(self)
        data["type"] = data.pop("doc_type")
        if passages:
            data["passages"] = [p.to_dict() for p in self.passages]
        else:
            data.pop("passages")
        return data


@dataclass
class ManifestEntry:
    """What the index remembers about one ingested file, so a re-ingest touches only changes.

    It is stored inside the index and committed with it, so the manifest and the index can never
    disagree after a crash.
    """

    source: str
    doc_id: str
    content_hash: str
    #: Absolute path of the folder the file was ingested from.
    root: str = ""
    #: doc_id of the canonical document when this file is a near-duplicate, else "".
    duplicate_of: str = ""
    #: Similarity fingerprint (ingest's choice of scheme) for near-duplicate detection.
    fingerprint: str = ""
    #: Hashes of the file's text blocks, for site-level boilerplate statistics.
    block_hashes: list[str] = field(default_factory=list)
    site: str = ""
    #: Source of the file the entry came from: its own source for a file, the JSON Lines file
    #: for a record ("" in manifests written before kb recorded it).
    file: str = ""
    #: Why the last attempt to ingest this file or record failed ("" = it did not). The fields
    #: above still describe the version ingested before, which stays searchable (if any:
    #: ``doc_id`` is "" for something that never ingested).
    failure: str = ""
    #: Content hash of the version that failed: while it is unchanged it is not read again.
    failed_hash: str = ""
    #: The "failure" was a skip (a page with nothing to index), reported as such, not as failed.
    skipped: bool = False

    def to_dict(self) -> dict[str, Any]:
        # Its one list holds strings: _flat_dict's copy, not asdict's deep one (a tenth of
        # the time the index write spends on an ingest's manifest records).
        return _flat_dict(self)


@dataclass
class ChangeSet:
    """Everything one ingest run changes, applied by the index in a single commit."""

    upserts: list[Document] = field(default_factory=list)
    #: doc_ids whose documents (and passages) leave the index.
    deletes: list[str] = field(default_factory=list)
    manifest: list[ManifestEntry] = field(default_factory=list)
    #: Sources whose manifest entries are dropped.
    manifest_deletes: list[str] = field(default_factory=list)
    #: Free-form facts the index keeps beside the manifest (e.g. the registries' hash).
    meta: dict[str, str] = field(default_factory=dict)

    @property
    def is_empty(self) -> bool:
        return not (self.upserts or self.deletes or self.manifest or self.manifest_deletes)


@dataclass
class Failure:
    """A file that could not be ingested: reported, never fatal to the batch."""

    source: str
    reason: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Skipped(Failure):
    """A file with nothing to index (a saved page that is only site boilerplate): reported
    with the reason, not counted as a failure."""


@dataclass
class SessionGap:
    """A document about a session that the registry lacks, and what kb saw of it."""

    source: str
    #: The session's number, read (an ordinal, a symbol) or, when ``guessed``, the next one.
    number: int
    #: What kb saw: the words naming the session, the date after the last session.
    seen: list[str] = field(default_factory=list)
    #: The session's dates as far as the document tells (ISO), or "".
    start: str = ""
    end: str = ""
    title: str = ""
    symbol: str = ""
    guessed: bool = False

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class IngestReport:
    """What an ingest run did (or, with --dry-run, would do), file by file."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    #: source -> source of the canonical copy it was collapsed into.
    duplicates: dict[str, str] = field(default_factory=dict)
    failed: list[Failure] = field(default_factory=list)
    #: Problems in files that were ingested all the same (source and what was not used).
    warnings: list[Failure] = field(default_factory=list)
    passages_added: int = 0
    passages_removed: int = 0
    #: Files with nothing to index (only site boilerplate), with the reason.
    skipped: list[Failure] = field(default_factory=list)
    #: Documents about a session the registry lacks.
    session_gaps: list[SessionGap] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failed

    def summary(self) -> str:
        skipped = f", {len(self.skipped)} skipped" if self.skipped else ""
        return (
            f"{len(self.added)} added, {len(self.updated)} updated, {len(self.removed)} removed, "
            f"{len(self.unchanged)} unchanged, {len(self.duplicates)} duplicates, "
            f"{len(self.failed)} failed{skipped}; passages: {self.passages_added} added, "
            f"{self.passages_removed} removed"
        )

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["summary"] = self.summary()
        return data


#: Limits of a search, in one place: the index clamps to them (with a note) and the web
#: and the CLI validate against them, so no layer silently answers a different page.
#: Deepest page of results served.
MAX_PAGE = 1000
#: Most results per page.
MAX_PAGE_SIZE = 100
#: Longest query read (the rest is dropped with a note; the web refuses longer ones).
MAX_QUERY_CHARS = 1000
#: Most further matching passages shown under a document (``more_per_document``).
MAX_MORE_PER_DOCUMENT = 10
#: The orders a search may ask for, with the label the search page shows; the CLI's ``--sort``,
#: the URL's ``sort`` and the index all take these names.
SORTS: dict[str, str] = {
    "relevance": "Relevance",
    "date": "Newest first",
    "date-asc": "Oldest first",
}


@dataclass
class SearchRequest:
    """A search as the user asked it. Values of one facet combine with OR, facets with AND."""

    query: str = ""
    sessions: list[int] = field(default_factory=list)
    topics: list[str] = field(default_factory=list)
    types: list[str] = field(default_factory=list)
    years: list[int] = field(default_factory=list)
    speakers: list[str] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    #: One of SORTS: "relevance", "date" (newest first) or "date-asc".
    sort: str = "relevance"
    page: int = 1
    page_size: int = 10
    #: "document": best passage per document plus up to ``more_per_document`` more; "flat".
    group: str = "document"
    more_per_document: int = 2
    #: Let the session filter and facet also count passages that only mention a session
    #: ("following the first session"), not just those about it.
    include_mentions: bool = False
    #: Read the query through the glossary (glossary.toml): each term also searches its other
    #: forms, ranked below the words typed. False searches only the words typed.
    expand: bool = True

    def filters(self) -> dict[str, list[Any]]:
        """The selected facet values keyed by facet name (see kb.facets)."""
        return {facet.name: getattr(self, facet.request_field) for facet in DECLARED}

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Hit:
    """One result: a passage, and in grouped mode further matching passages of its document."""

    doc_id: str
    passage_id: str
    source: str
    title: str
    type: str
    date: str
    sessions: list[int]
    topics: list[str]
    score: float
    #: HTML-escaped passage excerpt in which matched words are wrapped in <mark>...</mark>.
    snippet: str
    speaker: str = ""
    heading: str = ""
    start: float | None = None
    language: str = "und"
    position: int = 0
    also_at: list[str] = field(default_factory=list)
    more: list[Hit] = field(default_factory=list)
    #: Sessions the passage names without being about them.
    mentions: list[int] = field(default_factory=list)
    #: The recording at this passage's start, for transcripts whose recording is known.
    recording_url: str = ""

    def to_dict(self) -> dict[str, Any]:
        # _flat_dict, not asdict: asdict's deep copy of every value was a quarter of what
        # /api/search spent per request (its lists hold strings and numbers only).
        data = _flat_dict(self)
        data["more"] = [m.to_dict() for m in self.more]
        return data


@dataclass
class PassageRecord:
    """One matched passage with its full text and its document's metadata: the row of an
    export, a concordance and a feed, where a snippet is not enough."""

    doc_id: str
    passage_id: str
    source: str
    title: str
    type: str
    date: str
    sessions: list[int]
    topics: list[str]
    text: str
    speaker: str = ""
    heading: str = ""
    start: float | None = None
    language: str = "und"
    position: int = 0
    url: str = ""
    site: str = ""
    #: When the index last wrote the passage's document (see Document.ingested).
    ingested: str = ""
    #: BM25 score when the scan was ordered by relevance, else 0.
    score: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class FacetValue:
    """One value of a facet with its label and count, and whether it is selected."""

    value: str
    label: str
    count: int
    selected: bool = False

    def to_dict(self) -> dict[str, Any]:
        # A result has hundreds of these (a value per speaker): written out, the four
        # fields cost a tenth of what asdict's deep copy did, a fifth of _flat_dict's loop.
        return {"value": self.value, "label": self.label, "count": self.count,
                "selected": self.selected}


@dataclass
class SearchResult:
    """The answer to a SearchRequest; ``to_dict()`` is the documented JSON shape."""

    query: str
    total: int
    hits: list[Hit]
    #: facet name -> values with counts over the whole result set (not the page).
    facets: dict[str, list[FacetValue]] = field(default_factory=dict)
    #: The query as kb understood it (after parsing, fields, fallbacks).
    understood: str = ""
    suggestion: str = ""
    notes: list[str] = field(default_factory=list)
    page: int = 1
    page_size: int = 10
    #: What ``total`` and facet counts count: "documents" (grouped) or "passages" (flat).
    unit: str = "documents"
    #: The glossary's forms searched besides the words typed ("hypertrucage", ...).
    also_searched: list[str] = field(default_factory=list)

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size)) if self.page_size else 1

    def to_dict(self, *, records: bool = False) -> dict[str, Any]:
        """The documented JSON shape. ``records=True`` leaves the hits and facet values as their
        Hit and FacetValue records, whose ``to_dict()`` is their fields in order, for an encoder
        that writes a record field by field (kb.output.json_bytes, which /api/search uses): the
        same JSON without a dict built per value first (a result holds hundreds)."""
        return {
            "query": self.query,
            "understood": self.understood,
            "total": self.total,
            "unit": self.unit,
            "page": self.page,
            "page_size": self.page_size,
            "pages": self.pages,
            "suggestion": self.suggestion,
            "notes": list(self.notes),
            "hits": list(self.hits) if records else [h.to_dict() for h in self.hits],
            "facets": {
                name: list(values) if records else [v.to_dict() for v in values]
                for name, values in self.facets.items()
            },
            "also_searched": list(self.also_searched),
        }
