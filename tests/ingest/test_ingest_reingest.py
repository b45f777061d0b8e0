"""Re-ingest: unchanged files skipped, changes replaced, removals deleted, ids stable."""

from __future__ import annotations

from pathlib import Path

from ingest import build_changes
from kb.registry import Registry

from .conftest import SEED_000, SEED_001, SEED_002, SEED_003
from .conftest import applied as _manifest


def test_unchanged_corpus_gives_an_empty_change_set(seeds: Path, registry: Registry) -> None:
    first, _ = build_changes([seeds], {}, registry)
    again, report = build_changes([seeds], _manifest(first), registry)
    assert again.is_empty
    assert report.unchanged == [SEED_000, SEED_001, SEED_002, SEED_003]
    assert report.added == report.updated == report.removed == []


def test_unchanged_files_are_not_parsed(seeds: Path, registry: Registry,
                                        monkeypatch) -> None:  # type: ignore[no-untyped-def]
    first, _ = build_changes([seeds], {}, registry)
    from ingest import staging

    def refuse(*args: object) -> None:
        raise AssertionError("an unchanged file was parsed")

    monkeypatch.setattr(staging, "parse_file", refuse)
    again, _ = build_changes([seeds], _manifest(first), registry)
    assert again.is_empty


def test_editing_one_paragraph_keeps_every_other_passage_id(seeds: Path, registry: Registry
                                                            ) -> None:
    first, _ = build_changes([seeds], {}, registry)
    before = {d.source: d for d in first.upserts}
    page = seeds / SEED_003
    page.write_text(page.read_text(encoding="utf-8").replace(
        "AI is increasingly driving important developments",
        "AI is more and more driving important developments"), encoding="utf-8")
    second, report = build_changes([seeds], _manifest(first), registry)
    assert report.updated == [SEED_003]
    assert report.unchanged == [SEED_000, SEED_001, SEED_002]
    assert [d.source for d in second.upserts] == [SEED_003]
    assert second.deletes == []
    old_ids = [p.passage_id for p in before[SEED_003].passages]
    new_ids = [p.passage_id for p in second.upserts[0].passages]
    changed = [i for i, (a, b) in enumerate(zip(old_ids, new_ids, strict=True)) if a != b]
    edited = [i for i, p in enumerate(second.upserts[0].passages) if "more and more" in p.text]
    assert changed == edited == [3]
    assert second.upserts[0].doc_id == before[SEED_003].doc_id
    assert (report.passages_added, report.passages_removed) == (5, 5)


def test_a_removed_file_is_deleted(seeds: Path, registry: Registry) -> None:
    first, _ = build_changes([seeds], {}, registry)
    doc_id = next(d.doc_id for d in first.upserts if d.source == SEED_000)
    (seeds / SEED_000).unlink()
    second, report = build_changes([seeds], _manifest(first), registry)
    assert report.removed == [SEED_000]
    assert second.deletes == [doc_id]
    assert second.manifest_deletes == [SEED_000]
    assert second.upserts == []
    assert report.passages_removed == 3


def test_a_new_copy_is_recognised_against_the_manifest(seeds: Path, registry: Registry) -> None:
    clean = (seeds / SEED_001).read_text(encoding="utf-8")
    (seeds / SEED_001).unlink()
    first, _ = build_changes([seeds], {}, registry)
    canonical_id = next(d.doc_id for d in first.upserts if d.source == SEED_002)
    (seeds / SEED_001).write_text(clean, encoding="utf-8")
    second, report = build_changes([seeds], _manifest(first), registry)
    assert report.added == []
    assert report.updated == [SEED_002]
    assert report.duplicates == {SEED_001: SEED_002}
    entries = {e.source: e for e in second.manifest}
    assert entries[SEED_001].duplicate_of == canonical_id
    # The canonical copy is written again only to list its new "also at".
    assert [(d.source, d.duplicates) for d in second.upserts] == [(SEED_002, [SEED_001])]


def test_removing_the_canonical_copy_promotes_the_other(seeds: Path, registry: Registry) -> None:
    first, _ = build_changes([seeds], {}, registry)
    old_id = next(d.doc_id for d in first.upserts if d.source == SEED_002)
    (seeds / SEED_002).unlink()
    second, report = build_changes([seeds], _manifest(first), registry)
    assert report.removed == [SEED_002]
    assert [d.source for d in second.upserts] == [SEED_001]
    assert second.deletes == [old_id]
    entries = {e.source: e for e in second.manifest}
    assert entries[SEED_001].duplicate_of == ""


