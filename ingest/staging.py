"""Staging: which files changed, reading them, and page-level cleaning of what they hold.

Unchanged files (same content hash as in the manifest) are hashed but never parsed, and so are
files whose failure with this very content is recorded in the manifest (they are reported
again); every bad file becomes a Failure with a reason, so the batch goes on.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from kb.model import Failure, ManifestEntry, Skipped
from kb.registry import Registry

from . import dedupe, sitewide
from .boilerplate import clean_page
from .discover import SourceFile
from .errors import IngestError
from .limits import MB, Limits, unpacked_budget
from .manifest import RECORD_SEP, Manifest, file_of
from .readers import READERS, RawDocument, reader_for
from .readers.base import Block
from .regular import read_regular
from .sandbox import Sandbox
from .shingles import Shingles
from .sidecar import Metadata, read_sidecar

#: Bumped when a change to the pipeline should re-process every file on the next ingest.
PIPELINE_VERSION = "5"
_MB = 1_000_000

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
    #: ``signatures`` as the manifest stores them (:func:`sitewide.dumps`), made in the
    #: worker that took them so the parent's serial change-set phase need not.
    block_hashes: list[str]
    site: str
    group: str = ""
    #: Fingerprint of the page-level blocks, reused when the site layer removes nothing.
    page_print: dedupe.Fingerprint | None = None


@dataclass
class Batch:
    staged: list[Staged] = field(default_factory=list)
    #: Files that failed this run, with the content hash of the failing version ("" when the
    #: file was refused before reading).
    failures: list[tuple[SourceFile, Failure, str]] = field(default_factory=list)
    #: Sources of files whose read failed: their manifest entries stay as they are.
    failed_files: set[str] = field(default_factory=set)
    #: Failures recorded in the manifest for files that have not changed since: reported
    #: again without reading the file again.
    known_failures: list[Failure] = field(default_factory=list)


def stage(files: list[SourceFile], registry: Registry, sandbox: Sandbox,
          manifest: Manifest, progress: Progress | None) -> Batch:
    """Read and page-clean every file that changed; unchanged ones are hashed, not parsed.

    Every reader runs in ``sandbox``, under its limits.
    """
    batch = Batch()
    entries_by_file = manifest.by_file()
    claimed: dict[str, SourceFile] = {}
    file_keys = {file_key(f) for f in files}
    limits = sandbox.limits
    #: Content hash by file path, for the failure of a file read before its parse failed.
    hashes: dict[Path, str] = {}

    def prepare(file: SourceFile
                ) -> tuple[SourceFile, bytes | None, Metadata | None, str, int] | None:
        """Here, in file order: the checks, then for a file the manifest knows the read and
        the hash (None when unchanged); a new file is read by its worker."""
        key = file_key(file)
        if key in claimed and claimed[key].path != file.path:
            raise IngestError(f"same relative path as {claimed[key].path}, ingested from "
                              "another folder; rename one of them")
        claimed[key] = file
        _check_unique(key, manifest)
        if file.problem:
            raise IngestError(file.problem)
        entries = entries_by_file.get(key, [])
        if not (manifest and entries):
            # Nothing to compare its hash with: the worker reads it, side by side with the
            # others, and only the file's name crosses the pipe.
            return file, None, None, "", limits.max_bytes
        data, meta, content_hash = read_file(file, registry, limits.max_bytes)
        hashes[file.path] = content_hash
        if _unchanged(key, entries, content_hash, limits, batch):
            return None
        return file, data, meta, content_hash, limits.max_bytes

    for done, (file, outcome) in enumerate(
            sandbox.map(stage_file, files, prepare, shared=("registry", registry)), start=1):
        if isinstance(outcome, IngestError):
            key = file_key(file)
            failed_hash = hashes.pop(file.path, None)
            if failed_hash is None:  # read in the worker: its content is what failed
                failed_hash = _content_hash(file, registry, limits.max_bytes)
            batch.failures.append((file, Failure(file.source, str(outcome)), failed_hash))
            batch.failed_files.add(key)
        else:
            hashes.pop(file.path, None)
            if outcome is not None:
                batch.staged.extend(_own_sources(outcome, file_keys))
        if progress is not None:
            progress(done, len(files))
    return batch


def _unchanged(key: str, entries: list[ManifestEntry], content_hash: str, limits: Limits,
               batch: Batch) -> bool:
    """True when the manifest already says all there is to say about this version of the file.

    That is when every entry (each record of a JSON Lines file) was ingested or failed with
    this very content (and, for a failure, under the same limits: raising a limit retries the
    files it stopped), or when the whole file failed with it; recorded failures are reported
    again.
    """
    failed = failure_key(content_hash, limits)
    own = next((e for e in entries if e.source == key), None)
    if own is not None and own.failure and own.failed_hash == failed:
        batch.known_failures.append(recorded_failure(own))
        batch.failed_files.add(key)
        return True
    if all(e.failed_hash == failed if e.failure else e.content_hash == content_hash
           for e in entries):
        batch.known_failures.extend(recorded_failure(e) for e in entries if e.failure)
        return True
    return False


def recorded_failure(entry: ManifestEntry) -> Failure:
    """The failure (or skip) a manifest entry recorded, to report again without reading."""
    kind = Skipped if entry.skipped else Failure
    return kind(entry.source, entry.failure)


def failure_key(content_hash: str, limits: Limits) -> str:
    """What a recorded failure is valid for: this content under these limits ("" = a failure
    met before the file was read, checked again at every run)."""
    if not content_hash:
        return ""
    return (f"{content_hash}/{limits.max_bytes}/{limits.seconds:g}/{limits.memory_bytes}/"
            f"{limits.unpacked_bytes}")


def _check_unique(key: str, manifest: Manifest) -> None:
    """A file whose path is also the source of a record of another file cannot be told apart."""
    entry = manifest.get(key)
    if entry is not None and file_of(entry) != key:
        raise IngestError(f"its path is also the source of a record of {file_of(entry)}; rename "
                          "the file or change the record's id")


def _own_sources(staged: list[Staged], file_keys: set[str]) -> list[Staged]:
    """Records whose source would be the path of a file in the batch fail, naming the file."""
    for item in staged:
        if item.raw.record_id and item.source in file_keys and not item.raw.error:
            item.raw.error = (f"record {item.raw.record_id!r} has the same source as the file "
                              f"{item.source}; rename the file or change the record's id")
    return staged


def read_file(file: SourceFile, registry: Registry, max_bytes: int) -> tuple[bytes, Metadata, str]:
    if reader_for(file.path.name) is None:
        supported = ", ".join(sorted(READERS))
        raise IngestError(f"unsupported file type (supported: {supported})")
    data = read_regular(file.path, max_bytes, limit_hint="set KB_MAX_FILE_MB to raise it")
    meta, sidecar_bytes = read_sidecar(file.path, registry)
    digest = hashlib.sha256(data)
    digest.update(b"\0sidecar\0" + sidecar_bytes)
    digest.update(f"\0{registry.digest}\0{PIPELINE_VERSION}".encode())
    return data, meta, digest.hexdigest()[:32]


def stage_file(file: SourceFile, data: bytes | None, meta: Metadata | None, content_hash: str,
               max_bytes: int, registry: Registry) -> list[Staged]:
    """:func:`parse_file`, reading the file first when ``data`` is None (in the sandbox)."""
    if data is None or meta is None:
        data, meta, content_hash = read_file(file, registry, max_bytes)
    return parse_file(file, data, meta, content_hash)


def _content_hash(file: SourceFile, registry: Registry, max_bytes: int) -> str:
    """The content hash of a file a worker read and failed on ("" when it cannot be read)."""
    try:
        return read_file(file, registry, max_bytes)[2]
    except IngestError:
        return ""


def parse_file(file: SourceFile, data: bytes, meta: Metadata, content_hash: str) -> list[Staged]:
    """Read one file and clean its pages: the part of ingest that runs in the sandbox."""
    reader = reader_for(file.path.name)
    assert reader is not None
    try:
        raws = reader.parse(data, file.path.name)
    except (IngestError, MemoryError):
        raise
    except Exception as exc:  # a reader library failing on odd input must not stop the batch
        raise IngestError(f"{reader.name} reader failed: {type(exc).__name__}: {exc}") from None
    extracted = sum(len(b.text) for raw in raws for b in raw.blocks)
    budget = unpacked_budget()
    if extracted > budget:
        raise IngestError(f"the text read from it is {extracted / MB:.0f} MB, over the limit of "
                          f"{budget / MB:g} MB (set KB_MAX_UNPACKED_MB to raise it)")
    staged = []
    for raw in raws:
        source = f"{file.source}{RECORD_SEP}{raw.record_id}" if raw.record_id else file.source
        blocks = clean_page(raw.blocks, web_text=_is_plain_text(file)) if raw.web \
            else raw.blocks
        # Only the cleaned blocks go on (and back from the sandbox); one raw block stays so that
        # assembly can tell a page that lost all its text to boilerplate from an empty one.
        raw.blocks = raw.blocks[:1]
        signatures: list[sitewide.Signature] = [frozenset() for _ in blocks]
        page_print = None
        if raw.web:
            tokens = [sitewide.block_words(block) for block in blocks]
            words = [word for found in tokens for word in found]
            page = Shingles(words)  # encoded once for both kinds of shingles
            signatures = sitewide.document_signatures(blocks, tokens, page)
            # A page's fingerprint, taken here in the worker: the site sweep groups copies by
            # it (of the same words as the signatures).
            page_print = dedupe.fingerprint_of(words, page=page)
        staged.append(Staged(file, source, content_hash, raw, meta, blocks, signatures,
                             sitewide.dumps(signatures), _folder_site(file),
                             page_print=page_print))
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
