"""The index's write lock: one writer at a time, and a lock whose owner is gone never blocks.

The lock is an ``flock`` on the index's ``MAIN_WRITELOCK`` file (the file Whoosh's own
writers lock, so any Whoosh writer and kb exclude each other). The kernel drops an ``flock`` when
every process holding the file descriptor has exited, so a writer killed by any signal
releases it, *unless* a process it forked still holds the inherited descriptor: the
audit's orphaned worker processes kept every later ingest waiting.

So the holder records who it is in the lock file (PID, the process's start time, host), and a
writer that cannot get the lock checks that record: when the recorded process is gone, the lock
is stale and is broken by unlinking the file, so the next writer locks a fresh one. A process
is identified by PID *and* start time, so a recycled PID is never mistaken for the owner; a
record from another host, or no record at all (a plain Whoosh writer), is never broken.
Acquiring and breaking both happen under a short second lock, so a writer can never be broken
between taking the lock and writing its record.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import sys
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

from index.errors import IndexLocked

#: Whoosh's name for the lock file (index name + "_WRITELOCK"): a Whoosh writer on the same
#: index waits for kb's, and kb's for it.
LOCK_NAME = "MAIN_WRITELOCK"
#: Held for a moment while a writer records itself or breaks a stale lock.
_GUARD_NAME = "MAIN_WRITELOCK.guard"


@dataclass(frozen=True)
class LockOwner:
    """The writer recorded in the lock file."""

    pid: int
    #: The process's start time (clock ticks since boot, from /proc); "" where unknown.
    started: str
    host: str
    command: str
    #: Unix time the lock was taken.
    since: float

    def is_alive(self) -> bool:
        """True unless this exact process is known to have exited."""
        if self.host != _hostname():
            return True  # another machine's process: we cannot tell, so never break it
        started = process_start(self.pid)
        if started is None:
            return False
        return not self.started or started == self.started

    def describe(self) -> str:
        since = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(self.since))
        return f"{self.command} (PID {self.pid} on {self.host}, since {since})"


def process_start(pid: int) -> str | None:
    """A process's start time as the kernel counts it, "" when unknowable, None if no such
    process exists."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return None if Path("/proc/self/stat").exists() else _exists_elsewhere(pid)
    except OSError:
        return ""
    # Field 22 (starttime); the command name in field 2 may hold spaces and parentheses.
    fields = stat.rpartition(")")[2].split()
    return fields[19] if len(fields) > 19 else ""


def _exists_elsewhere(pid: int) -> str | None:
    """Without /proc: whether the PID exists (its start time is then unknown)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None
    except PermissionError:
        return ""
    return ""


def read_owner(index_dir: Path) -> LockOwner | None:
    """The writer recorded in the lock file, or None (no lock, no record, or not readable)."""
    try:
        raw = (Path(index_dir) / LOCK_NAME).read_text(encoding="utf-8")
        return LockOwner(**json.loads(raw))
    except (OSError, ValueError, TypeError):
        return None


class WriteLock:
    """Exclusive write access to one index; use as a context manager or acquire/release."""

    def __init__(self, index_dir: Path, timeout: float = 10.0, delay: float = 0.05) -> None:
        self.index_dir = Path(index_dir)
        self.timeout = timeout
        self.delay = delay
        self._fd: int | None = None

    @property
    def path(self) -> Path:
        return self.index_dir / LOCK_NAME

    def __enter__(self) -> WriteLock:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()

    def acquire(self) -> None:
        """Take the lock, breaking a stale one.

        :raises IndexLocked: a live writer still holds it after ``timeout`` seconds.
        """
        self.index_dir.mkdir(parents=True, exist_ok=True)
        deadline = time.monotonic() + self.timeout
        while True:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                if self._break_if_stale():
                    continue
                if time.monotonic() >= deadline:
                    raise IndexLocked(self.index_dir, self.timeout,
                                      read_owner(self.index_dir)) from None
                time.sleep(self.delay)
                continue
            if self._record(fd):
                self._fd = fd
                return
            os.close(fd)  # the file was broken and replaced after we opened it: try again

    def release(self) -> None:
        if self._fd is None:
            return
        fd, self._fd = self._fd, None
        try:
            os.ftruncate(fd, 0)
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)

    def _record(self, fd: int) -> bool:
        """Write who holds the lock, if ``fd`` is still the file at the lock's path."""
        with self._guard():
            try:
                if os.fstat(fd).st_ino != os.stat(self.path).st_ino:
                    return False
            except FileNotFoundError:
                return False
            owner = LockOwner(pid=os.getpid(), started=process_start(os.getpid()) or "",
                              host=_hostname(), command=_command(), since=time.time())
            data = json.dumps(asdict(owner)).encode("utf-8")
            os.ftruncate(fd, 0)
            os.pwrite(fd, data, 0)
            return True

    def _break_if_stale(self) -> bool:
        """Unlink the lock file if its recorded owner has exited; True if it did."""
        with self._guard():
            owner = read_owner(self.index_dir)
            if owner is None or owner.is_alive():
                return False
            with contextlib.suppress(FileNotFoundError):
                self.path.unlink()
            return True

    @contextlib.contextmanager
    def _guard(self) -> Iterator[None]:
        fd = os.open(self.index_dir / _GUARD_NAME, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)


def _command() -> str:
    name = Path(sys.argv[0]).name if sys.argv and sys.argv[0] else "python"
    args = " ".join(sys.argv[1:2])
    return f"{name} {args}".strip()[:80]


def _hostname() -> str:
    """This machine's name, as lock records hold it; socket is imported here, not with the
    module, because every search imports this module (for reading a lock's owner) and never
    needs it (cold start, issue #10)."""
    import socket

    return socket.gethostname()
