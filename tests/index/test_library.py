"""kb.search.Library: registry labels, overviews, lazy opening, refresh, threads."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from index import IndexMissing, apply_changes
from kb.model import ChangeSet, SearchRequest
from kb.registry import load_registry
from kb.search import Library
from tests.index.fixtures import changes

REGISTRY = load_registry(Path(__file__).parent / "fixtures" / "registry")


@pytest.fixture
def library(built_index: Path) -> Library:
    lib = Library(built_index, REGISTRY)
    yield lib
    lib.close()


def test_facet_labels_come_from_the_registry(library: Library) -> None:
    result = library.search(SearchRequest(query="copyright"))
    assert [(v.value, v.label) for v in result.facets["session"]] == [
        ("2", "2 · Revised Issues Paper · Jul 2020"), ("9", "9 · Training the Machines · Mar 2024"),
        ("10", "10 · AI Output · Nov 2024")]
    assert [(v.label, v.count) for v in result.facets["topic"]] == [
        ("Copyright", 3), ("Training data", 2), ("Deepfakes", 1), ("patents", 1)]
    assert [v.label for v in result.facets["language"]] == ["English"]


def test_sessions_overview(library: Library) -> None:
    overview = library.sessions_overview()
    # Registry sessions first, then those the index holds that the registry lacks (7 here).
    assert [(s["number"], s["registered"], s["documents"], s["passages"]) for s in overview] == [
        (2, True, 1, 2), (9, True, 3, 7), (10, True, 1, 2), (7, False, 1, 2)]
    assert overview[1]["label"] == "9 · Training the Machines · Mar 2024"
    assert overview[3]["label"] == "Session 7"


def test_topics_overview(library: Library) -> None:
    overview = library.topics_overview()
    assert [(t["id"], t["documents"], t["by_session"]) for t in overview] == [
        ("training-data", 3, {9: 3}), ("copyright", 3, {2: 1, 9: 1, 10: 1}),
        ("deepfakes", 1, {10: 1})]


def test_missing_index_raises_on_first_use(tmp_path: Path) -> None:
    lib = Library(tmp_path / "none", REGISTRY)
    with pytest.raises(IndexMissing):
        lib.stats()


def test_refresh_picks_up_a_new_commit(tmp_path: Path) -> None:
    apply_changes(tmp_path, changes())
    lib = Library(tmp_path, REGISTRY)
    try:
        assert lib.stats()["documents"] == 6
        apply_changes(tmp_path, ChangeSet(deletes=["papers"]))
        assert lib.refresh() is True
        assert lib.stats()["documents"] == 5
    finally:
        lib.close()


def test_threads_share_one_library(library: Library) -> None:
    totals: list[int] = []
    errors: list[BaseException] = []

    def work() -> None:
        try:
            for query in ("copyright", "training data", "metaverse", ""):
                totals.append(library.search(SearchRequest(query=query)).total)
        except BaseException as exc:  # noqa: BLE001 - collected for the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(set(totals)) == [1, 2, 4, 6] and len(totals) == 24


def test_a_following_library_moves_to_new_ingests_without_a_request_paying(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import kb.search

    monkeypatch.setattr(kb.search, "REFRESH_INTERVAL", 0.0)
    apply_changes(tmp_path / "ix", changes())
    lib = Library(tmp_path / "ix", REGISTRY)
    try:
        first = lib.counts()["generation"]
        lib.follow(0.01)
        refreshed: list[bool] = []
        original = lib._open().refresh
        monkeypatch.setattr(lib._open(), "refresh",
                            lambda: refreshed.append(threading.current_thread().name
                                                     == "kb-index-follow") or original())
        apply_changes(tmp_path / "ix", changes(registry="r2"))
        deadline = time.monotonic() + 30
        while lib.counts()["generation"] == first and time.monotonic() < deadline:
            time.sleep(0.01)
        assert lib.counts()["generation"] == first + 1
        assert lib.search(SearchRequest(query="copyright")).total == 4
        # Only the follower refreshed: requests never did, though the interval had passed.
        assert refreshed and all(refreshed)
    finally:
        lib.close()


def _record_prepares(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The threads that prepare a generation (index.search.prepare), in order."""
    import index.search

    threads: list[str] = []
    real = index.search.prepare

    def recording(*args: object, **kwargs: object) -> object:
        threads.append(threading.current_thread().name)
        return real(*args, **kwargs)

    monkeypatch.setattr(index.search, "prepare", recording)
    return threads


def _library_checking_hourly(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Library:
    """A Library on a new index whose periodic full check would come only after an hour."""
    import kb.search

    monkeypatch.setattr(kb.search, "REFRESH_INTERVAL", 3600.0)
    apply_changes(tmp_path / "ix", changes())
    return Library(tmp_path / "ix", REGISTRY)


def test_the_first_request_after_a_commit_answers_from_it_prepared_by_the_follower(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A follower that has not looked yet (here: not for an hour) is woken by the first
    request after a commit, which waits for it: that request already answers from the new
    generation, and the generation was prepared once, by the follower, not by the request."""
    lib = _library_checking_hourly(tmp_path, monkeypatch)
    try:
        first = lib.counts()["generation"]
        lib.follow(3600.0)
        prepared = _record_prepares(monkeypatch)
        assert lib.search(SearchRequest(query="copyright")).total == 4
        apply_changes(tmp_path / "ix", ChangeSet(deletes=["papers"]))
        assert lib.search(SearchRequest(query="copyright")).total == 3
        assert lib.counts()["generation"] == first + 1
        assert prepared == ["kb-index-follow"]
    finally:
        lib.close()


def test_without_a_follower_the_first_request_after_a_commit_moves_to_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A change of the index folder is seen at the next request (one stat), however long the
    periodic check would wait."""
    lib = _library_checking_hourly(tmp_path, monkeypatch)
    try:
        assert lib.search(SearchRequest(query="copyright")).total == 4
        prepared = _record_prepares(monkeypatch)
        apply_changes(tmp_path / "ix", ChangeSet(deletes=["papers"]))
        assert lib.search(SearchRequest(query="copyright")).total == 3
        assert prepared == [threading.current_thread().name]
        # Nothing changed since: the next requests look at the folder and prepare nothing.
        assert [lib.search(SearchRequest(query="copyright")).total for _ in range(3)] == [3] * 3
        assert len(prepared) == 1
    finally:
        lib.close()
