"""Timed transcripts, whatever tool wrote them: cues checked, then merged into readable turns.

Caption files, Whisper and WhisperX all come down to a list of timed cues (start, end, text,
perhaps a speaker). The checks and the merging live here once, so every format gets the same
turns: a turn keeps the start time of its first cue, never mixes two speakers, and closes at a
long pause or a sentence end once it is long enough. File names and caption headers often say
which session and day a recording is (``wipo_conversation_12_day1_am.json``); that is read here
too, so the formats agree on it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import pairwise

from ..errors import IngestError
from .base import TURN, Block, RawDocument
from .stream import title_from_name

#: No recording of a session is a day long: a time past this is a broken file, not a moment.
MAX_SECONDS = 24 * 3600
_PAUSE = 2.0
_TARGET_WORDS = 120
_MAX_WORDS = 220
#: Overlaps shorter than this are rounding, or captions deliberately shown together.
_OVERLAP_TOLERANCE = 1.0
_SENTENCE_END = re.compile(r"[.!?…。？！][\"'”’)]*$")
_CONVERSATION_NAME = re.compile(
    r"(?:wipo[_ -]*)?(?:conversation|conv)[_ -]*(?:session[_ -]*)?(?P<session>\d{1,2})(?!\d)"
    r"(?:[_ -]*day[_ -]*(?P<day>\d))?(?:[_ -]*(?P<half>am|pm))?",
    re.IGNORECASE,
)
_HALF = {"am": "morning", "pm": "afternoon"}
_LANGUAGE_NAMES = {"english": "en", "french": "fr", "spanish": "es", "russian": "ru",
                   "arabic": "ar", "chinese": "zh"}


@dataclass
class Cue:
    """One timed piece of a transcript: seconds from the start of the recording."""

    start: float
    end: float
    text: str
    speaker: str = ""


def check_cues(cues: list[Cue], warnings: list[str]) -> list[Cue]:
    """The cues a document can be built from; what is wrong with the others goes to warnings.

    A cue past 24 hours is dropped (its time cannot be right); cues out of order are put back in
    order of their start (a player does the same); overlaps are kept, and reported, because the
    words are still what was said. An empty result fails the file: there is nothing to index.
    """
    late = [c for c in cues if c.start >= MAX_SECONDS or c.end > MAX_SECONDS]
    if late:
        warnings.append(f"{len(late)} cue(s) timed past 24 hours dropped "
                        f"(first at {clock(late[0].start)}): {_quote(late[0].text)}")
    kept = [c for c in cues if c not in late]
    backwards = [c for c in kept if c.end < c.start]
    if backwards:
        warnings.append(f"{len(backwards)} cue(s) end before they start (first at "
                        f"{clock(backwards[0].start)}); their start time is kept")
        for cue in backwards:
            cue.end = cue.start
    disordered = [b for a, b in pairwise(kept) if b.start < a.start]
    if disordered:
        warnings.append(f"{len(disordered)} cue(s) out of order (first at "
                        f"{clock(disordered[0].start)}); put back in order of their start time")
        kept.sort(key=lambda c: c.start)
    overlapping = [b for a, b in pairwise(kept) if a.end - b.start > _OVERLAP_TOLERANCE]
    if overlapping:
        warnings.append(f"{len(overlapping)} cue(s) overlap the one before by more than "
                        f"{_OVERLAP_TOLERANCE:g} s (first at {clock(overlapping[0].start)})")
    kept = [c for c in kept if c.text.strip()]
    if not kept:
        raise IngestError("empty transcript: no cue has any text")
    return kept


def merge_turns(cues: list[Cue]) -> list[Block]:
    """Cues to turns: same speaker, short pauses, closed at a sentence end once long enough."""
    blocks: list[Block] = []
    words = 0
    previous: Cue | None = None
    for cue in cues:
        n = len(cue.text.split())
        new_turn = (
            previous is None
            or cue.speaker != previous.speaker
            or (cue.start - previous.end > _PAUSE and words >= 40)
            or (words >= _TARGET_WORDS and _SENTENCE_END.search(previous.text))
            or words + n > _MAX_WORDS
        )
        if new_turn:
            blocks.append(Block(cue.text, TURN, speaker=cue.speaker, start=cue.start))
            words = n
        else:
            blocks[-1].text = _join(blocks[-1].text, cue.text)
            words += n
        previous = cue
    return blocks


def _join(left: str, right: str) -> str:
    """No space between Chinese cues (the script has none between words)."""
    if left.endswith(tuple("。，、？！")) or (left[-1:] > "\u2e80" and right[:1] > "\u2e80"):
        return left + right
    return f"{left} {right}"


def timed_document(cues: list[Cue], name: str, *, language: str = "",
                   header: dict[str, str] | None = None) -> RawDocument:
    """The document of a timed transcript: checked cues as turns, plus what its name and header
    say (title, session, day, recording)."""
    warnings: list[str] = []
    blocks = merge_turns(check_cues(cues, warnings))
    raw = RawDocument(blocks=blocks, doc_type="transcript", warnings=warnings)
    apply_name(raw, name)
    apply_header(raw, {"language": language, **(header or {})})
    return raw


def segment_lines(text: str, name: str) -> RawDocument | None:
    """Whisper's ``.txt``: one line per segment, no blank lines, no times, named after the
    recording (``wipo_conversation_12_day1_am.txt``). None for any other text."""
    if not _CONVERSATION_NAME.search(name):  # the cheap test first: most texts are not
        return None
    lines = [" ".join(line.split()) for line in text.strip().split("\n")]
    if len(lines) < 2 or not all(lines):
        return None
    raw = RawDocument(blocks=[Block(" ".join(lines))], doc_type="transcript")
    apply_name(raw, name)
    return raw


def apply_name(raw: RawDocument, name: str) -> None:
    """Session, day and half-day from a file name like ``wipo_conversation_12_day1_am.json``."""
    raw.title = title_from_name(name)
    match = _CONVERSATION_NAME.search(name)
    if not match:
        return
    session = int(match.group("session"))
    raw.sessions = [session]
    parts = [f"WIPO Conversation, session {session}"]
    if match.group("day"):
        raw.day = int(match.group("day"))
        parts.append(f"day {raw.day}")
    if match.group("half"):
        raw.half = match.group("half").lower()
        parts.append(_HALF[raw.half])
    raw.title = ", ".join(parts)


#: Header keys (case-insensitive) a caption file's header or NOTE block may give.
HEADER_KEYS = ("title", "session", "day", "date", "language", "recording")


def apply_header(raw: RawDocument, header: dict[str, str]) -> None:
    """What a caption header says wins over the file name; a bad value is a warning."""
    if header.get("title"):
        raw.title = header["title"]
    for key in ("session", "day"):
        value = header.get(key, "")
        if not value:
            continue
        if not value.isdigit():
            raw.warnings.append(f"header '{key.capitalize()}: {value}' is not a number; ignored")
            continue
        if key == "session":
            raw.sessions = [int(value)]
        else:
            raw.day = int(value)
    if header.get("date"):
        raw.date = header["date"]
    if header.get("language"):
        raw.language = declared_language(header["language"], raw.warnings)
    if header.get("recording"):
        raw.recording = header["recording"]


def declared_language(value: str, warnings: list[str]) -> str:
    """A tool's language ("en", "zh-Hans", "English") as one of kb's six codes, else ""."""
    word = value.strip().lower().replace("_", "-")
    code = _LANGUAGE_NAMES.get(word, word.split("-")[0])
    if code in _LANGUAGE_NAMES.values():
        return code
    warnings.append(f"language {value.strip()!r} is not one of the six UN languages "
                    f"({', '.join(_LANGUAGE_NAMES.values())}); detected from the text instead")
    return ""


def header_fields(lines: list[str]) -> dict[str, str]:
    """``Key: value`` lines of a header or NOTE block, for the keys kb understands."""
    found: dict[str, str] = {}
    for line in lines:
        key, sep, value = line.partition(":")
        key = key.strip().lower()
        if sep and key in HEADER_KEYS and value.strip() and key not in found:
            found[key] = value.strip()
    return found


def clock(seconds: float) -> str:
    """``754.5`` -> ``00:12:34``: how a time is written in messages."""
    whole = int(seconds)
    return f"{whole // 3600:02d}:{whole % 3600 // 60:02d}:{whole % 60:02d}"


def _quote(text: str) -> str:
    text = " ".join(text.split())
    return repr(text[:60] + ("…" if len(text) > 60 else ""))
