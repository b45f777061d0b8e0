"""`kb sessions --check`, gaps at ingest, skipped pages, mentions, and links to vanished
passages, through the real `kb` command on copies of the seed corpus."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from click.testing import Result

from tests.conftest import copy_corpus

from .test_cli_seeds import SEED_002, SEED_003, kb

PAGES = Path(__file__).resolve().parents[1] / "ingest" / "fixtures" / "session_pages"
STANZA = """      [[session]]
      number = 13
      title = "Thirteenth Session of the WIPO Conversation on IP and Frontier Technologies"
      start = 2026-04-15
      end = 2026-04-16
      format = "hybrid"  # check
      symbol = "WIPO/IP/CONV/GE/YY"  # fill in
      symbol_confirmed = false
      description = "Seen in en_s13_unregistered.txt."  # describe it"""


def _corpus(tmp_path: Path, *pages: str) -> tuple[Path, Path, Result]:
    corpus = copy_corpus(tmp_path / "corpus")
    for name in pages:
        shutil.copy(PAGES / name, corpus / name)
    index_dir = tmp_path / "index"
    return corpus, index_dir, kb(corpus, index_dir, "ingest")


def test_the_seed_corpus_has_no_registry_gap(tmp_path: Path) -> None:
    corpus, index_dir, ingested = _corpus(tmp_path)
    assert "new session" not in ingested.output
    result = kb(corpus, index_dir, "sessions", "--check")
    assert (result.exit_code, result.output) == (
        0, "sessions.toml lists every session the index holds documents about\n")


def test_a_missing_session_is_reported_at_ingest_and_by_check(tmp_path: Path) -> None:
    corpus, index_dir, ingested = _corpus(tmp_path, "en_s13_unregistered.txt",
                                          "blank_saved_page.txt")
    assert ingested.exit_code == 0
    assert ("  skipped: blank_saved_page.txt: only site boilerplate (menus, links, footers): the "
            "page's content is not in the file (it never loaded, or was not saved)\n"
            in ingested.output)
    report = ("  new session: session 13 is not in sessions.toml; documents about it were "
              "ingested all the same:\n"
              "    en_s13_unregistered.txt: saw 'Thirteenth Session' in the title; "
              "'thirteenth session' in the text\n"
              "    add to sessions.toml (then run `kb ingest`):\n" + STANZA + "\n")
    assert report in ingested.output
    assert ingested.output.strip().splitlines()[-1].startswith(
        "Ingest: 4 added, 0 updated, 0 removed, 0 unchanged, 1 duplicates, 0 failed, 1 skipped;")
    check = kb(corpus, index_dir, "sessions", "--check")
    assert (check.exit_code, check.output) == (
        1, report + f"1 session(s) missing from {corpus / 'sessions.toml'}\n")
    found = kb(corpus, index_dir, "search", "--session", "13", "--json")
    assert [h["source"] for h in json.loads(found.output)["hits"]] == ["en_s13_unregistered.txt"]

    stanza = "\n".join(line[6:].split("  #")[0] for line in STANZA.splitlines())
    stanza = stanza.replace("WIPO/IP/CONV/GE/YY", "WIPO/IP/CONV/GE/26")
    with (corpus / "sessions.toml").open("a", encoding="utf-8") as handle:
        handle.write("\n" + stanza + "\n")
    fixed = kb(corpus, index_dir, "sessions", "--check")
    assert (fixed.exit_code, fixed.output) == (
        0, "sessions.toml lists every session the index holds documents about\n")


def test_include_mentions_counts_passages_that_only_name_a_session(tmp_path: Path) -> None:
    corpus, index_dir, _ = _corpus(tmp_path)
    about = json.loads(kb(corpus, index_dir, "search", "--session", "1", "--json").output)
    both = json.loads(kb(corpus, index_dir, "search", "--session", "1", "--include-mentions",
                         "--json").output)
    assert sorted(h["source"] for h in about["hits"]) == [SEED_002]
    assert sorted(h["source"] for h in both["hits"]) == [SEED_002, SEED_003]
    mention = next(h for h in both["hits"] if h["source"] == SEED_003)
    assert (mention["sessions"], mention["mentions"]) == ([2], [1])


def test_show_names_the_document_of_a_passage_that_is_gone(tmp_path: Path) -> None:
    corpus, index_dir, _ = _corpus(tmp_path)
    doc = json.loads(kb(corpus, index_dir, "search", "Gurry", "--json").output)["hits"][0]
    result = kb(corpus, index_dir, "show", f"{SEED_003}#p-0123456789abcdef")
    assert result.exit_code == 6
    assert result.output == (
        "Error: passage '0123456789abcdef' is no longer in the index: its text changed when the "
        f"document was ingested again. It belonged to document {doc['doc_id']} ({SEED_003}: "
        "WIPO Director General Opens Virtual Conference on IP and AI)\n"
        f"  hint: `kb show {doc['doc_id']}` shows the document as it is now\n")
    live = kb(corpus, index_dir, "show", f"{SEED_003}#p-{doc['passage_id']}")
    assert live.exit_code == 0 and f"[{doc['passage_id']}]" in live.output
