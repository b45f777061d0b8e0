"""Every use of Whoosh's private surface, in one module, so that a Whoosh upgrade is this file's
work (and tests/index/test_whoosh_internals.py's, which pins each function here).

kb reaches past Whoosh's public API in four places, each for a measured reason:

- reading postings a block at a time, and field lengths as one run of bytes, for the numpy
  layer (:mod:`index.postings`): Whoosh's public matchers cost a Python call per posting;
- opening every column file of a new searcher at once (:mod:`index.store`): Whoosh opens them
  on first use, and a commit that merges segments may delete them before that;
- a segment writer without Whoosh's own lock (:mod:`index.writer`): kb holds its own, stale-safe
  one (:mod:`index.lock`); its commit reads field lengths through a reader that remembers
  which fields have no length column (Whoosh asks the file system again for every posting of
  such a field: a sixth of a commit's time), can publish a large ingest's second segment,
  written by a forked process, in the same commit (:mod:`index.segments`), adds each
  record's postings, computed in one pass per field (Whoosh's ``add_document`` took two
  thirds of the writing time), to a pool that groups them by term at the flush
  (:class:`TermPool`; Whoosh's sorted a tuple per posting), and writes the pool a term
  at a time, Whoosh's bytes without its Python call per posting, keeping the lists of the
  fields :mod:`index.segment_postings` saves (decoding them back cost a tenth of a write);
- an index held to one generation (:mod:`index.store`): Whoosh's reads the newest table of
  contents on every call, so a torn or half-copied newest generation would fail every reader
  instead of leaving them on the last complete one.

The names used: ``SegmentWriter(_lk=)``; ``FilterMatcher._ids``; ``W3LeafMatcher._byteids``,
``_read_data``, ``_data``, ``_blocklength``, ``_next_block``; a segment reader's ``_perdoc`` and
its ``_cached_reader``, ``_readers``, ``_vpostfile`` and ``_prep_vectors``;
``whoosh.codec.whoosh3._lenfield`` and ``_vecfield``; ``NumericColumn.Reader``'s ``_fixedlen``,
``_typecode``, ``_count``, ``_default``, ``_dbfile`` and ``_basepos``;
``SegmentWriter.per_document_reader`` as ``_flush_segment`` uses it (``doc_field_length`` and
``close`` only); ``SegmentWriter._finalize_segment``, ``_finish``, ``_check_state``,
``_merge_segments``, ``_close_segment``, ``_commit_toc`` and ``_added``, to publish a segment
written by another process in the writer's commit (as Whoosh's own ``MpWriter`` does);
``FileIndex._read_toc``, ``TOC._pattern`` and ``TOC._filename``; for ``add_document``, the
writer's ``perdocwriter`` (``W3PerDocWriter.add_field`` doing nothing for a field neither
stored nor with a length), ``docnum`` and ``pool``, replaced by a :class:`TermPool` built from
Whoosh's pool's ``tempstore``, ``segment`` and ``limit``, which keeps ``PostingPool``'s
``currentsize``, ``fieldnames`` and ``runs`` and its ``_new_run``, ``_open_run`` and
``_remove_run``, and ``RegexTokenizer.expression``; for the flush, ``SegmentWriter._flush_segment``
(overridden as Whoosh writes it, the postings aside), ``W3Codec``'s ``_blocklimit``,
``_compression`` and ``_inlinelimit``, ``W3FieldWriter``'s ``_codec``, ``_postfile``,
``_tindex``, ``_fieldid``, ``start_field`` and ``finish_field``, ``WHOOSH3_HEADER_MAGIC`` and
the codec module's ``dumps``, as ``W3PostingsWriter._write_block`` uses them,
``W3TermInfo._struct`` (a term's entry, packed as its ``to_bytes`` packs it) and, to add a
field's terms to the term index at once (:func:`add_terms`), ``OrderedHashWriter``'s
``dbfile``, ``index``, ``buckets``, ``hashfn`` and ``lastkey`` and ``filetables.md5_hash``
(tests/index/test_posting_writer.py compares the files with Whoosh's own flush, byte for
byte, with small blocks compressed and values pickled as Whoosh does; see
:data:`COMPRESS_FROM` and :data:`VALUES_PROTOCOL`);
for the stored-fields column's compression (:func:`fast_stored_column`), the per-document
writer's ``_colwriters``, ``PickleColumn.Writer``'s ``_child`` and
``CompressedBytesColumn.Writer``'s ``_compress`` and ``_level``; to write a record's lengths
and stored fields to the columns themselves (:class:`_Columns`), those and the per-document
writer's ``_fieldlengths``, ``whoosh3._lenfield`` and ``VarBytesColumn.Writer.add``.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import heapq
import itertools
import marshal
import operator
import struct
import zlib
from array import array
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from functools import partial
from itertools import groupby
from operator import itemgetter
from typing import Any

import numpy as np
from isal import isal_zlib
from whoosh import formats
from whoosh.analysis import IDTokenizer, RegexTokenizer
from whoosh.codec.base import Segment
from whoosh.codec.whoosh3 import (
    LENGTHS_COLUMN,
    STORED_COLUMN,
    VECTOR_COLUMN,
    WHOOSH3_HEADER_MAGIC,
    W3Codec,
    W3FieldWriter,
    W3LeafMatcher,
    W3PerDocReader,
    W3PerDocWriter,
    W3TermInfo,
    _lenfield,
    _vecfield,
)
from whoosh.codec.whoosh3 import dumps as w3_dumps
from whoosh.columns import CompressedBytesColumn, NumericColumn, PickleColumn, VarBytesColumn
from whoosh.filedb.filestore import Storage
from whoosh.filedb.filetables import md5_hash
from whoosh.index import TOC, FileIndex
from whoosh.matching import Matcher
from whoosh.matching.wrappers import FilterMatcher
from whoosh.reading import IndexReader, SegmentReader
from whoosh.system import emptybytes, pack_int, pack_uint, pack_ushort
from whoosh.util.numeric import byte_to_length, length_to_byte
from whoosh.writing import PostingPool, SegmentWriter

from index.analysis import LanguageTokenizer, term_positions

#: One block of a leaf matcher: delta-encoded ids, then the weights (an array, one float for
#: the whole block, or None for all 1.0), then the number of postings in it.
Block = tuple[Any, Any, int]


def unlocked_writer(ix: FileIndex, limitmb: int,
                    keep_lists: Iterable[str] = ()) -> SegmentWriter:
    """A segment writer that does not take Whoosh's ``WRITELOCK`` (the caller holds kb's lock),
    writing separate files per segment (``compound=False``: readers open in milliseconds).

    :param keep_lists: fields whose posting lists the writer keeps as it writes its segment
        (its ``posting_lists`` once :func:`finish_own` or :func:`finish_segment` has run).
    """
    writer = _SegmentWriter(ix, limitmb=limitmb, compound=False, _lk=False)
    writer.keep_lists = frozenset(keep_lists)
    return writer


def finish_segment(writer: SegmentWriter) -> Segment | None:
    """Write out the segment of a writer that will not commit (another process publishes it,
    see :func:`publish`); None, and no segment, when the writer added nothing. Its temporary
    folder is the committing writer's too (Whoosh names it after the index), so that writer
    removes it, not this one."""
    if not writer._added:
        writer._close_segment()
        return None
    return writer._finalize_segment()


def abandon_segment(writer: SegmentWriter) -> None:
    """Close the files of a writer that will neither commit nor publish (see
    :func:`finish_segment`), leaving the temporary folder to the committing writer."""
    writer._close_segment()


def finish_own(writer: SegmentWriter, mergetype: Any = None
               ) -> tuple[list[Segment], Segment | None]:
    """The first half of ``writer.commit(mergetype)``: old segments merged as ``mergetype``
    says, and the writer's own new segment written out (sorting and writing its postings,
    a third of the writing time), with nothing published yet. Returns the segments to
    publish, and the new one among them (None when the writer added nothing).

    Split from :func:`publish` so that a writer can do this while another process still
    writes its own segment (:mod:`index.segments`), instead of after it.
    """
    writer._check_state()
    segments = writer._merge_segments(mergetype, None, None)
    new = None
    if writer._added:
        new = writer._finalize_segment()
        segments.append(new)
    else:
        writer._close_segment()
    return segments, new


def publish(writer: SegmentWriter, segments: list[Segment], others: list[Segment]) -> None:
    """The second half of the commit: one table of contents holding ``segments`` (from
    :func:`finish_own`) and then ``others`` (segments written by other processes, see
    :func:`finish_segment`), so one generation holds them all, or none of them."""
    writer._commit_toc(segments + others)
    writer._finish()


class _SegmentWriter(SegmentWriter):
    """Whoosh's segment writer, whose commit reads field lengths through :class:`_Lengths`,
    and whose :meth:`add_document` indexes kb's fields without Whoosh's token objects.

    Whoosh's ``add_document`` analyses each field through a chain of generators that set a
    shared token's attributes per word, counts the words in dictionaries, then hands each
    posting to the pool through a method that checks its types: about two thirds of an
    ingest's writing time. Here each field kind kb's schema has gets the postings Whoosh
    would make, computed in one pass (:func:`_indexer`), a repeated value (a document's title,
    ID fields and facets on each of its passages) is analysed and measured once, and the
    postings go to the pool's list with the pool's own size accounting, so it still spills to
    disk at ``limitmb``. A record with
    boosts or custom stored values (a name starting with ``_``), or a schema with vectors,
    columns or spelling fields, goes through Whoosh's own method.

    The pool is a :class:`TermPool`, which keeps the postings grouped by term as they come, so
    that the flush sorts the terms, not every posting.
    """

    pool: TermPool

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        whooshs: PostingPool = self.pool
        self.pool = TermPool(whooshs.tempstore, whooshs.segment, whooshs.limit)
        fields = list(self.schema.items())
        self._fast = not any(field.vector or field.column_type or (
            field.indexed and field.separate_spelling()) for _, field in fields)
        #: Each field's schema object, its indexer (None for a field not indexed), and
        #: whether it is scorable and stored (looked up once, not per record).
        self._plan = {name: (field, _indexer(name, field) if field.indexed else None,
                             field.scorable, field.stored)
                      for name, field in fields}
        #: Whoosh 3's per-document writer does nothing with a field neither stored nor
        #: given a length, so such a field is not handed to it.
        self._skip_empty = type(self.perdocwriter) is W3PerDocWriter
        fast_stored_column(self.perdocwriter)
        #: Its columns, written to directly (None: through its methods).
        self._columns = _Columns.of(self.perdocwriter)

    def add_document(self, **fields: Any) -> None:
        plan = self._plan
        # A name the schema lacks (Whoosh's error, or a dynamic field) or a custom value
        # (a boost, "_stored_..."): Whoosh's own method.
        if not self._fast or not plan.keys() >= fields.keys():
            super().add_document(**fields)
            return
        self._check_state()
        docnum = self.docnum
        perdoc = self.perdocwriter
        pool = self.pool
        skip_empty = self._skip_empty
        columns = self._columns
        kept: dict[str, Any] = {}
        perdoc.start_doc(docnum)
        try:
            for name in sorted(fields):
                value = fields[name]
                if value is None:
                    continue
                field, indexer, scorable, stored = plan[name]
                length = 0
                if indexer is not None:
                    if type(value) is str:
                        postings, size, length = indexer(value)
                    else:  # Whoosh's own checks and errors
                        postings, size, length = _indexed(name, list(field.index(value)))
                    pool.add_field(name, docnum, postings, size)
                    if not scorable:
                        length = 0
                if columns is None:
                    if stored or length or not skip_empty:
                        perdoc.add_field(name, field, value if stored else None, length)
                    continue
                # W3PerDocWriter.add_field's work, without its calls.
                if stored:
                    kept[name] = value
                if length:
                    columns.add_length(name, docnum, length)
            if kept and columns is not None:  # W3PerDocWriter.finish_doc's
                columns.add_stored(docnum, kept)
        except Exception:
            perdoc.cancel_doc()
            raise
        perdoc.finish_doc()
        if pool.currentsize > pool.limit:
            pool.save()
        self._added = True
        self.docnum += 1

    def per_document_reader(self) -> _Lengths:
        return _Lengths(super().per_document_reader())

    def _flush_segment(self) -> None:
        """Whoosh's flush, with the sorted postings written a term at a time
        (:func:`write_postings`) instead of a Python call per posting, and the posting lists
        of :data:`keep_lists`'s fields kept in :attr:`posting_lists` for the segment's own file
        (:mod:`index.segment_postings`), so that nothing reads them back from disk."""
        fieldwriter = self.fieldwriter
        if not (self._fast and _writes_blocks(self.codec, fieldwriter)):
            super()._flush_segment()
            return
        self.perdocwriter.close()
        lengths = self.per_document_reader() if self.codec.length_stats else None
        try:
            self.posting_lists = write_postings(fieldwriter, self.schema, lengths,
                                                self.pool.terms(), self.keep_lists)
        finally:
            fieldwriter.close()
            if lengths is not None:
                lengths.close()

    #: Fields whose posting lists :meth:`_flush_segment` keeps (set by the caller).
    keep_lists: frozenset[str] = frozenset()
    #: After the flush: the kept fields' posting lists (None: the flush was Whoosh's own).
    posting_lists: dict[str, PostingLists] | None = None


class _Columns:
    """A Whoosh 3 per-document writer's columns, written to as its ``add_field`` and
    ``finish_doc`` write them (the same bytes), without their calls: a length's through
    ``add_column_value``, ``_has_column``, ``_get_column`` and ``_lenfield`` on every record,
    and the stored fields' through ``add_column_value`` and the pickling and compressing
    columns' ``add`` (a tenth of ``add_document``'s time was these calls).

    The writer's ``_colwriters`` (a length column created as the writer creates it, on first
    use, by ``add_column_value``), ``_fieldlengths`` and the stored column's
    ``PickleColumn.Writer``, whose child is the ``CompressedBytesColumn.Writer``
    :func:`fast_stored_column` set up, with its ``_compress`` and ``_level``.
    """

    def __init__(self, perdoc: W3PerDocWriter, compressed: Any) -> None:
        self._perdoc = perdoc
        self._lengths: dict[str, Callable[[int, int], None]] = {}
        self._totals = perdoc._fieldlengths
        self._compress, self._level = compressed._compress, compressed._level
        self._write_stored = partial(VarBytesColumn.Writer.add, compressed)

    @classmethod
    def of(cls, perdoc: Any) -> _Columns | None:
        """The columns of ``perdoc``; None when it is not a Whoosh 3 per-document writer
        whose stored fields are pickled into a compressed column."""
        if type(perdoc) is not W3PerDocWriter:
            return None
        stored = perdoc._colwriters.get("_stored")
        if type(stored) is not PickleColumn.Writer \
                or type(stored._child) is not CompressedBytesColumn.Writer:
            return None
        return cls(perdoc, stored._child)

    def add_length(self, fieldname: str, docnum: int, length: int) -> None:
        """Record ``docnum``'s length in ``fieldname`` (its byte, and the field's total)."""
        add = self._lengths.get(fieldname)
        if add is None:
            column = _lenfield(fieldname)
            self._perdoc.add_column_value(column, LENGTHS_COLUMN, length_to_byte(length))
            self._lengths[fieldname] = self._perdoc._colwriters[column].add
        else:
            add(docnum, length_to_byte(length))
        self._totals[fieldname] += length

    def add_stored(self, docnum: int, values: dict[str, Any]) -> None:
        """Store ``docnum``'s stored fields (pickled, then compressed)."""
        self._write_stored(docnum, self._compress(w3_dumps(values, 2), self._level))


