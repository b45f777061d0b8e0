"""Two writing processes take the new documents a run at a time, runs cut by writing work."""

from __future__ import annotations

import os

from index.segments import SharedRuns, document_work, runs
from kb.model import Document, Passage


def _document(n: int, passages: int, chars: int) -> Document:
    doc_id = f"d{n}"
    return Document(doc_id=doc_id, source=f"{doc_id}.txt", title="T" * 10,
                    passages=[Passage(f"{doc_id}p{i}", doc_id, i, "x" * chars, heading="H")
                              for i in range(passages)])


def test_a_document_s_work_is_its_analysed_characters_and_a_cost_per_record() -> None:
    # Title 10 characters, counted twice per passage; heading 1, twice; 100 characters of text;
    # 520 per record (three passages and the document record).
    assert document_work(_document(0, 3, 100)) == 3 * (2 * 10 + 2 * 1 + 100) + 520 * 4


def test_runs_hold_about_equal_work_and_cover_every_document_once() -> None:
    # Eight short documents (1,112 each), then two long ones (41,604 each): 92,104 in all.
    docs = [_document(n, 1, 50) for n in range(8)] + [_document(8 + n, 2, 20_000)
                                                      for n in range(2)]
    assert [document_work(d) for d in (docs[0], docs[8])] == [1112, 41_604]
    # Two runs: the first ends on the document that takes it past 46,052 (the first long one).
    assert runs(docs, 2) == [(0, 9), (9, 10)]
    # Four runs of 23,026: the first long one closes the first run, the second the next; no
    # run is left empty.
    assert runs(docs, 4) == [(0, 9), (9, 10)]
    assert runs(docs[:8], 4) == [(0, 2), (2, 4), (4, 6), (6, 8)]
    assert runs(docs[:3], 64) == [(0, 1), (1, 2), (2, 3)]  # never more runs than documents
    assert runs(docs[:1], 64) == [(0, 1)]
    assert runs([], 64) == []


def test_each_run_is_taken_by_one_process_only() -> None:
    docs = [_document(n, 1, 50) for n in range(40)]
    shared = SharedRuns(docs, 8)
    assert len(shared.runs) == 8
    read, write = os.pipe()
    child = os.fork()
    if child == 0:  # the other process: takes runs as they come, and says which documents
        try:
            taken = ",".join(doc.doc_id for doc in shared)
            os.write(write, taken.encode())
        finally:
            os._exit(0)
    os.close(write)
    mine = [doc.doc_id for doc in shared]
    os.waitpid(child, 0)
    with os.fdopen(read, "rb") as answer:
        theirs = [d for d in answer.read().decode().split(",") if d]
    assert sorted(mine + theirs, key=lambda d: int(d[1:])) == [f"d{n}" for n in range(40)]
    assert list(shared) == []  # every run is taken: nothing is left to a later pass


def test_a_process_alone_takes_every_run_in_order() -> None:
    docs = [_document(n, 1 + n % 3, 50) for n in range(10)]
    shared = SharedRuns(docs, 4)
    assert [doc.doc_id for doc in shared] == [d.doc_id for d in docs]
