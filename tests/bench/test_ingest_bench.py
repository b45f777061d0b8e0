"""bench/ingest.py's comparison with an earlier commit: fresh processes, in alternating pairs."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_ingest_bench_compares_this_code_with_a_commit_in_alternating_pairs() -> None:
    """``--before COMMIT --pairs N``: N pairs, each code's passages per second and CPU per
    pair, the two codes' medians, and in how many pairs this code was faster (HEAD here, so
    the test needs no history)."""
    head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True,
                          text=True, check=True, cwd=ROOT).stdout.strip()
    done = subprocess.run([sys.executable, str(ROOT / "bench" / "ingest.py"), "--documents",
                           "30", "--before", "HEAD", "--pairs", "2"],
                          capture_output=True, text=True, check=False, cwd=ROOT, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    out = done.stdout
    assert re.search(rf"^this code against {head}, 2 pairs of fresh processes on the parallel "
                     r"path, the second of two ingests timed in each \(load before: ", out,
                     re.MULTILINE), out
    run = r"[\d,]+ passages/s, \d+\.\d\d CPU s per 1,000"
    # The order alternates: this code first in the first pair, the commit first in the second.
    assert re.search(rf"^  pair 1 \(load [\d.]+\): this code {run}; {head} {run}$", out,
                     re.MULTILINE), out
    assert re.search(rf"^  pair 2 \(load [\d.]+\): {head} {run}; this code {run}$", out,
                     re.MULTILINE), out
    for name in ("this code", head):
        assert re.search(rf"^  {name}: median [\d,]+ passages/s \(range [\d,]+-[\d,]+\), "
                         r"median \d+\.\d\d CPU s per 1,000 passages$", out, re.MULTILINE), out
    assert re.search(rf"^  this code / {head}: \d+\.\d\d x the median passages/s, \d+\.\d\d x "
                     r"the median CPU; faster in [012] of 2 pairs, cheaper in [012]$", out,
                     re.MULTILINE), out
