"""Bad input: each bad file is reported with its source and a clear reason; the rest goes in."""

from __future__ import annotations

import io
import os
from dataclasses import replace
from pathlib import Path

import pytest
from pypdf import PdfWriter

from ingest import Limits, build_changes
from kb.model import Failure, ManifestEntry, Skipped
from kb.registry import Registry

from .conftest import SEED_000, SEED_002, SEED_003
from .pdfmaker import make_pdf

GOOD = "A page about the ninth session.\n\nThe ninth session looked at training data."


def _run(folder: Path, registry: Registry, **options: object) -> tuple[list[str], list[Failure]]:
    changes, report = build_changes([folder], {}, registry, **options)  # type: ignore[arg-type]
    return sorted(d.source for d in changes.upserts), report.failed


def _folder(tmp_path: Path) -> Path:
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "good.txt").write_text(GOOD, encoding="utf-8")
    return folder


@pytest.mark.parametrize(("name", "content", "reason"), [
    ("empty.txt", b"", "the file is empty"),
    ("blank.md", b"  \n\n \t\n", "the file is empty"),
    ("image.txt", bytes(range(256)) * 8, "binary data, not text (NUL bytes found)"),
    ("truncated.html", b"<html><head><title>T</title></head><body><h1>News</h1><p>The ses",
     "HTML is truncated: the file ends inside the page, before </body> or </html>; save the "
     "complete page again"),
    ("broken.vtt", b"WEBVTT\n\n00:00:01.000 --> 00:0x:03.000\nHello there\n",
     "line 3: broken cue timing '00:00:01.000 --> 00:0x:03.000'"),
    ("backwards.srt", b"1\n00:00:05,000 --> 00:00:01,000\nHello there\n",
     "line 2: cue ends before it starts ('00:00:05,000 --> 00:00:01,000')"),
    ("notvtt.vtt", b"00:00:01.000 --> 00:00:03.000\nHello\n",
     "not a WebVTT file: the first line must be WEBVTT"),
    ("bad.jsonl", b"{not json}\n[1, 2]\n",
     "not valid JSON Lines: line 1: not valid JSON (Expecting property name enclosed in "
     "double quotes)"),
    ("corrupt.pdf", b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ngarbage",
     "PDF is corrupt or unreadable"),
    ("fake.docx", b"PK\x03\x04 not really a zip", "not a valid Word .docx file"),
    ("data.xyz", b"hello", "unsupported file type"),
])
def test_each_bad_file_is_reported_and_the_rest_ingested(
        tmp_path: Path, registry: Registry, name: str, content: bytes, reason: str) -> None:
    folder = _folder(tmp_path)
    bad = folder / name
    bad.write_bytes(content)
    target = [folder] if not name.endswith(".xyz") else [folder, bad]
    changes, report = build_changes(target, {}, registry)
    assert [d.source for d in changes.upserts] == ["good.txt"]
    assert [f.source for f in report.failed] == [name]
    assert report.failed[0].reason.startswith(reason), report.failed[0].reason


def test_encrypted_pdf(tmp_path: Path, registry: Registry) -> None:
    folder = _folder(tmp_path)
    plain = make_pdf(tmp_path / "plain.pdf", [["Secret minutes of the meeting."]])
    writer = PdfWriter(clone_from=str(plain))
    writer.encrypt("secret", algorithm="RC4-128")
    buffer = io.BytesIO()
    writer.write(buffer)
    (folder / "locked.pdf").write_bytes(buffer.getvalue())
    assert _run(folder, registry) == (["good.txt"], [Failure(
        "locked.pdf", "PDF is encrypted (password-protected); save an unprotected copy")])


def test_a_file_over_the_size_limit_names_the_limit(tmp_path: Path, registry: Registry) -> None:
    folder = _folder(tmp_path)
    (folder / "huge.txt").write_text("word " * 300_000, encoding="utf-8")
    assert _run(folder, registry, limits=Limits(max_bytes=1_000_000)) == (["good.txt"], [Failure(
        "huge.txt", "file is 1.5 MB, over the size limit of 1 MB (set KB_MAX_FILE_MB to raise "
        "it)")])


