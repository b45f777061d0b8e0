"""Reading each file in a worker process with a time and a memory limit.

Readers are libraries (lxml, trafilatura, pypdf, python-docx) fed hostile input: a zip bomb, a
page of a million elements, a PDF whose streams loop. Checks inside each reader catch the cases
someone thought of; the worker catches the rest, for every reader, the ones added later
included, because the pipeline dispatches every file through it: reading and page cleaning
(:func:`ingest.staging.stage`), then building its documents
(:func:`ingest.assembly.assemble_batch`).

One worker is forked per ingest run and reads the changed files one after the other (a fork
costs milliseconds and the worker starts with every module loaded; a process per file or a
fresh interpreter would cost far more on a normal ingest). Before each file the worker lowers
its own CPU-time limit (``RLIMIT_CPU``) to what it has used plus the file's budget, so the
kernel stops a runaway reader even if the parent is gone; its address space (``RLIMIT_AS``) is
capped at its size when it started plus the memory budget, so a reader that would exhaust the
machine gets a MemoryError instead. CPU time, not wall-clock time, is the budget, so a loaded
machine does not fail good files; the parent only gives up on a worker that uses no CPU at
all for a while (blocked, not working). A worker that failed is replaced for the next
file; the file is reported with the limit it hit and the batch goes on.

Where processes cannot be forked (or ``resource`` is missing), files are read in-process with
only the readers' own checks.
"""

from __future__ import annotations

import contextlib
import ctypes
import faulthandler
import gc
import math
import multiprocessing
import os
import signal
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any

from . import limits as limits_module
from .errors import IngestError, NothingToIndex
from .limits import MB, Limits

try:
    import resource
except ImportError:  # pragma: no cover - not on POSIX
    _HAS_RESOURCE = False
else:
    _HAS_RESOURCE = True

#: prctl's option: the signal a process receives when its parent dies (linux/prctl.h).
_PR_SET_PDEATHSIG = 1
#: A worker that uses no CPU for this long while reading one file is stopped.
_STALLED_SECONDS = 30.0
_POLL_SECONDS = 0.5
#: Without /proc, the parent waits this many times the CPU budget (plus the stall time).
_WALL_FACTOR = 4
_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


def available() -> bool:
    """True when files can be read in a limited worker process on this platform."""
    return _HAS_RESOURCE and "fork" in multiprocessing.get_all_start_methods()


