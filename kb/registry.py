"""The session and topic registries: hand-edited TOML files that live with the corpus.

Researchers extend ``sessions.toml`` after each session and tune ``topics.toml`` as the subjects
move on, so a mistake in either must stop an ingest *before* the index is touched and say where
it is (file, line, what is wrong) rather than surface later as a wrong facet.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import tomllib
from collections.abc import Container
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kb.glossary import GLOSSARY_FILE, Glossary, parse_glossary
from kb.recordings import RECORDINGS_FILE, Recordings, parse_recordings
from kb.speakers import SPEAKERS_FILE, SpeakerRegistry, parse_speakers

SESSIONS_FILE = "sessions.toml"
TOPICS_FILE = "topics.toml"

#: What a topic or glossary term id looks like: lower-case words joined by hyphens.
SLUG_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


class RegistryError(ValueError):
    """A registry file is missing or malformed; the message names file, line and problem."""

    def __init__(self, path: Path, line: int | None, problem: str) -> None:
        self.path = path
        self.line = line
        self.problem = problem
        where = f"{path}:{line}" if line else str(path)
        super().__init__(f"{where}: {problem}")


@dataclass(frozen=True)
class Session:
    """One session of the Conversation, as sessions.toml gives it."""

    number: int
    title: str
    short_title: str
    start: dt.date
    end: dt.date
    format: str
    symbol: str
    description: str
    #: Other names pages use for this session (an earlier series title, a subtitle).
    names: tuple[str, ...] = ()
    #: Symbol is a guess from the numbering pattern, not confirmed by a WIPO document.
    symbol_confirmed: bool = True
    #: Suffixes of the session's documents' symbols ("/1", "/1 Rev.", "/INF/5", "_op05"): a
    #: page about one of them is about this session.
    documents: tuple[str, ...] = ()
    #: Papers of the session by name ("Revised Issues Paper"), for pages that name no symbol.
    papers: tuple[str, ...] = ()
    #: The session's title in other languages: language code -> titles.
    titles: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def all_titles(self) -> tuple[str, ...]:
        """The titles in every language the registry gives."""
        return tuple(t for titles in self.titles.values() for t in titles)

    def document_symbols(self) -> tuple[str, ...]:
        """Full symbols of the session's documents (symbol + suffix)."""
        return tuple(self.symbol + suffix for suffix in self.documents)

    @property
    def label(self) -> str:
        """The facet label, e.g. ``9 · Training the Machines · Mar 2024``."""
        return f"{self.number} · {self.short_title} · {self.start.strftime('%b %Y')}"

    @property
    def dates(self) -> list[dt.date]:
        days = (self.end - self.start).days
        return [self.start + dt.timedelta(days=i) for i in range(days + 1)]

    def to_dict(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "title": self.title,
            "short_title": self.short_title,
            "label": self.label,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "format": self.format,
            "symbol": self.symbol,
            "symbol_confirmed": self.symbol_confirmed,
            "description": self.description,
            "names": list(self.names),
            "documents": list(self.document_symbols()),
            "papers": list(self.papers),
            "titles": {code: list(titles) for code, titles in self.titles.items()},
        }


@dataclass(frozen=True)
class Topic:
    """One topic of the taxonomy in topics.toml."""

    id: str
    label: str
    description: str
    #: Words and phrases whose presence signals the topic: matched case-insensitively as whole
    #: words; a trailing ``*`` also matches longer words ("invent*" matches "inventor").
    signals: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "label": self.label,
            "description": self.description,
            "signals": list(self.signals),
        }


@dataclass(frozen=True)
class Registry:
    """The corpus' registries (sessions, topics, speakers, recordings, glossary)."""

    sessions: dict[int, Session] = field(default_factory=dict)
    topics: dict[str, Topic] = field(default_factory=dict)
    #: Hash of the files' bytes: when it changes, every document must be re-enriched.
    digest: str = ""
    #: The people of speakers.toml (optional: without it, names are shown as transcripts give
    #: them).
    speakers: SpeakerRegistry = field(default_factory=SpeakerRegistry)
    #: The recordings of recordings.toml, by session and day (optional file).
    recordings: Recordings = field(default_factory=Recordings)
    #: The terms of glossary.toml a query is expanded through (optional file). Not part of
    #: ``digest``: the glossary changes how queries are read, never what a document is.
    glossary: Glossary = field(default_factory=Glossary)

    def session_label(self, number: int | str) -> str:
        session = self.sessions.get(int(number)) if str(number).isdigit() else None
        return session.label if session else f"Session {number}"

    def topic_label(self, topic_id: str) -> str:
        topic = self.topics.get(topic_id)
        return topic.label if topic else topic_id


