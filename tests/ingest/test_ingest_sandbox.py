"""The reading worker never outlives the ingest that started it."""

from __future__ import annotations

import os
from collections import deque
from pathlib import Path

import pytest

from ingest import sandbox
from ingest.errors import IngestError
from ingest.limits import MB, Limits
from ingest.sandbox import Sandbox
from tests.conftest import outlives_killed_parent

ROOT = Path(__file__).resolve().parents[2]

#: A parent that starts a worker on an endless file, says the worker's PID, and waits.
PARENT = """
import os, sys, time
from ingest.limits import Limits
from ingest.sandbox import Sandbox

def spin() -> None:
    while True:
        pass

box = Sandbox(Limits(seconds=600), workers=1)
worker = box._workers[0]
worker.send(spin, (), None)
print(worker.process.pid, flush=True)
time.sleep(600)
"""


@pytest.mark.skipif(not sandbox.available() or not Path("/proc/self/stat").exists(),
                    reason="the limited worker needs fork and resource, and this check /proc")
def test_a_worker_dies_with_its_killed_parent() -> None:
    assert not outlives_killed_parent(PARENT), "the worker outlived its killed parent"


def _square_in_worker(n: int) -> tuple[int, int]:
    """n squared, and the worker's PID; 3 fails like a bad file, 5 crashes its worker."""
    if n == 3:
        raise IngestError("three is a bad file")
    if n == 5:
        os.abort()
    return n * n, os.getpid()


@pytest.mark.skipif(not sandbox.available(), reason="the limited workers need fork")
def test_map_runs_jobs_in_several_workers_and_answers_in_job_order() -> None:
    def prepare(n: int) -> tuple[int] | None:
        if n == 4:
            return None  # nothing to run (an unchanged file)
        if n == 6:
            raise IngestError("six was refused before reading")
        return (n,)

    with Sandbox(Limits(), workers=2) as box:
        outcomes = list(box.map(_square_in_worker, range(1, 10), prepare))
    assert [job for job, _ in outcomes] == list(range(1, 10))
    squares = {job: outcome[0] for job, outcome in outcomes if isinstance(outcome, tuple)}
    assert squares == {1: 1, 2: 4, 7: 49, 8: 64, 9: 81}
    failures = {job: str(outcome) for job, outcome in outcomes
                if isinstance(outcome, IngestError)}
    assert failures == {3: "three is a bad file",
                        5: "the reader crashed (exit code -6); the file was skipped",
                        6: "six was refused before reading"}
    assert dict(outcomes)[4] is None
    pids = {outcome[1] for outcome in dict(outcomes).values() if isinstance(outcome, tuple)}
    assert len(pids) >= 2  # two workers shared the jobs (one more after the crash)
    assert os.getpid() not in pids


@pytest.mark.skipif(not sandbox.available(), reason="the limited workers need fork")
def test_one_worker_or_two_ingest_the_same(tmp_path: Path) -> None:
    from ingest import build_changes
    from kb.registry import load_registry

    registry = load_registry(ROOT / "corpus")
    folder = tmp_path / "corpus"
    folder.mkdir()
    for n, ordinal in enumerate(["first", "second", "third", "fourth", "fifth", "sixth"]):
        (folder / f"page{n}.txt").write_text(
            f"The {ordinal} session\n\nThe {ordinal} session of the WIPO Conversation looked "
            f"at training data and copyright for page {n}.", encoding="utf-8")
    (folder / "broken.docx").write_bytes(b"not a zip")
    one, report_one = build_changes([folder], {}, registry, workers=1)
    two, report_two = build_changes([folder], {}, registry, workers=2)
    assert [d.to_dict() for d in two.upserts] == [d.to_dict() for d in one.upserts]
    assert [d.source for d in two.upserts] == [f"page{n}.txt" for n in range(6)]
    assert [d.sessions for d in two.upserts] == [[1], [2], [3], [4], [5], [6]]
    assert two.manifest == one.manifest
    assert report_two.failed == report_one.failed
    assert [f.source for f in report_two.failed] == ["broken.docx"]


