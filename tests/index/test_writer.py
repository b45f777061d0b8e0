"""apply_changes: replace, delete, manifest round-trip, atomic generations, the write lock."""

from __future__ import annotations

from pathlib import Path

import pytest
from whoosh.filedb.filestore import FileStorage

import index.writer as writer_module
from index import (
    IndexCorrupt,
    IndexLocked,
    IndexMissing,
    apply_changes,
    index_exists,
    open_index,
    read_manifest,
    read_meta,
)
from index.schema import FORMAT_FIELD, build_schema
from kb.model import ChangeSet, Document, ManifestEntry, SearchRequest
from tests.index.fixtures import changes, corpus, doc


def test_missing_index(tmp_path: Path) -> None:
    assert not index_exists(tmp_path / "none")
    assert read_manifest(tmp_path / "none") == {}
    assert read_meta(tmp_path / "none") == {}
    with pytest.raises(IndexMissing, match="run `kb ingest`"):
        open_index(tmp_path / "none")


def test_manifest_and_meta_round_trip(tmp_path: Path) -> None:
    entry = ManifestEntry(source="a/b.html", doc_id="b", content_hash="h1", root="/corpus",
                          fingerprint="f" * 16, block_hashes=["x", "y"], site="www.wipo.int")
    dup = ManifestEntry(source="mirror/b.html", doc_id="b2", content_hash="h2", duplicate_of="b")
    apply_changes(tmp_path, ChangeSet(upserts=[doc("b", "B", ["text of b"])],
                                      manifest=[entry, dup], meta={"registry": "r1"}))
    assert read_manifest(tmp_path) == {"a/b.html": entry, "mirror/b.html": dup}
    assert read_meta(tmp_path) == {"registry": "r1"}
    apply_changes(tmp_path, ChangeSet(manifest_deletes=["a/b.html"], meta={"other": "x"}))
    assert list(read_manifest(tmp_path)) == ["mirror/b.html"]
    assert read_meta(tmp_path) == {"registry": "r1", "other": "x"}


def test_duplicates_fill_document_and_hits(tmp_path: Path) -> None:
    dup = ManifestEntry(source="mirror/metaverse.txt", doc_id="m2", content_hash="h",
                        duplicate_of="metaverse")
    base = changes()
    base.manifest.append(dup)
    apply_changes(tmp_path, base)
    with open_index(tmp_path) as ix:
        document = ix.document("metaverse")
        assert document is not None and document.duplicates == ["mirror/metaverse.txt"]
        hit = ix.search(SearchRequest(query="nfts")).hits[0]
        assert (hit.doc_id, hit.also_at) == ("metaverse", ["mirror/metaverse.txt"])


def test_upsert_replaces_and_delete_removes(tmp_path: Path) -> None:
    apply_changes(tmp_path, changes())
    new = doc("metaverse", "IP and the Metaverse", ["Avatars and virtual goods."],
              date="2023-03-30", sessions=[7])
    apply_changes(tmp_path, ChangeSet(upserts=[new], deletes=["papers"]))
    with open_index(tmp_path) as ix:
        assert ix.search(SearchRequest(query="nfts")).total == 0
        assert [h.passage_id for h in ix.search(SearchRequest(query="avatars")).hits] == [
            "metaverse-0"]
        assert ix.document("papers") is None
        assert ix.passage("papers-0") is None
        assert ix.stats()["documents"] == 5 and ix.stats()["passages"] == 10
        # grouping still maps passages to their own documents after replacement
        grouped = ix.search(SearchRequest(query="", page_size=10))
        assert sorted((h.doc_id, len(h.more)) for h in grouped.hits) == [
            ("francais", 0), ("metaverse", 0), ("output", 1), ("training", 2),
            ("transcript", 2)]


def test_rebuild_starts_from_empty(tmp_path: Path) -> None:
    apply_changes(tmp_path, changes(registry="r1"))
    apply_changes(tmp_path, changes(corpus()[:1], registry="r2"), rebuild=True)
    with open_index(tmp_path) as ix:
        assert ix.stats()["documents"] == 1
    assert list(read_manifest(tmp_path)) == ["training.txt"]
    assert read_meta(tmp_path) == {"registry": "r2"}


def test_empty_changeset_writes_nothing(tmp_path: Path) -> None:
    apply_changes(tmp_path, changes())
    before = sorted(p.name for p in tmp_path.iterdir())
    generation = FileStorage(str(tmp_path)).open_index().latest_generation()
    apply_changes(tmp_path, ChangeSet(meta={"ignored": "yes"}))
    assert FileStorage(str(tmp_path)).open_index().latest_generation() == generation
    assert sorted(p.name for p in tmp_path.iterdir()) == before


def test_locked_index_raises_after_timeout(tmp_path: Path) -> None:
    apply_changes(tmp_path, changes())
    holder = FileStorage(str(tmp_path)).open_index().writer()
    try:
        with pytest.raises(IndexLocked, match="locked by another writer"):
            apply_changes(tmp_path, changes(corpus()[:1]), timeout=0.2)
    finally:
        holder.cancel()
    apply_changes(tmp_path, changes(corpus()[:1]), timeout=0.2)


def test_reader_sees_old_index_until_refresh(tmp_path: Path) -> None:
    apply_changes(tmp_path, changes())
    with open_index(tmp_path) as ix:
        generation = ix.generation
        assert ix.refresh() is False
        apply_changes(tmp_path, ChangeSet(deletes=["metaverse"]))
        assert ix.search(SearchRequest(query="nfts")).total == 1
        assert ix.refresh() is True
        assert ix.generation == generation + 1
        assert ix.search(SearchRequest(query="nfts")).total == 0


def test_failed_write_leaves_previous_index(tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    apply_changes(tmp_path, changes())
    real = writer_module.document_records

    def crash_on_second(document: Document) -> list[dict[str, object]]:
        if document.doc_id == "broken":
            raise RuntimeError("disk on fire")
        return real(document)

    monkeypatch.setattr(writer_module, "document_records", crash_on_second)
    with pytest.raises(RuntimeError, match="disk on fire"):
        apply_changes(tmp_path, ChangeSet(upserts=[corpus()[0], doc("broken", "B", ["x"])],
                                          deletes=["papers"]))
    with open_index(tmp_path) as ix:
        assert ix.stats()["documents"] == 6
    apply_changes(tmp_path, ChangeSet(deletes=["papers"]), timeout=0.5)  # lock was released


def test_index_of_another_format_is_refused_until_rebuilt(tmp_path: Path) -> None:
    old = build_schema()
    old.remove(FORMAT_FIELD)
    FileStorage(str(tmp_path)).create_index(old).writer().commit()
    with pytest.raises(IndexCorrupt, match="rebuild it with `kb ingest --full`"):
        open_index(tmp_path)
    with pytest.raises(IndexCorrupt):
        apply_changes(tmp_path, changes())
    apply_changes(tmp_path, changes(), rebuild=True)
    with open_index(tmp_path) as ix:
        assert ix.stats()["documents"] == 6
