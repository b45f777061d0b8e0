"""Caption files (.vtt WebVTT, .srt SubRip), as the tools that make them write them.

- Platform auto-captions (YouTube): rolling cues in which each cue repeats the line before,
  inline word timings (``word<00:01:02.345><c> next</c>``), ``align:``/``position:`` settings.
  Lines already shown are dropped, so every phrase comes out once, in order.
- Whisper's .vtt and .srt (``mm:ss.mmm`` times when under an hour), WhisperX's with
  ``[SPEAKER_00]:`` labels.
- Meeting software (Zoom, Teams): ``Name: text`` in cues, or ``<v Name>`` voice tags.
- Live captions (CART): ``>> NAME:`` labels, a speaker kept until the next label.

webvtt-py parses the WebVTT and SubRip syntax (header metadata, NOTE blocks, voice tags, cue
settings, inline tags); a pre-scan keeps kb's line-numbered error for a broken timing line,
which webvtt-py would skip without a word. ``Key: value`` lines of the header or of a NOTE
block before the first cue (``Title:``, ``Session:``, ``Day:``, ``Date:``, ``Language:``,
``Recording:``) say what the recording is.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

import webvtt
from webvtt.errors import MalformedCaptionError, MalformedFileError

from kb.speakers import DIARISED, diarised_label

from ..encoding import decode
from ..enrich.speakers import normalise_speaker
from ..errors import IngestError
from ..textutil import clean_line
from . import EXTENSIONS
from .base import RawDocument, Reader
from .timed import Cue, header_fields, timed_document

_TIME = r"(?:(\d{1,3}):)?(\d{1,2}):(\d{2})[.,](\d{1,3})"
_TIMING = re.compile(rf"^\s*{_TIME}\s*-->\s*{_TIME}(?:\s+.*)?$")
_ARROW = re.compile(r"-->")
_UPPER_LABEL = re.compile(
    r"^(?:>>|-)?\s*([A-Z][A-Z .'-]{1,40}[A-Z](?:\s*\([^)]{1,60}\))?)\s*:\s+")
#: "Daren Tang: ..." as meeting software writes it; accepted when it recurs (see _NameLabels).
_NAME_LABEL = re.compile(
    r"^([A-Z][\w'’.-]*(?:\s+(?:[A-Z][\w'’.-]*|de|van|von|da|del|la)){0,4}"
    r"(?:\s*\([^)]{1,60}\))?)\s*:\s+")
_DIARISED_LABEL = re.compile(r"^\[?(SPEAKER[_ ]?\d{1,3})\]?\s*:\s*", re.IGNORECASE)
_CHEVRONS = re.compile(r"^>>\s*")
_INLINE_TIME = re.compile(r"<\d{1,2}:\d{2}(?::\d{2})?\.\d{3}>")


def parse(data: bytes, name: str) -> list[RawDocument]:
    text = decode(data).replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    is_vtt = name.lower().endswith(".vtt")
    if is_vtt and not lines[0].lstrip("\ufeff").startswith("WEBVTT"):
        raise IngestError("not a WebVTT file: the first line must be WEBVTT")
    _check_timing_lines(lines)
    try:
        captions = webvtt.from_string(text.lstrip("\ufeff")) if is_vtt else \
            webvtt.from_buffer(iter(lines), format="srt")
    except (MalformedFileError, MalformedCaptionError) as exc:
        raise IngestError(f"not a valid {'WebVTT' if is_vtt else 'SubRip'} file: {exc}") from None
    header: dict[str, str] = {}
    if is_vtt:
        notes = [line for comment in captions.header_comments for line in comment.split("\n")]
        header = header_fields(list(captions.metadata) + notes)
    cues = _cues(captions)
    if not cues:
        raise IngestError("empty transcript: no caption cues found")
    return [timed_document(cues, name, header=header)]


def _check_timing_lines(lines: list[str]) -> None:
    """A broken timing line fails the file with its line number: a caption file with wrong
    times would put every later passage at the wrong moment."""
    for number, line in enumerate(lines, start=1):
        if not _ARROW.search(line):
            continue
        match = _TIMING.match(line.strip())
        if not match:
            raise IngestError(f"line {number}: broken cue timing {line.strip()[:60]!r}")
        if seconds(match.groups()[4:]) < seconds(match.groups()[:4]):
            raise IngestError(f"line {number}: cue ends before it starts "
                              f"({line.strip()[:60]!r})")


def _cues(captions: webvtt.WebVTT) -> list[Cue]:
    """Cues with rolling repeats removed and speakers read from voice tags or labels."""
    pieces = []
    rolling = _is_rolling(captions)
    shown: list[str] = []  # the lines on screen after the previous cue
    last = ""
    for caption in captions.captions:
        lines = _lines(caption.text)
        new: list[str] = []
        for line in lines:
            if not rolling:
                new.append(line)
                continue
            if line in shown or line == last:
                continue  # a rolling cue repeating what is already on screen
            if last and line.startswith(last + " "):
                line = line[len(last):].strip()  # a line growing word by word
                last = last + " " + line
            else:
                last = line
            new.append(line)
        shown = lines
        if new:
            pieces.append((seconds(_parts(caption.start)),
                           seconds(_parts(caption.end)), " ".join(new), caption.voice))
    labels = _NameLabels(text for _, _, text, _ in pieces)
    cues: list[Cue] = []
    speaker = ""
    for start, end, text, voice in pieces:
        speaker, text = _speaker(text, voice, speaker, labels)
        if text:
            cues.append(Cue(start, end, text, speaker))
    return cues


def _lines(text: str) -> list[str]:
    return [line for line in (clean_line(raw) for raw in text.split("\n")) if line]


def _is_rolling(captions: webvtt.WebVTT) -> bool:
    """Auto-captions that roll: inline word timings, or cues that open with the previous
    cue's last line above a new one. Elsewhere a repeated line is what was said ("Thank
    you." twice)."""
    if any(_INLINE_TIME.search(c.raw_text) for c in captions.captions):
        return True
    repeats = pairs = 0
    previous: list[str] = []
    for caption in captions.captions:
        lines = _lines(caption.text)
        if previous and lines:
            pairs += 1
            repeats += len(lines) >= 2 and lines[0] == previous[-1]
        previous = lines
    return pairs >= 2 and repeats >= pairs * 0.3


