"""Opening the on-disk index, and the small read-only questions asked without a searcher.

The manifest and the meta record are read straight from the committed index, so what a
re-ingest compares against is always exactly what readers see.
"""

from __future__ import annotations

from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.filedb.filestore import FileStorage
from whoosh.index import EmptyIndexError, FileIndex

from index.errors import IndexCorrupt, IndexMissing
from index.records import META_ID, load, manifest_from
from index.schema import MANIFEST, build_schema
from kb.model import ManifestEntry

_REQUIRED_FIELDS = set(build_schema().names())


def index_exists(index_dir: Path) -> bool:
    """True when ``index_dir`` holds a committed index."""
    return Path(index_dir).is_dir() and whoosh_index.exists_in(str(index_dir))


def open_whoosh(index_dir: Path) -> FileIndex:
    """Open an existing index, checking it is one of kb's.

    :raises IndexMissing: nothing has been committed at ``index_dir``.
    :raises IndexCorrupt: the folder holds an index of another shape or damaged files.
    """
    if not index_exists(index_dir):
        raise IndexMissing(Path(index_dir))
    try:
        ix = FileStorage(str(index_dir)).open_index()
    except EmptyIndexError:
        raise IndexMissing(Path(index_dir)) from None
    except Exception as exc:  # noqa: BLE001 - any unreadable TOC means the same to the user
        raise IndexCorrupt(Path(index_dir), f"{type(exc).__name__}: {exc}") from None
    missing = _REQUIRED_FIELDS - set(ix.schema.names())
    if missing:
        ix.close()
        raise IndexCorrupt(Path(index_dir), f"missing fields {', '.join(sorted(missing))}")
    return ix


def create_whoosh(index_dir: Path) -> FileIndex:
    Path(index_dir).mkdir(parents=True, exist_ok=True)
    return FileStorage(str(index_dir)).create_index(build_schema())


def read_manifest(index_dir: Path) -> dict[str, ManifestEntry]:
    """The committed manifest keyed by source; ``{}`` when there is no index yet."""
    if not index_exists(index_dir):
        return {}
    ix = open_whoosh(index_dir)
    try:
        with ix.searcher() as searcher:
            entries = [manifest_from(load(searcher.stored_fields(n)))
                       for n in searcher.postings("kind", MANIFEST).all_ids()
                       ] if searcher.doc_frequency("kind", MANIFEST) else []
    finally:
        ix.close()
    return {entry.source: entry for entry in sorted(entries, key=lambda e: e.source)}


def read_meta(index_dir: Path) -> dict[str, str]:
    """The meta facts last committed (merged over every ChangeSet); ``{}`` when none."""
    if not index_exists(index_dir):
        return {}
    ix = open_whoosh(index_dir)
    try:
        with ix.searcher() as searcher:
            stored = searcher.document(id=META_ID)
    finally:
        ix.close()
    return {str(k): str(v) for k, v in load(stored).items()} if stored else {}
