"""Changes: duplicate groups and manifest rows turned into upserts, deletes and a report."""

from __future__ import annotations

from dataclasses import replace

from kb.model import ChangeSet, Failure, IngestReport, ManifestEntry, Skipped

from . import dedupe
from .assembly import Outcome
from .discover import SourceFile
from .limits import Limits
from .manifest import Manifest, passage_count
from .staging import failure_key, file_key


def cluster_refresh(outcomes: list[Outcome], manifest: Manifest,
                    touched: set[str]) -> tuple[set[str], list[tuple[list[str], str]]]:
    """Manifest sources that must be assembled again because a copy of theirs changed, and the
    groups of copies (with their canonical member) that this run's documents belong to."""
    if not outcomes and not touched:
        return set(), []
    extra: set[str] = set()
    touched_ids = {manifest[s].doc_id for s in touched if s in manifest}
    touched_ids |= {o.document.doc_id for o in outcomes if o.document is not None}
    by_id = manifest.canonical_sources()
    for source, entry in manifest.items():
        if source in touched:
            continue
        if entry.duplicate_of and entry.duplicate_of in touched_ids:
            extra.add(source)  # its canonical copy changed or left
    for source in touched:
        known = manifest.get(source)
        if known is not None and known.duplicate_of in by_id:
            extra.add(by_id[known.duplicate_of])  # the canonical copy's "also at" changes
    prints = manifest.prints(exclude=touched)
    fresh = {o.staged.source: o.fingerprint for o in outcomes if o.fingerprint is not None}
    prints.update(fresh)
    groups = dedupe.canonical_groups(prints, fresh)
    for group, _ in groups:
        extra.update(m for m in group if m not in fresh)
    return extra - touched, groups


def collect(outcomes: list[Outcome], manifest: Manifest,
            groups: list[tuple[list[str], str]], changes: ChangeSet, report: IngestReport
             ) -> None:
    """Turn assembled documents and duplicate groups into upserts, deletes and manifest rows."""
    if not outcomes:
        return
    fresh = {o.staged.source: o for o in outcomes if o.fingerprint is not None}
    documents = {s: o.document for s, o in fresh.items() if o.document is not None}
    canonical_of = dedupe.canonical_of(groups)
    for group, canonical in groups:
        if canonical in documents:
            merged = dedupe.assign_duplicates(group, canonical, documents)
            outcome = fresh[canonical]
            assert outcome.fingerprint is not None
            outcome.fingerprint = replace(outcome.fingerprint, passages=len(merged.passages))
    doc_ids = {s: o.document.doc_id for s, o in fresh.items() if o.document is not None}
    doc_ids.update({s: e.doc_id for s, e in manifest.items() if s not in doc_ids})

    for outcome in outcomes:
        source = outcome.staged.source
        old = manifest.get(source)
        if old is not None and not old.doc_id:
            old = None  # it only recorded a failure: nothing of it is in the index
        if outcome.failure is not None:
            skipped = isinstance(outcome.failure, Skipped)
            (report.skipped if skipped else report.failed).append(outcome.failure)
            continue
        document = outcome.document
        assert document is not None and outcome.fingerprint is not None
        report.warnings.extend(Failure(source, warning) for warning in document.warnings)
        canonical = canonical_of.get(source, "")
        entry = ManifestEntry(
            source=source, doc_id=document.doc_id, content_hash=outcome.staged.content_hash,
            root=str(outcome.staged.file.root),
            duplicate_of=doc_ids[canonical] if canonical else "",
            fingerprint=outcome.fingerprint.dumps(),
            block_hashes=outcome.staged.block_hashes,
            site=outcome.staged.site,
            file=file_key(outcome.staged.file),
        )
        changes.manifest.append(entry)
        if not canonical:  # a copy is reported as a duplicate, not as added or updated
            (report.updated if old is not None else report.added).append(source)
        if old is not None and not old.duplicate_of:
            report.passages_removed += passage_count(old)
            if old.doc_id != document.doc_id or canonical:
                changes.deletes.append(old.doc_id)
        if canonical:
            report.duplicates[source] = canonical
        else:
            changes.upserts.append(document)
            report.passages_added += len(document.passages)
            report.session_gaps.extend(outcome.gaps)

    # Copies ingested earlier that a new, richer copy now replaces as canonical.
    for source, canonical in sorted(canonical_of.items()):
        if source in fresh:
            continue
        old = manifest[source]
        changes.manifest.append(replace(old, duplicate_of=doc_ids[canonical]))
        report.duplicates[source] = canonical
        if not old.duplicate_of:
            changes.deletes.append(old.doc_id)
            report.passages_removed += passage_count(old)


def record_failures(failures: list[tuple[SourceFile, Failure, str]], unreadable: list[SourceFile],
                    outcomes: list[Outcome], manifest: Manifest,
                    changes: ChangeSet, limits: Limits) -> None:
    """Manifest rows for what failed this run: the reason and the content that failed.

    An existing row keeps the version ingested before (it stays searchable); a row that would
    not change is not written again, so a run that meets only known failures commits nothing.
    """
    rows: list[tuple[SourceFile, str, Failure, str]] = [
        (file, file_key(file), failure, content_hash) for file, failure, content_hash in failures]
    rows += [(folder, folder.source, Failure(folder.source, folder.problem), "")
             for folder in unreadable]
    rows += [(o.staged.file, file_key(o.staged.file), o.failure, o.staged.content_hash)
             for o in outcomes if o.failure is not None]
    written = {e.source for e in changes.manifest}
    for file, key, failure, content_hash in rows:
        old = manifest.get(failure.source)
        base = old or ManifestEntry(source=failure.source, doc_id="", content_hash="")
        entry = replace(base, root=str(file.root), file=key, failure=failure.reason,
                        failed_hash=failure_key(content_hash, limits),
                        skipped=isinstance(failure, Skipped))
        if entry != old and failure.source not in written:
            changes.manifest.append(entry)
            written.add(failure.source)
