"""A Library reads the registry again when its index has a new generation.

Adding a session is two steps: append it to sessions.toml, then ingest its pages. An ingest
of a few pages can take under a second, less than the interval between two registry checks,
and the new generation's session values must still be labelled from the new registry."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

import kb.search
from kb.cli import cli
from kb.model import SearchRequest
from kb.registry import load_registry
from kb.search import Library
from tests.conftest import copy_corpus

SESSION_13 = (Path(__file__).resolve().parents[1] / "ingest" / "fixtures"
              / "session_13.toml").read_text(encoding="utf-8")


def _ingest(corpus: Path, index: Path) -> None:
    done = CliRunner().invoke(cli, ["--corpus", str(corpus), "--index", str(index), "ingest"])
    assert done.exit_code == 0, done.output


def test_a_new_generation_is_read_with_the_registry_as_its_files_are(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    corpus, index = copy_corpus(tmp_path / "corpus"), tmp_path / "ix"
    _ingest(corpus, index)
    library = Library(index, load_registry(corpus), registry_dir=corpus)
    library.search(SearchRequest(query="copyright"))
    monkeypatch.setattr(kb.search, "REFRESH_INTERVAL", 3600.0)  # no check falls due by time
    with (corpus / "sessions.toml").open("a", encoding="utf-8") as handle:
        handle.write(SESSION_13)

    library.search(SearchRequest(query="copyright"))
    assert 13 not in library.registry.sessions  # same generation: read at the next check

    (corpus / "thirteenth.txt").write_text(
        "Thirteenth Session of the WIPO Conversation\n\nApril 15 and 16, 2026\n\n"
        "The thirteenth session looked at quantum technologies and patents.\n",
        encoding="utf-8")
    _ingest(corpus, index)
    result = library.search(SearchRequest(query="quantum"))
    assert 13 in library.registry.sessions
    assert [v.label for v in result.facets["session"] if v.value == "13"] == [
        "13 · Quantum · Apr 2026"]
    library.close()