def test_without_fork_map_runs_the_jobs_here_with_the_same_outcomes(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sandbox, "available", lambda: False)

    def prepare(n: int) -> tuple[int] | None:
        return None if n == 4 else (n,)

    with Sandbox(Limits(), workers=2) as box:
        outcomes = dict(box.map(_square_in_worker, [1, 2, 3, 4], prepare))
    assert outcomes[1] == (1, os.getpid()) and outcomes[2] == (4, os.getpid())
    assert isinstance(outcomes[3], IngestError) and str(outcomes[3]) == "three is a bad file"
    assert outcomes[4] is None


def _inherited_entry(position: int, batch: list[str]) -> tuple[str, int]:
    """The batch's entry at ``position`` read in the worker, and the worker's PID; the entry
    "crash" crashes its worker."""
    if batch[position] == "crash":
        os.abort()
    return batch[position], os.getpid()


def _arguments(*args: object) -> tuple[object, ...]:
    return args


@pytest.mark.skipif(not sandbox.available(), reason="the limited workers need fork")
def test_an_inherited_batch_is_never_sent_and_a_replaced_worker_holds_it_too() -> None:
    batch = ["zero", "one", "crash", "three", "four"]
    sent: list[tuple[int]] = []

    def prepare(position: int) -> tuple[int]:
        sent.append((position,))
        return (position,)

    with Sandbox(Limits(), workers=1) as box:
        outcomes = dict(box.map(_inherited_entry, range(5), prepare, inherit=batch))
        # The next map inherits nothing: its calls get their own arguments only.
        plain = dict(box.map(_arguments, [7], lambda n: (n,)))
    assert sent == [(0,), (1,), (2,), (3,), (4,)]
    assert {n: outcome[0] for n, outcome in outcomes.items() if isinstance(outcome, tuple)} \
        == {0: "zero", 1: "one", 3: "three", 4: "four"}
    assert str(outcomes[2]) == "the reader crashed (exit code -6); the file was skipped"
    before, after = outcomes[0][1], outcomes[3][1]
    assert outcomes[1][1] == before and outcomes[4][1] == after  # one worker at a time
    assert len({before, after, os.getpid()}) == 3  # the crashed worker was replaced
    assert plain == {7: (7,)}


def test_without_fork_the_inherited_batch_is_passed_here(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sandbox, "available", lambda: False)
    with Sandbox(Limits(), workers=2) as box:
        outcomes = dict(box.map(_inherited_entry, [1, 3], lambda n: (n,),
                                inherit=["zero", "one", "two", "three"]))
    assert outcomes == {1: ("one", os.getpid()), 3: ("three", os.getpid())}


def test_calls_go_to_a_worker_in_batches_of_up_to_eight_and_fewer_when_jobs_are_few() -> None:
    assert sandbox._batch_size(range(1500), 2) == 8
    assert sandbox._batch_size(range(40), 2) == 5
    assert sandbox._batch_size(range(9), 2) == 1
    assert sandbox._batch_size(iter(range(100)), 2) == 1  # how many is unknown


def _batched_in_worker(n: int) -> tuple[int, int]:
    """n squared and the worker's PID; 3 fails like a bad file, 6 crashes its worker, 11
    runs out of memory (the worker ends after answering)."""
    if n == 3:
        raise IngestError("three is a bad file")
    if n == 6:
        os.abort()
    if n == 11:
        raise MemoryError
    return n * n, os.getpid()