#: The stored-fields column's compression level with ISA-L (see :func:`fast_stored_column`).
STORED_LEVEL = 1


def fast_stored_column(perdocwriter: Any) -> bool:
    """Compress the stored-fields column of a Whoosh 3 per-document writer with ISA-L's
    zlib-compatible compressor instead of zlib's (``CompressedBytesColumn.Writer``'s
    ``_compress`` and ``_level``); False when the writer's column is not that column.

    Whoosh pickles each record's stored fields and compresses them with zlib at level 3, a
    tenth of an ingest's writing time: ISA-L writes a zlib stream of the same size (+0.7 %
    on bench/ingest.py's records) in under half the time. Readers are unchanged: Whoosh's
    column reader decompresses with zlib, which reads any zlib stream, so segments written
    before and after read the same values.
    """
    writers = getattr(perdocwriter, "_colwriters", None)
    column = writers.get("_stored") if isinstance(writers, dict) else None
    compressed: Any = getattr(column, "_child", None)
    if type(compressed) is not CompressedBytesColumn.Writer \
            or compressed._compress is not zlib.compress:
        return False
    compressed._compress, compressed._level = isal_zlib.compress, STORED_LEVEL
    return True


@dataclasses.dataclass
class PostingLists:
    """One field's posting lists in a new segment, in term order: each term's bytes and
    posting count, and all the postings' docnums and weights (as the segment stores them,
    32-bit floats) one after the other."""

    terms: list[bytes] = dataclasses.field(default_factory=list)
    counts: list[int] = dataclasses.field(default_factory=list)
    ids: array = dataclasses.field(default_factory=lambda: array("I"))
    weights: array = dataclasses.field(default_factory=lambda: array("f"))


