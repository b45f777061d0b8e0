"""Killing `kb ingest` at any point, by PID or with its whole process group: the index reads
back as its last commit, nothing holds the lock, and the next ingest converges.

The corpus is generated (deterministic JSON Lines) so that an ingest spends long enough parsing,
writing and committing to be stopped in each; the point of each kill is observed, not timed.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from whoosh.filedb.filestore import FileStorage

from index import open_index, read_manifest
from index.lock import LOCK_NAME, read_owner
from kb.cli import cli
from kb.model import SearchRequest
from tests.conftest import CORPUS

FILES, DOCS_PER_FILE, PARAGRAPHS = 10, 10, 8
#: Files ingested before the interrupted run; it adds the rest.
BEFORE = 5
INTERRUPTED = ("Error: {verb}: the index keeps its last complete ingest; run `kb ingest` "
               "again to finish\n")


def _write_corpus(folder: Path, files: range) -> None:
    rng = random.Random(5)
    vocabulary = ["".join(rng.choice("bcdfghklmnprstvz") + rng.choice("aeiou")
                          for _ in range(rng.randint(2, 4))) for _ in range(4000)]
    for number in range(FILES):
        records = []
        for d in range(DOCS_PER_FILE):
            text = "\n\n".join(" ".join(rng.choice(vocabulary) for _ in range(60)) + "."
                               for _ in range(PARAGRAPHS))
            records.append(json.dumps({"id": f"f{number}d{d}", "title": f"Record {number}-{d}",
                                       "text": text, "date": "2024-03-13"}))
        if number in files:
            (folder / f"part{number:03d}.jsonl").write_text("\n".join(records) + "\n")


def _interruptible() -> None:
    """Ctrl-C's default for the child, as a terminal's foreground job has it.

    A shell starts a background job with SIGINT ignored, and a process inherits that through
    exec (Python then installs no KeyboardInterrupt handler): a suite run in the background
    would see every `kb ingest` it starts ignore the SIGINT this test sends."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _kb(corpus: Path, index_dir: Path, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "kb", "--corpus", str(corpus), "--index",
                             str(index_dir), *args], text=True, start_new_session=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            preexec_fn=_interruptible)


def _ingest_here(corpus: Path, index_dir: Path) -> Result:
    """`kb ingest --json` in this process (the recovery needs no separate process)."""
    return CliRunner().invoke(cli, ["--corpus", str(corpus), "--index", str(index_dir),
                                    "ingest", "--json"])


def _documents(index_dir: Path) -> dict[str, tuple[str, ...]]:
    """doc_id -> its passage ids, for every document of the manifest, each read back."""
    manifest = read_manifest(index_dir)
    found = {}
    with open_index(index_dir) as ix:
        assert ix.search(SearchRequest()).total == ix.stats()["documents"] == len(manifest)
        for entry in manifest.values():
            document = ix.document(entry.doc_id)
            assert document is not None and document.passages
            found[entry.doc_id] = tuple(p.passage_id for p in document.passages)
    return found


@pytest.fixture(scope="module")
def half_ingested(tmp_path_factory: pytest.TempPathFactory
                  ) -> tuple[Path, Path, dict[str, tuple[str, ...]]]:
    """A corpus whose first files are in the index; the others are new."""
    base = tmp_path_factory.mktemp("kills")
    corpus, index_dir = base / "corpus", base / "index"
    corpus.mkdir()
    for registry in ("sessions.toml", "topics.toml"):
        shutil.copy(CORPUS / registry, corpus / registry)
    _write_corpus(corpus, range(BEFORE))
    first = _kb(corpus, index_dir, "ingest")
    assert first.communicate(timeout=300)[1].count("FAILED") == 0 and first.returncode == 0
    _write_corpus(corpus, range(BEFORE, FILES))
    return corpus, index_dir, _documents(index_dir)


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _new_segment_written(index_dir: Path) -> bool:
    """The commit has begun: a segment not yet published has its postings on disk."""
    tocs = sorted(index_dir.glob("_MAIN_*.toc"))
    published = tocs[-1].read_bytes() if tocs else b""
    return any(p.stat().st_size and p.stem.encode() not in published
               for p in index_dir.glob("MAIN_*.pst"))


def _parsing(pid: int, index_dir: Path) -> bool:
    return _cpu_seconds(pid) > 1.5 or read_owner(index_dir) is not None


