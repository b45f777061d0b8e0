"""The manifest as ingest reads it: what the index remembers of every ingested file and record.

The index stores one :class:`kb.model.ManifestEntry` per source and hands ingest a mapping of
them; :class:`Manifest` is that mapping with the questions ingest asks of it answered in one
place: which file an entry belongs to (a JSON Lines record's source is ``file#id``), the
entries of each file, the fingerprints of the canonical documents, how many passages an entry's
document had, and which entries a run removes.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from pathlib import Path

from kb.model import ManifestEntry

from .dedupe import Fingerprint

#: Joins a JSON Lines file's source and a record's id into the record's source ("data.jsonl#r1").
RECORD_SEP = "#"


def file_of(entry: ManifestEntry) -> str:
    """The file a manifest entry belongs to ("data.jsonl#r1" belongs to "data.jsonl").

    Entries say so themselves; only entries written before they did are read from the source
    string, where a "#" in a file name could be mistaken for a record's.
    """
    if entry.file:
        return entry.file
    head, sep, _ = entry.source.rpartition(RECORD_SEP)
    return head if sep and head.lower().endswith(".jsonl") else entry.source


def passage_count(entry: ManifestEntry) -> int:
    """How many passages the entry's document had (its fingerprint records it; 0 for an entry
    without one, such as a recorded failure)."""
    fp = Fingerprint.loads(entry.fingerprint)
    return fp.passages if fp is not None else 0


class Manifest(dict[str, ManifestEntry]):
    """Manifest entries by source, as the index stored them."""

    def __init__(self, entries: Mapping[str, ManifestEntry] | None = None) -> None:
        super().__init__(entries or {})
        self._by_file: dict[str, list[ManifestEntry]] | None = None

    def without(self, sources: Iterable[str]) -> Manifest:
        """The manifest less the entries of ``sources``."""
        dropped = set(sources)
        return Manifest({s: e for s, e in self.items() if s not in dropped})

    def by_file(self) -> dict[str, list[ManifestEntry]]:
        """Each file's entries: one for a file, one per record for a JSON Lines file."""
        if self._by_file is None:
            table: dict[str, list[ManifestEntry]] = {}
            for entry in self.values():
                table.setdefault(file_of(entry), []).append(entry)
            self._by_file = table
        return self._by_file

    def prints(self, exclude: set[str], sites: set[str] | None = None
               ) -> dict[str, Fingerprint]:
        """Fingerprints of the canonical documents (copies are folded into theirs), less the
        sources in ``exclude``; only those of ``sites`` when given."""
        prints = {}
        for source, entry in self.items():
            if source in exclude or entry.duplicate_of:
                continue
            if sites is not None and entry.site not in sites:
                continue
            fp = Fingerprint.loads(entry.fingerprint)
            if fp is not None:
                prints[source] = fp
        return prints

    def canonical_sources(self) -> dict[str, str]:
        """doc_id -> source of each document that is not a copy of another."""
        return {e.doc_id: s for s, e in self.items() if not e.duplicate_of}

    def removed(self, discovered: set[str], staged_files: set[str], staged_sources: set[str],
                kept: set[str]) -> list[ManifestEntry]:
        """The entries a run drops: those of files no longer there, and the records a re-read
        file no longer holds; never those ``kept`` (ingested from a folder that could not be
        listed this time).

        :param discovered: the files this run found; :param staged_files: the files it read;
        :param staged_sources: the sources (files and records) those files yielded.
        """
        return [e for e in self.values() if e.source not in kept and (
            (file_of(e) not in discovered and _gone(e))
            or (file_of(e) in staged_files and e.source not in staged_sources))]

    def ingested_under(self, root: str, folder: str) -> set[str]:
        """Sources of the documents ingested from ``folder`` (``./`` is the whole root) of the
        folder ``root``."""
        return {e.source for e in self.values() if e.root == root and e.doc_id
                and (folder == "./" or file_of(e).startswith(folder))}


def _gone(entry: ManifestEntry) -> bool:
    """True when the entry's file is certainly not there any more (not merely unreadable)."""
    try:
        os.lstat(Path(entry.root) / file_of(entry))
    except (FileNotFoundError, NotADirectoryError):
        return True
    except OSError:
        return False
    return False
