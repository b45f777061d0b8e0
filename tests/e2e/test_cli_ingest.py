"""`kb ingest` options: --dry-run, --json, --full, and the locked-index message."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

import index
from kb.cli import cli


def kb(corpus: Path, index_dir: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["--corpus", str(corpus), "--index", str(index_dir), *args])
    return result.exit_code, result.output


def test_dry_run_prints_the_plan_and_writes_nothing(corpus_dir: Path, tmp_path: Path) -> None:
    code, out = kb(corpus_dir, tmp_path / "ix", "ingest", "--dry-run")
    assert code == 0
    assert out.splitlines() == [
        "  would be added: 000_359018dcccf6213c.txt",
        "  would be added: 002_107c567630f7e293.txt",
        "  would be added: 003_c1b8a34cd238fc18.txt",
        "  duplicate: 001_c3a6d4861f1c4946.txt (same page as 002_107c567630f7e293.txt)",
        out.splitlines()[-1],
    ]
    assert out.splitlines()[-1].startswith("Dry run: 3 added, 0 updated, 0 removed")
    assert not (tmp_path / "ix").exists()


def test_json_report_and_a_change_then_a_removal(corpus_dir: Path, tmp_path: Path) -> None:
    ix = tmp_path / "ix"
    code, out = kb(corpus_dir, ix, "ingest", "--json")
    report = json.loads(out)
    assert code == 0
    assert (report["added"], report["failed"], report["dry_run"]) == (
        ["000_359018dcccf6213c.txt", "002_107c567630f7e293.txt", "003_c1b8a34cd238fc18.txt"],
        [], False)
    assert report["duplicates"] == {"001_c3a6d4861f1c4946.txt": "002_107c567630f7e293.txt"}
    recap = corpus_dir / "000_359018dcccf6213c.txt"
    recap.write_text(recap.read_text(encoding="utf-8") + "\nA closing line was added.\n",
                     encoding="utf-8")
    (corpus_dir / "003_c1b8a34cd238fc18.txt").unlink()
    report = json.loads(kb(corpus_dir, ix, "ingest", "--json")[1])
    assert (report["added"], report["updated"], report["removed"]) == (
        [], ["000_359018dcccf6213c.txt"], ["003_c1b8a34cd238fc18.txt"])
    assert json.loads(kb(corpus_dir, ix, "search", "--json", "Gurry")[1])["total"] == 0


def test_full_rebuild_keeps_the_same_ids(corpus_dir: Path, tmp_path: Path) -> None:
    ix = tmp_path / "ix"
    kb(corpus_dir, ix, "ingest")
    before = json.loads(kb(corpus_dir, ix, "search", "--json", "--flat", "--limit", "100", "")[1])
    code, out = kb(corpus_dir, ix, "ingest", "--full")
    assert code == 0 and "Ingest: 3 added" in out
    after = json.loads(kb(corpus_dir, ix, "search", "--json", "--flat", "--limit", "100", "")[1])
    assert sorted(h["passage_id"] for h in after["hits"]) == sorted(
        h["passage_id"] for h in before["hits"])
    assert after["total"] == before["total"] > 10


def test_a_locked_index_is_a_clear_message_with_status_4(
    corpus_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def locked(index_dir: Path, *args: object, **kwargs: object) -> None:
        raise index.IndexLocked(index_dir, 10.0)

    monkeypatch.setattr(index, "apply_changes", locked)
    code, out = kb(corpus_dir, tmp_path / "ix", "ingest")
    assert code == 4
    assert out == (f"Error: The index at {tmp_path / 'ix'} is locked by another writer (waited "
                   "10 s); wait for the other `kb ingest` to finish and try again.\n")


def test_an_index_of_an_older_format_is_rebuilt_by_ingest(corpus_dir: Path, tmp_path: Path
                                                           ) -> None:
    from whoosh.fields import ID, Schema
    from whoosh.index import create_in

    ix = tmp_path / "ix"
    ix.mkdir()
    create_in(str(ix), Schema(id=ID(stored=True))).close()
    code, out = kb(corpus_dir, ix, "search", "Gurry")
    assert code == 1
    assert "cannot be read (missing fields" in out and "rebuild it with `kb ingest --full`" in out
    code, out = kb(corpus_dir, ix, "ingest")
    assert code == 0
    assert f"The index at {ix} cannot be read (missing fields" in out
    assert "): rebuilding it." in out and "Ingest: 3 added" in out
    assert json.loads(kb(corpus_dir, ix, "search", "--json", "Gurry")[1])["total"] == 1


def test_editing_the_topics_registry_re_enriches_every_document(corpus_dir: Path,
                                                                 tmp_path: Path) -> None:
    ix = tmp_path / "ix"
    kb(corpus_dir, ix, "ingest")
    topics = corpus_dir / "topics.toml"
    topics.write_text(topics.read_text(encoding="utf-8") + '\n[[topic]]\nid = "leadership"\n'
                      'label = "WIPO leadership"\nsignals = ["Director General"]\n',
                      encoding="utf-8")
    code, out = kb(corpus_dir, ix, "ingest")
    assert code == 0
    assert out.splitlines()[-1].startswith("Ingest: 0 added, 3 updated, 0 removed, 0 unchanged")
    data = json.loads(kb(corpus_dir, ix, "search", "--json", "--topic", "leadership", "")[1])
    assert sorted(h["source"] for h in data["hits"]) == ["000_359018dcccf6213c.txt",
                                                         "003_c1b8a34cd238fc18.txt"]
    leadership = [v for v in data["facets"]["topic"] if v["value"] == "leadership"]
    assert leadership == [{"value": "leadership", "label": "WIPO leadership", "count": 2,
                           "selected": True}]
