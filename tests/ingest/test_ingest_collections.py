"""A batch is built without full garbage collections, and the collector is left as it was."""

from __future__ import annotations

import gc
from pathlib import Path
from typing import Any

import pytest

from ingest import build_changes, pipeline
from kb.registry import Registry


def test_a_batch_is_built_without_full_collections(seeds: Path, registry: Registry,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    before = gc.get_threshold()
    during: list[tuple[int, int, int]] = []
    real = pipeline._build_changes

    def watched(*args: Any, **kwargs: Any) -> Any:
        during.append(gc.get_threshold())
        return real(*args, **kwargs)

    monkeypatch.setattr(pipeline, "_build_changes", watched)
    changes, report = build_changes([seeds], {}, registry, workers=1)
    assert during == [(before[0], before[1], 1 << 30)]  # young collections go on
    assert gc.get_threshold() == before
    assert len(report.added) == 3 and len(changes.upserts) == 3  # the batch itself is whole


def test_the_collector_is_restored_when_a_batch_fails(seeds: Path, registry: Registry,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    before = gc.get_threshold()

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise KeyboardInterrupt

    monkeypatch.setattr(pipeline, "_build_changes", broken)
    with pytest.raises(KeyboardInterrupt):
        build_changes([seeds], {}, registry, workers=1)
    assert gc.get_threshold() == before
