"""One reader per format, registered by file extension.

To add a format, write a module with a ``READER = Reader(...)`` and list it in ``_MODULES``.
"""

from __future__ import annotations

from importlib import import_module

from .base import Block as Block
from .base import RawDocument as RawDocument
from .base import Reader as Reader

_MODULES = ("text", "markdown", "html", "captions", "pdf", "docx", "jsonl", "whisper")


def _load() -> dict[str, Reader]:
    table: dict[str, Reader] = {}
    for name in _MODULES:
        reader: Reader = import_module(f"{__name__}.{name}").READER
        for extension in reader.extensions:
            table[extension] = reader
    return table


READERS: dict[str, Reader] = _load()


def reader_for(filename: str) -> Reader | None:
    """The reader for a file name (by its lower-cased extension), or None if unsupported."""
    dot = filename.rfind(".")
    return READERS.get(filename[dot:].lower()) if dot >= 0 else None