@pytest.mark.skipif(not sandbox.available(), reason="the limited workers need fork")
def test_a_lost_worker_costs_only_its_own_file_and_its_batch_runs_again_call_by_call() -> None:
    sent: list[int] = []

    def prepare(n: int) -> tuple[int]:
        sent.append(n)
        return (n,)

    # 16 jobs, one worker: batches of four, [1-4] [5-8] [9-12] [13-16].
    with Sandbox(Limits(memory_bytes=512 * MB), workers=1) as box:
        outcomes = list(box.map(_batched_in_worker, range(1, 17), prepare))
    assert [job for job, _ in outcomes] == list(range(1, 17))
    assert sent == list(range(1, 17))  # each job prepared once, even those sent again
    squares = {job: outcome[0] for job, outcome in outcomes if isinstance(outcome, tuple)}
    assert squares == {n: n * n for n in range(1, 17) if n not in (3, 6, 11)}
    failures = {job: str(outcome) for job, outcome in outcomes
                if isinstance(outcome, IngestError)}
    assert failures == {
        3: "three is a bad file",
        6: "the reader crashed (exit code -6); the file was skipped",
        11: "reading it needed more than 512 MB of memory and was stopped (set "
            "KB_READ_MEMORY_MB to allow more)"}
    pids = [outcome[1] for _, outcome in outcomes if isinstance(outcome, tuple)]
    # 1, 2, 4 in the first worker, [5-8] waiting in its pipe, then [9-12] once [1-4] is
    # answered; 6 crashes it, so both batches are sent again call by call: 5 in a second
    # worker, which 6 crashes again; 7 to 10 in a third, which ends after 11's memory error;
    # 12 on its own and [13-16] in a fourth.
    assert pids == [pids[0]] * 3 + [pids[3]] + [pids[4]] * 4 + [pids[8]] * 5
    assert len(set(pids)) == 4


def test_a_small_batch_waits_in_a_busy_worker_s_pipe_and_a_large_one_for_an_idle_worker(
        ) -> None:
    from types import SimpleNamespace

    box = Sandbox(Limits(), workers=2)
    first, second = box._workers
    for worker in (first, second):
        worker.conn = SimpleNamespace()  # started (nothing is sent in this test)
        worker.batch, worker._sizes = [sandbox._Slot(0, (0,))], deque([1])
    # Both busy with one batch: a small batch waits behind the first one's, a large one
    # waits here; a call sent again alone goes only to an idle worker.
    assert box._taker(sandbox._QUEUED_BYTES, alone=False) is first
    assert box._taker(sandbox._QUEUED_BYTES + 1, alone=False) is None
    assert box._taker(0, alone=True) is None
    first._sizes.append(1)  # two batches in flight: no room behind it
    assert box._taker(0, alone=False) is second
    second._alone = True  # on a call sent again alone: nothing may wait behind it
    assert box._taker(0, alone=False) is None
    second.forget()
    assert box._taker(sandbox._QUEUED_BYTES + 1, alone=False) is second
    assert box._taker(0, alone=True) is second
    for worker in (first, second):
        worker.conn = None


def test_without_proc_a_batch_may_take_each_call_s_budget_before_it_counts_as_stalled(
        monkeypatch: pytest.MonkeyPatch) -> None:
    import time
    from types import SimpleNamespace

    monkeypatch.setattr(sandbox, "_cpu_seconds", lambda pid: None)  # no /proc
    worker = sandbox._Worker(Limits(seconds=1))
    worker.process = SimpleNamespace(pid=0)
    # Waited 40 s: one call's limit is 1 s x 4 + 30 s = 34 s, three calls' 3 x 4 + 30 = 42 s.
    worker._since = time.monotonic() - 40
    worker.batch = [sandbox._Slot(n, (n,)) for n in range(3)]
    assert not worker.stalled()
    worker.batch = worker.batch[:1]
    assert worker.stalled()


class _TooLargeToSend:
    """An answer that cannot be pickled for want of memory (as a huge one would)."""

    def __reduce__(self) -> tuple[object, ...]:
        raise MemoryError


def _unsendable_in_worker(n: int) -> object:
    return _TooLargeToSend() if n == 10 else n * n


@pytest.mark.skipif(not sandbox.available(), reason="the limited workers need fork")
def test_a_batch_whose_answers_cannot_be_sent_runs_again_call_by_call() -> None:
    # 16 jobs, one worker: batches of four; [9-12]'s answers cannot be pickled.
    with Sandbox(Limits(memory_bytes=512 * MB), workers=1) as box:
        outcomes = list(box.map(_unsendable_in_worker, range(1, 17), lambda n: (n,)))
    assert [job for job, _ in outcomes] == list(range(1, 17))
    assert {job: outcome for job, outcome in outcomes if not isinstance(outcome, IngestError)} \
        == {n: n * n for n in range(1, 17) if n != 10}
    assert {job: str(outcome) for job, outcome in outcomes if isinstance(outcome, IngestError)} \
        == {10: "reading it needed more than 512 MB of memory and was stopped (set "
                "KB_READ_MEMORY_MB to allow more)"}