#: One term of a :class:`TermPool`: the field, the term's bytes, and its postings' docnums,
#: weights and values, in docnum order.
PooledTerm = tuple[str, bytes, array, Sequence[float], Sequence[Any]]


class TermPool(PostingPool):
    """Whoosh's posting pool, holding each document's postings in a field as the field's
    ``index`` gave them, and grouping them by term with a few array operations at the flush.

    Whoosh's pool makes one ``(field, term, docnum, weight, value)`` tuple per posting
    (362,000 for bench/ingest.py's 1,500 documents) and sorts them all at the flush, which
    then groups them back into terms a posting at a time: a third of the writing time.
    Documents come in docnum order, so a stable sort of each field's postings by term alone
    (numpy's, on each term's rank) leaves each term's postings in docnum order; only the
    terms themselves (15,400) are sorted as Python objects.

    Whoosh's accounting is kept: past ``limit`` bytes (Whoosh's estimate), :meth:`save`
    writes the pool out to a temporary run a term at a time, in order, and :meth:`terms`
    merges the runs, joining a term's postings from each run in the order they were written.
    Where postings came out of docnum order (Whoosh's own ``add_document`` adds spelling
    words at docnum 0), a term's postings are sorted as Whoosh's pool sorts them: by docnum,
    then weight, then value. :meth:`items` gives Whoosh's tuples, for Whoosh's own flush.
    """

    # PostingPool's attributes this class uses (Whoosh's own are not annotated).
    runs: list[str]
    currentsize: int
    limit: int
    fieldnames: set[str]

    def __init__(self, tempstore: Storage, segment: Segment, limit: int) -> None:
        super().__init__(tempstore, segment)
        self.limit = limit
        #: Each field's postings since the last run, in the order added (see :class:`_Field`).
        self.fields: dict[str, _Field] = {}
        #: Fields with a posting added after one with the same or a higher docnum.
        self._unordered: set[str] = set()

    def add(self, item: tuple[str, bytes, int, float, bytes | None]) -> None:
        """Add one posting (Whoosh's ``add_document`` and ``add_reader`` call this)."""
        fieldname, tbytes, docnum, weight, vbytes = item
        assert isinstance(tbytes, bytes), f"tbytes={tbytes!r}"
        assert vbytes is None or isinstance(vbytes, bytes), f"vbytes={vbytes!r}"
        self.currentsize += _posting_size(fieldname, tbytes, vbytes)
        if self.currentsize > self.limit:
            self.save()
        # A second posting of one document in a field comes as a docnum repeated: the field
        # is then sorted term by term (cheap, as only Whoosh's own add_document does this).
        self.add_field(fieldname, docnum, [(tbytes, 0, weight, vbytes)], 0)

    def add_field(self, fieldname: str, docnum: int, postings: list[Posting],
                  size: int | None = None) -> None:
        """Add one document's postings in one field, one per term, as ``(term, frequency,
        weight, value)`` (what a field's ``index`` gives), with ``PostingPool.add``'s estimate
        of their size in memory when the caller has it (see :func:`_indexed`); the caller
        checks :attr:`limit` after the whole document (see :meth:`save`)."""
        field = self.fields.get(fieldname)
        if field is None:
            field = self.fields[fieldname] = _Field()
            self.fieldnames.add(fieldname)
        elif field.docnums[-1] >= docnum:
            self._unordered.add(fieldname)
        # _Field's three lists, appended here: a call less per field of every record.
        field.postings += postings
        field.docnums.append(docnum)
        field.counts.append(len(postings))
        self.currentsize += _indexed(fieldname, postings)[1] if size is None else size

    def save(self) -> None:
        """Write the pool out to a new run, a term at a time in (field, term) order, and empty
        it (Whoosh's ``PostingPool.save``)."""
        if self.fields:
            self.runs.append(self._write_run(self._in_memory()))
        self.fields, self._unordered = {}, set()
        self.currentsize = 0

    def terms(self, maxfiles: int = 128) -> Iterator[PooledTerm]:
        """Every pooled term in (field, term) order, each with its postings in docnum order:
        from memory, or merged from the runs (at most ``maxfiles`` open at once: the oldest
        are merged into one run first, as Whoosh's pool does)."""
        if not self.runs:
            return self._in_memory()
        self.save()
        while len(self.runs) > maxfiles:
            self.runs[:maxfiles] = [self._write_run(self._merged(self.runs[:maxfiles]))]
        runs, self.runs = self.runs, []
        return self._merged(runs)

    def items(self, maxfiles: int = 128) -> Iterator[tuple[str, bytes, int, float, Any]]:
        """Whoosh's ``SortingPool.items``: every posting as a ``(field, term, docnum, weight,
        value)`` tuple, in Whoosh's order (for Whoosh's own flush)."""
        for fieldname, tbytes, ids, weights, values in self.terms(maxfiles):
            for docnum, weight, vbytes in zip(ids, weights, values, strict=True):
                yield fieldname, tbytes, docnum, weight, vbytes

    def iter_postings(self) -> Iterator[tuple[str, bytes, int, float, Any]]:
        return self.items()

    def cleanup(self) -> None:
        """Remove the runs not merged yet (a cancelled or abandoned writer)."""
        for path in self.runs:
            with contextlib.suppress(OSError):
                self._remove_run(path)
        self.runs = []

    def _in_memory(self) -> Iterator[PooledTerm]:
        for fieldname, field in sorted(self.fields.items()):
            terms = _grouped(fieldname, field)
            if fieldname in self._unordered:
                terms = (_in_order(term) for term in terms)
            yield from terms

    def _merged(self, runs: list[str]) -> Iterator[PooledTerm]:
        """The runs' terms in order, a term's postings joined in the runs' order (then
        sorted, if that is not docnum order)."""
        merged = heapq.merge(*map(self._read, runs), key=_FIELD_TERM)
        for (fieldname, tbytes), same in groupby(merged, _FIELD_TERM):
            ids = array("I")
            weights: list[float] = []
            values: list[Any] = []
            ordered = True
            for _, _, more_ids, more_weights, more_values in same:
                ordered = ordered and (not ids or ids[-1] < more_ids[0])
                ids += more_ids
                weights += more_weights
                values += more_values
            term = (fieldname, tbytes, ids, weights, values)
            yield term if ordered else _in_order(term)

    def _write_run(self, terms: Iterator[PooledTerm]) -> str:
        """A new run holding ``terms`` (in order), a term at a time; its path."""
        path, file = self._new_run()
        try:
            for fieldname, tbytes, ids, weights, values in terms:
                marshal.dump((fieldname, tbytes, ids.tobytes(), list(weights), list(values)),
                             file)
        finally:
            file.close()
        return str(path)

    def _read(self, path: str) -> Iterator[PooledTerm]:
        file = self._open_run(path)
        try:
            while True:
                try:
                    fieldname, tbytes, raw, weights, values = marshal.load(file)
                except EOFError:
                    return
                ids = array("I")
                ids.frombytes(raw)
                yield fieldname, tbytes, ids, weights, values
        finally:
            file.close()
            self._remove_run(path)


