"""The facets, each declared once.

A facet is one :class:`Facet` in :data:`DECLARED`; everything that names a facet derives from
that declaration instead of listing the facets again: the facet order and labels
(``kb.model.FACETS``), ``SearchRequest.filters()``, the index field that holds the values
(``index.schema.FACET_FIELDS``), the query language's ``prefix:value`` filters
(``index.query.FIELD_ALIASES``), the CLI's filter options (``kb search --lang``), the web's URL
parameters and their validation (``web.params``), the OpenAPI entries (``web.openapi``) and the
label of a value (:func:`value_label`). Adding a facet is adding a declaration here and the
``SearchRequest`` list it names (see docs/architecture.md, "Adding a facet").

This module is part of the ground (see tests/test_architecture.py): it imports no first-party
module at run time, so kb.model, index, web and the CLI can all read it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from kb.registry import Registry

#: Document types, in the order facets list them. Ingest assigns one of these to every document.
DOC_TYPES: dict[str, str] = {
    "session-page": "Session page",
    "news": "News",
    "transcript": "Transcript",
    "summary": "Summary",
    "paper": "Paper",
    "report": "Report",
    "third-party-report": "Third-party report",
    "page": "Web page",
}

#: Language codes kb recognises, with the label shown in facets.
LANGUAGES: dict[str, str] = {
    "en": "English",
    "fr": "French",
    "es": "Spanish",
    "ru": "Russian",
    "ar": "Arabic",
    "zh": "Chinese",
    "und": "Undetermined",
}

#: What a facet's values are, which decides how the CLI types them, how the web validates
#: them, what OpenAPI says of them and how a value is labelled:
#: ``session`` and ``topic`` are checked against (and labelled from) the registries,
#: ``choice`` is one of :attr:`Facet.choices`, ``year`` a four-digit year, ``text`` anything.
Kind = Literal["session", "topic", "choice", "year", "text"]


@dataclass(frozen=True)
class Facet:
    """One facet: a way to narrow a search and count its results."""

    #: The facet's name: a key of ``SearchResult.facets`` and ``SearchRequest.filters()``.
    name: str
    #: Shown above its values on the search page and in ``kb facets``.
    label: str
    #: The ``SearchRequest`` list holding the selected values ("sessions").
    request_field: str
    #: The URL parameter (``?lang=fr``); the CLI option is ``--`` the same (``--lang``).
    param: str
    #: The index field holding a passage's values ("site" for the source facet).
    index_field: str
    kind: Kind
    #: The query prefixes that filter on this facet (``lang:fr``); the first is the one kb
    #: writes back in "the query as understood".
    query_prefixes: tuple[str, ...]
    #: The option's ``--help`` line.
    help: str
    #: The OpenAPI parameter's description.
    description: str
    #: The allowed values with their labels, for a ``choice`` facet.
    choices: dict[str, str] = field(default_factory=dict)
    #: Whether a passage may hold several values (sessions, topics, speakers).
    multi_valued: bool = False

    @property
    def option(self) -> str:
        """The CLI option, ``--`` and the URL parameter, so both spell it alike."""
        return f"--{self.param}"


#: Every facet, in display order (the search page, ``kb facets``, the API's ``facets``).
DECLARED: tuple[Facet, ...] = (
    Facet("session", "Session", "sessions", "session", "session", "session", ("session",),
          "Only this session number (repeat for several: OR).",
          "Session numbers from sessions.toml (OR).", multi_valued=True),
    Facet("topic", "Topic", "topics", "topic", "topic", "topic", ("topic",),
          "Only this topic id (repeatable).", "Topic ids from topics.toml (OR).",
          multi_valued=True),
    Facet("type", "Type", "types", "type", "type", "choice", ("type",),
          "Only this document type (repeatable).", "Document types (OR).", DOC_TYPES),
    # ``year:`` in a query is a date range (``date:``), which is more than this facet's filter.
    Facet("year", "Year", "years", "year", "year", "year", (),
          "Only this year (repeatable).", "Four-digit years (OR)."),
    # ``speaker:`` in a query searches the words of speakers' names, not this facet's values.
    Facet("speaker", "Speaker", "speakers", "speaker", "speaker", "text", (),
          "Only this speaker (repeatable).", "Speaker names (OR).", multi_valued=True),
    Facet("language", "Language", "languages", "lang", "language", "choice",
          ("lang", "language"), "Only this language (repeatable).", "Language codes (OR).",
          LANGUAGES),
    Facet("source", "Source", "sources", "source", "site", "text", ("source", "site"),
          "Only this site or folder (repeatable).", "Source sites or folders (OR)."),
)

#: Facet name -> its declaration.
BY_NAME: dict[str, Facet] = {facet.name: facet for facet in DECLARED}


def value_label(facet: str, value: object, registry: Registry | None = None) -> str:
    """The label of one facet value, the one rule for the page, the API, ``kb facets`` and the
    filter chips: sessions and topics from the registries (without them, "Session 9" and the
    topic id), choices from their table, anything else as it is."""
    declared = BY_NAME.get(facet)
    kind = declared.kind if declared else "text"
    if kind == "session":
        return registry.session_label(str(value)) if registry else f"Session {value}"
    if kind == "topic" and registry is not None:
        return registry.topic_label(str(value))
    if kind == "choice" and declared is not None:
        return declared.choices.get(str(value), str(value))
    return str(value)
