from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from index import KbIndex, apply_changes, open_index
from tests.index.fixtures import changes


@pytest.fixture(scope="session")
def built_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One index over the crafted corpus, shared by every read-only test."""
    path = tmp_path_factory.mktemp("index") / "ix"
    apply_changes(path, changes(registry="r1"))
    return path


@pytest.fixture(scope="session")
def kbindex(built_index: Path) -> Iterator[KbIndex]:
    ix = open_index(built_index)
    yield ix
    ix.close()
