"""Metadata sidecars: what a researcher knows about a file wins over what kb infers.

Format (for the README). Next to ``talk.pdf`` put ``talk.pdf.meta.json`` or
``talk.pdf.meta.toml``; every key is optional::

    {
      "title": "Summary of the eighth session",
      "sessions": [8],                  // or "session": 8
      "date": "2023-09-21",             // YYYY-MM-DD
      "type": "summary",                // one of kb.model.DOC_TYPES
      "language": "en",                 // one of kb.model.LANGUAGES
      "speakers": ["Michele Woods"],
      "url": "https://www.wipo.int/...", // canonical address: also fixes the document id
      "original_url": "https://...",    // where the file was copied from: cited, id unchanged
      "recording": "https://www.youtube.com/watch?v=..."  // the video a transcript is of
    }

For a diarised transcript, ``speakers`` may instead map its labels to people
(``speakers = {SPEAKER_00 = "Daren Tang", SPEAKER_01 = "Michele Woods"}``); a label the map
leaves out is shown as "Speaker 1", "Speaker 2" ..., and a label the file lacks is a warning.
The TOML form uses the same keys (``sessions = [8]``). Unknown keys, wrong types, session numbers
missing from sessions.toml, unknown types or languages are errors naming the sidecar, so a typo
never silently drops a researcher's correction. JSON Lines records accept the same keys.
"""

from __future__ import annotations

import datetime as dt
import json
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kb.model import DOC_TYPES, LANGUAGES
from kb.registry import Registry

from .errors import IngestError
from .regular import read_regular

SUFFIXES = (".meta.json", ".meta.toml")
_MAX_SIDECAR_BYTES = 1_000_000
KEYS = ("title", "session", "sessions", "date", "type", "language", "speakers", "url",
        "recording", "original_url")


@dataclass
class Metadata:
    """Values given by hand; empty fields mean "infer it"."""

    title: str = ""
    sessions: list[int] = field(default_factory=list)
    date: str = ""
    doc_type: str = ""
    language: str = ""
    speakers: list[str] = field(default_factory=list)
    url: str = ""
    #: Diarised label (or name as the file writes it) -> the person's name.
    speaker_map: dict[str, str] = field(default_factory=dict)
    #: Address of the recording a timed transcript was made from.
    recording: str = ""
    #: The address the file was copied from, for citations; unlike ``url`` it changes neither
    #: the document id nor the inferred site and type, so links to existing ids keep working.
    original_url: str = ""


def is_sidecar(name: str) -> bool:
    return name.lower().endswith(SUFFIXES)


def sidecar_paths(path: Path) -> list[Path]:
    return [path.with_name(path.name + suffix) for suffix in SUFFIXES]


def read_sidecar(path: Path, registry: Registry) -> tuple[Metadata, bytes]:
    """The sidecar's metadata and raw bytes (they are part of the file's content hash)."""
    found = [p for p in sidecar_paths(path) if p.is_file()]
    if not found:
        return Metadata(), b""
    if len(found) > 1:
        raise IngestError(f"two sidecars ({found[0].name} and {found[1].name}): keep one")
    sidecar = found[0]
    try:
        raw = read_regular(sidecar, _MAX_SIDECAR_BYTES)
        text = raw.decode("utf-8-sig")
    except IngestError as exc:
        raise IngestError(f"sidecar {sidecar.name}: {exc}") from None
    except UnicodeDecodeError as exc:
        raise IngestError(f"sidecar {sidecar.name} cannot be read: {exc}") from None
    try:
        data = json.loads(text) if sidecar.name.lower().endswith(".json") else tomllib.loads(text)
    except (json.JSONDecodeError, tomllib.TOMLDecodeError) as exc:
        raise IngestError(f"sidecar {sidecar.name} is not valid: {exc}") from None
    return validate(data, f"sidecar {sidecar.name}", registry), raw


def validate(data: Any, where: str, registry: Registry, extra: tuple[str, ...] = ()) -> Metadata:
    """Check a metadata mapping; ``extra`` names further keys the caller handles itself."""
    if not isinstance(data, dict):
        raise IngestError(f"{where}: expected an object of metadata keys")
    unknown = sorted(set(data) - set(KEYS) - set(extra))
    if unknown:
        raise IngestError(f"{where}: unknown key(s) {', '.join(unknown)} "
                          f"(allowed: {', '.join(KEYS)})")
    meta = Metadata()
    meta.title = _string(data, "title", where)
    meta.url = _string(data, "url", where)
    meta.original_url = _string(data, "original_url", where)
    meta.sessions = _sessions(data, where, registry)
    meta.date = _date(data, where)
    meta.doc_type = _choice(data, "type", DOC_TYPES, where)
    meta.language = _choice(data, "language", LANGUAGES, where)
    meta.recording = _string(data, "recording", where)
    if meta.recording and not meta.recording.startswith(("http://", "https://")):
        raise IngestError(f"{where}: 'recording' must be an http(s) address, "
                          f"got {meta.recording!r}")
    speakers = data.get("speakers", [])
    if isinstance(speakers, dict):
        if not all(isinstance(k, str) and k.strip() and isinstance(v, str) and v.strip()
                   for k, v in speakers.items()):
            raise IngestError(f"{where}: 'speakers' must map labels to names, "
                              'like {SPEAKER_00 = "Daren Tang"}')
        meta.speaker_map = {k.strip(): " ".join(v.split()) for k, v in speakers.items()}
        return meta
    if not isinstance(speakers, list) or not all(isinstance(s, str) and s.strip()
                                                 for s in speakers):
        raise IngestError(f"{where}: 'speakers' must be a list of names, or a table mapping "
                          "diarised labels to names")
    meta.speakers = [s.strip() for s in speakers]
    return meta


def _string(data: dict[str, Any], key: str, where: str) -> str:
    value = data.get(key, "")
    if not isinstance(value, str):
        raise IngestError(f"{where}: '{key}' must be a string, got {value!r}")
    return value.strip()


def _sessions(data: dict[str, Any], where: str, registry: Registry) -> list[int]:
    if "session" in data and "sessions" in data:
        raise IngestError(f"{where}: give 'session' or 'sessions', not both")
    value = data.get("sessions", data.get("session", []))
    values = value if isinstance(value, list) else [value]
    numbers = []
    for item in values:
        if isinstance(item, bool) or not isinstance(item, int):
            raise IngestError(f"{where}: sessions must be session numbers, got {item!r}")
        if registry.sessions and item not in registry.sessions:
            known = ", ".join(str(n) for n in registry.sessions)
            raise IngestError(f"{where}: session {item} is not in sessions.toml (known: {known})")
        numbers.append(item)
    return sorted(set(numbers))


def _date(data: dict[str, Any], where: str) -> str:
    value = data.get("date", "")
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if not isinstance(value, str):
        raise IngestError(f"{where}: 'date' must be a date like 2024-03-13, got {value!r}")
    if not value:
        return ""
    try:
        return dt.date.fromisoformat(value.strip()).isoformat()
    except ValueError:
        raise IngestError(
            f"{where}: 'date' must be a date like 2024-03-13, got {value!r}") from None


def _choice(data: dict[str, Any], key: str, allowed: dict[str, str], where: str) -> str:
    value = _string(data, key, where)
    if value and value not in allowed:
        raise IngestError(f"{where}: '{key}' must be one of {', '.join(allowed)}, got {value!r}")
    return value
