"""Library's locks under the interleaving that deadlocked `kb serve` under load: one thread
searches (holding the index's lock, it labels facet values, so it asks for the registry) while
another opens the index for its own search (holding the Library's lock, it checks the index
for a new generation, so it asks for the index's lock)."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from click.testing import CliRunner

import kb.search
from kb.cli import cli
from kb.model import SearchRequest
from kb.registry import load_registry
from kb.search import Library
from tests.conftest import copy_corpus


def test_a_search_labelling_values_and_a_search_checking_the_index_both_finish(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    corpus = copy_corpus(tmp_path / "corpus")
    assert CliRunner().invoke(cli, ["--corpus", str(corpus), "--index", str(tmp_path / "ix"),
                                    "ingest"]).exit_code == 0
    library = Library(tmp_path / "ix", load_registry(corpus), registry_dir=corpus)
    total = library.search(SearchRequest(query="copyright")).total
    assert total > 0
    monkeypatch.setattr(kb.search, "REFRESH_INTERVAL", 0.0)  # both checks due at every call

    labelling, checking = threading.Event(), threading.Event()
    label_session = library._labels["session"]
    index = library._open()
    refresh = index.refresh

    def label_once_the_other_holds_the_library(value: str) -> str:
        if threading.current_thread().name == "labelling" and not labelling.is_set():
            labelling.set()  # this thread holds the index's lock
            checking.wait(10)  # the other holds the Library's lock, waiting for the index's
        return label_session(value)

    def refresh_once_the_other_labels() -> bool:
        if threading.current_thread().name == "checking":
            checking.set()
        return refresh()

    monkeypatch.setitem(library._labels, "session", label_once_the_other_holds_the_library)
    monkeypatch.setattr(index, "refresh", refresh_once_the_other_labels)
    # The index folder looks changed (as after an ingest), so the check refreshes: otherwise
    # it does only when the index was opened within 50 ms of the ingest (index.store's
    # settling time), which a loaded machine misses.
    monkeypatch.setattr(index, "changed", lambda: True)
    results: dict[str, int] = {}

    def search(name: str) -> None:
        results[name] = library.search(SearchRequest(query="copyright")).total

    first = threading.Thread(target=search, args=("labelling",), name="labelling", daemon=True)
    first.start()
    assert labelling.wait(30)
    second = threading.Thread(target=search, args=("checking",), name="checking", daemon=True)
    second.start()
    first.join(60)
    second.join(60)
    assert (first.is_alive(), second.is_alive()) == (False, False), "the two searches deadlocked"
    assert checking.is_set()
    assert results == {"labelling": total, "checking": total}
    library.close()
