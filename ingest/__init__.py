"""Turn files into :class:`kb.model.Document` records: discover, read, clean, structure, enrich.

The stages, each a module that can be tested on a string:

1. :mod:`~ingest.discover` lists the files (sidecars, registries and hidden files skipped).
2. :mod:`~ingest.readers` parse one format each (.txt, .md, .html, .pdf, .docx, .vtt, .srt,
   .jsonl) into typed blocks, after :mod:`~ingest.encoding` has decoded the bytes; plain text
   that is a transcript (speaker labels, a speech-to-text stream, a formal report) is parsed
   into speaker turns.
3. :mod:`~ingest.boilerplate` drops what one page shows to be furniture (menus, "Watch the
   event", newsletter lines, photo credits, alt captions); :mod:`~ingest.sitewide` drops blocks
   that recur across documents of the same site or folder.
4. :mod:`~ingest.passages` groups blocks into passages (40-250 words, a speaker turn, never
   cutting a sentence); :mod:`~ingest.document` enriches them (sessions, topics, date, type,
   language, speakers, key phrases) and applies the metadata sidecar (:mod:`~ingest.sidecar`).
5. :mod:`~ingest.dedupe` collapses near-duplicate copies into the richest one.

:mod:`~ingest.pipeline` runs them in two sweeps: :mod:`~ingest.staging` reads and page-cleans
the files whose content hash differs from the manifest's (unchanged files are not parsed),
:mod:`~ingest.assembly` applies the site-level layer across the batch and builds documents,
and :mod:`~ingest.changes` turns them and their duplicate groups into a ChangeSet.

Only regular files are read (:mod:`~ingest.discover`, :mod:`~ingest.regular`), and every reader
runs under per-file limits on size, time, memory and unpacked size (:mod:`~ingest.limits`,
:mod:`~ingest.sandbox`).

The public surface is small on purpose: the CLI asks for the changes a re-ingest must make
(:func:`build_changes`) or for what the pipeline derives from files (:func:`extract`), and
shows a document as text with its headings (:func:`render_text`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from kb.lazy import lazy_exports

if TYPE_CHECKING:
    from .discover import SourceFile as SourceFile
    from .discover import discover as discover
    from .identity import document_id as document_id
    from .limits import Limits as Limits
    from .pipeline import build_changes as build_changes
    from .pipeline import extract as extract
    from .render import render_text as render_text

#: Public name -> the module that defines it. Loaded on first use (PEP 562, :mod:`kb.lazy`),
#: because the readers pull in trafilatura, pypdf, python-docx and webvtt (a quarter of a
#: second): a command that only needs :func:`document_id` or the session-gap helpers must not
#: pay for them. :mod:`ingest.discover` shares its name with the function it defines, which
#: stays the function once the module has loaded.
__getattr__ = lazy_exports(__name__, {
    "SourceFile": (".discover", "SourceFile"),
    "discover": (".discover", "discover"),
    "document_id": (".identity", "document_id"),
    "Limits": (".limits", "Limits"),
    "build_changes": (".pipeline", "build_changes"),
    "extract": (".pipeline", "extract"),
    "render_text": (".render", "render_text"),
})

__all__ = ["Limits", "SourceFile", "build_changes", "discover", "document_id", "extract",
           "render_text"]
