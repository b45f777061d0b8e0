"""The writer's posting pool (index.internals.TermPool) gives each term's postings in Whoosh's
order, from memory or merged from the runs it spilled, as Whoosh's own pool does."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

from whoosh.filedb.filestore import FileStorage
from whoosh.writing import PostingPool

from index.internals import TermPool

Item = tuple[str, bytes, int, float, Any]


def _pool(path: Path, limit: int = 1 << 30) -> TermPool:
    return TermPool(FileStorage(str(path)), None, limit)


def _terms(pool: TermPool, maxfiles: int = 128) -> list[tuple[Any, ...]]:
    return [(field, term, list(ids), list(weights), list(values))
            for field, term, ids, weights, values in pool.terms(maxfiles)]


def _whooshs(path: Path, items: list[Item], limit: int = 1 << 30) -> list[Item]:
    """What Whoosh's own pool gives back for ``items`` added one by one."""
    pool = PostingPool(FileStorage(str(path)), None)
    pool.limit = limit
    for item in items:
        pool.add(item)
    return list(pool.items())


def test_a_documents_postings_are_grouped_by_term_in_term_order(tmp_path: Path) -> None:
    pool = _pool(tmp_path)
    pool.add_field("body", 0, [(b"data", 2, 2.0, b"v0"), (b"ai", 1, 1.0, b"v1")])
    pool.add_field("kind", 0, [(b"doc", 1, 1.0, b"")])
    pool.add_field("body", 1, [(b"ai", 1, 1.5, b"v2")])
    pool.add_field("body", 2, [])
    pool.add_field("body", 3, [(b"data", 1, 1.0, b"v3"), (b"zoo", 1, 1.0, b"v4")])
    pool.add_field("kind", 3, [(b"passage", 1, 1.0, b"")])
    assert _terms(pool) == [
        ("body", b"ai", [0, 1], [1.0, 1.5], [b"v1", b"v2"]),
        ("body", b"data", [0, 3], [2.0, 1.0], [b"v0", b"v3"]),
        ("body", b"zoo", [3], [1.0], [b"v4"]),
        ("kind", b"doc", [0], [1.0], [b""]),
        ("kind", b"passage", [3], [1.0], [b""]),
    ]
    assert pool.fieldnames == {"body", "kind"}
    # PostingPool.add's estimate: 150 bytes and the field name's length per posting, twice
    # the term's length, the value's length.
    assert pool.currentsize == (154 * 5 + 2 * 15 + 10) + (154 * 2 + 2 * 10)


def test_postings_added_out_of_docnum_order_come_back_as_whooshs_pool_sorts_them(
        tmp_path: Path) -> None:
    """Whoosh's own add_document adds spelling words at docnum 0, one posting at a time:
    a term's postings are then sorted by docnum, weight and value, as Whoosh sorts them."""
    items: list[Item] = [("body", b"b", 5, 1.0, b"x"), ("body", b"a", 5, 1.0, b"y"),
                         ("spell", b"w", 0, 1, None), ("spell", b"v", 0, 1, None),
                         ("spell", b"w", 0, 1, None), ("body", b"a", 2, 3.0, b"z"),
                         ("body", b"a", 2, 1.0, b"z")]
    pool = _pool(tmp_path / "ours")
    for item in items:
        pool.add(item)
    expected = [("body", b"a", 2, 1.0, b"z"), ("body", b"a", 2, 3.0, b"z"),
                ("body", b"a", 5, 1.0, b"y"), ("body", b"b", 5, 1.0, b"x"),
                ("spell", b"v", 0, 1, None), ("spell", b"w", 0, 1, None),
                ("spell", b"w", 0, 1, None)]
    assert list(pool.items()) == expected
    (tmp_path / "theirs").mkdir()
    assert _whooshs(tmp_path / "theirs", items) == expected


def _many(seed: int) -> list[tuple[str, int, list[tuple[bytes, int, float, bytes]]]]:
    """Documents' postings per field, in docnum order, with repeated terms and weights."""
    rng = random.Random(seed)
    words = [f"w{n:03d}".encode() for n in range(60)]
    added = []
    for docnum in range(400):
        for field in ("body", "topic"):
            terms = rng.sample(words, rng.randint(0, 12))
            added.append((field, docnum, [(term, 1, float(rng.randint(1, 3)), bytes([docnum % 7]))
                                          for term in terms]))
    return added


def _fill(pool: TermPool, added: list[tuple[str, int, list[Any]]]) -> None:
    for field, docnum, postings in added:
        pool.add_field(field, docnum, postings)
        if pool.currentsize > pool.limit:  # as the writer checks, after each document
            pool.save()


def test_a_spilled_pool_gives_what_one_in_memory_gives_and_removes_its_runs(
        tmp_path: Path) -> None:
    added = _many(3)
    whole = _pool(tmp_path)
    _fill(whole, added)
    assert not whole.runs
    expected = _terms(whole)
    spilled = _pool(tmp_path, limit=20_000)
    _fill(spilled, added)
    assert len(spilled.runs) == 37
    # At most 4 runs open at once: the oldest are merged into one run first.
    assert _terms(spilled, maxfiles=4) == expected
    assert not spilled.runs and not list(tmp_path.glob("*.run"))
    items = [(field, term, docnum, weight, value) for field, docnum, postings in added
             for term, _, weight, value in postings]
    assert [tuple(posting) for posting in _whooshs(tmp_path, items, limit=20_000)] == [
        (field, term, docnum, weight, value) for field, term, ids, weights, values in expected
        for docnum, weight, value in zip(ids, weights, values, strict=True)]
    assert len(expected) == 120 and sum(len(term[2]) for term in expected) == 4_682


def test_a_term_out_of_order_across_runs_is_sorted(tmp_path: Path) -> None:
    pool = _pool(tmp_path)
    pool.add_field("body", 4, [(b"a", 1, 1.0, b"late")])
    pool.save()
    pool.add_field("body", 1, [(b"a", 1, 1.0, b"early"), (b"b", 1, 1.0, b"")])
    pool.save()
    pool.add_field("body", 6, [(b"a", 1, 2.0, b"last")])
    assert _terms(pool) == [("body", b"a", [1, 4, 6], [1.0, 1.0, 2.0],
                             [b"early", b"late", b"last"]),
                            ("body", b"b", [1], [1.0], [b""])]


def test_cleanup_removes_the_runs_not_merged(tmp_path: Path) -> None:
    pool = _pool(tmp_path)
    for docnum in range(3):
        pool.add_field("body", docnum, [(b"a", 1, 1.0, b"")])
        pool.save()
    assert len(list(tmp_path.glob("*.run"))) == 3
    pool.cleanup()
    assert (pool.runs, list(tmp_path.glob("*.run"))) == ([], [])
