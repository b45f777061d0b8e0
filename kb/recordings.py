"""The recordings registry (``recordings.toml``): which video each session's day is.

Researchers download many transcripts of one recording (captions, Whisper's outputs); naming
the recording once per session and day, rather than in a sidecar beside every file, lets each
timed passage link to its moment. A transcript finds its recording by the session, day and
half-day its name or caption header gives (``wipo_conversation_12_day1_am.vtt``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kb.registry import Session

RECORDINGS_FILE = "recordings.toml"
_KEYS = {"session", "day", "half", "url"}
HALVES = ("am", "pm")


@dataclass(frozen=True)
class Recordings:
    """(session, day, half) -> address; half is "" for a recording of the whole day."""

    urls: dict[tuple[int, int, str], str] = field(default_factory=dict)

    def find(self, session: int, day: int, half: str = "") -> str:
        """The recording of that half-day, else of the whole day, else ""."""
        return self.urls.get((session, day, half)) or self.urls.get((session, day, ""), "")


def parse_recordings(path: Path, text: str, sessions: dict[int, Session]) -> Recordings:
    """Read recordings.toml (``[[recording]]`` tables), checked against the sessions.

    :raises kb.registry.RegistryError: naming the file, line and problem.
    """
    from kb.registry import _entries  # kb.registry imports this module at its top

    urls: dict[tuple[int, int, str], str] = {}
    for entry in _entries(path, text, "recording"):
        entry.unknown_keys(_KEYS)
        number = entry.get("session", int)
        if number not in sessions:
            raise entry.fail(f"session {number} is not in sessions.toml")
        day = entry.get("day", int)
        days = len(sessions[number].dates)
        if not 1 <= day <= days:
            raise entry.fail(f"session {number} has {days} day(s); 'day' must be 1 to {days}, "
                             f"got {day}")
        half = (entry.get("half", str, required=False) or "").strip().lower()
        if half and half not in HALVES:
            raise entry.fail(f"'half' must be am or pm, got {half!r}")
        url = entry.get("url", str).strip()
        if not url.startswith(("http://", "https://")):
            raise entry.fail(f"'url' must be an http(s) address, got {url!r}")
        key = (number, day, half)
        if key in urls:
            raise entry.fail(f"session {number}, day {day}{' ' + half if half else ''} is "
                             "listed twice")
        urls[key] = url
    return Recordings(urls)
