"""The ingest pipeline: files -> (stage, assemble, dedupe) -> the changes an index must make.

Stages run in two sweeps because site-level boilerplate and near-duplicates are facts about
several documents at once: first every changed file is read and cleaned page by page
(:mod:`ingest.staging`), then the site statistics (this batch plus the manifest's block
signatures of pages ingested earlier) decide what recurs and documents are assembled
(:mod:`ingest.assembly`), then they are compared with each other and with the manifest
(:mod:`ingest.changes`). Nothing here raises for a bad file: each becomes a Failure.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import replace
from pathlib import Path

from kb.model import ChangeSet, Document, Failure, IngestReport, ManifestEntry
from kb.registry import Registry

from .assembly import assemble_batch, mark_duplicates
from .changes import cluster_refresh, collect, passage_count
from .discover import SourceFile, discover
from .staging import PIPELINE_VERSION, Progress, entries_by_file, file_key, file_part, stage

#: Copies of copies: how many times the set of documents to assemble may grow in one run.
_REFRESH_ROUNDS = 3


def extract(paths: Sequence[Path], registry: Registry, *, max_bytes: int = 50_000_000,
            sitewide_layer: bool = True) -> Iterator[tuple[SourceFile, Document | Failure]]:
    """What the pipeline derives from ``paths``, without any index or manifest.

    Runs every stage, site-level boilerplate across the files given included; duplicates are
    yielded too (the canonical copy lists them in ``duplicates``). ``sitewide_layer=False``
    skips the site-level stage (for the extraction benchmark's comparison).
    """
    files = discover(paths)
    batch = stage(files, registry, max_bytes, {}, None)
    outcomes = assemble_batch(batch.staged, {}, registry, sitewide_layer)
    by_file: dict[str, list[Document | Failure]] = {}
    for outcome in outcomes:
        result = outcome.document if outcome.document is not None else outcome.failure
        assert result is not None
        by_file.setdefault(file_key(outcome.staged.file), []).append(result)
    mark_duplicates(outcomes)
    failed = {file_key(f): failure for f, failure in batch.failures}
    for file in files:
        key = file_key(file)
        if key in failed:
            yield file, failed[key]
        for result in by_file.get(key, []):
            yield file, result


def build_changes(paths: Sequence[Path], manifest: dict[str, ManifestEntry], registry: Registry,
                  *, full: bool = False, max_bytes: int = 50_000_000,
                  progress: Progress | None = None) -> tuple[ChangeSet, IngestReport]:
    """The changes that bring an index in line with ``paths`` (see the package contract)."""
    manifest = {} if full else dict(manifest)
    files = discover(paths)
    report = IngestReport()
    changes = ChangeSet(meta={"registry": registry.digest, "pipeline": PIPELINE_VERSION})
    entries = entries_by_file(manifest)
    discovered = {file_key(f) for f in files}
    batch = stage(files, registry, max_bytes, manifest, progress, entries)
    report.failed.extend(failure for _, failure in batch.failures)

    processing = {s.source for s in batch.staged}
    staged_files = {file_key(s.file) for s in batch.staged}
    removed = [e for e in manifest.values()
               if (file_part(e.source) not in discovered
                   and not (Path(e.root) / file_part(e.source)).exists())
               or (file_part(e.source) in staged_files and e.source not in processing)]
    gone = {e.source for e in removed}
    unchanged_files = [f for f in files if file_key(f) not in batch.failed_files
                       and file_key(f) not in staged_files]

    # Members of duplicate groups touched by this run are assembled again, so that the
    # canonical copy and its "also at" list stay right.
    outcomes = assemble_batch(batch.staged, manifest, registry, True)
    for attempt in range(_REFRESH_ROUNDS + 1):
        extra, groups = cluster_refresh(outcomes, manifest, processing | gone)
        extra_files = [f for f in unchanged_files if any(
            e.source in extra for e in entries.get(file_key(f), []))]
        if not extra_files or attempt == _REFRESH_ROUNDS:
            break
        more = stage(extra_files, registry, max_bytes, {}, None)
        report.failed.extend(failure for _, failure in more.failures)
        refreshed = {file_key(f) for f in extra_files}
        unchanged_files = [f for f in unchanged_files if file_key(f) not in refreshed]
        batch.staged.extend(more.staged)
        processing |= {s.source for s in more.staged}
        outcomes = assemble_batch(batch.staged, manifest, registry, True)

    for file in unchanged_files:
        report.unchanged.append(file.source)
        for entry in entries.get(file_key(file), []):
            if entry.root != str(file.root):
                changes.manifest.append(replace(entry, root=str(file.root)))

    collect(outcomes, manifest, groups, changes, report)
    for entry in removed:
        report.removed.append(entry.source)
        changes.manifest_deletes.append(entry.source)
        if not entry.duplicate_of:
            changes.deletes.append(entry.doc_id)
            report.passages_removed += passage_count(entry)
    upserted = {d.doc_id for d in changes.upserts}
    changes.deletes = sorted(set(changes.deletes) - upserted)
    return changes, report
