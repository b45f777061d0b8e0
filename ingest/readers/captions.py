"""Caption files (.vtt WebVTT, .srt SubRip): cues merged into readable, timed turns.

Cues are a few words each. They are merged while the speaker stays the same and the pause
between cues is short; a turn is closed at a sentence end once it is long enough, so every
passage keeps the start time of its first cue. A malformed timing line fails the file with its
line number: a caption file with wrong times would put every later passage at the wrong moment.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..encoding import decode
from ..enrich.speakers import normalise_speaker
from ..errors import IngestError
from ..textutil import clean_line
from .base import TURN, Block, RawDocument, Reader
from .stream import title_from_name

_TIME = r"(?:(\d{1,2}):)?(\d{1,2}):(\d{2})[.,](\d{1,3})"
_TIMING = re.compile(rf"^\s*{_TIME}\s*-->\s*{_TIME}(?:\s+.*)?$")
_ARROW = re.compile(r"-->")
_VOICE = re.compile(r"<v(?:\.[\w.-]+)?\s+([^>]+)>")
_TAG = re.compile(r"</?[^>]+>")
_LABEL = re.compile(r"^(?:>>|-)?\s*([A-Z][A-Z .'-]{1,40}[A-Z](?:\s*\([^)]{1,60}\))?)\s*:\s+")
_CHEVRONS = re.compile(r"^>>\s*")
_SENTENCE_END = re.compile(r"[.!?…][\"'”’)]*$")
_PAUSE = 2.0
_TARGET_WORDS = 120
_MAX_WORDS = 220


@dataclass
class _Cue:
    start: float
    end: float
    text: str
    speaker: str


def parse(data: bytes, name: str) -> list[RawDocument]:
    text = decode(data)
    lines = text.split("\n")
    is_vtt = name.lower().endswith(".vtt")
    if is_vtt and not lines[0].lstrip("\ufeff").startswith("WEBVTT"):
        raise IngestError("not a WebVTT file: the first line must be WEBVTT")
    cues = _cues(lines)
    if not cues:
        raise IngestError("no caption cues found")
    return [RawDocument(blocks=_turns(cues), doc_type="transcript",
                        title=title_from_name(name))]


def _cues(lines: list[str]) -> list[_Cue]:
    cues: list[_Cue] = []
    i = 0
    while i < len(lines):
        line = lines[i].strip()
        if not _ARROW.search(line):
            i += 1
            continue
        match = _TIMING.match(line)
        if not match:
            raise IngestError(f"line {i + 1}: broken cue timing {line[:60]!r}")
        start, end = _seconds(match.groups()[:4]), _seconds(match.groups()[4:])
        if end < start:
            raise IngestError(f"line {i + 1}: cue ends before it starts ({line[:60]!r})")
        if cues and start < cues[-1].start:
            raise IngestError(f"line {i + 1}: cue starts before the previous one ({line[:60]!r})")
        i += 1
        text_lines = []
        while i < len(lines) and lines[i].strip():
            text_lines.append(lines[i].strip())
            i += 1
        cues.extend(_cue(start, end, " ".join(text_lines), cues[-1].speaker if cues else ""))
    return cues


def _cue(start: float, end: float, raw: str, previous_speaker: str) -> list[_Cue]:
    speaker = previous_speaker
    voice = _VOICE.search(raw)
    if voice:
        speaker = normalise_speaker(voice.group(1))
    text = clean_line(_TAG.sub("", raw))
    label = _LABEL.match(text)
    if label:
        speaker = normalise_speaker(label.group(1))
        text = text[label.end():]
    elif text.startswith(">>"):
        speaker = ""  # a new, unnamed voice
        text = _CHEVRONS.sub("", text)
    return [_Cue(start, end, text, speaker)] if text else []


def _seconds(parts: tuple[str | None, ...]) -> float:
    hours, minutes, seconds, millis = parts
    return (int(hours or 0) * 3600 + int(minutes or 0) * 60 + int(seconds or 0)
            + int((millis or "0").ljust(3, "0")) / 1000)


def _turns(cues: list[_Cue]) -> list[Block]:
    blocks: list[Block] = []
    words = 0
    previous: _Cue | None = None
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
            blocks[-1].text = f"{blocks[-1].text} {cue.text}"
            words += n
        previous = cue
    return blocks


READER = Reader("captions", (".vtt", ".srt"), parse)
