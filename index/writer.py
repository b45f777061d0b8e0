"""Applying one ingest's ChangeSet to the index in a single Whoosh commit.

A single commit is what makes an ingest atomic: Whoosh publishes a new generation by renaming
its table of contents, so readers see either the old index or the new one, never a mix, and a
crash before the commit leaves the previous generation untouched.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path

from whoosh.index import FileIndex
from whoosh.searching import Searcher
from whoosh.writing import CLEAR, SegmentWriter

from index.errors import IndexCorrupt
from index.internals import finish_own, publish, unlocked_writer
from index.lock import WriteLock
from index.records import (
    LAST_INGEST_ID,
    META_ID,
    document_key,
    document_records,
    last_ingest_record,
    load,
    manifest_key,
    manifest_record,
    meta_record,
)
from index.segment_postings import FIELDS as KEPT_FIELDS
from index.segment_postings import save_missing
from index.segments import SharedRuns, SideWriter, save_postings
from index.snapshot import prepare
from index.store import create_whoosh, index_exists, open_searcher, open_whoosh
from kb.collector import without_full_collections
from kb.model import ChangeSet, Document

#: Whoosh's in-memory posting pool. When it fills, Whoosh sorts it out to a temporary run and
#: merges the runs in Python at the end, which cost a 100,000-passage ingest about a quarter
#: of its time at 256 MB (Whoosh counts ~170 bytes per posting, ~70 postings per passage).
_WRITER_MB = 1024


def apply_changes(index_dir: Path, changes: ChangeSet, *, rebuild: bool = False,
                  timeout: float = 10.0, writers: int | None = None) -> None:
    """Apply ``changes`` in one commit (creating the index if needed).

    Upserted documents replace every record of the same doc_id; ``rebuild`` drops all existing
    segments in the same commit, so readers keep the old index until the new one is complete.
    An empty ChangeSet without ``rebuild`` writes nothing, so the generation stays the same.

    :param writers: 2 writes half of the new documents in a forked process beside this one
        (:mod:`index.segments`), 1 writes everything here; by default 2 on a machine with more
        than one core when the change set adds at least :data:`SIDE_MIN_PASSAGES` passages.
    :raises IndexLocked: another writer still holds the lock after ``timeout`` seconds.
    """
    index_dir = Path(index_dir)
    if changes.is_empty and not rebuild and index_exists(index_dir):
        return
    if writers is None:
        added = sum(len(doc.passages) for doc in changes.upserts)
        writers = 2 if added >= SIDE_MIN_PASSAGES and _cores() > 1 else 1
    # The lock comes first: opening may create (or, for a rebuild, replace) the index. The
    # change set and the writer's pool are all in use until the commit: no full collection
    # walks them (see kb.collector).
    with without_full_collections(), WriteLock(index_dir, timeout):
        ix = _open_for_writing(index_dir, rebuild)
        try:
            stamp = dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds")
            docs = _new_documents(changes)
            latest: Iterable[Document] = docs
            side: SideWriter | None = None
            writer: SegmentWriter | None = None
            try:
                if writers > 1 and len(docs) > 1:
                    # Whoosh's MpWriter gave no speed-up on a shared two-core machine for about
                    # a fifth more CPU (it pickles every document to its workers and merges
                    # their segments again), and a killed ingest left its workers holding the
                    # lock; index.segments forks one process with the documents in memory and
                    # publishes its segment as is. It is forked first: all this process does
                    # before it takes its first run (its writer, the last ingest's records,
                    # the deletions, the manifest) is time the side process already writes.
                    latest = SharedRuns(docs)
                    side = SideWriter(ix, latest, stamp, _WRITER_MB)
                # The lock is kb's own (see index.lock), so Whoosh's is not taken.
                writer = unlocked_writer(ix, _WRITER_MB, KEPT_FIELDS)
                _write(writer, changes, latest, stamp, rebuild, beside=side is not None)
                # The writer's own segment is written out (and, beside a side process, its
                # posting lists saved) while the side process may still write its last run,
                # then both are published together.
                own, new = finish_own(writer, mergetype=CLEAR if rebuild else None)
                if side is not None and new is not None:
                    save_postings(ix, new, writer)
                written = side.segment() if side is not None else None
                others = [written] if written is not None else []
            except BaseException:
                if side is not None:
                    side.stop()
                if writer is not None:
                    writer.cancel()
                raise
            publish(writer, own, others)
            # Still under the lock, so the generation is this commit's: its new segments' posting
            # lists and its arrays are saved beside it, and no reader builds them (see
            # index.segment_postings and index.arrays).
            with open_searcher(ix) as searcher:
                subs = [sub for sub, _ in searcher.reader().leaf_readers()]
                if side is None and new is not None and writer.posting_lists is not None:
                    # Alone, the writer saves its segment's lists now, from those it kept.
                    save_missing(index_dir, subs, {new.segment_id(): writer.posting_lists})
                else:  # beside a side process, each saved its own before the commit
                    save_missing(index_dir, subs)
                prepare(index_dir, searcher)
        finally:
            ix.close()


#: Passages a change set must add before its documents are written by two processes: below
#: it, forking costs more than it saves.
SIDE_MIN_PASSAGES = 2000


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def _open_for_writing(index_dir: Path, rebuild: bool) -> FileIndex:
    """The index to write; a rebuild replaces one of an older format with a fresh index."""
    if not index_exists(index_dir):
        return create_whoosh(index_dir)
    try:
        return open_whoosh(index_dir)
    except IndexCorrupt:
        if not rebuild:
            raise
        return create_whoosh(index_dir)


def _new_documents(changes: ChangeSet) -> list[Document]:
    """The documents the change set adds, the last of each doc_id, none it also deletes."""
    deleted = set(changes.deletes)
    return [doc for doc in {d.doc_id: d for d in changes.upserts}.values()
            if doc.doc_id not in deleted]


def _write(writer: SegmentWriter, changes: ChangeSet, docs: Iterable[Document], stamp: str,
           rebuild: bool, beside: bool) -> None:
    """Add the change set's records to ``writer``: the deletions, ``docs`` (the new documents,
    or ``beside`` a side process the runs of them this process takes), the manifest and the
    meta records."""
    with writer.searcher() as searcher:
        old_meta = searcher.document(id=META_ID)
        last = _last_ingest(searcher, changes, stamp)
    meta = {} if rebuild or not old_meta else load(old_meta)
    meta.update(changes.meta)
    if not rebuild:
        upserted = {doc.doc_id for doc in changes.upserts}
        for doc_id in sorted(upserted | set(changes.deletes)):
            writer.delete_by_term("doc_id", doc_id)
        replaced = {e.source for e in changes.manifest} | set(changes.manifest_deletes)
        for source in sorted(replaced):
            writer.delete_by_term("id", manifest_key(source))
        writer.delete_by_term("id", META_ID)
        writer.delete_by_term("id", LAST_INGEST_ID)
    if not beside:  # alone, the documents come first, in the order indexes always had
        _add_documents(writer, docs, stamp)
    # Beside a side process, the records only this process writes come first: it then takes
    # runs of documents for as long as any is left, and the two finish together.
    manifest_deletes = set(changes.manifest_deletes)
    for entry in {e.source: e for e in changes.manifest}.values():
        if entry.source not in manifest_deletes:
            writer.add_document(**manifest_record(entry))
    writer.add_document(**meta_record(meta))
    # What this commit added, updated and removed, for "new since the last ingest".
    writer.add_document(**last_ingest_record(last))
    if beside:
        _add_documents(writer, docs, stamp)


def _add_documents(writer: SegmentWriter, docs: Iterable[Document], stamp: str) -> None:
    for doc in docs:
        # A document's records stay adjacent, the document record first: a passage's
        # document is the nearest document record before it (see index.snapshot).
        for record in document_records(replace(doc, ingested=stamp)):
            writer.add_document(**record)


def _last_ingest(searcher: Searcher, changes: ChangeSet, stamp: str) -> dict[str, object]:
    """What this commit adds, updates and removes, told apart by what the index held before
    (nothing to look up in a new index: a lookup per document there was 1.4 % of the samples
    of a write of bench/ingest.py's corpus, py-spy)."""
    held = searcher.doc_count_all() > 0
    existing = {doc.doc_id for doc in changes.upserts
                if held and searcher.document(id=document_key(doc.doc_id))}
    removed = []
    for doc_id in sorted(set(changes.deletes) - {d.doc_id for d in changes.upserts}):
        stored = searcher.document(id=document_key(doc_id))
        if stored:
            data = load(stored)
            removed.append({"doc_id": doc_id, "title": data.get("title", ""),
                            "source": data.get("source", "")})
    upserted = list(dict.fromkeys(doc.doc_id for doc in changes.upserts))
    return {"at": stamp,
            "added": [d for d in upserted if d not in existing],
            "updated": [d for d in upserted if d in existing],
            "removed": removed}
