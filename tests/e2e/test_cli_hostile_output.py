"""Hostile titles, speakers and file names through the real `kb` command: nothing it prints can
drive the terminal (also when piped, and in CSV), no name splits a line, no CSV cell is a
formula, and a value that is not UTF-8 is a usage error, not a traceback."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import Result

from tests.conftest import CORPUS
from tests.e2e.test_cli_seeds import kb

#: A file name with a window-title change (OSC 0) and a newline in it.
EVIL_NAME = "evil\x1b]0;pwned\x07\nname.md"
ESC_NAME = "evil\\x1b]0;pwned\\x07\\nname.md"
EVIL_TITLE = "Side \x1b]0;pwned\x07 car \x1b[2J \x1b]52;c;ZXZpbA==\x07 \x9b31m"
SAFE_TITLE = "Side \\x1b]0;pwned\\x07 car \\x1b[2J \\x1b]52;c;ZXZpbA==\\x07 \\x9b31m"
FORMULA = "=cmd|' /C calc'!A0"


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Result]:
    """A corpus of the registries, a page whose sidecar sets a title and speaker full of
    escape sequences under a file name with escapes and a newline, and a formula title."""
    corpus = tmp_path_factory.mktemp("hostile") / "corpus"
    corpus.mkdir()
    for name in ("sessions.toml", "topics.toml"):
        (corpus / name).write_bytes((CORPUS / name).read_bytes())
    (corpus / EVIL_NAME).write_text(
        "# Plain heading\n\nDeepfakes and voice cloning were discussed by the panel at length "
        "during the session on synthetic media.\n", encoding="utf-8")
    (corpus / (EVIL_NAME + ".meta.json")).write_text(json.dumps(
        {"title": EVIL_TITLE, "speakers": ["Bad \x1b[31m Guy"]}), encoding="utf-8")
    (corpus / "formula.md").write_text(
        f"# {FORMULA}\n\nDeepfakes are a subject of the twelfth session.\n", encoding="utf-8")
    index_dir = corpus.parent / "index"
    return corpus, index_dir, kb(corpus, index_dir, "ingest")


def _assert_inert(text: str) -> None:
    for char in ("\x1b", "\x07", "\x9b"):
        assert char not in text


def test_ingest_report_shows_a_hostile_file_name_on_one_line(
        hostile: tuple[Path, Path, Result]) -> None:
    _, _, result = hostile
    assert result.exit_code == 0, result.output
    _assert_inert(result.output)
    assert result.output.splitlines() == [
        f"  added: {ESC_NAME}",
        "  added: formula.md",
        "Ingest: 2 added, 0 updated, 0 removed, 0 unchanged, 0 duplicates, 0 failed; "
        "passages: 2 added, 0 removed",
    ]


def test_search_table_shows_escapes_visibly(hostile: tuple[Path, Path, Result]) -> None:
    corpus, index_dir, _ = hostile
    result = kb(corpus, index_dir, "search", "voice cloning")
    assert result.exit_code == 0, result.output
    _assert_inert(result.output)
    lines = result.output.splitlines()
    assert lines[1] == f"  1. {SAFE_TITLE}  [session -; page]"
    assert lines[-1].startswith(f"     {ESC_NAME}#p-")


def test_search_csv_is_inert_and_formula_free(hostile: tuple[Path, Path, Result]) -> None:
    corpus, index_dir, _ = hostile
    result = kb(corpus, index_dir, "search", "deepfakes", "--format", "csv", "--sort", "date")
    assert result.exit_code == 0, result.output
    _assert_inert(result.output)
    rows = list(csv.DictReader(io.StringIO(result.output)))
    assert [(r["source"], r["title"]) for r in rows] == [
        ("formula.md", "'" + FORMULA), (ESC_NAME, SAFE_TITLE)]
    assert len(result.output.splitlines()) == 3


def test_show_prints_metadata_and_speakers_inert(hostile: tuple[Path, Path, Result]) -> None:
    corpus, index_dir, _ = hostile
    hit = json.loads(kb(corpus, index_dir, "search", "voice", "--json").output)["hits"][0]
    result = kb(corpus, index_dir, "show", hit["doc_id"])
    assert result.exit_code == 0, result.output
    _assert_inert(result.output)
    assert f"       title: {SAFE_TITLE}" in result.output.splitlines()
    assert f"      source: {ESC_NAME}" in result.output.splitlines()
    assert "    speakers: Bad \\x1b[31m Guy" in result.output.splitlines()


def test_json_output_escapes_c1_controls(hostile: tuple[Path, Path, Result]) -> None:
    corpus, index_dir, _ = hostile
    result = kb(corpus, index_dir, "search", "voice", "--json")
    _assert_inert(result.output)
    assert json.loads(result.output)["hits"][0]["title"] == EVIL_TITLE


def _kb_bytes(corpus: Path, index_dir: Path, *args: bytes) -> subprocess.CompletedProcess:
    """The real process with raw bytes on its command line, as a shell passes $'\\xff'."""
    env = {**os.environ, "LC_ALL": "C.UTF-8"}
    return subprocess.run([sys.executable.encode(), b"-m", b"kb", b"--corpus", bytes(corpus),
                           b"--index", bytes(index_dir), *args],
                          capture_output=True, env=env, timeout=120)


@pytest.mark.parametrize("args, param, shown", [
    ((b"search", b"--speaker", b"\xff", b"deepfakes"), "'--speaker'", "\\xff"),
    ((b"search", b"caf\xe9"), "'[QUERY]...'", "caf\\xe9"),
    ((b"show", b"\xff"), "'REFERENCE'", "\\xff"),
    ((b"similar", b"p-\xff"), "'PASSAGE'", "p-\\xff"),
    ((b"facets", b"--source", b"\xfe\xff"), "'--source'", "\\xfe\\xff"),
])
def test_a_value_that_is_not_utf8_is_a_usage_error(hostile: tuple[Path, Path, Result],
                                                   args: tuple[bytes, ...], param: str,
                                                   shown: str) -> None:
    corpus, index_dir, _ = hostile
    done = _kb_bytes(corpus, index_dir, *args)
    assert done.returncode == 2
    err = done.stderr.decode("utf-8")
    assert "Traceback" not in err
    assert err.splitlines()[-1] == (
        f"Error: Invalid value for {param}: '{shown}' is not valid UTF-8 text; kb reads what "
        "you type as UTF-8 (check the terminal's encoding, e.g. LANG=C.UTF-8)")


def test_a_path_that_is_not_utf8_is_a_usage_error(tmp_path: Path) -> None:
    """kb stores and prints the names it ingests, so it refuses one it could not write."""
    folder = os.fsencode(tmp_path) + b"/caf\xe9"
    os.mkdir(folder)
    for command, hint in ((b"ingest", "[PATHS]..."), (b"extract", "PATHS...")):
        done = _kb_bytes(tmp_path / "corpus", tmp_path / "index", command, folder)
        assert done.returncode == 2
        assert done.stderr.decode("utf-8").splitlines()[-1] == (
            f"Error: Invalid value for '{hint}': '{tmp_path}/caf\\xe9' is not valid UTF-8 "
            "text; kb reads what you type as UTF-8 (check the terminal's encoding, e.g. "
            "LANG=C.UTF-8)")
    done = _kb_bytes(Path(os.fsdecode(folder)), tmp_path / "index", b"stats")
    assert done.returncode == 2
    assert "Invalid value for '--corpus'" in done.stderr.decode("utf-8")
    env = {**os.environ, "KB_CORPUS": os.fsdecode(folder), "KB_INDEX": str(tmp_path / "index")}
    from_env = subprocess.run([sys.executable, "-m", "kb", "ingest"], env=env,
                              capture_output=True, text=True, timeout=120)
    assert from_env.returncode == 2
    assert from_env.stderr.splitlines()[-1] == (
        f"Error: Invalid value for KB_CORPUS: '{tmp_path}/caf\\xe9' is not valid UTF-8 text; kb "
        "stores the corpus folder's name in the index (rename it, or point --corpus at a UTF-8 "
        "path)")
    assert not (tmp_path / "index").exists()


@pytest.mark.parametrize("args, message", [
    (("search", "--type", "\x1b[2Jx", "a"),
     "Error: Invalid value for '--type': '\\x1b[2Jx' is not one of 'session-page', 'news', "
     "'transcript', 'summary', 'paper', 'report', 'third-party-report', 'page'."),
    (("\x1b]0;pwned\x07",), "Error: No such command '\\x1b]0;pwned\\x07'."),
    (("search", "--\x1b[31m"), "Error: No such option '--\\x1b[31m'."),
    (("show", "\x1b]52;c;ZXZpbA==\x07"),
     "Error: '\\x1b]52;c;ZXZpbA==\\x07' is not a reference kb understands"),
])
def test_usage_errors_quote_what_was_typed_inertly(hostile: tuple[Path, Path, Result],
                                                  args: tuple[str, ...], message: str) -> None:
    corpus, index_dir, _ = hostile
    result = kb(corpus, index_dir, *args)
    assert result.exit_code == 2
    _assert_inert(result.output)
    assert message in result.output.splitlines()