_FIELD_TERM = itemgetter(0, 1)


class _Field:
    """One field's pooled postings: all of them in one list, as added, and each document's
    docnum and number of postings (no container per document: the garbage collector then
    has a few lists to look at, not one per document and field). Filled by
    :meth:`TermPool.add_field`."""

    __slots__ = ("postings", "docnums", "counts")

    def __init__(self) -> None:
        self.postings: list[Posting] = []
        self.docnums = array("q")
        self.counts = array("q")


def _grouped(fieldname: str, field: _Field) -> Iterator[PooledTerm]:
    """One field's postings grouped by term, in term order, each term's in the order added.

    A stable sort on each posting's term rank keeps a term's postings in the order they were
    added; every step is one C call over all the field's postings (no Python per posting).
    """
    postings = field.postings
    count = len(postings)
    if not count:
        return
    docnums = np.repeat(np.frombuffer(field.docnums, dtype=np.int64),
                        np.frombuffer(field.counts, dtype=np.int64))
    # Each term numbered by its first posting, then ranked in term order.
    vocabulary: dict[bytes, int] = {}
    first = np.fromiter(map(vocabulary.setdefault, map(_TERM, postings), itertools.count()),
                        dtype=np.int64, count=count)
    terms = sorted(vocabulary)
    rank = np.zeros(count, dtype=np.int64)
    rank[np.fromiter(map(vocabulary.__getitem__, terms), dtype=np.int64,
                     count=len(terms))] = np.arange(len(terms))
    ranks = rank[first]
    order = np.argsort(ranks, kind="stable")
    ends = np.cumsum(np.bincount(ranks, minlength=len(terms))).tolist()
    ids = array("I")
    ids.frombytes(docnums[order].astype(np.uint32).tobytes())
    picked = order.tolist()
    weights = _pick(list(map(_WEIGHT, postings)), picked)
    values = _pick(list(map(_VALUE, postings)), picked)
    start = 0
    for tbytes, end in zip(terms, ends, strict=True):
        yield fieldname, tbytes, ids[start:end], weights[start:end], values[start:end]
        start = end


