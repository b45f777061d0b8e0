"""Errors the index raises: each message is written for the person at the keyboard."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from index.lock import LockOwner


class KbIndexError(Exception):
    """Base of every index error; ``str(e)`` is a complete, user-facing sentence."""


class IndexMissing(KbIndexError):
    """There is no index at the path: the user has not ingested anything there yet."""

    def __init__(self, index_dir: Path) -> None:
        self.index_dir = index_dir
        super().__init__(f"No index at {index_dir}: run `kb ingest` first to build it.")


class IndexLocked(KbIndexError):
    """Another process is writing the index; waiting longer is the only remedy."""

    def __init__(self, index_dir: Path, timeout: float, owner: LockOwner | None = None) -> None:
        self.index_dir = index_dir
        self.owner = owner
        holder = f": {owner.describe()}" if owner is not None else ""
        super().__init__(
            f"The index at {index_dir} is locked by another writer{holder} (waited "
            f"{timeout:g} s); wait for the other `kb ingest` to finish and try again."
        )


class IndexCorrupt(KbIndexError):
    """The folder holds something that is not a kb index (or a damaged one)."""

    def __init__(self, index_dir: Path, reason: str) -> None:
        self.index_dir = index_dir
        self.reason = reason
        super().__init__(f"The index at {index_dir} cannot be read ({reason}); "
                         "rebuild it with `kb ingest --full`.")


class IndexWriteFailed(KbIndexError):
    """The process writing part of a large ingest (:mod:`index.segments`) failed or died;
    nothing of the ingest was published."""
