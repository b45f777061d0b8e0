"""Dataclass methods compiled once, not again in every new process (issue #10, cold start).

``@dataclass`` writes each class's ``__init__``, ``__repr__`` and ``__eq__`` (a frozen one's
``__setattr__``, ``__delattr__`` and ``__hash__`` too) as Python source and compiles it when
the class is created, in every process: the 44 records a ``kb search`` loads cost about 200
compilations, about a thirteenth of the instructions of importing ``kb.cli`` (callgrind: 64 M
of 850 M). Python keeps the bytecode of modules in ``__pycache__``, but not of these.

Within :func:`compiled_once`, dataclasses runs the code object kept for a source it has
compiled before instead of compiling that source again: the code is what compiling the same
text gives, so the classes are the same. The code objects are kept, keyed by their source, in
one file beside kb's own bytecode (``kb/__pycache__/dataclass-methods.cpython-311.bin``, under
``PYTHONPYCACHEPREFIX`` when set), written as Python writes bytecode: not when
``PYTHONDONTWRITEBYTECODE`` is set, under a temporary name and then renamed, and silently not
at all where the folder is read-only. A file from another Python (another bytecode magic
number) or one that does not load is ignored and replaced.
"""

from __future__ import annotations

import builtins
import contextlib
import dataclasses
import importlib.util
import marshal
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import CodeType
from typing import Any


@dataclass
class Compiled:
    """What one :func:`compiled_once` block did: sources found in the file, and compiled."""

    path: Path | None
    reused: int = 0
    compiled: int = 0
    #: source -> code, every one the block ran: what the file holds afterwards.
    used: dict[str, CodeType] = field(default_factory=dict, repr=False)


def cache_path() -> Path | None:
    """The cache file, beside this module's bytecode; None where Python keeps no bytecode."""
    try:
        bytecode = importlib.util.cache_from_source(__file__)
    except NotImplementedError:  # sys.implementation.cache_tag is None
        return None
    return Path(bytecode).with_name(f"dataclass-methods.{sys.implementation.cache_tag}.bin")


def read(path: Path | None) -> dict[str, CodeType]:
    """The code objects in the file at ``path``, or none if it is missing, foreign or damaged."""
    if path is None:
        return {}
    try:
        data = path.read_bytes()
    except OSError:
        return {}
    magic = importlib.util.MAGIC_NUMBER
    if not data.startswith(magic):
        return {}
    try:
        found = marshal.loads(data[len(magic):])
    except (EOFError, ValueError, TypeError):
        return {}
    if not isinstance(found, dict):
        return {}
    return {k: v for k, v in found.items() if isinstance(k, str) and isinstance(v, CodeType)}


def write(path: Path, codes: dict[str, CodeType]) -> None:
    """``codes`` as the file at ``path``, atomically; nothing where it cannot be written."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary.write_bytes(importlib.util.MAGIC_NUMBER + marshal.dumps(codes))
        os.replace(temporary, path)
    except OSError:
        with contextlib.suppress(OSError):
            temporary.unlink()


@contextmanager
def compiled_once(path: Path | None = None) -> Iterator[Compiled]:
    """Within the block, dataclasses reuse the methods compiled by an earlier process.

    :param path: the cache file (default: :func:`cache_path`).
    """
    path = cache_path() if path is None else path
    known = read(path)
    done = Compiled(path)

    def cached_exec(source: Any, globals: Any = None, locals: Any = None, /) -> None:
        if isinstance(source, str):
            code = known.get(source)
            if code is None:
                code = compile(source, "<string>", "exec", dont_inherit=True)
                done.compiled += 1
            else:
                done.reused += 1
            done.used[source] = code
            source = code
        builtins.exec(source, globals, locals)

    # dataclasses calls exec() by its global name: a module global of that name comes first.
    setattr(dataclasses, "exec", cached_exec)  # noqa: B010 (an attribute the module lacks)
    try:
        yield done
    finally:
        if getattr(dataclasses, "exec", None) is cached_exec:
            delattr(dataclasses, "exec")
    if done.compiled and path is not None and not sys.dont_write_bytecode:
        write(path, done.used)
