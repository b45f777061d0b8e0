"""A large ingest's second segment, written by a forked process beside the writer.

Whoosh writes in Python, a document at a time: analysing every field, pooling the postings,
then sorting and writing them at commit. One core does all of it unless the work is split, so
for a large change set the writer forks one process that writes new documents into a segment
of its own (and saves that segment's decoded posting lists, see :mod:`index.segment_postings`),
while the writer itself writes the deletions, the manifest and the meta records, then new
documents too; each writes out its own segment and saves its posting lists while the other may
still be writing, and the writer's commit publishes both segments in one table of contents
(:func:`index.internals.publish`), so a generation holds all of the ingest or none of it,
exactly as with one segment.

The two processes take the new documents a run at a time (:class:`SharedRuns`), each the next
run not yet taken, until none is left. A fixed cut at half of the estimated work left one
process waiting for the other for up to a tenth of the ingest: two processes doing the same
work on this kind of machine are not given the same CPU, so no estimate made before the fork
can balance them. Which segment a document lands in therefore varies from run to run; nothing
a reader sees depends on it (equal scores are ordered by date, source and position, never by
document number, and collection statistics are sums over the segments).

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
import struct
from collections.abc import Iterator, Sequence
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


#: Runs the new documents are cut into for two writing processes: the one that finishes
#: last has at most about one run (1/64 of the documents' writing work) left when the other
#: runs out; a run costs one 4-byte read from a pipe.
RUNS = 64


def runs(docs: Sequence[Document], count: int = RUNS) -> list[tuple[int, int]]:
    """``docs`` cut into ``count`` runs (fewer when the documents are fewer) of about equal
    writing work (see :func:`document_work`): ``(start, end)`` of each, in order, covering
    them all. A run ends on the document that takes it past its share, so none is empty."""
    work = [document_work(doc) for doc in docs]
    count = max(1, min(count, len(docs)))
    share = sum(work) / count
    cuts: list[tuple[int, int]] = []
    start, done = 0, 0
    for i, more in enumerate(work):
        done += more
        if done >= share * (len(cuts) + 1) and len(cuts) < count - 1:
            cuts.append((start, i + 1))
            start = i + 1
    if start < len(docs):
        cuts.append((start, len(docs)))
    return cuts


#: The writing work of one record beside the characters it analyses, in characters analysed:
#: fitted on bench/ingest.py's corpus (CPU of each document's records built and added, against
#: their records and characters: about 0.22 ms a record and 0.43 ms per 1,000 characters). It
#: only sizes the runs the two processes take turns on (:class:`SharedRuns`): an error in it
#: makes runs unequal, not the processes' shares.
_RECORD_CHARS = 520


def document_work(doc: Document) -> int:
    """The writing work of one document's records, in characters analysed (see
    :data:`_RECORD_CHARS`): its body fields' characters (the title and heading counted as
    often as each passage's body repeats them) and a constant per record."""
    title = TITLE_WEIGHT * len(doc.title)
    chars = sum(title + HEADING_WEIGHT * len(p.heading) + len(p.text) for p in doc.passages)
    return chars + _RECORD_CHARS * (len(doc.passages) + 1)


class SharedRuns:
    """The new documents' runs (:func:`runs`), taken one at a time by whichever writing
    process asks first: iterate to get the documents of each run this process takes.

    The runs not yet taken are numbers in a pipe written before the fork; a process takes one
    by reading four bytes (a pipe read is whole and taken by one reader). There is no lock to
    be left held: a process killed mid-run takes nothing more, and the other drains the rest
    (the ingest then fails on the dead process, see :meth:`SideWriter.segment`).
    """

    _TOKEN = struct.Struct("=I")

    def __init__(self, docs: Sequence[Document], count: int = RUNS) -> None:
        self.docs = docs
        self.runs = runs(docs, count)
        read, write = os.pipe()
        try:  # 64 runs are 256 bytes, far below a pipe's buffer: the write never blocks
            os.write(write, b"".join(self._TOKEN.pack(n) for n in range(len(self.runs))))
        finally:
            os.close(write)
        self._read: int | None = read

    def __iter__(self) -> Iterator[Document]:
        while self._read is not None:
            token = os.read(self._read, self._TOKEN.size)
            if not token:  # every run is taken
                self.close()
                return
            start, end = self.runs[self._TOKEN.unpack(token)[0]]
            yield from self.docs[start:end]

    def close(self) -> None:
        if self._read is not None:
            os.close(self._read)
            self._read = None


class SideWriter:
    """One forked process writing the runs of ``shared`` it takes (stamped ``stamp``) into a
    segment of its own."""

    def __init__(self, ix: FileIndex, shared: SharedRuns, stamp: str, limitmb: int) -> None:
        context = multiprocessing.get_context("fork")
        self._conn, child = context.Pipe(duplex=False)
        self._process = context.Process(
            target=_write, args=(child, ix, shared, stamp, limitmb, os.getpid()),
            name="kb-writer", daemon=True)
        self._shared = shared
        gc.freeze()  # the child's collections leave the inherited heap alone (no copying)
        try:
            self._process.start()
        finally:
            gc.unfreeze()
        child.close()

    def segment(self) -> Segment | None:
        """Wait for the process and return the segment it wrote (None when it took no run).

        :raises IndexWriteFailed: the process failed or died.
        """
        self._shared.close()  # this process took its last run
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
        self._shared.close()
        with contextlib.suppress(OSError, ValueError):
            if self._process.is_alive():
                self._process.kill()
            self._process.join()
        with contextlib.suppress(OSError):
            self._conn.close()


def _write(conn: Connection, ix: FileIndex, shared: SharedRuns, stamp: str,
           limitmb: int, parent: int) -> None:
    """The process: add the records of each document it takes to a new segment, and send the
    segment's description."""
    die_with_parent(parent)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C is the parent's to handle
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # not the parent's handler: a TERM ends it
    reply: tuple[str, Any]
    try:
        writer = unlocked_writer(ix, limitmb, KEPT_FIELDS)
        try:
            for doc in shared:
                for record in document_records(replace(doc, ingested=stamp)):
                    writer.add_document(**record)
        except BaseException:
            abandon_segment(writer)  # not cancel(): that removes the writer's temporary folder
            raise
        # None when the writer took every run before this process could take one.
        segment = finish_segment(writer)
        if segment is not None:
            # Its posting lists are decoded and saved here, beside the writer's own, not after
            # the commit by the writer (see index.segment_postings): the commit then finds them.
            save_postings(ix, segment, writer)
        reply = ("ok", segment)
    except Exception as exc:  # reported by the parent, which cancels the whole ingest
        reply = ("error", f"{type(exc).__name__}: {exc}")
    with contextlib.suppress(BrokenPipeError, OSError):
        conn.send(reply)
