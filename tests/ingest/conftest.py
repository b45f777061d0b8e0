"""Fixtures for the ingest tests: the seed pages and registries copied under tests/ingest/fixtures.

Tests get private copies in a temporary folder so they can edit, add and delete files.
"""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from pathlib import Path

import pytest

import ingest
from kb.model import ChangeSet, Document, Failure, ManifestEntry
from kb.registry import Registry, load_registry

FIXTURES = Path(__file__).resolve().parent / "fixtures"
SEED_000 = "000_359018dcccf6213c.txt"
SEED_001 = "001_c3a6d4861f1c4946.txt"
SEED_002 = "002_107c567630f7e293.txt"
SEED_003 = "003_c1b8a34cd238fc18.txt"


@pytest.fixture(scope="session")
def registry() -> Registry:
    return load_registry(FIXTURES / "registry")


@pytest.fixture
def seeds(tmp_path: Path) -> Path:
    """A private copy of the four seed pages (no registries in it: they are not documents)."""
    return Path(shutil.copytree(FIXTURES / "seeds", tmp_path / "seeds"))


def extracted(paths: Sequence[Path], registry: Registry, **options: object
              ) -> dict[str, Document | Failure]:
    """``ingest.extract`` results keyed by source (JSON Lines records by their own source)."""
    results: dict[str, Document | Failure] = {}
    for _, outcome in ingest.extract(list(paths), registry, **options):  # type: ignore[arg-type]
        results[outcome.source] = outcome
    return results


def document(paths: Sequence[Path], registry: Registry, source: str) -> Document:
    outcome = extracted(paths, registry)[source]
    assert isinstance(outcome, Document), outcome
    return outcome


def applied(changes: ChangeSet, before: dict[str, ManifestEntry] | None = None
            ) -> dict[str, ManifestEntry]:
    """The manifest an index holds after committing ``changes`` over ``before``."""
    manifest = dict(before or {})
    for source in changes.manifest_deletes:
        manifest.pop(source, None)
    manifest.update({e.source: e for e in changes.manifest})
    return manifest
