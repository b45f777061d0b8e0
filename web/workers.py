"""Serving with every core: a small pre-fork supervisor around waitress.

A search is Python under the GIL, so one process serves one core's worth of searches whatever
its threads (75-90 requests/s at 1, 8 or 32 clients). ``kb serve`` therefore binds its sockets
once and forks worker processes that each run a waitress server on those same sockets; the
kernel hands each new connection to a worker waiting in ``accept()``. Every worker opens its own
:class:`kb.search.Library` after the fork (file handles shared across processes would share
their read offsets), follows new ingests by itself, and keeps waitress's protections (its
share of the connection limit, the header and idle timeouts).

The supervisor (the process ``kb serve`` started) only waits: on SIGINT or SIGTERM it stops
every worker and returns; a worker that dies is replaced, unless workers keep dying as they
start, which is an error. A worker whose supervisor is gone (``kill -9``) stops by itself
within :data:`ORPHAN_CHECK` seconds, so no worker outlives ``kb serve``.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

#: Seconds between a worker's checks that its supervisor still runs.
ORPHAN_CHECK = 0.5
#: Seconds a worker has to finish its requests once told to stop, before it is killed.
STOP_GRACE = 10.0
_STOP_SIGNALS = {signal.SIGINT, signal.SIGTERM}
#: A worker that dies within this many seconds of starting counts as failing to start...
EARLY_DEATH = 5.0
#: ... and this many such deaths in a row stop the server.
EARLY_DEATHS_ALLOWED = 5


class WorkersFailed(Exception):
    """Workers kept dying as they started (the message gives the last exit status)."""


class _Stop(BaseException):
    """SIGINT or SIGTERM reached the supervisor (a BaseException, as KeyboardInterrupt is)."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def default_workers() -> int:
    """One worker per core this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


@dataclass
class Supervisor:
    """Forks ``workers`` processes that each call ``serve`` (which serves until stopped).

    ``serve`` runs in the child after the fork: it must open whatever holds files there, not
    before. :meth:`run` returns the signal that stopped the server.
    """

    serve: Callable[[], None]
    workers: int
    children: dict[int, float] = field(default_factory=dict)  # pid -> when it started
    _early_deaths: int = 0

    def run(self) -> int:
        previous = {sig: signal.signal(sig, self._on_signal) for sig in _STOP_SIGNALS}
        try:
            for _ in range(self.workers):
                self._spawn()
            while True:
                pid, status = os.wait()
                self._replace(pid, status)
        except _Stop as stop:
            return stop.signum
        finally:
            # Ignore further signals while stopping, so a second Ctrl-C cannot leave workers.
            for sig in previous:
                signal.signal(sig, signal.SIG_IGN)
            self._stop_all()
            for sig, handler in previous.items():
                signal.signal(sig, handler)

    def _on_signal(self, signum: int, frame: object) -> None:
        raise _Stop(signum)

    def _spawn(self) -> None:
        parent = os.getpid()
        # Held back across the fork: a stop signal must not reach the new worker while it still
        # runs the supervisor's handler (it would stop the supervisor's other workers itself).
        signal.pthread_sigmask(signal.SIG_BLOCK, _STOP_SIGNALS)
        try:
            pid = os.fork()
            if pid == 0:
                os._exit(_worker(self.serve, parent))
            self.children[pid] = time.monotonic()
        finally:
            signal.pthread_sigmask(signal.SIG_UNBLOCK, _STOP_SIGNALS)

    def _replace(self, pid: int, status: int) -> None:
        started = self.children.pop(pid, None)
        if started is None:
            return  # not one of ours (a reader process a library forked, already gone)
        code = os.waitstatus_to_exitcode(status)
        early = time.monotonic() - started < EARLY_DEATH
        self._early_deaths = self._early_deaths + 1 if early else 0
        print(f"kb: worker {pid} exited ({_describe(code)}); starting another",
              file=sys.stderr, flush=True)
        if self._early_deaths >= EARLY_DEATHS_ALLOWED:
            raise WorkersFailed(f"{self._early_deaths} workers in a row exited as they started "
                                f"(the last: {_describe(code)})")
        self._spawn()

    def _stop_all(self) -> None:
        """SIGTERM every worker, wait for each (SIGKILL after :data:`STOP_GRACE` seconds)."""
        for pid in self.children:
            _signal(pid, signal.SIGTERM)
        deadline = time.monotonic() + STOP_GRACE
        while self.children:
            for pid in list(self.children):
                try:
                    done, _ = os.waitpid(pid, os.WNOHANG)
                except ChildProcessError:
                    done = pid
                if done:
                    del self.children[pid]
                elif time.monotonic() > deadline:
                    _signal(pid, signal.SIGKILL)
            time.sleep(0.02)


def _worker(serve: Callable[[], None], parent: int) -> int:
    """The body of a worker process; returns its exit status (it never returns to the CLI)."""
    try:
        # Ctrl-C reaches the whole process group: the supervisor alone decides, and sends
        # SIGTERM, which stops this worker as waitress stops on KeyboardInterrupt.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, _terminate)
        signal.pthread_sigmask(signal.SIG_UNBLOCK, _STOP_SIGNALS)
        threading.Thread(target=_exit_when_orphaned, args=(parent,), daemon=True,
                         name="kb-orphan-check").start()
        serve()
        return 0
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else 0
    except BaseException:  # noqa: BLE001 - a worker must never unwind into the CLI's code
        import traceback

        traceback.print_exc()
        return 1
    finally:
        sys.stderr.flush()


def _terminate(signum: int, frame: object) -> None:
    raise SystemExit(0)


def _exit_when_orphaned(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(ORPHAN_CHECK)
    os.kill(os.getpid(), signal.SIGTERM)


def _signal(pid: int, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, sig)


def _describe(code: int) -> str:
    if code < 0:
        return f"killed by {signal.Signals(-code).name}"
    return f"exit status {code}"
