"""Reading each file in a worker process with a time and a memory limit.

Readers are libraries (lxml, trafilatura, pypdf, python-docx) fed hostile input: a zip bomb, a
page of a million elements, a PDF whose streams loop. Checks inside each reader catch the cases
someone thought of; the worker catches the rest, for every reader, the ones added later
included, because the pipeline dispatches every file through it: reading and page cleaning
(:func:`ingest.staging.stage`), then building its documents
(:func:`ingest.assembly.assemble_batch`).

One worker per core is forked per ingest run, each reading files one after the other while the
others read theirs (a fork costs milliseconds and the worker starts with every module loaded;
a process per file or a fresh interpreter would cost far more on a normal ingest);
:meth:`Sandbox.map` keeps them all busy and hands the answers back in the files' order.
Calls go to a worker in batches of up to eight, answered together: every message wakes a
sleeping process, and on bench/ingest.py's corpus a round trip per file cost more than reading
a small file. A small batch (file names, positions) is sent to a busy worker too, to wait in
its pipe: the worker starts it as soon as it has answered the one before, instead of waiting
for this process to take the answer and send more. A worker lost on a batch (crashed,
stalled, out of memory) costs only its own file: the calls it did not answer (of its batch
and of the one waiting) are sent again one by one.
Before each file a worker lowers its own CPU-time limit (``RLIMIT_CPU``) to what it has used
plus the file's budget, so the kernel stops a runaway reader even if the parent is gone; its
address space (``RLIMIT_AS``) is capped at its size when it started plus the memory budget, so
a reader that would exhaust the machine gets a MemoryError instead. CPU time, not wall-clock
time, is the budget, so a loaded machine does not fail good files; the parent only gives up on
a worker that uses no CPU at all for a while (blocked, not working). A worker that failed is
replaced for the next file; the file is reported with the limit it hit and the batch goes on.

What a call needs travels to its worker pickled, and what it returns comes back the same way.
A large value many calls read (the staged pages of a batch, when its documents are built) is
given to :meth:`Sandbox.map` as ``inherit`` instead: the workers are forked anew holding it
(copy-on-write), so each call is sent only its position in the batch, never the pages again.

Where processes cannot be forked (or ``resource`` is missing), files are read in-process with
only the readers' own checks.
"""

from __future__ import annotations

import contextlib
import faulthandler
import gc
import math
import multiprocessing
import multiprocessing.connection
import os
import signal
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any, TypeVar

from kb.process import die_with_parent

from . import limits as limits_module
from .errors import IngestError, NothingToIndex
from .limits import MB, Limits

try:
    import resource
except ImportError:  # pragma: no cover - not on POSIX
    _HAS_RESOURCE = False
else:
    _HAS_RESOURCE = True

#: A worker that uses no CPU for this long while reading one file is stopped.
_STALLED_SECONDS = 30.0
_POLL_SECONDS = 0.5
#: Without /proc, the parent waits this many times the CPU budget (plus the stall time).
_WALL_FACTOR = 4
#: Calls sent to a worker at once (fewer when the jobs are few, see _batch_size): each message
#: and answer wakes a sleeping process, which costs more than a small file's whole reading.
_BATCH = 8
#: A batch takes no more calls once it carries this many bytes of file data (and text).
_BATCH_BYTES = 256 * 1024
#: A batch carrying at most this many bytes of data may wait in a busy worker's pipe (whose
#: buffer holds it whole, so that sending it never blocks while the worker sends answers).
_QUEUED_BYTES = 16 * 1024
_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


def available() -> bool:
    """True when files can be read in a limited worker process on this platform."""
    return _HAS_RESOURCE and "fork" in multiprocessing.get_all_start_methods()


