"""Staging: which files changed, reading them, and page-level cleaning of what they hold.

Unchanged files (same content hash as in the manifest) are hashed but never parsed; every bad
file becomes a Failure with a reason, so the batch goes on.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field

from kb.model import Failure, ManifestEntry
from kb.registry import Registry

from . import dedupe, sitewide
from .boilerplate import clean_page
from .discover import SourceFile
from .errors import IngestError
from .readers import READERS, RawDocument, reader_for
from .readers.base import Block
from .sidecar import Metadata, read_sidecar

#: Bumped when a change to the pipeline should re-process every file on the next ingest.
PIPELINE_VERSION = "3"
_MB = 1_000_000
RECORD_SEP = "#"

Progress = Callable[[int, int], None]


@dataclass
class Staged:
    """A document read and cleaned page by page, waiting for the site-level sweep."""

    file: SourceFile
    source: str
    content_hash: str
    raw: RawDocument
    meta: Metadata
    blocks: list[Block]
    signatures: list[sitewide.Signature]
    site: str
    group: str = ""
    #: Fingerprint of the page-level blocks, reused when the site layer removes nothing.
    page_print: dedupe.Fingerprint | None = None


@dataclass
class Batch:
    staged: list[Staged] = field(default_factory=list)
    failures: list[tuple[SourceFile, Failure]] = field(default_factory=list)
    #: Sources of files whose read failed: their manifest entries stay as they are.
    failed_files: set[str] = field(default_factory=set)


def stage(files: list[SourceFile], registry: Registry, max_bytes: int,
          manifest: dict[str, ManifestEntry], progress: Progress | None,
          entries_by_file: dict[str, list[ManifestEntry]] | None = None) -> Batch:
    """Read and page-clean every file that changed; unchanged ones are hashed, not parsed."""
    batch = Batch()
    entries_by_file = entries_by_file or {}
    claimed: dict[str, SourceFile] = {}
    for done, file in enumerate(files, start=1):
        key = file_key(file)
        try:
            if key in claimed and claimed[key].path != file.path:
                raise IngestError(f"same relative path as {claimed[key].path}, ingested from "
                                  "another folder; rename one of them")
            claimed[key] = file
            data, meta, content_hash = read_file(file, registry, max_bytes)
            entries = entries_by_file.get(key, [])
            if manifest and entries and all(e.content_hash == content_hash for e in entries):
                continue
            batch.staged.extend(parse_file(file, data, meta, content_hash))
        except IngestError as exc:
            batch.failures.append((file, Failure(file.source, str(exc))))
            batch.failed_files.add(key)
        finally:
            if progress is not None:
                progress(done, len(files))
    return batch


def read_file(file: SourceFile, registry: Registry, max_bytes: int) -> tuple[bytes, Metadata, str]:
    if reader_for(file.path.name) is None:
        supported = ", ".join(sorted(READERS))
        raise IngestError(f"unsupported file type (supported: {supported})")
    try:
        size = file.path.stat().st_size
        if size > max_bytes:
            raise IngestError(f"file is {size / _MB:.1f} MB, over the size limit of "
                              f"{max_bytes / _MB:g} MB (set KB_MAX_FILE_MB to raise it)")
        with file.path.open("rb") as handle:
            data = handle.read(max_bytes + 1)
    except FileNotFoundError:
        raise IngestError("the file disappeared before it could be read") from None
    except PermissionError:
        raise IngestError("permission denied: the file cannot be read") from None
    except IsADirectoryError:
        raise IngestError("is a folder, not a file") from None
    except OSError as exc:
        raise IngestError(f"cannot be read: {exc.strerror or exc}") from None
    if len(data) > max_bytes:
        raise IngestError(f"file is over the size limit of {max_bytes / _MB:g} MB")
    meta, sidecar_bytes = read_sidecar(file.path, registry)
    digest = hashlib.sha256(data)
    digest.update(b"\0sidecar\0" + sidecar_bytes)
    digest.update(f"\0{registry.digest}\0{PIPELINE_VERSION}".encode())
    return data, meta, digest.hexdigest()[:32]


def parse_file(file: SourceFile, data: bytes, meta: Metadata, content_hash: str) -> list[Staged]:
    reader = reader_for(file.path.name)
    assert reader is not None
    try:
        raws = reader.parse(data, file.path.name)
    except IngestError:
        raise
    except Exception as exc:  # a reader library failing on odd input must not stop the batch
        raise IngestError(f"{reader.name} reader failed: {type(exc).__name__}: {exc}") from None
    staged = []
    for raw in raws:
        source = f"{file.source}{RECORD_SEP}{raw.record_id}" if raw.record_id else file.source
        blocks = clean_page(raw.blocks, web_text=_is_plain_text(file)) if raw.web \
            else raw.blocks
        signatures = sitewide.document_signatures(blocks) if raw.web else \
            [frozenset() for _ in blocks]
        staged.append(Staged(file, source, content_hash, raw, meta, blocks, signatures,
                              _folder_site(file)))
    return staged


def _is_plain_text(file: SourceFile) -> bool:
    """Text saved from a page, where only line shapes can tell a menu or caption from content
    (Markdown and HTML say what their lines are)."""
    return file.path.suffix.lower() in (".txt", ".text")


def _folder_site(file: SourceFile) -> str:
    """The corpus folder a file sits in ("corpus", "corpus/wipo-news")."""
    parent = file.source.rsplit("/", 1)[0] if "/" in file.source else ""
    return f"{file.root.name}/{parent}" if parent else file.root.name


def file_key(file: SourceFile) -> str:
    return file.source


def file_part(source: str) -> str:
    """The file a manifest source belongs to ("data.jsonl#r1" belongs to "data.jsonl")."""
    head, sep, _ = source.rpartition(RECORD_SEP)
    return head if sep and head.lower().endswith(".jsonl") else source


def entries_by_file(manifest: dict[str, ManifestEntry]) -> dict[str, list[ManifestEntry]]:
    table: dict[str, list[ManifestEntry]] = {}
    for entry in manifest.values():
        table.setdefault(file_part(entry.source), []).append(entry)
    return table
