"""A large ChangeSet is written by one process per core; searches must not notice."""

from __future__ import annotations

from pathlib import Path

import pytest
from fixtures import changes

import index.writer
from index import apply_changes, open_index, read_manifest
from kb.model import SearchRequest

QUERIES = ["copyright", "training data", '"training data"', "performers voice", "",
           "session:9", "metaverse OR deepfakes"]


def _answers(path: Path) -> list[tuple[int, list[tuple], dict]]:
    ix = open_index(path)
    try:
        answers = []
        for query in QUERIES:
            for group in ("flat", "document"):
                result = ix.search(SearchRequest(query=query, group=group, page_size=50))
                facets = {name: sorted((v.value, v.count) for v in values)
                          for name, values in result.facets.items()}
                hits = sorted((h.doc_id, h.passage_id, round(h.score, 6),
                               sorted(m.passage_id for m in h.more)) for h in result.hits)
                answers.append((result.total, hits, facets))
        return answers
    finally:
        ix.close()


def test_parallel_and_single_writers_build_the_same_index(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    apply_changes(tmp_path / "single", changes(registry="r1"))
    monkeypatch.setattr(index.writer, "PARALLEL_MIN_PASSAGES", 1)
    monkeypatch.setattr(index.writer, "PARALLEL_BATCH", 1)
    apply_changes(tmp_path / "parallel", changes(registry="r1"))
    assert len(list((tmp_path / "single").glob("*.pst"))) == 1
    assert len(list((tmp_path / "parallel").glob("*.pst"))) >= 2  # several workers' segments
    assert _answers(tmp_path / "parallel") == _answers(tmp_path / "single")
    assert read_manifest(tmp_path / "parallel") == read_manifest(tmp_path / "single")
