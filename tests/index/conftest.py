from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

import index.writer as writer_module
from index import KbIndex, apply_changes, open_index
from index.segments import SharedRuns
from kb.model import Document
from tests.index.fixtures import changes


class SideFirst(SharedRuns):
    """The runs as the two writing processes take them, except that the writer takes its
    first only once the side process has taken one: the fixtures' handful of documents could
    otherwise all be taken by the writer before the forked process starts, leaving it none."""

    def __init__(self, docs: list[Document]) -> None:
        super().__init__(docs)
        self._writer = os.getpid()
        self._took, self._tell = os.pipe()

    def __iter__(self) -> Iterator[Document]:
        if os.getpid() == self._writer:
            os.close(self._tell)  # a side process that died untold ends the wait (EOF)
            os.read(self._took, 1)
            os.close(self._took)
            yield from super().__iter__()
            return
        taking = super().__iter__()
        first = next(taking, None)
        os.write(self._tell, b"1")
        if first is not None:
            yield first
            yield from taking


@pytest.fixture
def side_takes_a_run(monkeypatch: pytest.MonkeyPatch) -> None:
    """A change set split between two writing processes gives each documents to write."""
    monkeypatch.setattr(writer_module, "SharedRuns", SideFirst)


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
