"""The write lock: held by one writer, released by the kernel when it dies, and broken when the
writer recorded in it is gone but a process it forked still holds the file."""

from __future__ import annotations

import fcntl
import os
import signal
import socket
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from index import IndexLocked, apply_changes, open_index
from index.lock import LOCK_NAME, LockOwner, WriteLock, process_start, read_owner
from kb.model import SearchRequest
from tests.index.fixtures import changes, corpus

ROOT = Path(__file__).resolve().parents[2]

#: Takes the lock, forks a child that inherits it, prints the child's PID and dies: the child
#: is the audit's orphaned worker, holding the lock of a writer that is gone.
ORPHAN = textwrap.dedent("""
    import os, sys, time
    from pathlib import Path
    from index.lock import WriteLock
    WriteLock(Path(sys.argv[1])).acquire()
    child = os.fork()
    if child == 0:
        os.dup2(os.open(os.devnull, os.O_WRONLY), 1)
        time.sleep(120)
        os._exit(0)
    print(child, flush=True)
    os._exit(0)
""")

#: Takes the lock, says so, and holds it until its stdin closes.
HOLDER = textwrap.dedent("""
    import sys
    from pathlib import Path
    from index.lock import WriteLock
    with WriteLock(Path(sys.argv[1])):
        print("locked", flush=True)
        sys.stdin.read()
""")


def _python(code: str, *args: str, **options: object) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-c", code, *args], cwd=ROOT, text=True,
                            stdout=subprocess.PIPE, **options)  # type: ignore[call-overload]


def _held(path: Path) -> bool:
    fd = os.open(path / LOCK_NAME, os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)
    return False


def test_a_lock_held_by_an_orphan_of_a_dead_writer_is_broken(tmp_path: Path) -> None:
    apply_changes(tmp_path, changes(corpus()[:2]))
    writer = _python(ORPHAN, str(tmp_path))
    orphan = int(writer.communicate(timeout=30)[0])
    try:
        assert writer.returncode == 0
        assert _held(tmp_path)  # the writer is gone, its child still holds the lock
        owner = read_owner(tmp_path)
        assert owner is not None and owner.pid == writer.pid and not owner.is_alive()
        apply_changes(tmp_path, changes(corpus()[2:]), timeout=2)
    finally:
        os.kill(orphan, signal.SIGKILL)
    with open_index(tmp_path) as ix:
        assert ix.stats()["documents"] == 6
    assert read_owner(tmp_path) is None  # released: the record is cleared


def test_a_live_writer_is_never_broken_and_is_named(tmp_path: Path) -> None:
    apply_changes(tmp_path, changes(corpus()[:2]))
    holder = _python(HOLDER, str(tmp_path), stdin=subprocess.PIPE)
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "locked\n"
        with pytest.raises(IndexLocked) as caught:
            apply_changes(tmp_path, changes(corpus()[2:]), timeout=0.3)
        owner = caught.value.owner
        assert owner is not None and owner.pid == holder.pid
        assert "is locked by another writer: -c " in str(caught.value)
        assert f" (PID {holder.pid} on {socket.gethostname()}, since " in str(caught.value)
    finally:
        holder.communicate("", timeout=30)
    apply_changes(tmp_path, changes(corpus()[2:]), timeout=2)
    with open_index(tmp_path) as ix:
        assert ix.search(SearchRequest()).total == 6


def test_a_killed_writer_releases_the_lock(tmp_path: Path) -> None:
    holder = _python(HOLDER, str(tmp_path), stdin=subprocess.PIPE)
    assert holder.stdout is not None and holder.stdout.readline() == "locked\n"
    holder.kill()
    holder.communicate(timeout=30)
    apply_changes(tmp_path, changes(), timeout=0.5)


def test_an_owner_is_a_process_and_its_start_time() -> None:
    me, host = os.getpid(), socket.gethostname()
    started = process_start(me)
    assert started
    assert LockOwner(me, started, host, "kb ingest", 0.0).is_alive()
    # The same PID with another start time is a recycled PID: its writer is gone.
    assert not LockOwner(me, started + "0", host, "kb ingest", 0.0).is_alive()
    # Another machine's process cannot be checked, so it is presumed alive.
    assert LockOwner(me, started + "0", host + ".elsewhere", "kb ingest", 0.0).is_alive()


def test_no_record_is_never_broken(tmp_path: Path) -> None:
    tmp_path.joinpath(LOCK_NAME).write_text("")
    fd = os.open(tmp_path / LOCK_NAME, os.O_RDWR)
    fcntl.flock(fd, fcntl.LOCK_EX)  # a plain Whoosh writer: no owner record
    try:
        with pytest.raises(IndexLocked):
            WriteLock(tmp_path, timeout=0.2).acquire()
    finally:
        os.close(fd)
    with WriteLock(tmp_path, timeout=0.2):
        assert read_owner(tmp_path).pid == os.getpid()  # type: ignore[union-attr]
