"""Helpers for the worker processes kb forks (the reading workers of ingest, the index's second
segment writer), so that no worker ever outlives the command that started it."""

from __future__ import annotations

import ctypes
import os
import signal

#: prctl's option: the signal a process receives when its parent dies (linux/prctl.h).
_PR_SET_PDEATHSIG = 1


def die_with_parent(parent: int) -> None:
    """Ask Linux to kill this process the moment its parent dies (``kill -9`` of ``kb ingest``
    included), so it never outlives the ingest holding the terminal's pipes; where prctl is
    missing a worker still ends when the parent's pipe closes."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):  # not Linux
        return
    if os.getppid() != parent:  # the parent died before the request took effect
        os._exit(1)
