"""The reading worker never outlives the ingest that started it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ingest import sandbox

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


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
        return stat.read().split(") ", 1)[1][0] != "Z"


@pytest.mark.skipif(not sandbox.available() or not Path("/proc/self/stat").exists(),
                    reason="the limited worker needs fork and resource, and this check /proc")
def test_a_worker_dies_with_its_killed_parent() -> None:
    parent = subprocess.Popen([sys.executable, "-c", PARENT], cwd=ROOT, text=True,
                              stdout=subprocess.PIPE)
    assert parent.stdout is not None
    worker = int(parent.stdout.readline())
    assert _alive(worker)
    os.kill(parent.pid, signal.SIGKILL)
    parent.wait()
    parent.stdout.close()
    deadline = time.monotonic() + 30  # a bound on the wait, not a timing assertion
    while _alive(worker) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _alive(worker), "the worker outlived its killed parent"