class Sandbox:
    """Runs functions on one file at a time in a limited worker; use as a context manager."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self._process: Any = None
        self._conn: Connection | None = None
        #: Keys of the shared values the current worker holds.
        self._sent: set[str] = set()

    def __enter__(self) -> Sandbox:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def run(self, func: Callable[..., Any], *args: Any,
            shared: tuple[str, Any] | None = None) -> Any:
        """``func(*args)`` under the limits; IngestError when the call fails or hits a limit.

        :param shared: ``(key, value)`` of a value many calls pass last (the registry): it
            reaches each worker once, not with every file.
        """
        if not available():
            limits_module.activate(self.limits)
            return func(*args, shared[1]) if shared is not None else func(*args)
        conn = self._start()
        try:
            conn.send(self._message(func, args, shared))
        except (BrokenPipeError, OSError):  # the worker died between files: start another
            self._stop()
            conn = self._start()
            conn.send(self._message(func, args, shared))
        if not self._wait(conn):
            self._stop()
            raise IngestError("reading it made no progress (the reader was blocked) and was "
                              "stopped")
        try:
            status, payload = conn.recv()
        except (EOFError, OSError):
            raise IngestError(self._death()) from None
        if status == "ok":
            return payload
        if status == "nothing":
            raise NothingToIndex(payload)
        if status == "memory":
            self._stop()
            raise IngestError(f"reading it needed more than {self.limits.memory_bytes / MB:g} MB "
                              "of memory and was stopped (set KB_READ_MEMORY_MB to allow more)")
        raise IngestError(payload)

    def _message(self, func: Callable[..., Any], args: tuple[Any, ...],
                 shared: tuple[str, Any] | None) -> tuple[Any, ...]:
        if shared is None:
            return func, args, None, None
        key, value = shared
        if key in self._sent:
            value = None
        self._sent.add(key)
        return func, args, key, value

    def _wait(self, conn: Connection) -> bool:
        """Wait for the worker's answer while it keeps using CPU; False when it stalled.

        The CPU budget itself is enforced by the kernel in the worker; a wall-clock limit here
        would fail good files on a loaded machine, so the parent only gives up on a worker
        that has used no CPU for a while (blocked on something, not working).
        """
        stalled, waited, last = 0.0, 0.0, _cpu_seconds(self._process.pid)
        # Where the worker's CPU time cannot be read, a generous wall-clock limit stands in.
        wall = self.limits.seconds * _WALL_FACTOR + _STALLED_SECONDS
        while not conn.poll(_POLL_SECONDS):
            waited += _POLL_SECONDS
            now = _cpu_seconds(self._process.pid)
            if now is None:
                if waited >= wall:
                    return False
                continue
            if now != last:
                stalled, last = 0.0, now
                continue
            stalled += _POLL_SECONDS
            if stalled >= _STALLED_SECONDS:
                return False
        return True

    def close(self) -> None:
        if self._conn is not None:
            with contextlib.suppress(BrokenPipeError, OSError):
                self._conn.send(None)
        self._stop()

    def _start(self) -> Connection:
        if self._conn is None:
            context = multiprocessing.get_context("fork")
            parent, child = context.Pipe()
            self._process = context.Process(target=_serve,
                                            args=(child, self.limits, os.getpid()),
                                            name="kb-reader", daemon=True)
            # Objects the worker inherits are left out of its garbage collections, which
            # would otherwise walk (and copy, page by page) the parent's whole heap.
            gc.freeze()
            try:
                self._process.start()
            finally:
                gc.unfreeze()
            child.close()
            self._conn = parent
        return self._conn

    def _stop(self) -> None:
        if self._process is not None:
            if self._process.is_alive():
                self._process.kill()
            self._process.join()
            self._process.close()
        if self._conn is not None:
            self._conn.close()
        self._process = self._conn = None
        self._sent = set()

    def _death(self) -> str:
        """Why the worker died while reading, as a reason for the report."""
        self._process.join(5)
        code = self._process.exitcode
        self._stop()
        if code == -signal.SIGXCPU:
            return (f"reading it took more than {self.limits.seconds:g} s of CPU time and was "
                    "stopped (set KB_READ_SECONDS to allow more)")
        if code == -signal.SIGKILL:
            return "the reader was killed (most likely the system ran out of memory)"
        return f"the reader crashed (exit code {code}); the file was skipped"


def _die_with_parent(parent: int) -> None:
    """Ask Linux to kill this worker the moment its parent dies (``kill -9`` of ``kb ingest``
    included), so it never outlives the ingest mid-file holding the terminal's pipes; where
    prctl is missing the worker still ends at its CPU budget or when the parent's pipe closes."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):  # not Linux
        return
    if os.getppid() != parent:  # the parent died before the request took effect
        os._exit(1)


def _serve(conn: Connection, limits: Limits, parent: int) -> None:
    """The worker: apply the limits, then run each call sent until told to stop."""
    _die_with_parent(parent)
    limits_module.activate(limits)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C is the parent's to handle
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # not the parent's handler: a TERM ends it
    faulthandler.disable()  # a crash is reported by the parent, not dumped on the terminal
    _set_soft_limit(resource.RLIMIT_AS, _address_space() + limits.memory_bytes)
    held: dict[str, Any] = {}
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):
            return
        if message is None:
            return
        func, args, key, value = message
        if key is not None:
            if value is not None:
                held[key] = value
            args = (*args, held[key])
        _cpu_budget(limits.seconds)
        try:
            reply: tuple[str, Any] = ("ok", func(*args))
        except NothingToIndex as exc:
            reply = ("nothing", str(exc))
        except IngestError as exc:
            reply = ("error", str(exc))
        except MemoryError:
            reply = ("memory", "")
        except Exception as exc:  # a library failing on odd input costs one file
            reply = ("error", f"could not be read ({type(exc).__name__}: {exc})")
        try:
            conn.send(reply)
        except MemoryError:
            conn.send(("memory", ""))
        except (BrokenPipeError, OSError):
            return
        if reply[0] == "memory":
            return  # a process that ran out of memory may be in a bad state: start afresh


def _cpu_budget(seconds: float) -> None:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    _set_soft_limit(resource.RLIMIT_CPU, math.ceil(usage.ru_utime + usage.ru_stime + seconds))


def _set_soft_limit(which: int, soft: int) -> None:
    """Lower only the soft limit: the hard one could never be raised again."""
    _, hard = resource.getrlimit(which)
    resource.setrlimit(which, (soft if hard == resource.RLIM_INFINITY else min(soft, hard), hard))


def _address_space() -> int:
    """The worker's size when it starts (the memory budget comes on top of it)."""
    try:
        with open("/proc/self/statm", encoding="ascii") as statm:
            return int(statm.read().split()[0]) * _PAGE
    except OSError:  # no /proc: count from the peak resident size instead
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def _cpu_seconds(pid: int) -> float | None:
    """CPU time a process has used so far (Linux /proc), or None when it cannot be told."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return (int(fields[11]) + int(fields[12])) / _TICKS