def _pick(items: list[Any], picked: list[int]) -> Sequence[Any]:
    """``items`` in the order of the indexes ``picked`` (one C call)."""
    if len(picked) == 1:
        return (items[picked[0]],)
    return itemgetter(*picked)(items)


def _in_order(term: PooledTerm) -> PooledTerm:
    """A term's postings sorted as Whoosh sorts its pool's tuples within a term: by docnum,
    then weight, then value."""
    fieldname, tbytes, ids, weights, values = term
    docnums, weights, values = zip(*sorted(zip(ids, weights, values, strict=True)),
                                   strict=True)
    return fieldname, tbytes, array("I", docnums), weights, values


def _posting_size(fieldname: str, tbytes: bytes, vbytes: bytes | None) -> int:
    """``PostingPool.add``'s estimate of one posting's size in memory."""
    return 28 + 4 * 5 + 21 + len(fieldname) + 26 + len(tbytes) * 2 + 18 + 16 + 21 \
        + len(vbytes or b"")


def _writes_blocks(codec: Any, fieldwriter: Any) -> bool:
    """True when ``fieldwriter`` writes Whoosh 3's posting blocks, never inlined: what
    :func:`write_postings` writes the same bytes for."""
    return (type(codec) is W3Codec and type(fieldwriter) is W3FieldWriter
            and codec._inlinelimit <= 1)


def write_postings(fieldwriter: W3FieldWriter, schema: Any, lengths: _Lengths | None,
                   terms: Iterable[PooledTerm],
                   keep: frozenset[str] = frozenset()) -> dict[str, PostingLists]:
    """What ``fieldwriter.add_postings(schema, lengths, items)`` writes for the same postings,
    byte for byte but for small blocks left uncompressed (see :data:`COMPRESS_FROM`), larger
    ones compressed by ISA-L (:data:`BLOCK_COMPRESS`) and values pickled with a later
    protocol (:data:`VALUES_PROTOCOL`), a term at a time:
    ``terms`` are a segment's terms in (field, term) order, each with its postings in docnum
    order (a :class:`TermPool`'s, in memory or merged from its runs), cut into blocks of the
    codec's size, each pickled and compressed as ``W3PostingsWriter._write_block`` does.

    Whoosh's ``add_postings`` spends about three Python calls per posting (the loop, the field
    length, the type checks); here the work per posting is a few slices, the rest per block
    and per term. Each term's statistics are summed here as ``W3TermInfo.add_block`` sums
    them and packed as its ``to_bytes`` packs them (an object and eight method calls per
    term were a seventh of this function's time), and a field's terms go into the term
    index together (:func:`add_terms`). Returns the posting lists of the fields in ``keep``.
    """
    codec = fieldwriter._codec
    blocklimit, compression = codec._blocklimit, codec._compression
    compress_from, values_protocol = COMPRESS_FROM, VALUES_PROTOCOL
    postfile, tindex = fieldwriter._postfile, fieldwriter._tindex
    pack_info, magic = _TERM_INFO.pack, WHOOSH3_HEADER_MAGIC
    compress = BLOCK_COMPRESS if compression <= isal_zlib.ISAL_BEST_COMPRESSION else zlib.compress
    kept: dict[str, PostingLists] = {}
    for fieldname, in_field in groupby(terms, itemgetter(0)):
        fieldobj = schema[fieldname]
        fieldwriter.start_field(fieldname, fieldobj)
        key = pack_ushort(fieldwriter._fieldid)
        fixed = fieldobj.format.fixed_value_size()
        codes = lengths.codes(fieldname) if lengths is not None else None
        length_of = codes.__getitem__ if codes is not None else None
        lists = kept.setdefault(fieldname, PostingLists()) if fieldname in keep else None
        # The field's terms are written a run at a time, each term's offset counted here:
        # the posting file's tell() and write() per term were a twentieth of the flush.
        offset = postfile.tell()
        pending: list[bytes] = []
        pending_size = 0
        entries: list[tuple[bytes, bytes]] = []
        for _, btext, ids, raw_weights, values in in_field:
            weights = array("f", raw_weights)
            count = len(ids)
            if lists is not None:
                lists.terms.append(btext)
                lists.counts.append(count)
                lists.ids.extend(ids)
                lists.weights.extend(weights)
            # The term's statistics as W3TermInfo sums them: its total weight (block by
            # block, in that order), its shortest and longest length (as bytes: 0 for none)
            # and its heaviest posting.
            total: float = 0
            shortest = longest = 0
            top: float = 0
            parts = [magic]
            for at in range(0, count, blocklimit):
                end = min(at + blocklimit, count)
                block_ids = ids[at:end]
                block_weights = weights[at:end]
                # A block's shortest and longest length over its postings whose length is
                # not 0 (as Whoosh's posting writer tracks them), kept as length bytes:
                # Whoosh turns the bytes into lengths and back, which gives every byte again.
                low = high = 0
                if length_of is not None:
                    found = list(filter(None, map(length_of, block_ids)))
                    if found:
                        low, high = min(found), max(found)
                        if not shortest or low < shortest:
                            shortest = low
                        if high > longest:
                            longest = high
                heaviest = max(raw_weights[at:end])
                maxweight = heaviest if heaviest > 0 else 0
                if maxweight > top:
                    top = maxweight
                first = block_weights[0]
                if block_weights.count(first) == len(block_weights):
                    mini_weights: Any = None if first == 1.0 else first
                else:
                    mini_weights = tuple(block_weights)
                total += sum(block_weights)
                if fixed == 0:  # the format stores no values (an ID field's)
                    mini_values: Any = None
                elif fixed is None or fixed < 0:
                    mini_values = tuple(filter(None, values[at:end]))
                else:
                    mini_values = emptybytes.join(filter(None, values[at:end]))
                deltas = tuple(map(operator.sub, block_ids, [0, *block_ids[:-1]]))
                data = w3_dumps((deltas, mini_weights, mini_values),
                                2 if mini_values is None else values_protocol)
                # Each block says whether it is compressed; a small one is left as it is.
                level = compression if len(data) >= compress_from else 0
                if level:
                    data = compress(data, level)
                info = w3_dumps((end - at, block_ids[-1], maxweight, level, low, high), 2)
                size = len(info) + len(data)
                parts += (pack_int(-size if end == count else size), info, data)
            written = emptybytes.join(parts)
            entries.append((key + btext, pack_info(False, total, count, shortest, longest, top,
                                                   ids[0], ids[-1], offset, len(written))))
            offset += len(written)
            pending.append(written)
            pending_size += len(written)
            if pending_size >= _WRITE_RUN:
                postfile.write(emptybytes.join(pending))
                pending, pending_size = [], 0
        postfile.write(emptybytes.join(pending))
        add_terms(tindex, entries)
        fieldwriter.finish_field()
    return kept


