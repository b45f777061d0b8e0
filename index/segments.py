"""A large ingest's second segment, written by a forked process beside the writer.

Whoosh writes in Python, a document at a time: analysing every field, pooling the postings,
then sorting and writing them at commit. One core does all of it unless the work is split, so
for a large change set the writer forks one process that writes the second half of the new
documents into a segment of its own (and saves that segment's decoded posting lists, see
:mod:`index.segment_postings`), while the writer itself writes the first half, the
deletions, the manifest and the meta records, then writes out its own segment and saves its
posting lists while the process may still be writing; the writer's commit then publishes both
segments in one table of contents (:func:`index.internals.publish`), so a generation holds all
of the ingest or none of it, exactly as with one segment.

Each document's records go to one process, the document record first, so the record-order
assumption (a passage's document is the nearest document record before it, see
:mod:`index.snapshot`) holds in both segments. The process is forked with the documents in
memory (nothing is pickled but the finished segment's description), dies with its parent
(:func:`kb.process.die_with_parent`), and leaves Ctrl-C and ``kill`` to the parent, which
stops it: an interrupted ingest leaves only unpublished files, removed by the next commit.
"""

from __future__ import annotations

import contextlib
import gc
import multiprocessing
import os
import signal
from collections.abc import Sequence
from dataclasses import replace
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from whoosh.index import FileIndex
from whoosh.reading import SegmentReader
from whoosh.writing import SegmentWriter

from index.errors import IndexWriteFailed
from index.internals import Segment, abandon_segment, finish_segment, unlocked_writer
from index.records import document_records
from index.schema import HEADING_WEIGHT, TITLE_WEIGHT
from index.segment_postings import FIELDS as KEPT_FIELDS
from index.segment_postings import save_missing, save_written
from kb.model import Document
from kb.process import die_with_parent


def save_postings(ix: FileIndex, segment: Segment, writer: SegmentWriter) -> None:
    """Save the posting lists of ``segment``, written by ``writer`` but not yet published (see
    :mod:`index.segment_postings`), so that the commit finds them and decodes nothing: each
    process does this for its own segment while the other may still be writing. The lists
    are those the writer kept as it wrote them; only a writer that kept none (its flush was
    Whoosh's own) has its segment decoded."""
    lists = getattr(writer, "posting_lists", None)
    if lists is not None:
        save_written(Path(ix.storage.folder), segment, lists)
        return
    reader = SegmentReader(ix.storage, ix.schema, segment)
    try:
        save_missing(Path(ix.storage.folder), [reader])
    finally:
        reader.close()


def split(docs: Sequence[Document], extra: int = 0) -> int:
    """Where to cut the documents so that each side has about half of the writing work (see
    :func:`document_work`), the writer's side (the first) also doing ``extra`` work of its
    own (the manifest, see :func:`manifest_work`)."""
    work = [document_work(doc) for doc in docs]
    total = sum(work) + extra
    done = extra
    for i, more in enumerate(work):
        if 2 * done >= total:
            return i
        done += more
    return len(docs)


#: The writing work of one record beside the characters it analyses, and of one manifest
#: record, in characters analysed: fitted on bench/ingest.py's corpus (CPU of each
#: document's records built and added, against their records and characters: about 0.22 ms
#: a record and 0.43 ms per 1,000 characters; a manifest record about 0.15 ms). Counting
#: records alone left the writer's side about a tenth more work than the other (its
#: documents' titles are longer, and each title goes into each passage's body twice). Since
#: then a body's repeated lines are analysed once per document (index.analysis), which makes
#: titles cheaper; a fit to those costs moved the cut by a few documents and the two
#: processes' total time by nothing measurable, so these stand.
_RECORD_CHARS = 520
_MANIFEST_CHARS = 360


def document_work(doc: Document) -> int:
    """The writing work of one document's records, in characters analysed (see
    :data:`_RECORD_CHARS`): its body fields' characters (the title and heading counted as
    often as each passage's body repeats them) and a constant per record."""
    title = TITLE_WEIGHT * len(doc.title)
    chars = sum(title + HEADING_WEIGHT * len(p.heading) + len(p.text) for p in doc.passages)
    return chars + _RECORD_CHARS * (len(doc.passages) + 1)


def manifest_work(entries: int) -> int:
    """The writing work of ``entries`` manifest records (for :func:`split`)."""
    return entries * _MANIFEST_CHARS


class SideWriter:
    """One forked process writing ``docs`` (stamped ``stamp``) into a segment of its own."""

    def __init__(self, ix: FileIndex, docs: Sequence[Document], stamp: str,
                 limitmb: int) -> None:
        context = multiprocessing.get_context("fork")
        self._conn, child = context.Pipe(duplex=False)
        self._process = context.Process(
            target=_write, args=(child, ix, docs, stamp, limitmb, os.getpid()),
            name="kb-writer", daemon=True)
        gc.freeze()  # the child's collections leave the inherited heap alone (no copying)
        try:
            self._process.start()
        finally:
            gc.unfreeze()
        child.close()

    def segment(self) -> Segment:
        """Wait for the process and return the segment it wrote.

        :raises IndexWriteFailed: the process failed or died.
        """
        try:
            status, payload = self._conn.recv()
        except (EOFError, OSError):
            self._process.join()
            status, payload = "error", f"it exited with code {self._process.exitcode}"
        finally:
            self._conn.close()
        self._process.join()
        if status != "ok":
            raise IndexWriteFailed(f"writing part of the index failed ({payload}); the index "
                                   "keeps its last complete ingest")
        return payload

    def stop(self) -> None:
        """End the process if it still runs (the writer is cancelling)."""
        with contextlib.suppress(OSError, ValueError):
            if self._process.is_alive():
                self._process.kill()
            self._process.join()
        with contextlib.suppress(OSError):
            self._conn.close()


def _write(conn: Connection, ix: FileIndex, docs: Sequence[Document], stamp: str,
           limitmb: int, parent: int) -> None:
    """The process: add each document's records to a new segment, and send its description."""
    die_with_parent(parent)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C is the parent's to handle
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # not the parent's handler: a TERM ends it
    reply: tuple[str, Any]
    try:
        writer = unlocked_writer(ix, limitmb, KEPT_FIELDS)
        try:
            for doc in docs:
                for record in document_records(replace(doc, ingested=stamp)):
                    writer.add_document(**record)
        except BaseException:
            abandon_segment(writer)  # not cancel(): that removes the writer's temporary folder
            raise
        segment = finish_segment(writer)
        # Its posting lists are decoded and saved here, beside the writer's own, not after
        # the commit by the writer (see index.segment_postings): the commit then finds them.
        save_postings(ix, segment, writer)
        reply = ("ok", segment)
    except Exception as exc:  # reported by the parent, which cancels the whole ingest
        reply = ("error", f"{type(exc).__name__}: {exc}")
    with contextlib.suppress(BrokenPipeError, OSError):
        conn.send(reply)
