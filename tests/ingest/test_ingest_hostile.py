"""Hostile corpora: files that must not be opened, links out, unreadable folders, readers that
run away, containers that unpack to far more than they weigh, pages nested too deep."""

from __future__ import annotations

import io
import os
import time
from dataclasses import replace
from pathlib import Path

import docx
import pytest

from ingest import Limits, build_changes, sandbox
from ingest.readers import READERS, RawDocument, Reader
from ingest.readers.base import Block
from kb.model import Failure, ManifestEntry
from kb.registry import Registry

from .conftest import applied as _manifest
from .conftest import extracted

GOOD = "A page about the ninth session.\n\nThe ninth session looked at training data."
LINK_HINT = "use `kb ingest --follow-links` to ingest it anyway"


def _corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "good.txt").write_text(GOOD, encoding="utf-8")
    return folder


def test_pipes_are_refused_without_being_opened(tmp_path: Path, registry: Registry) -> None:
    folder = _corpus(tmp_path)
    os.mkfifo(folder / "pipe.txt")  # opening it would block until a writer comes
    changes, report = build_changes([folder], {}, registry)
    assert [d.source for d in changes.upserts] == ["good.txt"]
    assert report.failed == [Failure(
        "pipe.txt", "a named pipe (FIFO), not a regular file: skipped without opening it")]


def test_links_leaving_the_corpus_are_refused_unless_allowed(tmp_path: Path,
                                                             registry: Registry) -> None:
    folder = _corpus(tmp_path)
    outside = tmp_path / "private"
    outside.mkdir()
    (outside / "secret.txt").write_text("The secret minutes of the board about pay.",
                                        encoding="utf-8")
    (folder / "secret.txt").symlink_to(outside / "secret.txt")
    (folder / "zero.txt").symlink_to("/dev/zero")
    (folder / "notes").symlink_to(outside)
    (folder / "again.txt").symlink_to(folder / "good.txt")  # inside the corpus: fine

    changes, report = build_changes([folder], {}, registry)
    # The link inside is read like its target (too short to be told a copy of it).
    assert [d.source for d in changes.upserts] == ["again.txt", "good.txt"]
    assert report.failed == [
        Failure("notes/", f"a link to the folder {outside}, outside the ingested folders: not "
                          f"followed ({LINK_HINT})"),
        Failure("secret.txt", f"a link to {outside / 'secret.txt'}, outside the ingested "
                              f"folders: refused ({LINK_HINT})"),
        Failure("zero.txt", f"a link to /dev/zero, outside the ingested folders: refused "
                            f"({LINK_HINT})"),
    ]

    changes, report = build_changes([folder], {}, registry, follow_links=True)
    assert [d.source for d in changes.upserts] == ["again.txt", "good.txt", "notes/secret.txt",
                                                   "secret.txt"]
    assert report.failed == [Failure(
        "zero.txt", "a character device, not a regular file: skipped without opening it")]


def test_an_unreadable_folder_is_reported_and_its_documents_kept(
        tmp_path: Path, registry: Registry, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = _corpus(tmp_path)
    (folder / "minutes").mkdir()
    (folder / "minutes" / "day1.txt").write_text(GOOD.replace("ninth", "tenth"),
                                                 encoding="utf-8")
    first, _ = build_changes([folder], {}, registry)
    manifest = _manifest(first)
    assert sorted(manifest) == ["good.txt", "minutes/day1.txt"]

    # As root, chmod 000 does not stop listing, so listing that folder is refused the way the
    # operating system refuses it to a user.
    real_scandir = os.scandir

    def refusing(path: object = ".") -> object:
        if Path(str(path)) == folder / "minutes":
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "scandir", refusing)
    second, report = build_changes([folder], manifest, registry)
    assert report.failed == [Failure(
        "minutes/", "permission denied: the folder cannot be read; 1 document ingested from "
                    "it before is kept")]
    assert second.deletes == [] and second.upserts == [] and report.removed == []
    assert report.unchanged == ["good.txt"]
    # The failure is recorded, so this run commits and a server does not re-ingest each start.
    assert [(e.source, e.doc_id, e.failure) for e in second.manifest] == [
        ("minutes/", "", "permission denied: the folder cannot be read")]
    third, report = build_changes([folder], _manifest(second, manifest), registry)
    assert third.is_empty and [f.source for f in report.failed] == ["minutes/"]

    monkeypatch.setattr(os, "scandir", real_scandir)
    fourth, report = build_changes([folder], _manifest(second, manifest), registry)
    assert report.failed == [] and fourth.manifest_deletes == ["minutes/"]
    assert report.unchanged == ["good.txt", "minutes/day1.txt"]


