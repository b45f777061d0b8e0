"""Opening the on-disk index, and the small read-only questions asked without a searcher.

The manifest and the meta record are read straight from the committed index, so what a
re-ingest compares against is always exactly what readers see.
"""

from __future__ import annotations

import gc
import logging
import time
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from whoosh.filedb.filestore import FileStorage
from whoosh.index import TOC, EmptyIndexError, FileIndex
from whoosh.reading import IndexReader
from whoosh.searching import Searcher

from index.errors import IndexCorrupt, IndexMissing
from index.internals import GenerationIndex, generations, open_columns
from index.records import META_ID, load, manifest_from
from index.schema import MANIFEST, build_schema
from kb.model import ManifestEntry

_REQUIRED_FIELDS = set(build_schema().names())

_log = logging.getLogger(__name__)


def index_exists(index_dir: Path) -> bool:
    """True when ``index_dir`` holds a committed index (whether or not its newest generation
    opens: Whoosh's ``exists_in`` raises on a torn table of contents)."""
    return Path(index_dir).is_dir() and bool(generations(FileStorage(str(index_dir))))


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
    _check_fields(ix, Path(index_dir))
    return ix


def _check_fields(ix: FileIndex, index_dir: Path) -> None:
    missing = _REQUIRED_FIELDS - set(ix.schema.names())
    if missing:
        ix.close()
        raise IndexCorrupt(index_dir, f"missing fields {', '.join(sorted(missing))}")


#: Attempts at opening a searcher while commits keep replacing its files.
_OPEN_ATTEMPTS = 50


def open_searcher(ix: FileIndex) -> Searcher:
    """A searcher with every file it will ever read already open.

    Whoosh opens a segment's column files (stored fields, field lengths) on first use, and a
    commit that merges segments, or a rebuild, deletes the files of the segments it replaced.
    A searcher opened before such a commit and first asked for a stored field after it found
    no file ("'NoneType' object is not subscriptable": the audit's 500s). An open file stays
    readable after it is deleted, so opening them all here closes that window; a commit that
    deleted a file between reading the table of contents and opening it is caught by
    checking the segments are still current afterwards, and the searcher is reopened.
    """
    for _ in range(_OPEN_ATTEMPTS):
        searcher = ix.searcher()
        try:
            open_columns(searcher.reader())
            if _segments_current(ix, searcher.reader()):
                return searcher
        except OSError:
            pass  # a file went between the table of contents and its opening: reopen
        searcher.close()
        time.sleep(0.02)
    raise IndexCorrupt(Path(ix.storage.folder), "its files kept changing while it was opened")


def open_newest_complete(index_dir: Path) -> tuple[FileIndex, Searcher]:
    """The newest generation that opens whole, held to that generation, and a searcher on it
    with every file open (as :func:`open_searcher` opens them).

    A commit publishes its generation by renaming the table of contents into place, so the
    newest is normally whole. One that is not (its table of contents torn by a crash before its
    bytes reached the disk, or an index folder copied in while its segment files are still
    arriving) is stepped past, with a warning, to the newest generation still on disk that
    opens whole: a reader keeps answering from the last complete generation rather than fail.

    :raises IndexMissing: nothing has been committed at ``index_dir``.
    :raises IndexCorrupt: no generation opens (the message gives the newest one's error), or
        the index is of another shape (rebuild it).
    """
    if not index_exists(index_dir):
        raise IndexMissing(Path(index_dir))
    storage = FileStorage(str(index_dir))
    newest_error = ""
    for _ in range(_OPEN_ATTEMPTS):
        found = generations(storage)
        for generation in found:
            ix, searcher, error = _open_whole(storage, generation, Path(index_dir))
            if ix is None or searcher is None:
                newest_error = newest_error or error
                continue
            if not ix.published():
                searcher.close()  # a commit since may have deleted its files before we opened
                break  # them: list the generations again
            if generation != found[0]:
                _log.warning("index %s: the newest generation does not open (%s); reading "
                             "generation %d, the last complete one", index_dir, newest_error,
                             generation)
            return ix, searcher
        else:
            if generations(storage) == found:
                break  # every generation failed, and no commit came since: none will open
        time.sleep(0.02)
    raise IndexCorrupt(Path(index_dir), newest_error or "its files kept changing while it was "
                       "opened")


