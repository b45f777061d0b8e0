"""The ingest pipeline: files -> (stage, assemble, dedupe) -> the changes an index must make.

Stages run in two sweeps because site-level boilerplate and near-duplicates are facts about
several documents at once: first every changed file is read and cleaned page by page
(:mod:`ingest.staging`), then the site statistics (this batch plus the manifest's block
signatures of pages ingested earlier) decide what recurs and documents are assembled
(:mod:`ingest.assembly`), then they are compared with each other and with the manifest
(:mod:`ingest.changes`). Nothing here raises for a bad file: each becomes a Failure.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import replace
from pathlib import Path

from kb.collector import without_full_collections
from kb.model import ChangeSet, Document, Failure, IngestReport, ManifestEntry, Skipped
from kb.registry import Registry

from .assembly import assemble_batch, mark_duplicates
from .changes import cluster_refresh, collect, record_failures
from .discover import Scan, SourceFile, scan
from .limits import Limits
from .manifest import Manifest, passage_count
from .sandbox import Sandbox
from .staging import PIPELINE_VERSION, Batch, Progress, file_key, stage

#: Copies of copies: how many times the set of documents to assemble may grow in one run.
_REFRESH_ROUNDS = 3


def extract(paths: Sequence[Path], registry: Registry, *, limits: Limits | None = None,
            follow_links: bool = False, sitewide_layer: bool = True, workers: int | None = None
            ) -> Iterator[tuple[SourceFile, Document | Failure]]:
    """What the pipeline derives from ``paths``, without any index or manifest.

    Runs every stage, site-level boilerplate across the files given included; duplicates are
    yielded too (the canonical copy lists them in ``duplicates``). ``sitewide_layer=False``
    skips the site-level stage (for the extraction benchmark's comparison).
    """
    found = scan(paths, follow_links=follow_links)
    files = found.files
    with Sandbox(limits or Limits(), workers) as sandbox:
        batch = stage(files, registry, sandbox, Manifest(), None)
        outcomes = assemble_batch(batch.staged, Manifest(), registry, sitewide_layer, sandbox)
    by_file: dict[str, list[Document | Failure]] = {}
    for outcome in outcomes:
        result = outcome.document if outcome.document is not None else outcome.failure
        assert result is not None
        by_file.setdefault(file_key(outcome.staged.file), []).append(result)
    mark_duplicates(outcomes)
    failed = {file_key(f): failure for f, failure, _ in batch.failures}
    for folder in found.unreadable:
        yield folder, Failure(folder.source, folder.problem)
    for file in files:
        key = file_key(file)
        if key in failed:
            yield file, failed[key]
        for result in by_file.get(key, []):
            yield file, result


def build_changes(paths: Sequence[Path], stored: Mapping[str, ManifestEntry], registry: Registry,
                  *, full: bool = False, limits: Limits | None = None,
                  follow_links: bool = False, progress: Progress | None = None,
                  workers: int | None = None) -> tuple[ChangeSet, IngestReport]:
    """The changes that bring an index in line with ``paths`` (see the package contract), given
    the manifest ``stored`` in the index.

    Failures are recorded in the manifest (:class:`~kb.model.ManifestEntry` ``failure``), so
    the run that meets them commits, an unchanged failing file is reported again without
    being read, and a fixed one is picked up; what a failing file held before stays searchable.

    :param workers: worker processes reading files side by side (default: one per core).
    """
    with without_full_collections():
        return _build_changes(paths, stored, registry, full=full, limits=limits,
                              follow_links=follow_links, progress=progress, workers=workers)


def _build_changes(paths: Sequence[Path], stored: Mapping[str, ManifestEntry],
                   registry: Registry, *, full: bool, limits: Limits | None,
                   follow_links: bool, progress: Progress | None, workers: int | None
                   ) -> tuple[ChangeSet, IngestReport]:
    limits = limits or Limits()
    manifest = Manifest({} if full else stored)
    found = scan(paths, follow_links=follow_links)
    files = found.files
    report = IngestReport()
    changes = ChangeSet(meta={"registry": registry.digest, "pipeline": PIPELINE_VERSION})
    entries = manifest.by_file()
    discovered = {file_key(f) for f in files}
    with Sandbox(limits, workers) as sandbox:
        batch = stage(files, registry, sandbox, manifest, progress)
        report.failed.extend(failure for _, failure, _ in batch.failures)
        for known in batch.known_failures:
            (report.skipped if isinstance(known, Skipped) else report.failed).append(known)

        processing = {s.source for s in batch.staged}
        staged_files = {file_key(s.file) for s in batch.staged}
        kept = _kept_in_unreadable(found, manifest, report)
        removed = manifest.removed(discovered, staged_files, processing, kept)
        gone = {e.source for e in removed}
        unchanged_files = [f for f in files if file_key(f) not in batch.failed_files
                           and file_key(f) not in staged_files]

        # What is kept from an unreadable folder cannot be read again: it stays as it is,
        # outside duplicate groups and site statistics.
        manifest = manifest.without(kept)
        # Members of duplicate groups touched by this run are assembled again, so that the
        # canonical copy and its "also at" list stay right.
        outcomes = assemble_batch(batch.staged, manifest, registry, True, sandbox)
        for attempt in range(_REFRESH_ROUNDS + 1):
            extra, groups = cluster_refresh(outcomes, manifest, processing | gone)
            extra_files = [f for f in unchanged_files if any(
                e.source in extra for e in entries.get(file_key(f), []))]
            if not extra_files or attempt == _REFRESH_ROUNDS:
                break
            more = stage(extra_files, registry, sandbox, Manifest(), None)
            batch.failures.extend(more.failures)
            report.failed.extend(failure for _, failure, _ in more.failures)
            refreshed = {file_key(f) for f in extra_files}
            unchanged_files = [f for f in unchanged_files if file_key(f) not in refreshed]
            batch.staged.extend(more.staged)
            processing |= {s.source for s in more.staged}
            outcomes = assemble_batch(batch.staged, manifest, registry, True, sandbox)

    for file in unchanged_files:
        report.unchanged.append(file.source)
        for entry in entries.get(file_key(file), []):
            if entry.root != str(file.root):
                changes.manifest.append(replace(entry, root=str(file.root)))

    collect(outcomes, manifest, groups, changes, report)
    record_failures(batch.failures, found.unreadable, outcomes, manifest, changes, limits)
    for entry in removed:
        changes.manifest_deletes.append(entry.source)
        if entry.doc_id and not entry.duplicate_of:
            changes.deletes.append(entry.doc_id)
            report.passages_removed += passage_count(entry)
        if entry.doc_id:  # an entry that only recorded a failure was never "added"
            report.removed.append(entry.source)
    _drop_cleared_failures(manifest, found, batch, changes)
    rewritten = {e.source for e in changes.manifest}
    changes.manifest_deletes = [s for s in changes.manifest_deletes if s not in rewritten]
    upserted = {d.doc_id for d in changes.upserts}
    changes.deletes = sorted(set(changes.deletes) - upserted)
    return changes, report


def _kept_in_unreadable(found: Scan, manifest: Manifest,
                        report: IngestReport) -> set[str]:
    """Report each folder that could not be listed; what was ingested from it stays."""
    kept: set[str] = set()
    for folder in found.unreadable:
        inside = manifest.ingested_under(str(folder.root), folder.source)
        kept |= inside
        count = len(inside)
        note = f"; {count} document{'s' if count != 1 else ''} ingested from it before " \
            f"{'are' if count != 1 else 'is'} kept" if count else ""
        report.failed.append(Failure(folder.source, folder.problem + note))
    return kept


def _drop_cleared_failures(manifest: Manifest, found: Scan, batch: Batch,
                           changes: ChangeSet) -> None:
    """Entries that only recorded a failure go once nothing fails there any more.

    Only for files under this run's folders: ingesting one folder says nothing of another.
    """
    roots = {str(f.root) for f in found.files} | {str(f.root) for f in found.unreadable}
    failing = {f.source for _, f, _ in batch.failures} | {f.source for f in batch.known_failures}
    failing |= {f.source for f in found.unreadable} | {e.source for e in changes.manifest}
    for entry in manifest.values():
        if not entry.doc_id and entry.root in roots and entry.source not in failing \
                and entry.source not in changes.manifest_deletes:
            changes.manifest_deletes.append(entry.source)