#: A term's entry in the term index: ``W3TermInfo``'s struct (flags, total weight, document
#: frequency, shortest and longest length as bytes, heaviest posting, first and last docnum)
#: followed by its postings' extent (offset and length), as ``W3TermInfo.to_bytes`` packs a
#: term whose postings are not inlined.
_TERM_INFO = struct.Struct(W3TermInfo._struct.format + "qi")
#: ``HashWriter``'s header of one key and value (their lengths).
_ENTRY_HEADER = struct.Struct("!ii")


def add_terms(tindex: Any, entries: Sequence[tuple[bytes, bytes]]) -> None:
    """``tindex.add(key, value)`` for each of ``entries`` (an ``OrderedHashWriter``'s, keys
    increasing), with the file written once: each entry's position is counted here, not
    asked of the file (two calls per term in Whoosh's, with three writes).

    :raises ValueError: a key is not greater than the one before it (Whoosh's error).
    """
    dbfile = tindex.dbfile
    position = dbfile.tell()
    remember = tindex.index.append
    buckets = tindex.buckets
    hashfn = _md5_hash if tindex.hashfn is md5_hash else tindex.hashfn
    header = _ENTRY_HEADER.pack
    lastkey = tindex.lastkey
    parts: list[bytes] = []
    for key, value in entries:
        if key <= lastkey:
            raise ValueError(f"Keys must increase: {lastkey!r}..{key!r}")
        remember(position)
        parts += (header(len(key), len(value)), key, value)
        h = hashfn(key)
        buckets[h & 255].append((h, position))
        position += _ENTRY_HEADER.size + len(key) + len(value)
        lastkey = key
    dbfile.write(emptybytes.join(parts))
    tindex.lastkey = lastkey


def _md5_hash(key: bytes) -> int:
    """Whoosh's ``md5_hash`` (the last 32 bits of the key's MD5), from the digest's bytes
    rather than through its hexadecimal text."""
    return int.from_bytes(hashlib.md5(key, usedforsecurity=False).digest()[12:], "big")


#: Bytes of posting lists :func:`write_postings` gathers before writing them out.
_WRITE_RUN = 1 << 20

#: The smallest pickled block :func:`write_postings` compresses. Whoosh means to leave a
#: block under 20 bytes as it is (``W3PostingsWriter._write_block`` says so, then compresses
#: it anyway, the level overwritten a line later), and each block's info says whether its
#: data is compressed, so readers take either. On bench/ingest.py's index 16,712 of the
#: 19,285 blocks pickle to under 256 bytes (most terms have a posting or two): zlib made
#: those 0.5 % smaller in all (12,818 of them larger), for a compressor set up and torn down
#: per block, about a fifth of this function's time (py-spy). Larger blocks (a frequent
#: term's 128 postings) shrink to about a third, and are compressed as before.
COMPRESS_FROM = 256

#: The compressor of a posting block (of :data:`COMPRESS_FROM` bytes or more), at the codec's
#: level: ISA-L's zlib-compatible one where it has that level (Whoosh's 3 is its highest),
#: else zlib's. On bench/ingest.py's 2,553 compressed blocks it took 0.45 x zlib's time for
#: 1.07 x the bytes (0.056 s against 0.123 s, best of 5, 1.29 MB against 1.21 MB); Whoosh's
#: reader decompresses them with zlib, as any zlib stream, so segments written before and
#: after read the same postings.
BLOCK_COMPRESS = isal_zlib.compress

#: The pickle protocol of a block holding values (a positional field's encoded positions, a
#: keyword field's frequencies). Whoosh pickles every block with protocol 2, which has no
#: opcode for bytes: each value is pickled as a call re-encoding a string as Latin-1, and
#: unpickled by making that call. Protocol 4 writes bytes as they are: on a block of 128
#: position lists, pickling and unpickling each took a seventh of the time, and the block
#: was half the size before compression (0.45 x after). Whoosh's reader unpickles any
#: protocol; a block without values (deltas and weights only) keeps Whoosh's protocol 2,
#: which is as short.
VALUES_PROTOCOL = 4