def _open_whole(storage: FileStorage, generation: int, index_dir: Path
                ) -> tuple[GenerationIndex | None, Searcher | None, str]:
    """``generation`` and a searcher on it with every file open, or Nones and why not.

    :raises IndexCorrupt: the generation is an index of another shape (rebuild it).
    """
    # Whoosh leaves a file open when reading a table of contents or a segment fails; it is
    # closed when collected, here, rather than reported as a leak wherever the collector runs.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        searcher = None
        try:
            ix = GenerationIndex(storage, generation)
            _check_fields(ix, index_dir)
            searcher = ix.searcher()
            open_columns(searcher.reader())
            return ix, searcher, ""
        except IndexCorrupt:
            raise
        except Exception as exc:  # noqa: BLE001 - a torn or missing file, whatever Whoosh says
            if searcher is not None:
                searcher.close()
            error = _failure(generation, exc)
        gc.collect()
    return None, None, error


def folder_state(index_dir: Path) -> frozenset[tuple[str, int, int]]:
    """Each file of the index folder with its size and modification time: what changes when a
    generation that did not open whole may have become whole (its files arrived, its table of
    contents was rewritten), though its number stays the same."""
    state = set()
    for path in Path(index_dir).iterdir():
        try:
            info = path.stat()
        except FileNotFoundError:
            continue  # deleted by a commit while listed
        state.add((path.name, info.st_size, info.st_mtime_ns))
    return frozenset(state)


#: A folder modified less than this many seconds ago may change again within the same tick of
#: the filesystem's clock (a few milliseconds), which would leave its modification time as it
#: is: :func:`folder_stamp` gives no stamp for it, so it is looked at again next time.
_SETTLING = 0.05


def folder_stamp(index_dir: Path) -> int | None:
    """The index folder's modification time (nanoseconds), which moves whenever a writer
    creates, renames or deletes a file there (each commit does): one ``stat``, cheap enough to
    ask before every request. None when it cannot tell: the folder is missing or changed
    within the last :data:`_SETTLING` seconds."""
    try:
        modified = Path(index_dir).stat().st_mtime_ns
    except OSError:
        return None
    return None if time.time() - modified / 1e9 < _SETTLING else modified


def _failure(generation: int, exc: Exception) -> str:
    return f"generation {generation}: {type(exc).__name__}: {exc}"


def _segments_current(ix: FileIndex, reader: IndexReader) -> bool:
    """True when no commit since ``reader``'s generation has dropped any of its segments
    (only then were none of their files deleted before they were opened)."""
    latest = TOC.read(ix.storage, ix.indexname)
    if latest.generation == reader.generation():
        return True
    current = {segment.segment_id() for segment in latest.segments}
    return all(sub.segment() is None or sub.segment().segment_id() in current
               for sub, _ in reader.leaf_readers())


def create_whoosh(index_dir: Path) -> FileIndex:
    Path(index_dir).mkdir(parents=True, exist_ok=True)
    return FileStorage(str(index_dir)).create_index(build_schema())


@contextmanager
def _last_commit(index_dir: Path) -> Iterator[Searcher | None]:
    """A searcher on the last commit (None when there is no index yet), the index closed after:
    for the questions asked once, without an open ``KbIndex``."""
    if not index_exists(index_dir):
        yield None
        return
    ix = open_whoosh(index_dir)
    try:
        with open_searcher(ix) as searcher:
            yield searcher
    finally:
        ix.close()


def read_manifest(index_dir: Path) -> dict[str, ManifestEntry]:
    """The committed manifest keyed by source; ``{}`` when there is no index yet."""
    with _last_commit(index_dir) as searcher:
        entries = [manifest_from(load(searcher.stored_fields(n)))
                   for n in searcher.postings("kind", MANIFEST).all_ids()
                   ] if searcher is not None and searcher.doc_frequency("kind", MANIFEST) else []
    return {entry.source: entry for entry in sorted(entries, key=lambda e: e.source)}


def read_meta(index_dir: Path) -> dict[str, str]:
    """The meta facts last committed (merged over every ChangeSet); ``{}`` when none."""
    with _last_commit(index_dir) as searcher:
        stored = searcher.document(id=META_ID) if searcher is not None else None
    return {str(k): str(v) for k, v in load(stored).items()} if stored else {}