def test_a_file_that_vanishes_mid_run(tmp_path: Path, registry: Registry) -> None:
    folder = _folder(tmp_path)
    (folder / "later.txt").write_text(GOOD, encoding="utf-8")
    (folder / "vanishing.txt").write_text(GOOD, encoding="utf-8")

    def vanish(done: int, total: int) -> None:
        if done == 1:
            (folder / "vanishing.txt").unlink()

    # One worker, a file per batch: the second file waits in the worker's pipe while the
    # first is read, and the third is sent once the first is done (with more workers, files
    # are read as workers come free, and vanishing.txt would already be in hand).
    changes, report = build_changes([folder], {}, registry, progress=vanish, workers=1)
    assert [d.source for d in changes.upserts] == ["good.txt", "later.txt"]
    assert report.failed == [
        Failure("vanishing.txt", "the file disappeared before it could be read")]


def test_an_unreadable_file(tmp_path: Path, registry: Registry,
                            monkeypatch: pytest.MonkeyPatch) -> None:
    """Whoever runs the tests, opening the one locked file fails as it would for a user.

    As root, chmod 000 does not stop reading, so the open call the pipeline makes is replaced
    by one that refuses that file (and only it) with the error the operating system gives.
    """
    folder = _folder(tmp_path)
    (folder / "later.txt").write_text(GOOD.replace("ninth", "tenth"), encoding="utf-8")
    locked = folder / "locked.txt"
    locked.write_text(GOOD, encoding="utf-8")
    locked.chmod(0)
    if os.access(locked, os.R_OK):
        real_open = os.open

        def refusing_open(path: object, *args: object, **kwargs: object) -> object:
            if Path(str(path)) == locked:
                raise PermissionError(13, "Permission denied", str(path))
            return real_open(path, *args, **kwargs)  # type: ignore[arg-type]

        monkeypatch.setattr(os, "open", refusing_open)
    try:
        assert _run(folder, registry) == (["good.txt", "later.txt"], [Failure(
            "locked.txt", "permission denied: the file cannot be read")])
    finally:
        locked.chmod(0o644)


def test_a_previously_ingested_file_that_now_fails_keeps_its_entry(seeds: Path,
                                                                   registry: Registry) -> None:
    first, _ = build_changes([seeds], {}, registry)
    manifest: dict[str, ManifestEntry] = {e.source: e for e in first.manifest}
    (seeds / SEED_003).write_bytes(b"\x00\x01\x02binary now" * 50)
    second, report = build_changes([seeds], manifest, registry)
    reason = "binary data, not text (NUL bytes found)"
    assert report.failed == [Failure(SEED_003, reason)]
    assert second.deletes == [] and second.manifest_deletes == [] and second.upserts == []
    # The failure is recorded beside the version ingested before, which stays searchable.
    [recorded] = second.manifest
    assert recorded == replace(manifest[SEED_003], failure=reason,
                               failed_hash=recorded.failed_hash)
    assert recorded.failed_hash.startswith(recorded.failed_hash[:32] + "/50000000/60/")
    assert recorded.failed_hash[:32] != recorded.content_hash
    assert report.unchanged == [SEED_000, "001_c3a6d4861f1c4946.txt", SEED_002]
    # Unchanged, it is reported again without being read, and nothing needs committing.
    manifest[SEED_003] = recorded
    third, report = build_changes([seeds], manifest, registry)
    assert report.failed == [Failure(SEED_003, reason)] and third.is_empty
    assert report.unchanged == [SEED_000, "001_c3a6d4861f1c4946.txt", SEED_002]
    # Fixed, it is picked up.
    (seeds / SEED_003).write_text(GOOD, encoding="utf-8")
    fourth, report = build_changes([seeds], manifest, registry)
    assert report.failed == [] and report.updated == [SEED_003]
    assert [(e.source, e.failure, e.failed_hash) for e in fourth.manifest] == [(SEED_003, "", "")]


