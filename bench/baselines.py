"""The two baselines bench/search.py runs beside kb: a tuned SQLite FTS5 and tantivy.

Both do kb's work for one query, on kb's own passages and facet values (exported from a kb
index, see bench/corpora.py): count the matching documents, count **documents** per facet
value (a document counts once for a value if any of its matching passages has it, as in
index/facets.py), rank documents by their best passage (BM25, title weighted 2), and return
the top 10 documents with up to 3 matching passages each, snippets only for those.

- **FTS5**, in its best setup for that work: an external-content FTS5 table (porter
  tokenizer) whose rowid encodes the document (``doc << ROW_BITS | n``), so grouping by
  document needs no join; facet values as integer codes in WITHOUT ROWID tables (per document
  for type, year, language and source; per passage for session, topic and speaker); one MATCH
  per query into a temporary table that everything else reads; ``snippet()`` only for the
  passages shown.
- **tantivy** (PyPI ``tantivy``, optional: the ``bench`` extra): one index of passages,
  ``en_stem`` tokenizer, the document number and the facet values as fast fields; documents
  per facet value by a terms aggregation with a ``cardinality`` sub-aggregation on the
  document number, all inside tantivy (tantivy's idiomatic way; its cardinality is a
  HyperLogLog estimate, a few per cent off on large sets, cheaper than exact counting, so the
  baseline errs in tantivy's favour); top documents from the best passages, further passages
  by a second query limited to those documents, ``SnippetGenerator`` for those shown.

The module is also each baseline's whole program for the cold-start and server measures, so
it imports nothing from kb and only the engine it runs:

    python bench/baselines.py search fts5 DB QUERY        # one answer as JSON, then exit
    python bench/baselines.py serve tantivy DIR --port P  # GET /api/search?q=..., /healthz
"""

from __future__ import annotations

import argparse
import json
import re
import sqlite3
import threading
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Protocol

#: Bits of an FTS5 rowid that number the passage inside its document.
ROW_BITS = 12
#: Documents and passages per document an answer shows (kb's defaults: 10, best + 2 more).
TOP_DOCUMENTS = 10
PASSAGES_SHOWN = 3
#: Facets counted per document whatever passage matched, and per matching passage.
DOC_FACETS = ("type", "year", "language", "source")
PASSAGE_FACETS = ("session", "topic", "speaker")
FACETS = PASSAGE_FACETS + DOC_FACETS
#: Common English words left out of the baselines' OR query (kb drops its own stop words).
STOP_WORDS = frozenset(str.split("""
a about above after again all am an and any are as at be been before being below between
both but by can could did do does doing down during each few for from further had has have
having he her here hers him his how i if in into is it its itself just me more most my no nor
not now of off on once only or other our out over own same she should so some such than that
the their them then there these they this those through to too under until up very was we
were what when where which while who whom why will with would you your
"""))
ENGINES = ("fts5", "tantivy")


@dataclass
class Row:
    """One passage as a baseline indexes it, with the facet values kb gave it."""

    doc: int
    doc_id: str
    title: str
    heading: str
    text: str
    facets: dict[str, list[str]]


@dataclass
class Answer:
    """What a baseline returns for a query: the shape of kb's grouped search result."""

    total: int
    facets: dict[str, dict[str, int]]
    documents: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class Engine(Protocol):
    name: str

    def search(self, query: str) -> Answer: ...


def query_words(query: str) -> list[str]:
    """The words both baselines OR together: lower-cased, stop words dropped, deduplicated."""
    words = [w for w in re.findall(r"[^\W_]+", query.lower()) if w not in STOP_WORDS]
    return list(dict.fromkeys(words))


# --- FTS5 ------------------------------------------------------------------------------------

