"""Where the cores go during one call, phase by phase: CPU and run-queue time of this process
and of every process it starts, read from Linux's ``/proc/<pid>/schedstat``.

A phase is named by wrapping the functions that run it (:meth:`PhaseMeter.wrap`); a sampler
thread reads each process's counters every few milliseconds and charges what they moved to the
innermost phase running at the time. Two figures per phase tell idle cores from busy ones
whatever else the machine runs: ``busy``, CPU seconds per wall second (at most the number of
cores), and ``wanted``, CPU plus run-queue seconds per wall second, the average number of the
call's processes that were running or ready to run. ``wanted`` below the number of cores means
a core had none of the call's work for part of the phase (the call waited on itself: one
process working while the others waited for it); above it, the work was there and the
machine's other load or the call's own processes competed for the cores.
"""

from __future__ import annotations

import contextlib
import multiprocessing.process
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

#: How often the counters are read (seconds).
_INTERVAL = 0.02


def available() -> bool:
    return Path(f"/proc/self/task/{threading.get_native_id()}/schedstat").exists()


@dataclass
class Phase:
    """One phase's totals: wall seconds, and CPU and run-queue seconds by process role."""

    wall: float = 0.0
    cpu: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    queued: dict[str, float] = field(default_factory=lambda: defaultdict(float))


class PhaseMeter:
    """Charges this process's and its children's CPU time to named phases while active."""

    def __init__(self) -> None:
        self.phases: dict[str, Phase] = defaultdict(Phase)
        self._stack = ["other"]
        self._children: dict[int, str] = {}
        self._main = threading.get_native_id()
        self._stop = threading.Event()

    def wrap(self, name: str, func: Callable[..., Any]) -> Callable[..., Any]:
        """``func``, its time charged to phase ``name`` (nested calls charge the inner one)."""
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            self._stack.append(name)
            try:
                return func(*args, **kwargs)
            finally:
                self._stack.pop()
        return wrapped

    @contextlib.contextmanager
    def active(self) -> Iterator[None]:
        """Sample while the block runs; every process started meanwhile is followed."""
        start = multiprocessing.process.BaseProcess.start
        children = self._children

        def started(process: multiprocessing.process.BaseProcess) -> None:
            start(process)
            if process.pid is not None:
                children[process.pid] = process.name or "child"

        multiprocessing.process.BaseProcess.start = started  # type: ignore[method-assign]
        sampler = threading.Thread(target=self._sample, name="phase-meter", daemon=True)
        sampler.start()
        try:
            yield
        finally:
            self._stop.set()
            sampler.join()
            multiprocessing.process.BaseProcess.start = start  # type: ignore[method-assign]

    def _sample(self) -> None:
        last: dict[int, tuple[int, int]] = {}
        before = time.perf_counter()
        while not self._stop.wait(_INTERVAL):
            now = time.perf_counter()
            phase = self.phases[self._stack[-1]]
            phase.wall += now - before
            before = now
            paths = {0: (f"/proc/self/task/{self._main}/schedstat", "this process")}
            for pid, role in list(self._children.items()):
                paths[pid] = (f"/proc/{pid}/schedstat", role)
            for key, (path, role) in paths.items():
                counters = _read(path)
                if counters is None:
                    continue
                if key in last:
                    phase.cpu[role] += (counters[0] - last[key][0]) / 1e9
                    phase.queued[role] += (counters[1] - last[key][1]) / 1e9
                last[key] = counters

    def report(self, order: list[str], cores: int) -> list[str]:
        """One line per phase that ran, in ``order`` (others after), and the total."""
        names = [n for n in order if n in self.phases] + \
            [n for n in self.phases if n not in order and self.phases[n].wall >= _INTERVAL]
        lines = []
        total = Phase()
        for name in names:
            phase = self.phases[name]
            total.wall += phase.wall
            for role, seconds in phase.cpu.items():
                total.cpu[role] += seconds
                total.queued[role] += phase.queued[role]
            lines.append(_line(name, phase))
        lines.append(_line("all", total))
        lines.append(f"(busy: CPU s per wall s, at most {cores}; wanted: processes running or "
                     f"ready to run, on average; below {cores} a core had none of the work)")
        return lines


def _line(name: str, phase: Phase) -> str:
    cpu = sum(phase.cpu.values())
    wanted = cpu + sum(phase.queued.values())
    roles = ", ".join(f"{role} {seconds:.2f}" for role, seconds in sorted(phase.cpu.items())
                      if seconds >= 0.005)
    wall = max(phase.wall, 1e-9)
    return (f"{name}: {phase.wall:.2f} s wall, CPU s {roles or '0'}; busy {cpu / wall:.2f}, "
            f"wanted {wanted / wall:.2f}")


def _read(path: str) -> tuple[int, int] | None:
    """(ns on a CPU, ns waiting on a run queue) of one task, or None once it has gone."""
    try:
        with open(path, encoding="ascii") as handle:
            running, waiting, _ = handle.read().split()
    except (OSError, ValueError):
        return None
    return int(running), int(waiting)
