"""The audit's query findings, kept fixed: deep nesting, field-scoped prefixes, bounded
did-you-mean off the lock, bounded caches, tie order, page limit, passage language, marking."""

from __future__ import annotations

import shutil
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

import index.snapshot
from index import KbIndex, apply_changes, mark, open_index
from index.spelling import Speller, edit_distance
from kb.model import MAX_PAGE, SearchRequest
from tests.index.fixtures import changes, doc

NESTED = "(" * 330 + "copyright" + ")" * 330


def _flat(kbindex: KbIndex, query: str) -> list[str]:
    result = kbindex.search(SearchRequest(query=query, group="flat", page_size=50))
    return [h.passage_id for h in result.hits]


def test_deeply_nested_parentheses_are_read_as_words_with_a_note(kbindex: KbIndex) -> None:
    assert len(NESTED) == 669
    result = kbindex.search(SearchRequest(query=NESTED))
    assert result.total == 4
    assert result.notes == [
        "Parentheses were nested more than 16 deep — searched for the words instead."]
    nested_16 = "(" * 16 + "copyright OR metaverse" + ")" * 16
    assert kbindex.search(SearchRequest(query=nested_16)).notes == []


def test_a_prefix_after_a_field_stays_in_that_field(kbindex: KbIndex) -> None:
    assert sorted(_flat(kbindex, "perf*")) == ["output-1", "training-2"]
    assert _flat(kbindex, "title:perf*") == []
    assert sorted(_flat(kbindex, "title:mach*")) == ["training-0", "training-1", "training-2"]
    assert _flat(kbindex, "speaker:da*") == ["transcript-0", "transcript-2"]
    assert _flat(kbindex, "speaker:syl*") == ["transcript-1"]
    result = kbindex.search(SearchRequest(query="title:metav*"))
    assert result.understood == "title:metav*"


def test_equal_scores_come_back_in_the_same_order_whatever_the_ingest_order(
    tmp_path: Path
) -> None:
    same = "Identical words about remuneration of performers."
    docs = [doc(name, f"Title {name}", [same], date="2024-03-13") for name in
            ("delta", "alpha", "charlie", "bravo")]
    apply_changes(tmp_path / "forward", changes(docs))
    apply_changes(tmp_path / "backward", changes(list(reversed(docs))))
    orders = []
    for name in ("forward", "backward"):
        with open_index(tmp_path / name) as ix:
            result = ix.search(SearchRequest(query="remuneration", group="flat"))
            assert len({h.score for h in result.hits}) == 1
            orders.append([h.doc_id for h in result.hits])
            page = ix.search(SearchRequest(query="remuneration", group="flat", page_size=1,
                                           page=2))
            orders.append([h.doc_id for h in page.hits])
    assert orders == [["alpha", "bravo", "charlie", "delta"], ["bravo"]] * 2


def test_a_page_past_the_limit_is_clamped_with_a_note(kbindex: KbIndex) -> None:
    result = kbindex.search(SearchRequest(query="copyright", page=1050, page_size=1))
    assert result.page == MAX_PAGE == 1000
    assert result.notes == ["Page 1050 does not exist; showing page 1000."]


def test_a_passage_read_back_keeps_its_language(kbindex: KbIndex) -> None:
    assert kbindex.passage("francais-0").language == "fr"
    assert [p.language for p in kbindex.document("output").passages] == ["en", "en"]


def test_did_you_mean_respells_typos_and_swaps() -> None:
    speller = Speller([("training", 5), ("trading", 9), ("metaverse", 2), ("copyright", 4)])
    assert speller.suggest("trainnig") == "training"
    assert speller.suggest("metavers") == "metaverse"
    assert speller.suggest("xopyright") == ""  # the first letter is kept
    assert Speller([]).suggest("training") == ""
    assert speller.suggest("t" + "raining" * 4) == ""  # 29 characters: not respelled
    assert edit_distance("abcdef", "badcfe", 2) == 3
    assert edit_distance("ab", "ba", 2) == 1


def test_a_huge_word_gets_no_suggestion_and_respelling_runs_off_the_lock(
    kbindex: KbIndex, monkeypatch: pytest.MonkeyPatch
) -> None:
    long_word = "x" * 1000
    assert kbindex.search(SearchRequest(query=long_word)).suggestion == ""
    held: list[bool] = []
    suggest = Speller.suggest

    def watched(self: Speller, word: str, refused: Callable[[str], bool]) -> str:
        free = threading.Thread(target=lambda: held.append(
            not _acquire_and_release(kbindex._lock)))
        free.start()
        free.join()
        return suggest(self, word, refused)

    monkeypatch.setattr(Speller, "suggest", watched)
    assert kbindex.search(SearchRequest(query="metavers")).suggestion == "metaverse"
    assert held == [False]


def _acquire_and_release(lock: threading.RLock) -> bool:
    if lock.acquire(blocking=False):
        lock.release()
        return True
    return False


def test_caches_keyed_by_query_words_are_bounded(
    built_index: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(index.snapshot, "_MAX_CACHED_FORMS", 5)
    monkeypatch.setattr(index.snapshot, "_MAX_CACHED_TERMS", 7)
    # Without the segments' posting files (an index written by an earlier kb), lists are read
    # from Whoosh into the cache.
    copy = Path(shutil.copytree(built_index, tmp_path / "ix"))
    for path in copy.glob("kb_postings_*.bin"):
        path.unlink()
    with open_index(copy) as ix:
        for n in range(60):
            ix.search(SearchRequest(query=f"unknownword{n}"))
        snap = ix._snap
        assert len(snap._variants) == 5
        # Unknown words read no postings (and the generation's own arrays come from its
        # file): known words fill the posting cache, up to its bound.
        for word in snap.terms("body")[:30]:
            ix.search(SearchRequest(query=word))
        assert len(snap._postings) == 7
        assert ix.search(SearchRequest(query="copyright")).total == 4


def test_match_words_are_what_the_search_matched(tmp_path: Path) -> None:
    text = "Talks in Geneve, then Genève; copyrighted copies, copyright and copy."
    apply_changes(tmp_path, changes([doc("geneva", "Geneva", [text])]))
    with open_index(tmp_path) as ix:
        assert ix.match_words("Genève") == {"geneve"}
        assert ix.match_words("copy*") == {"copy", "copyright", "copyrighted"}
        assert ix.match_words("talks NOT copyrighted") == {"talks"}
        assert ix.match_words("speaker:tang") == frozenset()
        assert mark(text, ix.match_words("Genève")) == (
            "Talks in <mark>Geneve</mark>, then <mark>Genève</mark>; copyrighted copies, "
            "copyright and copy.")