_FTS5_SCHEMA = """
CREATE TABLE passage(id INTEGER PRIMARY KEY, title TEXT, heading TEXT, text TEXT);
CREATE VIRTUAL TABLE fts USING fts5(title, heading, text, content='passage',
                                    content_rowid='id', tokenize='porter unicode61');
CREATE TABLE document(doc INTEGER PRIMARY KEY, doc_id TEXT, title TEXT);
CREATE TABLE facet_value(code INTEGER PRIMARY KEY, facet TEXT, value TEXT);
CREATE TABLE doc_facet(doc INTEGER, code INTEGER, PRIMARY KEY (doc, code)) WITHOUT ROWID;
CREATE TABLE passage_facet(id INTEGER, code INTEGER, PRIMARY KEY (id, code)) WITHOUT ROWID;
"""


def build_fts5(rows: Iterable[Row], path: Path) -> int:
    """Write the FTS5 database for ``rows`` (grouped by document) at ``path``; returns rows."""
    path.unlink(missing_ok=True)
    db = sqlite3.connect(path)
    db.executescript(_FTS5_SCHEMA)
    codes: dict[tuple[str, str], int] = {}
    count, previous, number = 0, -1, 0

    def code(facet: str, value: str) -> int:
        return codes.setdefault((facet, value), len(codes))

    for chunk in _chunks(rows, 5000):
        passages, documents, doc_facets, passage_facets = [], [], set(), []
        for row in chunk:
            number = number + 1 if row.doc == previous else 0
            if number >= 1 << ROW_BITS:
                raise ValueError(f"document {row.doc_id} has more than {1 << ROW_BITS} passages")
            if row.doc != previous:
                documents.append((row.doc, row.doc_id, row.title))
                previous = row.doc
            rowid = row.doc << ROW_BITS | number
            passages.append((rowid, row.title, row.heading, row.text))
            doc_facets.update((row.doc, code(f, v)) for f in DOC_FACETS for v in row.facets[f])
            passage_facets.extend((rowid, code(f, v)) for f in PASSAGE_FACETS
                                  for v in set(row.facets[f]))
        db.executemany("INSERT INTO passage VALUES (?, ?, ?, ?)", passages)
        db.executemany("INSERT INTO document VALUES (?, ?, ?)", documents)
        db.executemany("INSERT OR IGNORE INTO doc_facet VALUES (?, ?)", sorted(doc_facets))
        db.executemany("INSERT INTO passage_facet VALUES (?, ?)", passage_facets)
        count += len(chunk)
    db.executemany("INSERT INTO facet_value VALUES (?, ?, ?)",
                   [(c, f, v) for (f, v), c in codes.items()])
    db.execute("INSERT INTO fts(fts) VALUES ('rebuild')")
    db.execute("INSERT INTO fts(fts) VALUES ('optimize')")
    db.commit()
    db.execute("VACUUM")
    db.close()
    return count