def _docx(paragraphs: list[str], padding: int = 0) -> bytes:
    """A Word file; ``padding`` characters of one repeated letter go into one more paragraph,
    which deflate packs into almost nothing (a zip bomb in small)."""
    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    if padding:
        document.add_paragraph("A" * padding)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def test_a_docx_that_unpacks_beyond_the_limit_is_refused_before_inflating(
        tmp_path: Path, registry: Registry) -> None:
    folder = _corpus(tmp_path)
    (folder / "bomb.docx").write_bytes(_docx(["Minutes of the ninth session."], 3_000_000))
    assert (folder / "bomb.docx").stat().st_size < 60_000
    changes, report = build_changes([folder], {}, registry,
                                    limits=Limits(unpacked_bytes=2_000_000))
    assert [d.source for d in changes.upserts] == ["good.txt"]
    assert report.failed == [Failure(
        "bomb.docx", "Word .docx file unpacks to 4 MB, over the limit of 2 MB (set "
                     "KB_MAX_UNPACKED_MB to raise it)")]
    # Recorded, the failure is not read again under the same limits; raising the limit does.
    manifest = _manifest(changes)
    same, report = build_changes([folder], manifest, registry,
                                 limits=Limits(unpacked_bytes=2_000_000))
    assert same.is_empty and [f.source for f in report.failed] == ["bomb.docx"]
    raised, report = build_changes([folder], manifest, registry,
                                   limits=Limits(unpacked_bytes=10_000_000))
    assert report.failed == [] and report.added == ["bomb.docx"]


def test_docx_headings_come_from_the_styles_read_once(tmp_path: Path,
                                                      registry: Registry) -> None:
    document = docx.Document()
    document.add_heading("Training data", level=1)
    document.add_paragraph("Creators asked to be paid when their works train models.")
    document.add_heading("Remuneration", level=2)
    document.add_paragraph("Collective licensing was discussed at length by the panel.")
    document.save(tmp_path / "notes.docx")
    result = extracted([tmp_path / "notes.docx"], registry)["notes.docx"]
    assert not isinstance(result, Failure)
    assert [(p.heading, p.text) for p in result.passages] == [
        ("Training data", "Creators asked to be paid when their works train models."),
        ("Remuneration", "Collective licensing was discussed at length by the panel.")]


def _spin(data: bytes, name: str) -> list[RawDocument]:
    while True:
        pass


def _hoard(data: bytes, name: str) -> list[RawDocument]:
    hoard = [bytearray(50_000_000) for _ in range(100)]
    return [RawDocument(blocks=[Block(str(len(hoard)))])]


def _crash(data: bytes, name: str) -> list[RawDocument]:
    os.abort()


