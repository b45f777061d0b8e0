"""Assembly: site-level cleaning across a batch, then one Document per staged document.

Site statistics need every document of the batch (and the manifest's block signatures of pages
ingested before), so this runs after all changed files are staged.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field, replace

from kb.model import Document, Failure, SessionGap, Skipped
from kb.registry import Registry

from . import dedupe, sitewide
from .document import Origin, assemble
from .enrich.gaps import find_gaps
from .errors import IngestError, NothingToIndex
from .manifest import Manifest
from .readers.base import Block, RawDocument
from .sandbox import Sandbox
from .sidecar import Metadata, validate
from .staging import Staged


@dataclass
class Outcome:
    staged: Staged
    document: Document | None = None
    failure: Failure | None = None
    fingerprint: dedupe.Fingerprint | None = None
    #: Sessions the document is about that the registry lacks.
    gaps: list[SessionGap] = field(default_factory=list)


def assemble_batch(staged: list[Staged], manifest: Manifest, registry: Registry,
                   sitewide_layer: bool, sandbox: Sandbox) -> list[Outcome]:
    """Site-level cleaning over the batch (and the manifest), then one Document per staged.

    Each document is built in ``sandbox``, under the same per-file limits as reading: a huge
    file costs its passages and enrichment, not only its parsing. The workers inherit the
    batch (see :meth:`Sandbox.map`'s ``inherit``): a call is sent the position of its page,
    not the page, and strips the site's boilerplate there, side by side with the others.
    """
    if not staged:
        return []
    site_index = None
    if sitewide_layer:
        groups = _group_copies(staged, manifest)
        site_index = sitewide.SiteIndex(_site_members(staged, manifest, groups))
    batch = _Batch(staged, registry, site_index)

    def prepare(position: int) -> tuple[int] | None:
        return None if staged[position].raw.error else (position,)

    outcomes = []
    for position, outcome in sandbox.map(_build_staged, range(len(staged)), prepare,
                                         inherit=batch):
        item = staged[position]
        if item.raw.error:
            outcomes.append(Outcome(item, failure=Failure(item.source, item.raw.error)))
        elif isinstance(outcome, NothingToIndex):
            outcomes.append(Outcome(item, failure=Skipped(item.source, str(outcome))))
        elif isinstance(outcome, IngestError):
            outcomes.append(Outcome(item, failure=Failure(item.source, str(outcome))))
        else:
            document, fp = outcome
            outcomes.append(Outcome(item, document=document, fingerprint=fp,
                                    gaps=find_gaps(document, registry)))
    return outcomes


@dataclass
class _Batch:
    """What the workers building a batch's documents inherit: the staged pages, the
    registry and the site statistics (None without the site-level layer)."""

    staged: list[Staged]
    registry: Registry
    site_index: sitewide.SiteIndex | None


def _build_staged(position: int, batch: _Batch) -> tuple[Document, dedupe.Fingerprint]:
    """The page at ``position``: its site-level stripping, its record's own metadata, then
    :func:`_build` (all in the sandbox)."""
    item = batch.staged[position]
    blocks = item.blocks
    if batch.site_index is not None and item.raw.web:
        blocks = sitewide.strip_site_boilerplate(blocks, item.signatures, item.site,
                                                 item.group, batch.site_index)
    origin = Origin(item.source, item.file.path.name, item.site, item.content_hash)
    page_print = item.page_print if len(blocks) == len(item.blocks) else None
    meta = _record_metadata(item, batch.registry)
    return _build(blocks, item.raw, meta, origin, page_print, batch.registry)


def _build(blocks: list[Block], raw: RawDocument, meta: Metadata, origin: Origin,
           page_print: dedupe.Fingerprint | None, registry: Registry
           ) -> tuple[Document, dedupe.Fingerprint]:
    """One document and its fingerprint: the part of assembly that runs in the sandbox."""
    try:
        document = assemble(blocks, raw, meta, origin, registry)
    except (IngestError, MemoryError):
        raise
    except Exception as exc:  # a bug on odd input must cost one file, not the whole batch
        raise IngestError(f"could not be processed ({type(exc).__name__}: {exc}); please "
                          "report it") from None
    if page_print is not None:
        return document, replace(page_print, passages=len(document.passages))
    return document, dedupe.fingerprint(dedupe.block_text(blocks), len(document.passages))


def _record_metadata(item: Staged, registry: Registry) -> Metadata:
    """A record's own metadata (JSON Lines) over the file's sidecar, field by field."""
    if not item.raw.metadata:
        return item.meta
    own = validate(item.raw.metadata, f"record {item.raw.record_id!r}", registry)
    merged = replace(item.meta)
    for name in ("title", "sessions", "date", "doc_type", "language", "speakers", "url",
                 "speaker_map", "recording", "original_url"):
        value = getattr(own, name)
        if value:
            setattr(merged, name, value)
    return merged


def _group_copies(staged: list[Staged], manifest: Manifest) -> dict[str, str]:
    """Copies of one page count once in site statistics, or they would erase each other.

    Pages of this batch are compared by their page-level text, with each other and with the
    manifest's fingerprints of pages ingested before.
    """
    for item in staged:
        if item.raw.web and item.page_print is None:
            item.page_print = dedupe.fingerprint(dedupe.block_text(item.blocks))
    prints = {s.source: s.page_print for s in staged if s.page_print is not None}
    focus = set(prints)
    sites = {s.site for s in staged if s.raw.web}
    earlier = manifest.prints(exclude=focus, sites=sites)
    prints.update(earlier)
    group_of = {source: source for source in prints}
    for group in dedupe.clusters(prints, focus, dedupe.one_contains_other):
        for member in group:
            group_of[member] = group[0]
    for item in staged:
        item.group = group_of.get(item.source, item.source)
    return group_of


def _site_members(staged: list[Staged], manifest: Manifest,
                  groups: dict[str, str]
                  ) -> Iterator[tuple[str, str, list[sitewide.Signature]]]:
    batch = {s.source for s in staged}
    for item in staged:
        if item.raw.web:
            yield item.site, item.group, item.signatures
    for source, entry in manifest.items():
        if source not in batch and not entry.duplicate_of and entry.block_hashes:
            yield entry.site, groups.get(source, source), sitewide.loads(entry.block_hashes)


def mark_duplicates(outcomes: list[Outcome]) -> None:
    prints = {o.staged.source: o.fingerprint for o in outcomes if o.fingerprint is not None}
    docs = {o.staged.source: o.document for o in outcomes if o.document is not None}
    for group, canonical in dedupe.canonical_groups(prints, prints):
        dedupe.assign_duplicates(group, canonical, docs)