class Fts5:
    """A tuned FTS5 over a database from :func:`build_fts5`; one connection per thread."""

    name = "FTS5"

    def __init__(self, path: Path) -> None:
        self.path = path
        self.local = threading.local()
        self.codes: dict[int, tuple[str, str]] = {
            c: (f, v) for c, f, v in self._connect().execute("SELECT * FROM facet_value")}

    def _connect(self) -> sqlite3.Connection:
        db = getattr(self.local, "db", None)
        if db is None:
            db = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True,
                                 check_same_thread=False)
            db.execute("CREATE TEMP TABLE m(id INTEGER PRIMARY KEY, doc INTEGER, score REAL)")
            self.local.db = db
        return db

    def search(self, query: str) -> Answer:
        db = self._connect()
        words = query_words(query)
        if not words:
            return Answer(0, {})
        match = " OR ".join(f'"{w}"' for w in words)
        db.execute("DELETE FROM m")
        db.execute(f"INSERT INTO m SELECT rowid, rowid >> {ROW_BITS}, bm25(fts, 2.0, 1.0, 1.0) "
                   "FROM fts WHERE fts MATCH ?", (match,))
        total = db.execute("SELECT count(DISTINCT doc) FROM m").fetchone()[0]
        facets: dict[str, dict[str, int]] = {f: {} for f in FACETS}
        counted = db.execute(
            "SELECT f.code, count(*) FROM (SELECT DISTINCT doc FROM m) d "
            "JOIN doc_facet f ON f.doc = d.doc GROUP BY f.code").fetchall()
        counted += db.execute(
            "SELECT f.code, count(DISTINCT m.doc) FROM m JOIN passage_facet f ON f.id = m.id "
            "GROUP BY f.code").fetchall()
        for code, count in counted:
            facet, value = self.codes[code]
            facets[facet][value] = count
        top = [doc for doc, _ in db.execute(
            "SELECT doc, min(score) AS best FROM m GROUP BY doc ORDER BY best LIMIT ?",
            (TOP_DOCUMENTS,))]
        if not top:
            return Answer(total, facets)
        marks = ",".join("?" * len(top))
        shown = db.execute(
            f"SELECT id, doc FROM (SELECT id, doc, score, row_number() OVER "
            f"(PARTITION BY doc ORDER BY score) AS n FROM m WHERE doc IN ({marks})) "
            f"WHERE n <= {PASSAGES_SHOWN} ORDER BY score", top).fetchall()
        ids = [rowid for rowid, _ in shown]
        snippets = dict(db.execute(
            f"SELECT rowid, snippet(fts, 2, '<mark>', '</mark>', '…', 24) FROM fts "
            f"WHERE fts MATCH ? AND rowid IN ({','.join('?' * len(ids))})", (match, *ids)))
        names = dict((doc, (doc_id, title)) for doc, doc_id, title in db.execute(
            f"SELECT doc, doc_id, title FROM document WHERE doc IN ({marks})", top))
        documents = []
        for doc in top:
            doc_id, title = names[doc]
            documents.append({"doc_id": doc_id, "title": title, "passages": [
                {"n": rowid & ((1 << ROW_BITS) - 1), "snippet": snippets[rowid]}
                for rowid, owner in shown if owner == doc]})
        return Answer(total, facets, documents)


# --- tantivy ---------------------------------------------------------------------------------

def tantivy_version() -> str | None:
    """tantivy's version when it is installed, else None (the benchmark says so)."""
    try:
        import tantivy
    except ImportError:
        return None
    return str(getattr(tantivy, "__version__", "?")).split(",")[0].removeprefix("tantivy ")


def _tantivy_schema() -> Any:
    import tantivy

    builder = tantivy.SchemaBuilder()
    builder.add_text_field("title", stored=True, tokenizer_name="en_stem")
    builder.add_text_field("heading", tokenizer_name="en_stem")
    builder.add_text_field("text", stored=True, tokenizer_name="en_stem")
    builder.add_unsigned_field("doc", fast=True, indexed=True)
    builder.add_text_field("doc_id", stored=True, tokenizer_name="raw")
    for facet in FACETS:
        builder.add_text_field(facet, fast=True, tokenizer_name="raw", index_option="basic")
    return builder.build()


def build_tantivy(rows: Iterable[Row], folder: Path) -> int:
    """Write the tantivy index for ``rows`` into ``folder`` (emptied first); returns rows."""
    import tantivy

    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.iterdir():
        old.unlink()
    schema = _tantivy_schema()
    index = tantivy.Index(schema, path=str(folder), reuse=False)
    writer = index.writer(heap_size=256_000_000, num_threads=1)
    count = 0
    for row in rows:
        values: dict[str, Any] = {"title": row.title, "heading": row.heading, "text": row.text,
                                  "doc": row.doc, "doc_id": row.doc_id}
        values.update((facet, row.facets[facet]) for facet in FACETS if row.facets[facet])
        writer.add_document(tantivy.Document.from_dict(values, schema))
        count += 1
    writer.commit()
    writer.wait_merging_threads()
    return count


