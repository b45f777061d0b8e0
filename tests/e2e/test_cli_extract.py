"""`kb extract`: what the pipeline derives from files, without an index."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from kb.cli import cli


def extract(corpus: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["--corpus", str(corpus), "--index",
                                      str(corpus.parent / "never-made"), "extract", *args])
    return result.exit_code, result.output


def test_text_is_the_cleaned_page(corpus_dir: Path) -> None:
    code, out = extract(corpus_dir, str(corpus_dir / "003_c1b8a34cd238fc18.txt"))
    assert code == 0
    assert out.startswith("WIPO Director General Opens Virtual Conference on IP and AI\n\n"
                          "July 7, 2020\n\nInternational dialogue is key")
    assert "PATENTSCOPE" not in out and "(Photo: WIPO/Berrod)" not in out
    assert not (corpus_dir.parent / "never-made").exists()


def test_json_to_an_out_dir_writes_one_file_per_input(corpus_dir: Path, tmp_path: Path) -> None:
    out_dir = tmp_path / "out"
    code, out = extract(corpus_dir, str(corpus_dir), "--format", "json", "--out-dir", str(out_dir))
    assert code == 0 and out == ""
    written = sorted(p.name for p in out_dir.iterdir())
    assert written == ["000_359018dcccf6213c.txt.json", "001_c3a6d4861f1c4946.txt.json",
                       "002_107c567630f7e293.txt.json", "003_c1b8a34cd238fc18.txt.json"]
    recap = json.loads((out_dir / "000_359018dcccf6213c.txt.json").read_text())
    assert recap["sessions"] == [9]
    assert recap["source"] == "000_359018dcccf6213c.txt"
    assert recap["passages"][0]["doc_id"] == recap["doc_id"]


def test_a_file_that_cannot_be_read_fails_with_status_1(corpus_dir: Path) -> None:
    bad = corpus_dir / "bad.html"
    bad.write_bytes(b"")
    code, out = extract(corpus_dir, str(bad), str(corpus_dir / "000_359018dcccf6213c.txt"))
    assert code == 1
    assert "FAILED: bad.html: " in out
    assert "==> 000_359018dcccf6213c.txt <==" in out
