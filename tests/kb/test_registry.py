"""The registries a researcher edits by hand: the shipped ones load, broken ones say where."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from kb.registry import RegistryError, load_registry

CORPUS = Path(__file__).resolve().parents[2] / "corpus"


@pytest.fixture
def corpus_copy(tmp_path: Path) -> Path:
    for name in ("sessions.toml", "topics.toml"):
        shutil.copy(CORPUS / name, tmp_path / name)
    return tmp_path


def test_shipped_registries_hold_twelve_sessions_and_a_taxonomy() -> None:
    registry = load_registry(CORPUS)
    assert list(registry.sessions) == list(range(1, 13))
    ninth = registry.sessions[9]
    assert ninth.title == "Training the Machines: Bytes, Rights and the Copyright Conundrum"
    assert (ninth.start, ninth.end) == (dt.date(2024, 3, 13), dt.date(2024, 3, 14))
    assert ninth.label == "9 · Training the Machines · Mar 2024"
    assert registry.sessions[2].dates == [dt.date(2020, 7, 7), dt.date(2020, 7, 8),
                                          dt.date(2020, 7, 9)]
    assert registry.sessions[12].symbol == "WIPO/IP/CONV/GE/2/25"
    assert registry.sessions[4].symbol_confirmed is False
    assert 15 <= len(registry.topics) <= 25
    assert "training data" in registry.topics["training-data"].signals
    assert registry.topic_label("synthetic-media") == "Synthetic media and deepfakes"
    assert registry.session_label(42) == "Session 42"


def test_digest_changes_when_a_file_changes(corpus_copy: Path) -> None:
    before = load_registry(corpus_copy).digest
    path = corpus_copy / "topics.toml"
    path.write_text(path.read_text() + "\n# a comment\n")
    assert load_registry(corpus_copy).digest != before


def _break(corpus: Path, name: str, old: str, new: str) -> None:
    path = corpus / name
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


@pytest.mark.parametrize(
    ("name", "old", "new", "line", "message"),
    [
        ("sessions.toml", 'title = "Data: Beyond AI in a Fully Interconnected World"\n', "", 73,
         "session #4: missing required key 'title'"),
        ("sessions.toml", "end = 2024-03-14", "end = 2024-03-12", 138,
         "session #9: 'end' (2024-03-12) is before 'start' (2024-03-13)"),
        ("sessions.toml", "number = 3\n", "number = 2\n", 60,
         "session #3: session 2 is listed twice"),
        ("sessions.toml", "start = 2019-09-27", 'start = "27 Sep 2019"', 24,
         "session #1: 'start' must be a date like 2024-03-13, got '27 Sep 2019'"),
        ("sessions.toml", 'format = "virtual"', 'fromat = "virtual"', 37,
         "session #2: unknown key(s) fromat (allowed: description, documents, end, format, names, "
         "number, papers, short_title, start, symbol, symbol_confirmed, title, titles)"),
        ("sessions.toml", "start = 2024-11-05", "start = 2024-03-14", 152,
         "session #10: session 10 (2024-03-14 to 2024-11-06) overlaps session 9 (2024-03-13 to "
         "2024-03-14)"),
        ("sessions.toml", 'symbol = "WIPO/IP/CONV/GE/25"', 'symbol = "WIPO/IP/CONV/GE/24"', 168,
         "session #11: symbol 'WIPO/IP/CONV/GE/24' is also listed for session 9"),
        ("sessions.toml", 'documents = ["/INF/5"]',
         'documents = ["/INF/5"]\npapers = ["Revised Issues Paper"]', 60,
         "session #3: name 'Revised Issues Paper' is also listed for session 2"),
        ("sessions.toml", 'names = ["IP and Synthetic Media"]', 'names = ["training the machines"]',
         180, "session #12: name 'training the machines' is also listed for session 9"),
        ("sessions.toml", 'documents = ["/INF/5"]',
         'documents = ["/INF/5"]\ntitles = { xx = "Troisième session" }', 60,
         "session #3: 'titles' has an unknown language code 'xx' (known: en, fr, es, ru, ar, zh)"),
        ("topics.toml", 'id = "copyright"', 'id = "Copyright Law"', 11,
         "topic #1: 'id' must be lower-case words joined by hyphens, got 'Copyright Law'"),
        ("topics.toml", 'signals = ["trade secret*", "confidential information", '
                        '"undisclosed information"]', "signals = []", 93,
         "topic #12: 'signals' must list at least one word or phrase"),
    ],
)
def test_a_broken_entry_is_reported_with_file_and_line(
    corpus_copy: Path, name: str, old: str, new: str, line: int, message: str
) -> None:
    _break(corpus_copy, name, old, new)
    with pytest.raises(RegistryError) as caught:
        load_registry(corpus_copy)
    assert caught.value.path == corpus_copy / name
    assert caught.value.line == line
    assert str(caught.value).endswith(message)
    assert str(caught.value).startswith(f"{corpus_copy / name}:{line}: ")


def test_toml_syntax_errors_keep_the_parser_line(corpus_copy: Path) -> None:
    _break(corpus_copy, "sessions.toml", 'short_title = "AI output"', 'short_title = "AI output', )
    with pytest.raises(RegistryError) as caught:
        load_registry(corpus_copy)
    assert caught.value.line == 155
    assert "sessions.toml:155:" in str(caught.value)


def test_missing_registry_file(tmp_path: Path) -> None:
    (tmp_path / "topics.toml").write_text("")
    with pytest.raises(RegistryError, match=r"sessions\.toml: file not found$"):
        load_registry(tmp_path)


def test_empty_registry_is_an_error(corpus_copy: Path) -> None:
    (corpus_copy / "topics.toml").write_text("# nothing yet\n")
    with pytest.raises(RegistryError, match=r"topics\.toml: no \[\[topic\]\] entries$"):
        load_registry(corpus_copy)
