"""The manifest type (ingest/manifest.py) and the one function that collapses a duplicate group.

Entries are built as the index stores them, fingerprints by ``dedupe.fingerprint``, so the
counts below are what a real ingest records.
"""

from __future__ import annotations

from pathlib import Path

from ingest import dedupe
from ingest.manifest import Manifest, file_of, passage_count
from kb.model import Document, ManifestEntry, Passage

TEXT = ("The WIPO Conversation on Intellectual Property and Frontier Technologies met in Geneva "
        "to discuss generative artificial intelligence, training data and the remuneration "
        "of creators whose works are used to train the machines, and what follows for "
        "copyright law and policy in the member states of the organization.")


def _entry(source: str, root: Path, *, file: str = "", duplicate_of: str = "", doc_id: str = "",
           passages: int = 0, site: str = "corpus") -> ManifestEntry:
    return ManifestEntry(source=source, doc_id=doc_id or f"id-{source}", content_hash="h",
                         root=str(root), duplicate_of=duplicate_of, file=file, site=site,
                         fingerprint=dedupe.fingerprint(TEXT, passages).dumps())


def test_each_entry_knows_its_file_and_passage_count(tmp_path: Path) -> None:
    record = _entry("data.jsonl#r1", tmp_path, file="data.jsonl", passages=3)
    legacy = _entry("old.jsonl#r2", tmp_path)  # written before entries named their file
    hashed = _entry("notes#1.txt", tmp_path)  # a "#" in a file name is not a record's
    assert [file_of(e) for e in (record, legacy, hashed)] == ["data.jsonl", "old.jsonl",
                                                               "notes#1.txt"]
    assert passage_count(record) == 3
    failed = ManifestEntry(source="broken.pdf", doc_id="", content_hash="", failure="bad")
    assert passage_count(failed) == 0


def test_entries_by_file_and_fingerprints_of_canonical_documents(tmp_path: Path) -> None:
    manifest = Manifest({e.source: e for e in [
        _entry("data.jsonl#r1", tmp_path, file="data.jsonl"),
        _entry("data.jsonl#r2", tmp_path, file="data.jsonl"),
        _entry("a.html", tmp_path, site="www.wipo.int"),
        _entry("b.html", tmp_path, duplicate_of="id-a.html", site="www.wipo.int"),
    ]})
    assert {f: [e.source for e in entries] for f, entries in manifest.by_file().items()} == {
        "data.jsonl": ["data.jsonl#r1", "data.jsonl#r2"], "a.html": ["a.html"],
        "b.html": ["b.html"]}
    # A copy is folded into its canonical document: only canonical documents are compared.
    assert sorted(manifest.prints(exclude=set())) == ["a.html", "data.jsonl#r1", "data.jsonl#r2"]
    assert sorted(manifest.prints(exclude={"a.html"})) == ["data.jsonl#r1", "data.jsonl#r2"]
    assert list(manifest.prints(exclude=set(), sites={"www.wipo.int"})) == ["a.html"]
    assert manifest.canonical_sources() == {"id-data.jsonl#r1": "data.jsonl#r1",
                                            "id-data.jsonl#r2": "data.jsonl#r2",
                                            "id-a.html": "a.html"}
    assert sorted(manifest.without({"a.html", "b.html"})) == ["data.jsonl#r1", "data.jsonl#r2"]


def test_removed_entries_are_gone_files_and_dropped_records(tmp_path: Path) -> None:
    (tmp_path / "here.txt").write_text("x", encoding="utf-8")
    (tmp_path / "data.jsonl").write_text("{}", encoding="utf-8")
    (tmp_path / "away").mkdir()
    manifest = Manifest({e.source: e for e in [
        _entry("here.txt", tmp_path),
        _entry("gone.txt", tmp_path),
        _entry("data.jsonl#r1", tmp_path, file="data.jsonl"),
        _entry("data.jsonl#r2", tmp_path, file="data.jsonl"),
        _entry("away/kept.txt", tmp_path),
    ]})
    removed = manifest.removed(discovered={"here.txt", "data.jsonl"}, staged_files={"data.jsonl"},
                               staged_sources={"data.jsonl#r1"}, kept={"away/kept.txt"})
    # gone.txt is not on disk; the re-read data.jsonl no longer holds r2; here.txt was found,
    # and away/kept.txt is kept although not found (its folder could not be listed).
    assert [e.source for e in removed] == ["gone.txt", "data.jsonl#r2"]
    assert manifest.ingested_under(str(tmp_path), "away/") == {"away/kept.txt"}
    assert manifest.ingested_under(str(tmp_path), "./") == set(manifest)


def test_one_function_makes_a_canonical_copy_stand_for_its_group() -> None:
    def doc(source: str, text: str) -> Document:
        return Document(doc_id=f"id-{source}", source=source, title=source, url=f"https://{source}",
                        passages=[Passage(f"p-{source}", f"id-{source}", 0, text)])

    richer = doc("a.html", TEXT + "\n\nA closing paragraph only this copy has.")
    copy = doc("b.html", TEXT + "\n\nA paragraph only the mirror kept.")
    prints = {d.source: dedupe.fingerprint(d.passages[0].text) for d in (richer, copy)}
    groups = dedupe.canonical_groups(prints, prints)
    assert groups == [(["a.html", "b.html"], "a.html")]
    assert dedupe.canonical_of(groups) == {"b.html": "a.html"}
    kept = dedupe.assign_duplicates(["a.html", "b.html", "c.html"], "a.html",
                                    {"a.html": richer, "b.html": copy})
    assert kept is richer
    # c.html was ingested before and not read again: listed, with nothing of it to keep.
    assert richer.duplicates == ["b.html", "c.html"]
    assert richer.duplicate_urls == {"b.html": "https://b.html"}
    assert richer.passages[-1].text == "A paragraph only the mirror kept."
    assert richer.passages[-1].heading.startswith("b.html")


def test_containment_counts_the_shared_sampled_shingles_below_both_caps() -> None:
    small = dedupe.Fingerprint(10, 1, 0xFFFFFFFF, frozenset({4, 8, 12, 16, 20}))
    large = dedupe.Fingerprint(20, 1, 0xFFFFFFFF, frozenset({4, 8, 12, 16, 40, 44}))
    assert dedupe.containment(small, large) == 4 / 5  # neither sample cut
    # The large document's sample was cut at 16: the small one's hashes above it cannot be
    # told, so only 4, 8, 12 and 16 are compared.
    cut = dedupe.Fingerprint(20, 1, 16, frozenset({4, 8, 12, 16}))
    assert dedupe.containment(small, cut) == 1.0
    assert dedupe.containment(dedupe.Fingerprint(2, 1, 0xFFFFFFFF, frozenset({4, 8})),
                              large) == 0.0  # too few shingles to tell
    assert dedupe.are_copies(small, large) is True
    assert dedupe.are_copies(small, dedupe.Fingerprint(30, 1, 0xFFFFFFFF, large.hashes)) is False
