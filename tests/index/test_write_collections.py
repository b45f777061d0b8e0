"""A change set is written without full garbage collections, and the collector is left as it
was, whether the write succeeds or fails."""

from __future__ import annotations

import gc
from pathlib import Path
from typing import Any

import pytest

import index.writer
from index import apply_changes, open_index
from kb.model import SearchRequest
from tests.index.fixtures import changes


def test_a_change_set_is_written_without_full_collections(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    before = gc.get_threshold()
    during: list[tuple[int, int, int]] = []
    real = index.writer._write

    def watched(*args: Any, **kwargs: Any) -> Any:
        during.append(gc.get_threshold())
        return real(*args, **kwargs)

    monkeypatch.setattr(index.writer, "_write", watched)
    apply_changes(tmp_path / "ix", changes(), writers=1)
    assert during == [(before[0], before[1], 1 << 30)]  # young collections go on
    assert gc.get_threshold() == before
    with open_index(tmp_path / "ix") as ix:
        assert ix.search(SearchRequest(query="copyright")).total == 4


def test_the_collector_is_restored_when_a_write_fails(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    before = gc.get_threshold()

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise KeyboardInterrupt

    monkeypatch.setattr(index.writer, "_write", broken)
    with pytest.raises(KeyboardInterrupt):
        apply_changes(tmp_path / "ix", changes(), writers=1)
    assert gc.get_threshold() == before
