"""One reader per format, registered by file extension.

To add a format, write a module with a ``READER = Reader(name, EXTENSIONS[name], parse)`` and
list it with its extensions in ``EXTENSIONS``.
"""

from __future__ import annotations

from collections.abc import Iterator, MutableMapping
from importlib import import_module

from .base import Block as Block
from .base import RawDocument as RawDocument
from .base import Reader as Reader

#: Each format's module and the extensions it claims. A file's reader is known from its name
#: alone, and a format's module (with its library: trafilatura, pypdf, python-docx, webvtt) is
#: imported the first time a file of its kind is met, in discovery, before workers are forked:
#: an ingest of text and Markdown pays for none of them.
EXTENSIONS: dict[str, tuple[str, ...]] = {
    "text": (".txt", ".text"),
    "markdown": (".md", ".markdown"),
    "html": (".html", ".htm", ".xhtml"),
    "captions": (".vtt", ".srt"),
    "pdf": (".pdf",),
    "docx": (".docx",),
    "jsonl": (".jsonl",),
    "whisper": (".json", ".tsv"),
}


class _Readers(MutableMapping[str, Reader]):
    """Readers by lower-cased extension, each format's module imported on first use.

    A mapping like any other, so a reader can be registered (or replaced) by assignment.
    """

    def __init__(self) -> None:
        self._modules = {ext: name for name, exts in EXTENSIONS.items() for ext in exts}
        self._loaded: dict[str, Reader] = {}

    def __getitem__(self, extension: str) -> Reader:
        reader = self._loaded.get(extension)
        if reader is None:
            module = import_module(f"{__name__}.{self._modules[extension]}")
            reader = self._loaded[extension] = module.READER
        return reader

    def __setitem__(self, extension: str, reader: Reader) -> None:
        self._modules[extension] = reader.name
        self._loaded[extension] = reader

    def __delitem__(self, extension: str) -> None:
        del self._modules[extension]
        self._loaded.pop(extension, None)

    def __iter__(self) -> Iterator[str]:
        return iter(self._modules)

    def __len__(self) -> int:
        return len(self._modules)

    def __contains__(self, extension: object) -> bool:
        return extension in self._modules


READERS: MutableMapping[str, Reader] = _Readers()


def reader_for(filename: str) -> Reader | None:
    """The reader for a file name (by its lower-cased extension), or None if unsupported."""
    dot = filename.rfind(".")
    return READERS.get(filename[dot:].lower()) if dot >= 0 else None