def test_a_new_file_is_read_by_its_worker_and_a_known_one_here(
        tmp_path: Path, registry: Registry, monkeypatch: pytest.MonkeyPatch) -> None:
    from ingest import sandbox, staging

    if not sandbox.available():
        pytest.skip("the limited workers need fork")
    folder = _folder(tmp_path)
    (folder / "later.txt").write_text(GOOD.replace("ninth", "tenth"), encoding="utf-8")
    reads = tmp_path / "reads.txt"
    read_file = staging.read_file

    def logged(file, registry, max_bytes):  # type: ignore[no-untyped-def]
        with reads.open("a", encoding="utf-8") as log:  # the workers write here too
            log.write(f"{file.source} {os.getpid()}\n")
        return read_file(file, registry, max_bytes)

    monkeypatch.setattr(staging, "read_file", logged)
    first, _ = build_changes([folder], {}, registry)
    here = str(os.getpid())
    lines = sorted(line.split() for line in reads.read_text(encoding="utf-8").splitlines())
    assert [source for source, _ in lines] == ["good.txt", "later.txt"]
    assert all(pid != here for _, pid in lines)  # only their names crossed the pipe
    # Known to the manifest, a file is read (and hashed) here first: an unchanged one is
    # never sent to a worker.
    reads.unlink()
    (folder / "later.txt").write_text(GOOD, encoding="utf-8")
    _, report = build_changes([folder], {e.source: e for e in first.manifest}, registry)
    assert report.unchanged == ["good.txt"] and report.updated == ["later.txt"]
    lines = sorted(line.split() for line in reads.read_text(encoding="utf-8").splitlines())
    assert lines == [["good.txt", here], ["later.txt", here]]


def test_a_new_file_read_and_failed_in_its_worker_is_recorded_with_its_content_hash(
        tmp_path: Path, registry: Registry, monkeypatch: pytest.MonkeyPatch) -> None:
    import hashlib

    from ingest import staging

    folder = _folder(tmp_path)
    binary = b"\x00\x01\x02binary" * 50
    (folder / "bad.txt").write_bytes(binary)
    first, report = build_changes([folder], {}, registry)
    reason = "binary data, not text (NUL bytes found)"
    assert report.failed == [Failure("bad.txt", reason)]
    # A file the manifest does not know is read by the worker; the failure is recorded
    # with the hash of the content that failed, as for a file read here.
    digest = hashlib.sha256(binary + b"\0sidecar\0")
    digest.update(f"\0{registry.digest}\0{staging.PIPELINE_VERSION}".encode())
    limits = Limits()
    [recorded] = [e for e in first.manifest if e.source == "bad.txt"]
    assert recorded.failed_hash == (f"{digest.hexdigest()[:32]}/{limits.max_bytes}/"
                                    f"{limits.seconds:g}/{limits.memory_bytes}/"
                                    f"{limits.unpacked_bytes}")
    # Unchanged, it is reported again without being parsed.

    def refuse(*args: object) -> None:
        raise AssertionError("an unchanged file was parsed")

    monkeypatch.setattr(staging, "parse_file", refuse)
    again, report = build_changes([folder], {e.source: e for e in first.manifest}, registry)
    assert report.failed == [Failure("bad.txt", reason)] and again.is_empty
    assert report.unchanged == ["good.txt"]


def test_a_page_that_is_all_boilerplate_is_skipped_not_failed(tmp_path: Path,
                                                               registry: Registry) -> None:
    folder = _folder(tmp_path)
    (folder / "furniture.txt").write_text("Watch the event\n\n(Photo: WIPO)\n", encoding="utf-8")
    changes, report = build_changes([folder], {}, registry)
    assert (sorted(report.added), report.failed) == (["good.txt"], [])
    assert report.skipped == [Skipped(
        "furniture.txt", "only site boilerplate (menus, links, footers): the page's content is "
        "not in the file (it never loaded, or was not saved)")]
    assert report.ok and report.summary().startswith("1 added, 0 updated, 0 removed, "
                                                     "0 unchanged, 0 duplicates, 0 failed, "
                                                     "1 skipped;")