def default_workers() -> int:
    """One worker per core this process may run on: reading and building documents is
    CPU-bound and each file is independent, so the workers of a batch run side by side."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


#: No value inherited (None is a value a caller may pass).
_NOTHING: Any = object()

#: What :meth:`Sandbox.map` yields per job: the call's result, the IngestError (or
#: NothingToIndex) it raised or met, or None when there was nothing to run.
Outcome = Any

J = TypeVar("J")


class Sandbox:
    """Runs functions on one file at a time in limited workers; use as a context manager.

    :param workers: how many worker processes may run calls side by side (:meth:`map`);
        by default one per core.
    """

    def __init__(self, limits: Limits, workers: int | None = None) -> None:
        self.limits = limits
        self._workers = [_Worker(limits) for _ in range(max(1, workers or default_workers()))]
        #: What the workers were forked holding (see :meth:`map`'s ``inherit``).
        self._inherited: Any = _NOTHING

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
        for _, outcome in self.map(func, [args], lambda job: job, shared=shared):
            if isinstance(outcome, IngestError):
                raise outcome
            return outcome
        raise AssertionError("unreachable: map yields one outcome per job")

    def map(self, func: Callable[..., Any], jobs: Iterable[J],
            prepare: Callable[[J], tuple[Any, ...] | None],
            shared: tuple[str, Any] | None = None,
            inherit: Any = _NOTHING) -> Iterator[tuple[J, Outcome]]:
        """``(job, outcome)`` for every job, in the order of ``jobs``, running ``func`` on
        ``prepare(job)`` in as many workers side by side as the sandbox has.

        ``prepare`` runs here, in the caller's process and in job order, a batch of calls
        for one worker at a time as workers can take one (so at most a few batches' data are
        held at once); it returns the call's arguments, None when the job needs no call (its
        outcome is None), or raises IngestError (its outcome). A failed call costs its own
        job only: the outcome is the IngestError (or NothingToIndex) and its worker is
        replaced if it died.

        :param inherit: a value every call gets as its last argument without it being sent:
            the workers are forked anew holding it (a replaced worker too), so only the small
            arguments ``prepare`` returns cross the pipe. The caller must not change it while
            the jobs run (the workers would not see the change).
        """
        if not available():
            limits_module.activate(self.limits)
            for job in jobs:
                yield job, _in_process(func, job, prepare, shared, inherit)
            return
        if inherit is not self._inherited:  # workers holding another value (or none) go
            self._inherit(inherit)
        size = _batch_size(jobs, len(self._workers))
        queue: deque[_Slot] = deque()
        retry: deque[_Slot] = deque()
        pending = iter(jobs)
        exhausted = False
        #: A batch prepared that no worker could take yet (a large one waits for an idle one).
        held: list[_Slot] = []
        held_bytes = 0
        try:
            while True:
                while queue and queue[0].done:
                    slot = queue.popleft()
                    yield slot.job, slot.outcome
                while True:
                    if retry:  # calls sent again go first, each on its own to an idle worker
                        worker = self._taker(0, alone=True)
                        if worker is None:
                            break
                        worker.send_batch(func, [retry.popleft()], shared, alone=True)
                        continue
                    if not held and not exhausted:
                        exhausted, held_bytes = self._prepare(pending, prepare, size, queue,
                                                              held)
                    if not held:
                        break
                    worker = self._taker(held_bytes, alone=False)
                    if worker is None:
                        break
                    worker.send_batch(func, held, shared)
                    held = []
                if not queue:
                    if exhausted and not held and not retry:
                        return
                    continue
                if not queue[0].done:  # else it is yielded first, without waiting
                    self._collect(retry)
        finally:
            for worker in self._workers:  # abandoned mid-way: no worker may hold a stale answer
                if worker.batch:
                    worker.stop()
                    worker.forget()

    def _taker(self, data: int, alone: bool) -> _Worker | None:
        """The worker to send a batch carrying ``data`` bytes to: an idle one, else one
        with a single batch in flight (the new one waits in its pipe, so that the worker goes
        on without waiting for this process) when the batch is small enough to wait there
        without blocking either side. A call sent again alone (its batch's worker was lost)
        goes only to an idle worker, and nothing waits behind it: if it fails, it must fail
        alone."""
        idle = next((w for w in self._workers if not w.batch), None)
        if idle is not None or alone or data > _QUEUED_BYTES:
            return idle
        return next((w for w in self._workers if w.can_queue()), None)

    @staticmethod
    def _prepare(pending: Iterator[J], prepare: Callable[[J], tuple[Any, ...] | None],
                 size: int, queue: deque[_Slot], batch: list[_Slot]) -> tuple[bool, int]:
        """Prepare jobs into ``batch`` (calls for one worker) until it holds ``size`` calls
        or :data:`_BATCH_BYTES` of data; whether the jobs are exhausted, and the batch's
        bytes of data."""
        data = 0
        while len(batch) < size and data < _BATCH_BYTES:
            try:
                job = next(pending)
            except StopIteration:
                return True, data
            slot = _Slot(job)
            queue.append(slot)
            try:
                args = prepare(job)
            except IngestError as exc:
                slot.finish(exc)
                continue
            if args is None:
                slot.finish(None)
                continue
            slot.args = args
            batch.append(slot)
            data += sum(len(arg) for arg in args if isinstance(arg, (bytes, str)))
        return False, data

    def _collect(self, retry: deque[_Slot]) -> None:
        """Wait a moment for the busy workers; record each answer, and stop a worker that
        has stalled (see :meth:`_Worker.stalled`).

        A worker that died, stalled or ran out of memory on a call leaves the calls it
        did not answer (of its batch, and of the one waiting behind it) to ``retry``, each to
        be sent on its own: the file to blame is then the one whose own call fails (a call
        runs again only where its worker was lost)."""
        busy = {w.conn: w for w in self._workers if w.batch and w.conn is not None}
        ready = multiprocessing.connection.wait(list(busy), timeout=_POLL_SECONDS)
        for conn, worker in busy.items():
            if conn in ready:
                answers = worker.receive()
            elif worker.stalled():
                worker.stop()
                answers = IngestError("reading it made no progress (the reader was blocked) "
                                      "and was stopped")
            else:
                continue
            if isinstance(answers, IngestError):  # the worker is lost
                lost = worker.forget()
                if len(lost) == 1:
                    lost[0].finish(answers)
                else:
                    retry.extend(lost)
                continue
            answered = worker.answered(answers)
            for slot, outcome in zip(answered, answers, strict=False):
                slot.finish(outcome)
            if len(answers) < len(answered):  # out of memory: the worker ends, or has ended
                worker.stop()
                retry.extend(answered[len(answers):])
            if worker.conn is None:  # stopped (out of memory): what waited behind goes again
                retry.extend(worker.forget())

    def _inherit(self, value: Any) -> None:
        """Stop the workers (between calls, all idle) so the next ones are forked holding
        ``value`` (or nothing, for ``_NOTHING``)."""
        self._inherited = value
        for worker in self._workers:
            worker.close()
            worker.inherited = value

    def close(self) -> None:
        self._inherit(_NOTHING)


@dataclass
class _Slot:
    """One job of :meth:`Sandbox.map` on its way: sent to a worker, or already decided."""

    job: Any
    #: The call's arguments (kept: a call of a batch whose worker was lost is sent again).
    args: tuple[Any, ...] = ()
    outcome: Outcome = None
    done: bool = False

    def finish(self, outcome: Outcome) -> None:
        self.outcome, self.done = outcome, True


def _batch_size(jobs: Iterable[Any], workers: int) -> int:
    """Calls per batch: :data:`_BATCH`, or fewer so that every worker gets several batches
    of a short list of jobs (one when their number is unknown)."""
    try:
        count = len(jobs)  # type: ignore[arg-type]
    except TypeError:
        return 1
    return max(1, min(_BATCH, count // (4 * workers)))


def _in_process(func: Callable[..., Any], job: Any,
                prepare: Callable[[Any], tuple[Any, ...] | None],
                shared: tuple[str, Any] | None, inherit: Any) -> Outcome:
    """One job where no worker can be forked: the readers' own checks are the only limits."""
    try:
        args = prepare(job)
        if args is None:
            return None
        if shared is not None:
            args = (*args, shared[1])
        return func(*args, inherit) if inherit is not _NOTHING else func(*args)
    except IngestError as exc:
        return exc


class _Worker:
    """One forked worker process and its pipe, started on first use and after a failure."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.process: Any = None
        self.conn: Connection | None = None
        #: Keys of the shared values this worker holds.
        self._sent: set[str] = set()
        #: The worker's CPU time when it last changed, and when that was (stall detection).
        self._cpu: float | None = None
        self._since = 0.0
        #: What a worker started from now on holds (:meth:`Sandbox.map`'s ``inherit``).
        self.inherited: Any = _NOTHING
        #: The calls sent and not yet answered, in order: one batch, or two (the second
        #: waiting in the pipe), whose sizes are :attr:`_sizes`.
        self.batch: list[_Slot] = []
        self._sizes: deque[int] = deque()
        #: The batch in flight is a call sent again on its own (nothing may wait behind it).
        self._alone = False

    def send(self, func: Callable[..., Any], args: tuple[Any, ...],
             shared: tuple[str, Any] | None) -> None:
        """Start ``func(*args)`` as a batch of its own."""
        self.send_batch(func, [_Slot(None, args)], shared)

    def can_queue(self) -> bool:
        """Can a small batch wait in the pipe behind the one this worker is on?"""
        return len(self._sizes) == 1 and not self._alone and self.conn is not None

    def send_batch(self, func: Callable[..., Any], batch: list[_Slot],
                   shared: tuple[str, Any] | None, *, alone: bool = False) -> None:
        """Start ``func`` on each slot's arguments in turn: one message there and one answer
        back for the whole batch (each round trip wakes both processes). Sent to a busy
        worker, the batch waits in the pipe until the worker has answered the one before."""
        calls = [slot.args for slot in batch]
        if self.batch:  # queued behind a batch in flight: a broken pipe shows in its answer
            with contextlib.suppress(BrokenPipeError, OSError):
                assert self.conn is not None
                self.conn.send(self.message(func, calls, shared))
            self.batch = self.batch + batch
            self._sizes.append(len(batch))
            return
        conn = self.start()
        try:
            conn.send(self.message(func, calls, shared))
        except (BrokenPipeError, OSError):  # the worker died between files: start another
            self.stop()
            conn = self.start()
            conn.send(self.message(func, calls, shared))
        self.batch, self._alone = list(batch), alone
        self._sizes = deque([len(batch)])
        # The worker's CPU time is first read once a call outlasts a poll (see stalled).
        self._cpu, self._since = None, time.monotonic()

    def answered(self, answers: list[Outcome]) -> list[_Slot]:
        """The calls of the batch ``answers`` answer (the oldest in flight), no longer in
        flight; the next batch, if one waits, is the worker's now."""
        size = self._sizes.popleft()
        done, self.batch = self.batch[:size], self.batch[size:]
        self._alone = False
        self._cpu, self._since = None, time.monotonic()
        return done

    def forget(self) -> list[_Slot]:
        """Every call in flight, no longer expected (the worker is lost or stopped)."""
        lost, self.batch = self.batch, []
        self._sizes.clear()
        self._alone = False
        return lost

    def message(self, func: Callable[..., Any], calls: list[tuple[Any, ...]],
                shared: tuple[str, Any] | None) -> tuple[Any, ...]:
        if shared is None:
            return func, calls, None, None
        key, value = shared
        if key in self._sent:
            value = None
        self._sent.add(key)
        return func, calls, key, value

    def stalled(self) -> bool:
        """True when the worker has used no CPU for a while (blocked, not working).

        The CPU budget itself is enforced by the kernel in the worker; a wall-clock limit here
        would fail good files on a loaded machine. Where the worker's CPU time cannot be read,
        a generous wall-clock limit stands in. Nearly every call answers within a poll: the
        CPU time is read (a file in /proc) only after that, not at every call and answer, so
        a stall counts from the first poll the call outlasted.
        """
        waited = time.monotonic() - self._since
        if waited < _POLL_SECONDS:
            return False
        now = _cpu_seconds(self.process.pid)
        if now is None:
            # Each call of the batch may use its whole budget.
            budget = self.limits.seconds * max(1, len(self.batch))
            return waited >= budget * _WALL_FACTOR + _STALLED_SECONDS
        if now != self._cpu:
            self._cpu, self._since = now, time.monotonic()
            return False
        return waited >= _STALLED_SECONDS

    def receive(self) -> list[Outcome] | IngestError:
        """The worker's answers to the batch it was sent, as outcomes, in order (fewer than
        the calls when one ran out of memory: the worker then ends); IngestError when the
        worker died."""
        assert self.conn is not None
        try:
            replies = self.conn.recv()
        except (EOFError, OSError):
            return IngestError(self._death())
        outcomes: list[Outcome] = []
        for status, payload in replies:
            if status == "ok":
                outcomes.append(payload)
            elif status == "nothing":
                outcomes.append(NothingToIndex(payload))
            elif status == "memory":
                self.stop()
                outcomes.append(IngestError(
                    f"reading it needed more than {self.limits.memory_bytes / MB:g} MB of "
                    "memory and was stopped (set KB_READ_MEMORY_MB to allow more)"))
                break
            else:
                outcomes.append(IngestError(payload))
        return outcomes

    def close(self) -> None:
        if self.conn is not None:
            with contextlib.suppress(BrokenPipeError, OSError):
                self.conn.send(None)
        self.stop()

    def start(self) -> Connection:
        if self.conn is None:
            context = multiprocessing.get_context("fork")
            parent, child = context.Pipe()
            # A forked process takes its arguments as they are in memory: ``inherited`` is
            # never pickled.
            self.process = context.Process(target=_serve,
                                           args=(child, self.limits, os.getpid(),
                                                 self.inherited),
                                           name="kb-reader", daemon=True)
            # Objects the worker inherits are left out of its garbage collections, which
            # would otherwise walk (and copy, page by page) the parent's whole heap.
            gc.freeze()
            try:
                self.process.start()
            finally:
                gc.unfreeze()
            child.close()
            self.conn = parent
        return self.conn

    def stop(self) -> None:
        if self.process is not None:
            if self.process.is_alive():
                self.process.kill()
            self.process.join()
            self.process.close()
        if self.conn is not None:
            self.conn.close()
        self.process = self.conn = None
        self._sent = set()

    def _death(self) -> str:
        """Why the worker died while reading, as a reason for the report."""
        self.process.join(5)
        code = self.process.exitcode
        self.stop()
        if code == -signal.SIGXCPU:
            return (f"reading it took more than {self.limits.seconds:g} s of CPU time and was "
                    "stopped (set KB_READ_SECONDS to allow more)")
        if code == -signal.SIGKILL:
            return "the reader was killed (most likely the system ran out of memory)"
        return f"the reader crashed (exit code {code}); the file was skipped"


def _serve(conn: Connection, limits: Limits, parent: int, inherited: Any = _NOTHING) -> None:
    """The worker: apply the limits, then run each call sent until told to stop (each with
    ``inherited`` last, unless there is nothing inherited)."""
    die_with_parent(parent)
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
        func, calls, key, value = message
        if key is not None and value is not None:
            held[key] = value
        replies: list[tuple[str, Any]] = []
        for args in calls:
            if key is not None:
                args = (*args, held[key])
            if inherited is not _NOTHING:
                args = (*args, inherited)
            reply = _call(func, args, limits)
            replies.append(reply)
            if reply[0] == "memory":
                break
        try:
            conn.send(replies)
        except MemoryError:  # the answers were too large: the batch's calls go again one by one
            conn.send([("memory", "")] if len(calls) == 1 else [])
            return
        except (BrokenPipeError, OSError):
            return
        if replies and replies[-1][0] == "memory":
            return  # a process that ran out of memory may be in a bad state: start afresh


def _call(func: Callable[..., Any], args: tuple[Any, ...], limits: Limits) -> tuple[str, Any]:
    """One call in the worker, under its own CPU budget, as a reply for the parent."""
    _cpu_budget(limits.seconds)
    try:
        return "ok", func(*args)
    except NothingToIndex as exc:
        return "nothing", str(exc)
    except IngestError as exc:
        return "error", str(exc)
    except MemoryError:
        return "memory", ""
    except Exception as exc:  # a library failing on odd input costs one file
        return "error", f"could not be read ({type(exc).__name__}: {exc})"


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
