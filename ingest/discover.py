"""Which files an ingest looks at, and the source path each is known by."""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from kb.registry import SESSIONS_FILE, TOPICS_FILE

from .readers import reader_for
from .sidecar import is_sidecar

_REGISTRIES = frozenset({SESSIONS_FILE, TOPICS_FILE})


@dataclass
class SourceFile:
    path: Path
    root: Path
    #: The path relative to ``root``, "/"-separated: what results show as the document's source.
    source: str


def discover(paths: Sequence[Path]) -> list[SourceFile]:
    """Files to ingest under ``paths``.

    Folders are walked recursively in sorted order, skipping hidden files and folders, metadata
    sidecars, the registries and files no reader supports. A file named directly is always
    returned (an unsupported one is then reported by the pipeline, not silently ignored); its
    root is its folder.
    """
    found: list[SourceFile] = []
    seen: set[Path] = set()
    for given in paths:
        path = Path(given)
        if path.is_dir():
            root = path.resolve()
            for file in _walk(root):
                if file not in seen:
                    seen.add(file)
                    found.append(SourceFile(file, root, file.relative_to(root).as_posix()))
        else:
            file = path.resolve() if path.exists() else path.absolute()
            if file not in seen:
                seen.add(file)
                found.append(SourceFile(file, file.parent, file.name))
    return found


def _walk(root: Path) -> list[Path]:
    files: list[Path] = []
    for folder, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if name.startswith(".") or is_sidecar(name) or name in _REGISTRIES:
                continue
            if reader_for(name) is not None:
                files.append(Path(folder) / name)
    files.sort(key=lambda p: p.relative_to(root).as_posix())
    return files
