"""The arrays a generation's first query needs, written beside it and memory-mapped on open.

A new process (``kb search``, each server worker) used to build them from Whoosh on its first
query: the passage mask, document starts and groups, field lengths, facet tables and the sort
keys, 0.3 s and 35 MB at 100,000 passages. They depend on the generation alone, so the writer
saves them once after its commit (:func:`save`) and every reader maps the file (:func:`load`):
the pages are the operating system's, shared by every process reading the index.

One file per generation, ``kb_arrays_<generation>.bin``: a fixed header (magic, format, the
lengths and CRC-32s of a JSON description and of the array bytes), the description (the
generation and its segment ids, each array's name, type, shape and offset, the facets' values),
then the arrays, each aligned to 64 bytes. :func:`load` returns None, never garbage, for a file
of another format, another generation (same number, other segments: an index rebuilt from
scratch), or one cut short or damaged (a torn write): the reader then builds the arrays from
Whoosh as before and saves them for the next process. Files are written under a temporary name,
flushed to disk and renamed, so a crash leaves the old file or the new one.
"""

from __future__ import annotations

import json
import logging
import math
import mmap
import os
import re
import struct
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from whoosh.reading import IndexReader

#: Bump when what is stored or how it is laid out changes: older files are then rebuilt.
FORMAT = 1
_MAGIC = b"KBARRAYS"
#: magic, format, description length, description CRC-32, payload length, payload CRC-32.
_HEADER = struct.Struct("<8sIIIQI")
_ALIGN = 64
_NAME = re.compile(r"kb_arrays_(\d+)\.bin")
_SEGMENT_NAME = re.compile(r"kb_postings_(.+)\.bin")

_log = logging.getLogger(__name__)


@dataclass
class Stored:
    """What one generation's file holds: named arrays and the JSON-able facts beside them."""

    arrays: dict[str, np.ndarray] = field(default_factory=dict)
    facts: dict[str, Any] = field(default_factory=dict)


def identity(reader: IndexReader) -> dict[str, Any]:
    """What ties a file to one generation: its number and its segments (a rebuilt index starts
    its numbers again, with other segments)."""
    segments = sorted(sub.segment().segment_id() for sub, _ in reader.leaf_readers()
                      if sub.segment() is not None)
    return {"generation": int(reader.generation()), "segments": segments}


def path_for(index_dir: Path, generation: int) -> Path:
    return Path(index_dir) / f"kb_arrays_{generation}.bin"


def save(index_dir: Path, reader: IndexReader, stored: Stored) -> Path:
    """Write ``stored`` as the file of ``reader``'s generation, atomically, and delete the
    files of other generations and of segments it no longer has (a reader that still has one
    mapped keeps its pages)."""
    ident = identity(reader)
    target = path_for(index_dir, ident["generation"])
    write(target, ident, stored)
    _remove_others(Path(index_dir), ident["generation"], set(ident["segments"]))
    return target


def write(target: Path, ident: Mapping[str, Any], stored: Stored) -> None:
    """Write ``stored`` to ``target`` under a temporary name, flushed, then renamed."""
    layout: list[dict[str, Any]] = []
    starts: list[int] = []
    offset = 0
    arrays = {name: np.ascontiguousarray(a) for name, a in stored.arrays.items()}
    for name, array in arrays.items():
        offset = -(-offset // _ALIGN) * _ALIGN
        starts.append(offset)
        layout.append({"name": name, "dtype": array.dtype.str, "shape": list(array.shape),
                       "offset": offset})
        offset += array.nbytes
    payload = bytearray(offset)
    for start, array in zip(starts, arrays.values(), strict=True):
        payload[start:start + array.nbytes] = array.tobytes()
    description = json.dumps({**ident, "arrays": layout, "facts": stored.facts},
                             ensure_ascii=False).encode("utf-8")
    head = _HEADER.pack(_MAGIC, FORMAT, len(description), zlib.crc32(description),
                        len(payload), zlib.crc32(payload))
    start = -(-(len(head) + len(description)) // _ALIGN) * _ALIGN
    temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        with open(temporary, "wb") as out:
            out.write(head + description)
            out.write(b"\0" * (start - len(head) - len(description)))
            out.write(payload)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)


def _remove_others(index_dir: Path, generation: int, segments: set[str]) -> None:
    for path in index_dir.iterdir():
        found = _NAME.fullmatch(path.name)
        if found and int(found.group(1)) != generation:
            path.unlink(missing_ok=True)
        found = _SEGMENT_NAME.fullmatch(path.name)
        if found and found.group(1) not in segments:
            path.unlink(missing_ok=True)


class _Rejected(Exception):
    """Why a file cannot be read as its generation's arrays."""


def load(index_dir: Path, reader: IndexReader) -> Stored | None:
    """The arrays of ``reader``'s generation, memory-mapped read-only; None when there is no
    file for it or the file is of another format, another index or damaged (logged)."""
    ident = identity(reader)
    return read(path_for(index_dir, ident["generation"]), ident)


def segment_path(index_dir: Path, segment_id: str) -> Path:
    return Path(index_dir) / f"kb_postings_{segment_id}.bin"


def read(path: Path, ident: Mapping[str, Any], *, verify: bool = True) -> Stored | None:
    """The arrays of the file at ``path`` if it was written for ``ident``, else None (a
    missing file silently, a rejected one with a warning).

    ``verify`` checks the arrays' CRC-32 too, which reads every page of the file (the 56 MB of
    postings at 100,000 passages, on every open): without it a file is still checked
    for its format, its owner, its description's CRC and its exact length, which is what a
    torn write changes (files are renamed into place only once flushed whole).
    """
    try:
        with open(path, "rb") as handle:
            if os.fstat(handle.fileno()).st_size < _HEADER.size:
                raise _Rejected("shorter than its header")
            mapped = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
        return _parse(mapped, ident, verify)
    except FileNotFoundError:
        return None
    except (_Rejected, OSError, ValueError) as exc:
        _log.warning("%s: %s; rebuilding its arrays from the index", path.name, exc)
        return None


def _parse(mapped: mmap.mmap, ident: Mapping[str, Any], verify: bool) -> Stored:
    magic, version, size, crc, payload_size, payload_crc = _HEADER.unpack_from(mapped, 0)
    if magic != _MAGIC:
        raise _Rejected("not a kb arrays file")
    if version != FORMAT:
        raise _Rejected(f"format {version}, this kb reads {FORMAT}")
    description = mapped[_HEADER.size:_HEADER.size + size]
    if len(description) != size or zlib.crc32(description) != crc:
        raise _Rejected("its description is cut short or damaged")
    facts = json.loads(description)
    if {k: facts.get(k) for k in ident} != dict(ident):
        raise _Rejected("written for another index or segment of the same name")
    start = -(-(_HEADER.size + size) // _ALIGN) * _ALIGN
    if len(mapped) != start + payload_size:
        raise _Rejected(f"{len(mapped)} bytes where {start + payload_size} were written")
    payload = memoryview(mapped)[start:]
    if verify and zlib.crc32(payload) != payload_crc:
        raise _Rejected("its arrays are damaged")
    arrays = {}
    for entry in facts["arrays"]:
        dtype = np.dtype(entry["dtype"])
        count = math.prod(entry["shape"])  # not np.prod: its dispatch, 154 times per open
        arrays[entry["name"]] = np.frombuffer(payload, dtype, count, entry["offset"]) \
            .reshape(entry["shape"])
    return Stored(arrays, facts["facts"])