#: One posting as a field's ``index`` gives it: term bytes, frequency, weight, encoded value
#: (None where Whoosh's own ``add_document`` gives none).
Posting = tuple[bytes, int, float, bytes | None]
_TERM, _FREQUENCY, _WEIGHT, _VALUE = itemgetter(0), itemgetter(1), itemgetter(2), \
    itemgetter(3)
#: Values whose postings a writer keeps, per field (see :func:`_indexer`).
_MAX_KEPT_VALUES = 10_000
#: One field's postings for a value, ``PostingPool.add``'s estimate of their size in memory,
#: and the field length they give (their frequencies' sum).
Indexed = tuple[list[Posting], int, int]


def _indexed(fieldname: str, postings: list[Posting]) -> Indexed:
    """``postings`` with their size as ``PostingPool.add`` estimates it (its constant per
    posting, twice the term's bytes, the value's bytes) and their frequencies' sum."""
    size = (150 + len(fieldname)) * len(postings) \
        + 2 * sum(map(len, map(_TERM, postings))) + sum(map(len, map(_VALUE, postings)))
    return postings, size, sum(map(_FREQUENCY, postings))


def _indexer(fieldname: str, field: Any) -> Callable[[str], Indexed]:
    """What ``field.index(value)`` gives for a string (with :func:`_indexed`'s size and
    length), for the field kinds kb's schema has: a whole-value ID, a keyword field split at
    one separator character, a positional field analysed by
    :class:`~index.analysis.LanguageTokenizer`; Whoosh's own method for others.

    A value's postings, size and length are kept and given again for the same value (so the
    same list goes into the pool, which only reads it): a document's passages repeat its
    ID fields (``doc_id``, ``site``, ``type``...), its sessions, topics and speakers, and its
    title, so each is analysed and measured once. A field of unique values (``id``) keeps
    none; a positional field keeps its last value only (a title recurs on consecutive
    records, a body never).
    """
    fmt, analyzer = field.format, field.analyzer
    boost = fmt.field_boost
    kind = type(fmt)
    if kind is formats.Existence and type(analyzer) is IDTokenizer:
        def whole(value: str) -> Indexed:
            tbytes = value.encode("utf-8")
            return [(tbytes, 1, boost, b"")], per_posting + 2 * len(tbytes), 1
        per_posting = 150 + len(fieldname)
        return whole if field.unique else _kept(whole)
    separator = _separator(analyzer)
    if kind is formats.Frequency and separator:
        def keywords(value: str) -> Indexed:
            counts = Counter(part for part in value.split(separator) if part)
            return _indexed(fieldname, [
                (word.encode("utf-8"), freq, float(freq) * boost, pack_uint(freq))
                for word, freq in counts.items()])
        return _kept(keywords)
    if kind is formats.Positions and type(analyzer) is LanguageTokenizer:
        codes = _PositionCodes(fmt)
        known, encode = codes.known, codes.encode

        def positional(value: str) -> Indexed:
            # Each term's position list is looked up, inline (position_key's expression, a
            # call less per term); only a list not seen yet is encoded. "for n in (...)"
            # names the term's frequency once.
            return _indexed(fieldname, [
                (term.encode("utf-8"), n, float(n) * boost,
                 known.get(places[0] if n == 1 else tuple(places)) or encode(places))
                for term, places in term_positions(value).items() for n in (len(places),)])
        return _kept(positional, 1)
    return _kept(lambda value: _indexed(fieldname, list(field.index(value))))


def _kept(index: Callable[[str], Indexed],
          most: int = _MAX_KEPT_VALUES) -> Callable[[str], Indexed]:
    """``index`` giving a value's result again for the same value, from a table of at most
    ``most`` values (emptied when full)."""
    known: dict[str, Indexed] = {}

    def kept(value: str) -> Indexed:
        got = known.get(value)
        if got is None:
            got = index(value)
            if len(known) >= most:
                known.clear()
            known[value] = got
        return got
    return kept


def _separator(analyzer: Any) -> str:
    """The character a ``RegexTokenizer("[^X]+")`` splits at ("" for any other analyzer)."""
    if type(analyzer) is not RegexTokenizer or analyzer.gaps:
        return ""
    pattern = analyzer.expression.pattern
    if len(pattern) == 5 and pattern.startswith("[^") and pattern.endswith("]+") \
            and pattern[2] not in "\\^]":
        return str(pattern[2])
    return ""


class _PositionCodes:
    """``Positions.encode`` of a position list, remembered: Whoosh pickles each list anew,
    and most lists recur (one or two positions; a word of a passage body's title, which the
    body holds twice, at the same two positions in each of the document's passages).

    :attr:`known` holds each remembered list's code by :func:`position_key`, so that a
    caller finds one with a look-up and calls :meth:`encode` only for a new list.
    """

    #: Lists remembered at most (emptied when full), and the longest one remembered.
    _MAX_KEPT = 100_000
    _MAX_KEPT_POSITIONS = 32

    def __init__(self, fmt: formats.Positions) -> None:
        self._encode = fmt.encode
        self.known: dict[int | tuple[int, ...], bytes] = {}

    def encode(self, places: list[int]) -> bytes:
        """The code of ``places`` (remembered if it is short enough)."""
        code = bytes(self._encode(places))
        if len(places) <= self._MAX_KEPT_POSITIONS:
            if len(self.known) >= self._MAX_KEPT:
                self.known.clear()
            self.known[position_key(places)] = code
        return code


def position_key(places: list[int]) -> int | tuple[int, ...]:
    """A position list's key in :attr:`_PositionCodes.known`: a lone position as itself
    (most lists are one), others as a tuple."""
    return places[0] if len(places) == 1 else tuple(places)