@pytest.mark.parametrize(("reader", "limits", "reason"), [
    (_spin, Limits(seconds=1), "reading it took more than 1 s of CPU time and was stopped "
                               "(set KB_READ_SECONDS to allow more)"),
    (_hoard, Limits(memory_bytes=200_000_000), "reading it needed more than 200 MB of memory "
                                               "and was stopped (set KB_READ_MEMORY_MB to "
                                               "allow more)"),
    (_crash, Limits(), "the reader crashed (exit code -6); the file was skipped"),
])
def test_any_reader_runs_under_the_limits_and_the_batch_goes_on(
        tmp_path: Path, registry: Registry, monkeypatch: pytest.MonkeyPatch,
        reader: object, limits: Limits, reason: str) -> None:
    """A reader registered like any other (a new format) gets the limits without asking."""
    monkeypatch.setitem(READERS, ".odd", Reader("odd", (".odd",), reader))  # type: ignore[arg-type]
    folder = _corpus(tmp_path)
    (folder / "a.odd").write_bytes(b"anything")
    (folder / "z.txt").write_text(GOOD.replace("ninth", "tenth"), encoding="utf-8")
    changes, report = build_changes([folder], {}, registry, limits=limits)
    assert [d.source for d in changes.upserts] == ["good.txt", "z.txt"]
    assert report.failed == [Failure("a.odd", reason)]


def _block(data: bytes, name: str) -> list[RawDocument]:
    time.sleep(600)  # waiting on something that never comes, using no CPU
    return []


def test_a_reader_that_blocks_is_stopped(tmp_path: Path, registry: Registry,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """The CPU limit cannot stop a reader that waits; the parent stops a worker that stalls."""
    monkeypatch.setattr(sandbox, "_STALLED_SECONDS", 1.0)
    monkeypatch.setitem(READERS, ".odd", Reader("odd", (".odd",), _block))
    folder = _corpus(tmp_path)
    (folder / "a.odd").write_bytes(b"anything")
    changes, report = build_changes([folder], {}, registry)
    assert [d.source for d in changes.upserts] == ["good.txt"]
    assert report.failed == [Failure(
        "a.odd", "reading it made no progress (the reader was blocked) and was stopped")]


def _nested(depth: int) -> str:
    opening = "".join(f"<div><p>Paragraph number {i} of the deep page.</p>" for i in range(depth))
    return f"<html><body>{opening}{'</div>' * depth}</body></html>"


@pytest.mark.parametrize("depth", [300, 2000, 3000])
def test_deeply_nested_html_keeps_all_its_text(tmp_path: Path, registry: Registry,
                                               depth: int) -> None:
    (tmp_path / "deep.html").write_text(_nested(depth), encoding="utf-8")
    result = extracted([tmp_path / "deep.html"], registry)["deep.html"]
    assert not isinstance(result, Failure), result
    paragraphs = [par for p in result.passages for par in p.text.split("\n\n")]
    assert paragraphs == [f"Paragraph number {i} of the deep page." for i in range(depth)]


def test_a_hash_in_a_file_name_is_not_a_record(tmp_path: Path, registry: Registry) -> None:
    folder = tmp_path / "corpus"
    folder.mkdir()
    name = "report.jsonl#2024.txt"
    (folder / name).write_text(GOOD, encoding="utf-8")
    first, report = build_changes([folder], {}, registry)
    assert report.added == [name]
    assert [(e.source, e.file) for e in first.manifest] == [(name, name)]
    second, report = build_changes([folder], _manifest(first), registry)
    assert second.is_empty and report.unchanged == [name]
    (folder / name).unlink()
    third, report = build_changes([folder], _manifest(first), registry)
    assert report.removed == [name] and third.manifest_deletes == [name]
    assert third.deletes == [first.upserts[0].doc_id]


def test_a_record_and_a_file_cannot_share_a_source(tmp_path: Path, registry: Registry) -> None:
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "report.jsonl").write_text(
        '{"id": "2024.txt", "text": "Minutes of the tenth session on training data."}\n'
        '{"id": "c2", "text": "Creators asked to be paid for training data."}\n',
        encoding="utf-8")
    (folder / "report.jsonl#2024.txt").write_text(GOOD, encoding="utf-8")
    changes, report = build_changes([folder], {}, registry)
    assert sorted(d.source for d in changes.upserts) == ["report.jsonl#2024.txt",
                                                         "report.jsonl#c2"]
    assert report.failed == [Failure(
        "report.jsonl#2024.txt", "record '2024.txt' has the same source as the file "
                                 "report.jsonl#2024.txt; rename the file or change the "
                                 "record's id")]
    manifest = _manifest(changes)
    assert manifest["report.jsonl#2024.txt"].file == "report.jsonl#2024.txt"
    assert manifest["report.jsonl#c2"].file == "report.jsonl"