def _speaker(text: str, voice: str | None, previous: str, labels: _NameLabels) -> tuple[str, str]:
    """Who speaks in a cue and its text without the label; no label keeps the last speaker."""
    speaker = previous
    if voice:
        speaker = _name(voice)
    diarised = _DIARISED_LABEL.match(text)
    upper = _UPPER_LABEL.match(text)
    named = _NAME_LABEL.match(text)
    if diarised:
        return diarised_label(diarised.group(1)), text[diarised.end():]
    if upper and not DIARISED.match(upper.group(1)):
        return normalise_speaker(upper.group(1)), text[upper.end():]
    if named and labels.accepts(named.group(1)):
        return normalise_speaker(named.group(1)), text[named.end():]
    if text.startswith(">>"):
        return "", _CHEVRONS.sub("", text)  # a new, unnamed voice
    return speaker, text


def _name(voice: str) -> str:
    return diarised_label(voice) if DIARISED.match(voice.strip()) else normalise_speaker(voice)


class _NameLabels:
    """Mixed-case ``Name: text`` labels, told apart from a sentence such as "Note: ...".

    Meeting software puts the speaker's name before every cue, so a real label recurs; a
    one-off "Question: ..." does not. A label of two or more words (a first and last name)
    counts on its own once the file has any recurring label.
    """

    def __init__(self, texts: Iterable[str]) -> None:
        found = Counter(m.group(1) for m in map(_NAME_LABEL.match, texts) if m)
        self.recurring = {label for label, n in found.items() if n >= 2}

    def accepts(self, label: str) -> bool:
        return label in self.recurring or (bool(self.recurring) and len(label.split()) >= 2)


def _parts(stamp: str) -> tuple[str | None, ...]:
    match = re.fullmatch(_TIME, stamp.strip())
    if match is None:
        raise IngestError(f"broken cue time {stamp!r}")
    return match.groups()


def seconds(parts: tuple[str | None, ...]) -> float:
    """(hours, minutes, seconds, milliseconds) as matched by the timing pattern, in seconds."""
    hours, minutes, secs, millis = parts
    return (int(hours or 0) * 3600 + int(minutes or 0) * 60 + int(secs or 0)
            + int((millis or "0").ljust(3, "0")) / 1000)


READER = Reader("captions", EXTENSIONS["captions"], parse)