def test_full_ignores_the_manifest(seeds: Path, registry: Registry) -> None:
    first, _ = build_changes([seeds], {}, registry)
    again, report = build_changes([seeds], _manifest(first), registry, full=True)
    assert report.added == [SEED_000, SEED_002, SEED_003]
    assert [d.doc_id for d in again.upserts] == [d.doc_id for d in first.upserts]
    assert [p.passage_id for d in again.upserts for p in d.passages] == \
        [p.passage_id for d in first.upserts for p in d.passages]


def test_progress_is_reported_per_file(seeds: Path, registry: Registry) -> None:
    calls: list[tuple[int, int]] = []
    build_changes([seeds], {}, registry, progress=lambda done, total: calls.append((done, total)))
    assert calls == [(1, 4), (2, 4), (3, 4), (4, 4)]


def test_identity_comes_from_the_source_path(seeds: Path, registry: Registry,
                                             tmp_path: Path) -> None:
    first, _ = build_changes([seeds], {}, registry)
    moved = tmp_path / "elsewhere" / "seeds"
    moved.parent.mkdir()
    seeds.rename(moved)
    again, _ = build_changes([moved], {}, registry)
    assert [d.doc_id for d in again.upserts] == [d.doc_id for d in first.upserts]


def test_json_lines_records_are_added_changed_and_removed_one_by_one(tmp_path: Path,
                                                                    registry: Registry) -> None:
    folder = tmp_path / "bulk"
    folder.mkdir()
    records = folder / "comments.jsonl"

    def write(*texts: tuple[str, str]) -> None:
        records.write_text("".join(
            f'{{"id": "{rid}", "title": "Comment {rid}", "text": "{text}"}}\n'
            for rid, text in texts), encoding="utf-8")

    write(("c1", "Creators ask to be paid for training data."),
          ("c2", "Offices examine AI inventions."))
    first, report = build_changes([folder], {}, registry)
    assert report.added == ["comments.jsonl#c1", "comments.jsonl#c2"]
    assert [d.doc_id for d in first.upserts] == ["c1", "c2"]
    write(("c1", "Creators ask to be paid for training data."),
          ("c3", "Deepfakes of voices worry performers."))
    second, report = build_changes([folder], _manifest(first), registry)
    assert report.updated == ["comments.jsonl#c1"]
    assert report.added == ["comments.jsonl#c3"]
    assert report.removed == ["comments.jsonl#c2"]
    assert second.deletes == ["c2"]
    assert second.manifest_deletes == ["comments.jsonl#c2"]
    unchanged, report = build_changes([folder], _manifest(second, _manifest(first)), registry)
    assert unchanged.is_empty and report.unchanged == ["comments.jsonl"]


def test_a_file_with_a_bad_record_is_reported_again_on_the_next_run(tmp_path: Path,
                                                                    registry: Registry) -> None:
    folder = tmp_path / "bulk"
    folder.mkdir()
    (folder / "comments.jsonl").write_text(
        '{"id": "c1", "text": "Creators ask to be paid for training data."}\n{broken\n',
        encoding="utf-8")
    first, report = build_changes([folder], {}, registry)
    assert [f.source for f in report.failed] == ["comments.jsonl#line-2"]
    assert [(e.source, e.file, e.failure) for e in first.manifest] == [
        ("comments.jsonl#c1", "comments.jsonl", ""),
        ("comments.jsonl#line-2", "comments.jsonl",
         "line 2: not valid JSON (Expecting property name enclosed in double quotes)")]
    # The bad record's failure is in the manifest: the unchanged file is not read again.
    second, report = build_changes([folder], _manifest(first), registry)
    assert [f.source for f in report.failed] == ["comments.jsonl#line-2"]
    assert second.is_empty and report.unchanged == ["comments.jsonl"]
    # Fixed, the record is ingested and the failure row goes.
    (folder / "comments.jsonl").write_text(
        '{"id": "c1", "text": "Creators ask to be paid for training data."}\n'
        '{"id": "c2", "text": "Performers ask the same."}\n', encoding="utf-8")
    third, report = build_changes([folder], _manifest(first), registry)
    assert report.failed == [] and report.added == ["comments.jsonl#c2"]
    assert third.manifest_deletes == ["comments.jsonl#line-2"] and third.deletes == []


def test_a_moved_corpus_is_unchanged_and_only_its_root_is_updated(seeds: Path, tmp_path: Path,
                                                                  registry: Registry) -> None:
    first, _ = build_changes([seeds], {}, registry)
    moved = tmp_path / "moved" / "seeds"
    moved.parent.mkdir()
    seeds.rename(moved)
    again, report = build_changes([moved], _manifest(first), registry)
    assert report.unchanged == [SEED_000, SEED_001, SEED_002, SEED_003]
    assert again.upserts == [] and again.deletes == [] and again.manifest_deletes == []
    assert {e.root for e in again.manifest} == {str(moved.resolve())}
    assert len(again.manifest) == 4
