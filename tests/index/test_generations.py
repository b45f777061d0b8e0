"""A newest generation that does not open whole (a torn table of contents, or an index folder
copied in while its segment files are still arriving): readers answer from the last complete
generation, with a warning, and move on once a complete one is there."""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

import pytest

from index import IndexCorrupt, apply_changes, open_index
from kb.model import ChangeSet, ManifestEntry, SearchRequest
from tests.index.fixtures import changes, doc

ADDED = doc("added", "Watermarking synthetic media", ["Watermarking of synthetic media."])


def _two_generations(tmp_path: Path) -> tuple[Path, Path]:
    """``copy``: generation 1 whole and generation 2's table of contents without the segment
    files it names (a copy caught half way); ``source``: both generations whole."""
    source, copy = tmp_path / "source", tmp_path / "copy"
    apply_changes(source, changes())
    shutil.copytree(source, copy)
    apply_changes(source, ChangeSet(upserts=[ADDED], manifest=[
        ManifestEntry(source="added.txt", doc_id="added", content_hash="hash-added")]))
    shutil.copy(source / "_MAIN_2.toc", copy / "_MAIN_2.toc")
    return source, copy


def _finish_copy(source: Path, copy: Path) -> None:
    for path in source.iterdir():
        if not (copy / path.name).exists():
            shutil.copy(path, copy / path.name)


def test_a_half_copied_generation_is_passed_over_for_the_last_complete_one(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    source, copy = _two_generations(tmp_path)
    with caplog.at_level(logging.WARNING, logger="index.store"), open_index(copy) as ix:
        assert ix.generation == 1
        assert ix.counts()["documents"] == 6
        assert ix.search(SearchRequest(query="watermarking")).total == 0
        assert ix.search(SearchRequest(query="metaverse")).total == 1
        assert ix.document("metaverse") is not None
        # Nothing complete is new yet: the searcher stays.
        assert ix.refresh() is False
        assert ix.generation == 1
        _finish_copy(source, copy)
        assert ix.refresh() is True
        assert ix.generation == 2
        assert ix.counts()["documents"] == 7
        assert [h.doc_id for h in ix.search(SearchRequest(query="watermarking")).hits] == [
            "added"]
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert warnings[0].startswith(f"index {copy}: the newest generation does not open "
                                  "(generation 2: FileNotFoundError: ")
    assert warnings[0].endswith("reading generation 1, the last complete one")


def test_a_torn_table_of_contents_after_opening_leaves_the_reader_where_it_was(
        tmp_path: Path) -> None:
    path = tmp_path / "ix"
    apply_changes(path, changes())
    with open_index(path) as ix:
        (path / "_MAIN_2.toc").write_bytes(b"\x00" * 40)
        assert ix.refresh() is False
        assert (ix.generation, ix.counts()["documents"]) == (1, 6)
        assert ix.search(SearchRequest(query="metaverse")).total == 1
        (path / "_MAIN_2.toc").unlink()
    with open_index(path) as again:
        assert again.generation == 1


def test_an_index_whose_only_generation_is_torn_is_corrupt_not_garbage(tmp_path: Path) -> None:
    path = tmp_path / "ix"
    apply_changes(path, changes())
    (path / "_MAIN_1.toc").write_bytes(b"\x00" * 40)
    with pytest.raises(IndexCorrupt) as raised:
        open_index(path)
    assert "generation 1: " in str(raised.value)