class Tantivy:
    """tantivy over an index from :func:`build_tantivy`; its searcher is shared by threads."""

    name = "tantivy"

    def __init__(self, folder: Path) -> None:
        import tantivy

        self.tantivy = tantivy
        self.index = tantivy.Index.open(str(folder))
        self.searcher = self.index.searcher()
        self.aggregation = {facet: {"terms": {"field": facet, "size": 100_000},
                                    "aggs": {"documents": {"cardinality": {"field": "doc"}}}}
                            for facet in FACETS}

    def search(self, query: str) -> Answer:
        words = query_words(query)
        if not words:
            return Answer(0, {})
        tantivy, searcher = self.tantivy, self.searcher
        parsed = self.index.parse_query(" OR ".join(f'"{w}"' for w in words),
                                        ["title", "heading", "text"], field_boosts={"title": 2.0})
        total = int(searcher.cardinality(parsed, "doc"))
        aggregated = searcher.aggregate(parsed, self.aggregation)
        facets = {facet: {bucket["key"]: int(bucket["documents"]["value"])
                          for bucket in aggregated[facet]["buckets"]} for facet in FACETS}
        top, limit = [], 100
        while True:
            hits = searcher.search(parsed, limit, count=False).hits
            docs = searcher.fast_field_values("doc", [address for _, address in hits])
            top = list(dict.fromkeys(docs))[:TOP_DOCUMENTS]
            if len(top) == TOP_DOCUMENTS or len(hits) < limit:
                break
            limit *= 4
        if not top:
            return Answer(total, facets)
        within = tantivy.Query.boolean_query([
            (tantivy.Occur.Must, parsed),
            (tantivy.Occur.Must, tantivy.Query.term_set_query(self.index.schema, "doc", top))])
        hits = searcher.search(within, TOP_DOCUMENTS * 64, count=False).hits
        owners = searcher.fast_field_values("doc", [address for _, address in hits])
        shown: dict[int, list[Any]] = {doc: [] for doc in top}
        for (_, address), doc in zip(hits, owners, strict=True):
            if len(shown[doc]) < PASSAGES_SHOWN:
                shown[doc].append(address)
        snippets = tantivy.SnippetGenerator.create(searcher, parsed, self.index.schema, "text")
        documents = []
        for doc in top:
            stored = [searcher.doc(address) for address in shown[doc]]
            documents.append({"doc_id": stored[0]["doc_id"][0], "title": stored[0]["title"][0],
                              "passages": [{"snippet": snippets.snippet_from_doc(d).to_html()}
                                           for d in stored]})
        return Answer(total, facets, documents)


def open_engine(name: str, path: Path) -> Engine:
    if name == "fts5":
        return Fts5(path)
    if name == "tantivy":
        return Tantivy(path)
    raise ValueError(f"unknown engine {name!r} (one of {', '.join(ENGINES)})")


# --- the baselines' HTTP server --------------------------------------------------------------

def serve(engine: Engine, host: str, port: int) -> None:
    """The minimal equivalent of ``kb serve``'s /api/search: Python's ThreadingHTTPServer
    (a thread per connection, HTTP/1.1 keep-alive), the engine's answer as JSON. Imported
    here, so a cold start of ``search`` does not pay for the HTTP modules."""
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
    from urllib.parse import parse_qs, urlsplit

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:  # noqa: N802 - the http.server hook's name
            url = urlsplit(self.path)
            if url.path == "/healthz":
                body, status = b'{"ok": true}', 200
            elif url.path == "/api/search":
                query = parse_qs(url.query).get("q", [""])[0]
                body, status = json.dumps(engine.search(query).to_dict()).encode(), 200
            else:
                body, status = b'{"error": "not found"}', 404
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            """Quiet: kb serve's access log goes to a file, and so would this one's."""

    server = ThreadingHTTPServer((host, port), Handler)
    server.daemon_threads = True
    try:
        server.serve_forever()
    finally:
        server.server_close()


def _chunks(rows: Iterable[Row], size: int) -> Iterator[list[Row]]:
    chunk: list[Row] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    search = commands.add_parser("search", help="answer one query as JSON and exit")
    serve_parser = commands.add_parser("serve", help="serve /api/search?q=... over HTTP")
    for sub in (search, serve_parser):
        sub.add_argument("engine", choices=ENGINES)
        sub.add_argument("path", type=Path)
    search.add_argument("query")
    serve_parser.add_argument("--host", default="127.0.0.1")
    serve_parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    engine = open_engine(args.engine, args.path)
    if args.command == "search":
        print(json.dumps(engine.search(args.query).to_dict()))
    else:
        serve(engine, args.host, args.port)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
