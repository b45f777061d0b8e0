"""The adversarial audit's bad-file batch, kept: one corpus of hostile files through `kb ingest`.

Every good file is ingested and searchable, every bad one is reported with its reason, the
exit status is 1, the index reads back, and ingesting again converges: the same failures, no
flip-flops, nothing to commit, and `kb serve` does not find the index stale.
"""

from __future__ import annotations

import io
import json
import os
import re
import socket
from collections.abc import Iterator
from pathlib import Path

import docx
import pytest
from click.testing import CliRunner, Result

from kb.cli import Context, cli, index_is_stale
from tests.conftest import copy_corpus

LINK_HINT = "use `kb ingest --follow-links` to ingest it anyway"
LIMITS = {"KB_MAX_FILE_MB": "2", "KB_MAX_UNPACKED_MB": "2"}
SEEDS = ["000_359018dcccf6213c.txt", "002_107c567630f7e293.txt", "003_c1b8a34cd238fc18.txt"]
PROSE = ("The panel discussed how creators could be paid when their works are used to train "
         "models, and which licensing schemes would make that practical for small publishers.")


def _text(word: str) -> str:
    """Prose of its own around ``word``, so no two good files are near-duplicates."""
    return " ".join(f"The {word} panel raised point {i} about {word} licensing number {i}."
                    for i in range(12))


def kb(corpus: Path, index_dir: Path, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--corpus", str(corpus), "--index", str(index_dir), *args],
                              env=LIMITS, catch_exceptions=False)


def _zip_bomb() -> bytes:
    """A valid .docx of about 20 KB whose parts unpack to 4 MB (over the 2 MB test limit)."""
    document = docx.Document()
    document.add_paragraph("Minutes of the session.")
    document.add_paragraph("A" * 3_000_000)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _nested(depth: int, word: str) -> str:
    opening = "".join(f"<div><p>Paragraph {i} of a page nested very deep.</p>"
                      for i in range(depth))
    return (f"<html><body>{opening}<p>The deepest paragraph names the {word}.</p>"
            f"{'</div>' * depth}</body></html>")


def _listing(word: str) -> str:
    """A page of 60,000 tiny elements: more than trafilatura is given."""
    items = "".join(f"<span>item{i}</span> " for i in range(60_000))
    return f"<html><body><p>This catalogue lists the {word} among many items.</p>{items}" \
        "</body></html>"


#: The good files added to the seeds, with a word only each of them contains.
GOOD = {
    "deep.html": "axolotl",
    "hugeline.txt": "quokkaline",
    "latin1.txt": "rémunération",
    "listing.html": "pangolin",
    "mixed.jsonl#r1": "narwhal",
    "report.jsonl#2024.txt": "okapi",
    "locked/day1.txt": "wombat",
}


def _write_bad_batch(corpus: Path, outside: Path) -> dict[str, str]:
    """Write the hostile files; returns source -> the reason each must be reported with."""
    (corpus / "pipe.txt").parent.mkdir(exist_ok=True)
    os.mkfifo(corpus / "pipe.txt")
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(corpus / "sock.md"))
    sock.close()
    (corpus / "passwd.txt").symlink_to("/etc/passwd")
    (corpus / "zero.txt").symlink_to("/dev/zero")
    (corpus / "gone.txt").symlink_to(corpus / "nowhere.txt")
    (corpus / "elsewhere").symlink_to(outside)
    (corpus / "bomb.docx").write_bytes(_zip_bomb())
    (corpus / "page.docx").write_text("<html><body><p>Not Word.</p></body></html>")
    (corpus / "junk.pdf").write_bytes(os.urandom(4096).replace(b"%PDF", b"xxxx"))
    (corpus / "empty.txt").write_bytes(b"")
    (corpus / "blank.md").write_text(" \n\n\t\n")
    (corpus / "binary.txt").write_bytes(bytes(range(256)) * 16)
    (corpus / "huge.txt").write_text(f"{PROSE}\n\n" * 13_000)
    (corpus / "truncated.html").write_text("<html><body><h1>News</h1><p>The session ope")
    (corpus / "broken.vtt").write_text("WEBVTT\n\n00:00:01.000 --> 00:0x:03.000\nHello\n")
    (corpus / "bad.jsonl").write_text("{not json}\n[1, 2]\n")
    (corpus / "furniture.txt").write_text("Watch the event\n\n(Photo: WIPO)\n")
    (corpus / "sidecar.txt").write_text(f"{PROSE} It has a broken sidecar.")
    (corpus / "sidecar.txt.meta.json").write_text('{"title": ')
    (corpus / "deep.html").write_text(_nested(3000, GOOD["deep.html"]))
    (corpus / "hugeline.txt").write_text(" ".join([PROSE] * 400) + " " + _text(
        GOOD["hugeline.txt"]))
    (corpus / "latin1.txt").write_bytes(
        f"{_text('latin')}\n\nLa {GOOD['latin1.txt']} des créateurs a été débattue à Genève par le "
        "panel, qui a évoqué les licences collectives.\n".encode("cp1252"))
    (corpus / "listing.html").write_text(_listing(GOOD["listing.html"]))
    (corpus / "mixed.jsonl").write_text(
        json.dumps({"id": "r1", "text": _text(GOOD["mixed.jsonl#r1"])})
        + "\n{broken\n")
    (corpus / "report.jsonl#2024.txt").write_text(
        _text(GOOD["report.jsonl#2024.txt"]))
    return {
        "bad.jsonl": "not valid JSON Lines: line 1: not valid JSON (Expecting property name "
                     "enclosed in double quotes)",
        "binary.txt": "binary data, not text (NUL bytes found)",
        "blank.md": "the file is empty",
        "bomb.docx": "Word .docx file unpacks to 4 MB, over the limit of 2 MB (set "
                     "KB_MAX_UNPACKED_MB to raise it)",
        "broken.vtt": "line 3: broken cue timing '00:00:01.000 --> 00:0x:03.000'",
        "elsewhere/": f"a link to the folder {outside}, outside the ingested folders: not "
                      f"followed ({LINK_HINT})",
        "empty.txt": "the file is empty",
        "gone.txt": "a broken link (its target does not exist or loops): skipped",
        "huge.txt": "file is 2.2 MB, over the size limit of 2 MB (set KB_MAX_FILE_MB to raise "
                    "it)",
        "junk.pdf": "PDF is corrupt or unreadable",
        "locked/": "permission denied: the folder cannot be read; 1 document ingested from it "
                   "before is kept",
        "mixed.jsonl#line-2": "line 2: not valid JSON (Expecting property name enclosed in "
                              "double quotes)",
        "page.docx": "not a valid Word .docx file: File is not a zip file",
        "passwd.txt": f"a link to /etc/passwd, outside the ingested folders: refused "
                      f"({LINK_HINT})",
        "pipe.txt": "a named pipe (FIFO), not a regular file: skipped without opening it",
        "sidecar.txt": "sidecar sidecar.txt.meta.json is not valid",
        "sock.md": "a socket, not a regular file: skipped without opening it",
        "truncated.html": "HTML is truncated: the file ends inside the page, before </body> or "
                          "</html>; save the complete page again",
        "zero.txt": f"a link to /dev/zero, outside the ingested folders: refused ({LINK_HINT})",
    }