def _paragraphs(prefix: str, numbers: range) -> str:
    return "\n\n".join(
        f"{prefix} paragraph {n} tells how the panel weighed licensing model number {n} for "
        f"training data, remuneration scheme {n} and the rights of performers in case {n}."
        for n in numbers)


def test_near_duplicates_do_not_chain_and_a_copy_keeps_its_own_words(
        tmp_path: Path, registry: Registry) -> None:
    folder = tmp_path / "corpus"
    folder.mkdir()
    # Each file shares 17 of its 20 paragraphs with the next and 14 with the one after: with
    # one-way containment and chaining, all four collapsed into one.
    for name, start in (("a", 0), ("b", 3), ("c", 6), ("d", 9)):
        (folder / f"{name}.txt").write_text(_paragraphs("Shared", range(start, start + 20)),
                                            encoding="utf-8")
    # A page quoted whole in a much longer report is not a copy of the report.
    (folder / "report.txt").write_text(_paragraphs("Report", range(0, 30)), encoding="utf-8")
    (folder / "quote.txt").write_text(_paragraphs("Report", range(0, 8)), encoding="utf-8")
    changes, report = build_changes([folder], {}, registry)
    docs = {d.source: d for d in changes.upserts}
    assert report.duplicates == {"b.txt": "a.txt", "d.txt": "c.txt"}
    assert sorted(docs) == ["a.txt", "c.txt", "quote.txt", "report.txt"]
    assert docs["a.txt"].duplicates == ["b.txt"] and docs["c.txt"].duplicates == ["d.txt"]
    # What a copy says beyond its canonical document is searchable there, headed by its source.
    for canonical, copy, unique in (("a.txt", "b.txt", range(20, 23)),
                                    ("c.txt", "d.txt", range(26, 29))):
        added = [p for p in docs[canonical].passages if p.heading == copy]
        assert "\n\n".join(p.text for p in added) == _paragraphs("Shared", unique)
        assert [p.doc_id for p in added] == [docs[canonical].doc_id] * len(added)
        ids = [p.passage_id for p in docs[canonical].passages]
        assert len(set(ids)) == len(ids)
        assert [p.position for p in docs[canonical].passages] == list(range(len(ids)))


def test_a_failed_batch_is_recorded_and_converges(tmp_path: Path, registry: Registry) -> None:
    """Every changed file fails: the run still has something to commit, and the next one not."""
    folder = _corpus(tmp_path)
    first, _ = build_changes([folder], {}, registry)
    manifest = _manifest(first)
    (folder / "empty.txt").write_bytes(b"")
    second, report = build_changes([folder], manifest, registry)
    assert report.failed == [Failure("empty.txt", "the file is empty")]
    [row] = second.manifest
    assert replace(row, failed_hash="") == ManifestEntry(
        source="empty.txt", doc_id="", content_hash="", root=str(folder), file="empty.txt",
        failure="the file is empty")
    third, report = build_changes([folder], _manifest(second, manifest), registry)
    assert third.is_empty and report.failed == [Failure("empty.txt", "the file is empty")]
    (folder / "empty.txt").write_text(GOOD.replace("ninth", "eighth"), encoding="utf-8")
    fourth, report = build_changes([folder], _manifest(second, manifest), registry)
    assert report.added == ["empty.txt"] and report.failed == []
    assert [(e.source, e.failure) for e in fourth.manifest] == [("empty.txt", "")]