def _writing(pid: int, index_dir: Path) -> bool:
    owner = read_owner(index_dir)
    return owner is not None and owner.pid == pid


def _committing(pid: int, index_dir: Path) -> bool:
    return _writing(pid, index_dir) and _new_segment_written(index_dir)


POINTS: dict[str, Callable[[int, Path], bool]] = {
    "parsing": _parsing, "writing": _writing, "committing": _committing}


def _group_alive(group: int) -> bool:
    try:
        os.killpg(group, 0)
    except ProcessLookupError:
        return False
    return True


def _wait_for(proc: subprocess.Popen[str], point: str, index_dir: Path) -> None:
    deadline = time.monotonic() + 120
    while not POINTS[point](proc.pid, index_dir):
        assert proc.poll() is None, f"ingest ended before {point}: {proc.communicate()}"
        assert time.monotonic() < deadline, f"ingest never reached {point}"
        time.sleep(0.005)


@pytest.mark.parametrize(("point", "sig", "group"), [
    ("parsing", signal.SIGKILL, False),
    ("writing", signal.SIGKILL, False),
    ("writing", signal.SIGKILL, True),
    ("committing", signal.SIGKILL, False),
    ("committing", signal.SIGKILL, True),
    ("writing", signal.SIGTERM, False),
    ("writing", signal.SIGINT, True),
])
def test_a_killed_ingest_leaves_a_readable_index_and_the_next_ingest_converges(
    half_ingested: tuple[Path, Path, dict[str, tuple[str, ...]]], tmp_path: Path, point: str,
    sig: signal.Signals, group: bool
) -> None:
    corpus, prepared, before = half_ingested
    index_dir = tmp_path / "index"
    shutil.copytree(prepared, index_dir)
    proc = _kb(corpus, index_dir, "ingest")
    _wait_for(proc, point, index_dir)
    if group:
        os.killpg(proc.pid, sig)
    else:
        os.kill(proc.pid, sig)
    out, err = proc.communicate(timeout=60)
    # Nothing of the killed ingest is left running: its reading worker dies with it (the kernel
    # delivers that death and init reaps it a moment later, so wait, within a bound, for both).
    deadline = time.monotonic() + 20
    while _group_alive(proc.pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    with pytest.raises(ProcessLookupError):
        os.killpg(proc.pid, 0)
    if sig == signal.SIGKILL:
        assert proc.returncode == -signal.SIGKILL
    else:
        verb = "interrupted" if sig == signal.SIGINT else "terminated"
        assert (proc.returncode, err) == (128 + sig, INTERRUPTED.format(verb=verb))

    # The index reads back as one of its commits: the one before, or (killed after the
    # commit) the complete one.
    readable = _documents(index_dir)
    assert readable == before or (len(readable) == FILES * DOCS_PER_FILE
                                  and readable.items() >= before.items())

    again = _ingest_here(corpus, index_dir)
    assert again.exit_code == 0, again.output  # not 4: no stuck lock
    after = _documents(index_dir)
    assert len(after) == FILES * DOCS_PER_FILE and after.items() >= before.items()
    report = json.loads(_ingest_here(corpus, index_dir).output)
    assert (report["added"], report["updated"], report["removed"]) == ([], [], [])
    assert read_owner(index_dir) is None and (index_dir / LOCK_NAME).exists()


def test_a_sigterm_while_the_writer_opens_the_index_is_still_a_clean_stop(
    half_ingested: tuple[Path, Path, dict[str, tuple[str, ...]]], tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch
) -> None:
    """The SIGTERM lands inside code that turns any Exception into an error of its own (opening
    the index: IndexCorrupt, exit 1, "rebuild it"); it must still be a termination (143)."""
    corpus, prepared, before = half_ingested
    index_dir = tmp_path / "index"
    shutil.copytree(prepared, index_dir)
    opened = FileStorage.open_index

    def open_then_terminated(self: FileStorage, *args: object, **kwargs: object) -> object:
        ix = opened(self, *args, **kwargs)
        if read_owner(index_dir) is not None:  # the writer's own open, under the lock
            os.kill(os.getpid(), signal.SIGTERM)
        return ix

    monkeypatch.setattr(FileStorage, "open_index", open_then_terminated)
    result = _ingest_here(corpus, index_dir)
    assert (result.exit_code, result.output) == (143, INTERRUPTED.format(verb="terminated"))
    monkeypatch.undo()
    assert _documents(index_dir) == before
    assert read_owner(index_dir) is None