@pytest.fixture
def locked_listing(monkeypatch: pytest.MonkeyPatch) -> Iterator[set[Path]]:
    """Folders in the returned set cannot be listed, as chmod 000 would do for a user (the
    tests may run as root, whom chmod does not stop)."""
    locked: set[Path] = set()
    real = os.scandir

    def scandir(path: object = ".") -> object:
        if Path(str(path)) in locked:
            raise PermissionError(13, "Permission denied", str(path))
        return real(path)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "scandir", scandir)
    yield locked


def _lines(output: str, label: str) -> list[str]:
    return [line.split(": ", 1)[1] for line in output.splitlines()
            if line.startswith(f"  {label}: ")]


def _failures(output: str) -> dict[str, str]:
    found = {}
    for line in _lines(output, "FAILED"):
        source, reason = re.split(r": (?=[a-zA-Z])", line, maxsplit=1)
        found[source] = reason
    return found


SKIPPED = ("only site boilerplate (menus, links, footers): the page's content is not in the "
           "file (it never loaded, or was not saved)")


def test_the_bad_file_batch(tmp_path: Path, locked_listing: set[Path]) -> None:
    corpus = copy_corpus(tmp_path / "corpus")
    index_dir = tmp_path / "index"
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text(_text("secret") + " Private notes.")
    (corpus / "locked").mkdir()
    (corpus / "locked" / "day1.txt").write_text(_text(GOOD["locked/day1.txt"]))
    first = kb(corpus, index_dir, "ingest")
    assert first.exit_code == 0, first.output

    expected = _write_bad_batch(corpus, outside)
    locked_listing.add(corpus / "locked")
    result = kb(corpus, index_dir, "ingest")
    assert result.exit_code == 1, result.output
    failures = _failures(result.output)
    assert sorted(failures) == sorted(expected)
    for source, reason in expected.items():
        assert failures[source].startswith(reason), (source, failures[source])
    assert sorted(_lines(result.output, "added")) == sorted(
        s for s in GOOD if s != "locked/day1.txt")
    assert _lines(result.output, "updated") == [] and _lines(result.output, "removed") == []
    # A saved page that is only site furniture has nothing to index: skipped, not failed.
    assert _lines(result.output, "skipped") == [f"furniture.txt: {SKIPPED}"]

    stats = kb(corpus, index_dir, "stats", "--json")
    assert stats.exit_code == 0, stats.output
    assert json.loads(stats.output)["documents"] == len(SEEDS) + len(GOOD)
    for source, word in GOOD.items():
        found = kb(corpus, index_dir, "search", "--json", word)
        assert found.exit_code == 0, found.output
        assert [h["source"] for h in json.loads(found.output)["hits"]] == [source], word
    for secret in ("root:x:0", "Private notes"):
        found = json.loads(kb(corpus, index_dir, "search", "--json", f'"{secret}"').output)
        assert found["total"] == 0, secret

    # Again, twice: the same failures, nothing flips, nothing to commit, not stale for serve.
    context = Context(corpus=corpus, index_dir=index_dir)
    assert not index_is_stale(context)
    for _ in range(2):
        again = kb(corpus, index_dir, "ingest")
        assert again.exit_code == 1, again.output
        assert _failures(again.output) == failures
        assert [line for line in again.output.splitlines()
                if not line.startswith("  FAILED: ")] == [
            f"  skipped: furniture.txt: {SKIPPED}",
            f"Ingest: 0 added, 0 updated, 0 removed, 10 unchanged, 0 duplicates, "
            f"{len(expected)} failed, 1 skipped; passages: 0 added, 0 removed"]
        assert not index_is_stale(context)