def load_registry(corpus_dir: Path) -> Registry:
    """Read and validate the registries in ``corpus_dir`` (speakers.toml, recordings.toml and
    glossary.toml only if present).

    :raises RegistryError: on the first problem found, naming the file and line.
    """
    sessions_path = corpus_dir / SESSIONS_FILE
    topics_path = corpus_dir / TOPICS_FILE
    sessions_text = _read(sessions_path)
    topics_text = _read(topics_path)
    sessions = _parse_sessions(sessions_path, sessions_text)
    topics = _parse_topics(topics_path, topics_text)
    speakers_path = corpus_dir / SPEAKERS_FILE
    speakers_text = _read(speakers_path) if speakers_path.exists() else ""
    speakers = parse_speakers(speakers_path, speakers_text) if speakers_text else \
        SpeakerRegistry()
    recordings_path = corpus_dir / RECORDINGS_FILE
    recordings_text = _read(recordings_path) if recordings_path.exists() else ""
    recordings = parse_recordings(recordings_path, recordings_text, sessions) \
        if recordings_text else Recordings()
    glossary_path = corpus_dir / GLOSSARY_FILE
    glossary_text = _read(glossary_path) if glossary_path.exists() else ""
    glossary = parse_glossary(glossary_path, glossary_text) if glossary_text.strip() else \
        Glossary()
    hashed = sessions_text + "\0" + topics_text + "".join(
        f"\0{name}\0{text}" for name, text in ((SPEAKERS_FILE, speakers_text),
                                              (RECORDINGS_FILE, recordings_text)) if text)
    digest = hashlib.sha256(hashed.encode()).hexdigest()[:16]
    return Registry(sessions=sessions, topics=topics, digest=digest, speakers=speakers,
                    recordings=recordings, glossary=glossary)


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise RegistryError(path, None, "file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise RegistryError(path, None, f"cannot be read: {exc}") from None


def _load_toml(path: Path, text: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        match = re.search(r"line (\d+)", str(exc))
        raise RegistryError(path, int(match.group(1)) if match else None, str(exc)) from None


def _table_lines(text: str, name: str) -> list[int]:
    """Line numbers of each ``[[name]]`` header, so a bad entry can be pointed at."""
    header = re.compile(rf"^\s*\[\[\s*{re.escape(name)}\s*\]\]")
    return [i for i, line in enumerate(text.splitlines(), start=1) if header.match(line)]


class _Entry:
    """Typed access to one ``[[table]]`` entry that reports problems with its line."""

    def __init__(self, path: Path, line: int | None, data: dict[str, Any], kind: str) -> None:
        self.path, self.line, self.data, self.kind = path, line, data, kind

    def fail(self, problem: str) -> RegistryError:
        return RegistryError(self.path, self.line, f"{self.kind}: {problem}")

    def get(self, key: str, typ: type | tuple[type, ...], required: bool = True) -> Any:
        if key not in self.data:
            if required:
                raise self.fail(f"missing required key '{key}'")
            return None
        value = self.data[key]
        if not isinstance(value, typ) or (typ is int and isinstance(value, bool)):
            names = typ.__name__ if isinstance(typ, type) else " or ".join(t.__name__ for t in typ)
            raise self.fail(f"'{key}' must be {names}, got {value!r}")
        if isinstance(value, str) and required and not value.strip():
            raise self.fail(f"'{key}' must not be empty")
        return value

    def new_id(self, listed: Container[str], noun: str) -> str:
        """The entry's ``id``: lower-case words joined by hyphens, not among ``listed`` yet."""
        entry_id = self.get("id", str).strip()
        if not SLUG_ID.match(entry_id):
            raise self.fail(f"'id' must be lower-case words joined by hyphens, got {entry_id!r}")
        if entry_id in listed:
            raise self.fail(f"{noun} '{entry_id}' is listed twice")
        return entry_id

    def strings(self, key: str) -> tuple[str, ...]:
        values = self.get(key, list, required=False) or []
        for value in values:
            if not isinstance(value, str) or not value.strip():
                raise self.fail(f"'{key}' must be a list of non-empty strings, got {value!r}")
        return tuple(v.strip() for v in values)

    def date(self, key: str) -> dt.date:
        value = self.get(key, (dt.date, str))
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            raise self.fail(f"'{key}' must be a date like 2024-03-13, got {value!r}") from None

    def unknown_keys(self, allowed: set[str]) -> None:
        extra = sorted(set(self.data) - allowed)
        if extra:
            allowed_list = ", ".join(sorted(allowed))
            raise self.fail(f"unknown key(s) {', '.join(extra)} (allowed: {allowed_list})")


def _entries(path: Path, text: str, name: str) -> list[_Entry]:
    data = _load_toml(path, text)
    extra = sorted(set(data) - {name})
    if extra:
        raise RegistryError(path, None, f"unexpected top-level key(s) {', '.join(extra)}; "
                            f"entries are [[{name}]] tables")
    items = data.get(name)
    if not items:
        raise RegistryError(path, None, f"no [[{name}]] entries")
    if not isinstance(items, list):
        raise RegistryError(path, None, f"'{name}' must be written as [[{name}]] tables")
    lines = _table_lines(text, name)
    return [
        _Entry(path, lines[i] if i < len(lines) else None, item, f"{name} #{i + 1}")
        for i, item in enumerate(items)
    ]


_SESSION_KEYS = {"number", "title", "short_title", "start", "end", "format", "symbol",
                 "description", "names", "symbol_confirmed", "documents", "papers", "titles"}
#: Language codes a session's ``titles`` may use (kb.model.LANGUAGES without "und").
LANGUAGE_CODES = ("en", "fr", "es", "ru", "ar", "zh")


def _parse_sessions(path: Path, text: str) -> dict[int, Session]:
    sessions: dict[int, Session] = {}
    entries = _entries(path, text, "session")
    for entry in entries:
        entry.unknown_keys(_SESSION_KEYS)
        number = entry.get("number", int)
        if number < 1:
            raise entry.fail(f"'number' must be 1 or more, got {number}")
        if number in sessions:
            raise entry.fail(f"session {number} is listed twice")
        start, end = entry.date("start"), entry.date("end")
        if end < start:
            raise entry.fail(f"'end' ({end}) is before 'start' ({start})")
        title = entry.get("title", str).strip()
        sessions[number] = Session(
            number=number,
            title=title,
            short_title=(entry.get("short_title", str, required=False) or title).strip(),
            start=start,
            end=end,
            format=entry.get("format", str).strip(),
            symbol=entry.get("symbol", str).strip(),
            description=" ".join(entry.get("description", str).split()),
            names=entry.strings("names"),
            symbol_confirmed=bool(entry.get("symbol_confirmed", bool, required=False) is not False),
            documents=entry.strings("documents"),
            papers=entry.strings("papers"),
            titles=_titles(entry),
        )
    _check_distinct(entries, sessions)
    return dict(sorted(sessions.items()))


def _titles(entry: _Entry) -> dict[str, tuple[str, ...]]:
    """``titles = { fr = "...", zh = ["...", "..."] }``: a known language code for each."""
    table = entry.get("titles", dict, required=False) or {}
    titles: dict[str, tuple[str, ...]] = {}
    for code, value in table.items():
        if code not in LANGUAGE_CODES:
            raise entry.fail(f"'titles' has an unknown language code {code!r} "
                             f"(known: {', '.join(LANGUAGE_CODES)})")
        values = [value] if isinstance(value, str) else value
        if not isinstance(values, list) or not all(isinstance(v, str) and v.strip()
                                                   for v in values):
            raise entry.fail(f"'titles.{code}' must be a string or a list of strings")
        titles[code] = tuple(v.strip() for v in values)
    return titles


def _key(text: str) -> str:
    """Symbols and names compared as pages write them: case, spaces and separators aside."""
    return " ".join(re.findall(r"[^\W_]+", text.lower()))


def _check_distinct(entries: list[_Entry], sessions: dict[int, Session]) -> None:
    """Two sessions must not overlap in time nor share a symbol or a name: either would make
    kb guess which session a page is about."""
    by_number = {entry.data.get("number"): entry for entry in entries}
    ordered = sorted(sessions.values(), key=lambda s: (s.start, s.number))
    for earlier, later in zip(ordered, ordered[1:], strict=False):
        if later.start <= earlier.end:
            raise by_number[later.number].fail(
                f"session {later.number} ({later.start} to {later.end}) overlaps session "
                f"{earlier.number} ({earlier.start} to {earlier.end})")
    owners: dict[tuple[str, str], int] = {}
    for session in sessions.values():
        items = [("symbol", session.symbol), *(("symbol", s) for s in session.document_symbols()),
                 *(("name", n) for n in (session.title, *session.names, *session.papers,
                                         *session.all_titles()))]
        seen_here: set[tuple[str, str]] = set()
        for kind, value in items:
            key = (kind, _key(value))
            if key in seen_here:
                continue
            seen_here.add(key)
            if key in owners:
                raise by_number[session.number].fail(
                    f"{kind} {value!r} is also listed for session {owners[key]}")
            owners[key] = session.number


_TOPIC_KEYS = {"id", "label", "description", "signals"}


def _parse_topics(path: Path, text: str) -> dict[str, Topic]:
    topics: dict[str, Topic] = {}
    for entry in _entries(path, text, "topic"):
        entry.unknown_keys(_TOPIC_KEYS)
        topic_id = entry.new_id(topics, "topic")
        signals = entry.strings("signals")
        if not signals:
            raise entry.fail("'signals' must list at least one word or phrase")
        topics[topic_id] = Topic(
            id=topic_id,
            label=entry.get("label", str).strip(),
            description=" ".join((entry.get("description", str, required=False) or "").split()),
            signals=signals,
        )
    return topics
