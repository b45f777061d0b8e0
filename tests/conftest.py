"""Fixtures shared by every test package: the bundled corpus, copied so tests can change it."""

from __future__ import annotations

import importlib.util
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"


def bench_module(name: str) -> ModuleType:
    """The module ``bench/<name>.py``, loaded under ``bench_<name>`` (bench/ is not a package,
    and putting it on sys.path would let its ``ingest.py`` shadow the ``ingest`` package)."""
    spec = importlib.util.spec_from_file_location(f"bench_{name}", ROOT / "bench" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


def process_alive(pid: int) -> bool:
    """Is the process running (a zombie waiting to be reaped counts as gone)? Linux /proc."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
        return stat.read().split(") ", 1)[1][0] != "Z"


def outlives_killed_parent(script: str, *args: str) -> bool:
    """Run ``script`` (a parent that starts a worker process, prints its PID and waits), kill
    the parent with SIGKILL, and tell whether the worker is still running 30 s later (a bound
    on the wait for the kernel and init, not a timing assertion)."""
    parent = subprocess.Popen([sys.executable, "-c", script, *args], cwd=ROOT, text=True,
                              stdout=subprocess.PIPE)
    assert parent.stdout is not None
    worker = int(parent.stdout.readline())
    assert process_alive(worker)
    os.kill(parent.pid, signal.SIGKILL)
    parent.wait()
    parent.stdout.close()
    deadline = time.monotonic() + 30
    while process_alive(worker) and time.monotonic() < deadline:
        time.sleep(0.05)
    return process_alive(worker)


def copy_corpus(target: Path) -> Path:
    """A private copy of corpus/ (seeds and registries) that a test may edit."""
    shutil.copytree(CORPUS, target, ignore=shutil.ignore_patterns(".*"))
    return target


@pytest.fixture
def corpus_dir(tmp_path: Path) -> Path:
    return copy_corpus(tmp_path / "corpus")
