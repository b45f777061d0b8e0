"""Fixtures shared by every test package: the bundled corpus, copied so tests can change it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"


def copy_corpus(target: Path) -> Path:
    """A private copy of corpus/ (seeds and registries) that a test may edit."""
    shutil.copytree(CORPUS, target, ignore=shutil.ignore_patterns(".*"))
    return target


@pytest.fixture
def corpus_dir(tmp_path: Path) -> Path:
    return copy_corpus(tmp_path / "corpus")