class _Lengths:
    """The new segment's field lengths as the commit's posting writer asks for them, one call
    per posting: Whoosh's reader remembers a length column it opened but not a field that has
    none (an ID or keyword field), asking the file system again on every call, and decodes
    one byte per call; here each field's column is read once, as bytes."""

    def __init__(self, reader: W3PerDocReader) -> None:
        self._reader = reader
        self._columns: dict[str, bytes | None] = {}

    def doc_field_length(self, docnum: int, fieldname: str, default: int = 0) -> int | None:
        """What ``W3PerDocReader.doc_field_length`` answers, without the repeated look-ups."""
        codes = self.codes(fieldname)
        if codes is None:
            return default
        lbyte = codes[docnum]
        return _BYTE_LENGTHS[lbyte] if lbyte else None

    def codes(self, fieldname: str) -> bytes | None:
        """Each document's length byte in ``fieldname`` (None for a field without lengths)."""
        try:
            return self._columns[fieldname]
        except KeyError:
            codes = self._columns[fieldname] = self._read(fieldname)
            return codes

    def _read(self, fieldname: str) -> bytes | None:
        column = self._reader._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)
        if column is None:
            return None
        # One byte past the last document, as Whoosh's reader allows docnum == doc count.
        count = self._reader.doc_count_all() + 1
        return length_bytes(column, count).tobytes()

    def close(self) -> None:
        self._reader.close()


#: A length byte -> the field length it stands for (Whoosh's lossy one-byte encoding).
_BYTE_LENGTHS = [byte_to_length(code) for code in range(256)]


def without_deletions(matcher: Matcher) -> tuple[Any, Matcher]:
    """(the deleted docnums the matcher skips, or None; the matcher under that filter)."""
    if isinstance(matcher, FilterMatcher):
        return matcher._ids, matcher.child
    return None, matcher


def leaf_blocks(matcher: Matcher) -> Iterator[Block] | None:
    """The matcher's postings block by block, or None when it is not a leaf matcher of
    Whoosh's own codec with integer ids (read those through the public API)."""
    if not isinstance(matcher, W3LeafMatcher) or matcher._byteids:
        return None
    return _blocks(matcher)


def _blocks(matcher: W3LeafMatcher) -> Iterator[Block]:
    while matcher.is_active():
        matcher._read_data()
        yield matcher._data[0], matcher._data[1], matcher._blocklength
        matcher._next_block()


def length_column(sub: SegmentReader, field: str) -> Iterable[int] | None:
    """The column of one segment holding each document's length in ``field`` as a byte, or
    None (an empty segment, or a field without lengths)."""
    perdoc = getattr(sub, "_perdoc", None)
    return perdoc._cached_reader(_lenfield(field), LENGTHS_COLUMN) if perdoc else None


def length_bytes(column: Iterable[int], count: int) -> np.ndarray:
    """One length byte per document; the column's bytes in one read where its layout allows.

    Iterating the column costs a Python call per document (about 0.2 s per field at 100,000
    passages, paid by the first query after opening); a one-byte numeric column is a plain run
    of bytes, padded with the default for documents past its end.
    """
    if (isinstance(column, NumericColumn.Reader) and column._fixedlen == 1
            and column._typecode == "B"):
        stored = min(column._count, count)
        codes = np.full(count, column._default, dtype=np.uint8)
        if stored:
            raw = column._dbfile.get(column._basepos, stored)
            codes[:stored] = np.frombuffer(raw, dtype=np.uint8)
        return codes
    return np.frombuffer(array("B", column).tobytes(), dtype=np.uint8)[:count]


def open_columns(reader: IndexReader) -> None:
    """Open the stored-fields, length and vector columns of every segment now, not on first
    use (see :func:`index.store.open_searcher`)."""
    schema = reader.schema
    for sub, _ in reader.leaf_readers():
        perdoc = getattr(sub, "_perdoc", None)
        if perdoc is None:
            continue  # an empty index
        perdoc._cached_reader("_stored", STORED_COLUMN)
        for name, field in schema.items():
            if field.scorable:
                perdoc._cached_reader(_lenfield(name), LENGTHS_COLUMN)
            if field.vector:
                perdoc._cached_reader(_vecfield(name), VECTOR_COLUMN)
                perdoc._cached_reader(_vecfield(name) + "L", VECTOR_COLUMN)
                if perdoc._vpostfile is None:
                    perdoc._prep_vectors()


def open_column_names(sub: SegmentReader) -> set[str]:
    """The columns of one segment that are open (as ``<segment>.<name>.col`` names them)."""
    perdoc = getattr(sub, "_perdoc", None)
    return set(perdoc._readers) if perdoc is not None else set()


class GenerationIndex(FileIndex):
    """A FileIndex held to one generation while it is on disk: its readers and searchers read
    that generation's table of contents, not a newer one that may not open (Whoosh's FileIndex
    reads the newest on every call). Once a commit has deleted it, they read the newest, as
    Whoosh's would: a reader opened later for the same work (a scan, the speller's vocabulary)
    must not fail because the generation it started from was replaced.

    :raises Exception: whatever Whoosh raises when that table of contents cannot be read.
    """

    def __init__(self, storage: Storage, generation: int, indexname: str = "MAIN") -> None:
        # Not FileIndex.__init__: it reads the newest table of contents, which may be the
        # broken one this class exists to step past.
        self.storage = storage
        self._schema = None
        self.indexname = indexname
        self.generation = generation
        self._read_toc()

    def _read_toc(self) -> TOC:
        try:
            return TOC.read(self.storage, self.indexname, gen=self.generation)
        except FileNotFoundError:
            if self.published():
                raise
            return TOC.read(self.storage, self.indexname)

    def last_modified(self) -> float:
        try:
            return float(self.storage.file_modified(self._toc_name()))
        except FileNotFoundError:
            return float(super().last_modified())

    def published(self) -> bool:
        """True while the generation's table of contents is on disk (a later commit deletes
        it, and then the files of segments it no longer uses)."""
        return bool(self.storage.file_exists(self._toc_name()))

    def _toc_name(self) -> str:
        return str(TOC._filename(self.indexname, self.generation))


def generations(storage: Storage, indexname: str = "MAIN") -> list[int]:
    """The generations whose table of contents is in ``storage``, newest first."""
    pattern = TOC._pattern(indexname)
    found = (pattern.match(name) for name in storage.list())
    return sorted((int(m.group(1)) for m in found if m), reverse=True)
