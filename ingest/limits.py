"""Per-file limits: what one file may cost an ingest before it is reported and skipped.

The limits are data, set by the caller (the CLI reads them from kb's settings) and enforced in
two places only: :func:`ingest.regular.read_regular` checks the file size before reading, and
:mod:`ingest.sandbox` runs every reader under the time, memory and unpacked-size limits. A
reader that unpacks a container (a DOCX is a zip of XML parts) also checks the sizes the
container declares, through :func:`unpacked_budget`, before inflating anything.
"""

from __future__ import annotations

from dataclasses import dataclass

MB = 1_000_000


@dataclass(frozen=True)
class Limits:
    #: Files larger than this are refused before reading (KB_MAX_FILE_MB).
    max_bytes: int = 50 * MB
    #: CPU seconds one file's reader may use (KB_READ_SECONDS).
    seconds: float = 60.0
    #: Memory one file's reader may allocate on top of what the process holds (KB_READ_MEMORY_MB).
    memory_bytes: int = 2000 * MB
    #: What one file may unpack to: a container's parts, a reader's extracted text
    #: (KB_MAX_UNPACKED_MB).
    unpacked_bytes: int = 200 * MB


_active = Limits()


def activate(limits: Limits) -> None:
    """Make ``limits`` the ones readers see (the sandbox does this in its worker)."""
    global _active
    _active = limits


def unpacked_budget() -> int:
    """How many bytes the file being read may unpack to."""
    return _active.unpacked_bytes
