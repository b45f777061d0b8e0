"""The Whoosh schema: one index holds passages, documents, the manifest and the meta record.

Passages are the searched units; a document record carries the document's metadata; manifest
and meta records live in the same index so that they are committed in the same transaction as
the documents they describe (a crash can never leave them disagreeing).
"""

from __future__ import annotations

from whoosh import fields
from whoosh.analysis import RegexTokenizer

from index.analysis import folding_analyzer, language_analyzer
from kb.facets import DECLARED

#: Separator between the values of a multi-valued facet field (speaker names contain commas).
MULTI_SEP = "\x1e"

#: A field whose name carries the on-disk format: an index written by code with other analysis
#: lacks it, so opening refuses it (IndexCorrupt says to rebuild) instead of answering wrongly.
#: Bump the number whenever analysis or record layout changes.
FORMAT_FIELD = "kb_format_4"

#: Record kinds, stored in the ``kind`` field.
PASSAGE, DOCUMENT, MANIFEST, META = "passage", "doc", "manifest", "meta"

#: Facet name -> index field holding its values on passage records (declared in kb.facets).
FACET_FIELDS: dict[str, str] = {facet.name: facet.index_field for facet in DECLARED}
#: The session facet counted over the sessions passages are about *and* those they mention
#: (SearchRequest.include_mentions).
SESSIONS_AND_MENTIONS = "session+mentions"
FACET_FIELDS[SESSIONS_AND_MENTIONS] = "session_any"

#: BM25F stream weights, applied at index time by repeating the stream in ``body``: one
#: field means one posting list per word and term frequencies summed *before* BM25 saturates
#: them, which is what BM25F prescribes (and what Whoosh's per-field sum is not).
TITLE_WEIGHT = 2
HEADING_WEIGHT = 2


def _multi_valued() -> fields.KEYWORD:
    """A keyword field whose values may contain spaces and commas (speaker names do)."""
    field = fields.KEYWORD(stored=False)
    field.analyzer = RegexTokenizer(rf"[^{MULTI_SEP}]+")
    return field


def build_schema() -> fields.Schema:
    return fields.Schema(
        id=fields.ID(unique=True, stored=True),
        kind=fields.ID(),
        doc_id=fields.ID(stored=True),
        body=fields.TEXT(analyzer=language_analyzer(), phrase=True),
        title=fields.TEXT(analyzer=language_analyzer(), phrase=True),
        heading=fields.TEXT(analyzer=language_analyzer(), phrase=True),
        speaker_words=fields.TEXT(analyzer=folding_analyzer(), phrase=True),
        **{facet.index_field: _multi_valued() if facet.multi_valued else fields.ID()
           for facet in DECLARED},
        session_any=_multi_valued(),
        date=fields.ID(),
        src=fields.ID(),
        dup_of=fields.ID(),
        data=fields.STORED(),
        **{FORMAT_FIELD: fields.STORED()},
    )
