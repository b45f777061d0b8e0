from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

# The repository root first: tests/ is on sys.path too (rootdir conftest) and holds a tests/kb
# package that would otherwise shadow the real kb.
sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from fixtures import changes  # noqa: E402

from index import KbIndex, apply_changes, open_index  # noqa: E402


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
