"""Speech-to-text output: Whisper's and WhisperX's ``.json``, Whisper's ``.tsv``.

- Whisper JSON: ``{"text", "segments": [{"start", "end", "text", "words"?}], "language"}``.
- WhisperX JSON: the same segments, each (and each word) with a diarised ``speaker``
  (``SPEAKER_00`` ...). A segment whose words change speaker is cut where they change, so a
  turn never mixes two speakers; a word without a speaker (WhisperX leaves some) keeps the
  speaker of the word before it.
- Whisper TSV: a ``start<TAB>end<TAB>text`` header, then times in milliseconds.

Whisper's ``.srt``, ``.vtt`` and ``.txt`` are read by the caption and text readers. A ``.json``
that is not in this shape fails with what was expected and what was found: a JSON file in the
corpus is assumed to be a transcript, and anything else is a mistake worth a message.
"""

from __future__ import annotations

import json
from typing import Any

from kb.speakers import diarised_label

from ..encoding import decode
from ..errors import IngestError
from . import EXTENSIONS
from .base import RawDocument, Reader
from .timed import Cue, timed_document

_NOT_WHISPER = "not a Whisper or WhisperX transcript"


def parse(data: bytes, name: str) -> list[RawDocument]:
    if name.lower().endswith(".tsv"):
        return [_tsv(decode(data), name)]
    try:
        value = json.loads(decode(data))
    except json.JSONDecodeError as exc:
        raise IngestError(f"not valid JSON: {exc.msg} (line {exc.lineno})") from None
    if not isinstance(value, dict):
        raise IngestError(f"{_NOT_WHISPER}: expected an object with 'segments', "
                          f"found a JSON {type(value).__name__}")
    segments = value.get("segments")
    if not isinstance(segments, list):
        keys = ", ".join(sorted(value)[:8]) or "none"
        raise IngestError(f"{_NOT_WHISPER}: no 'segments' list (keys found: {keys})")
    warnings: list[str] = []
    cues = [cue for number, segment in enumerate(segments, start=1)
            for cue in _segment(segment, number, warnings)]
    if not cues:
        if segments and warnings:
            raise IngestError(f"{_NOT_WHISPER}: no usable segment ({warnings[0]})")
        raise IngestError("empty transcript: no segment has any text")
    language = value.get("language")
    raw = timed_document(cues, name, language=language if isinstance(language, str) else "")
    raw.warnings[:0] = warnings
    return [raw]


def _segment(segment: Any, number: int, warnings: list[str]) -> list[Cue]:
    if not isinstance(segment, dict):
        warnings.append(f"segment {number}: not an object; skipped")
        return []
    start, end = _time(segment.get("start")), _time(segment.get("end"))
    text = segment.get("text")
    if start is None or not isinstance(text, str):
        missing = "start time" if start is None else "text"
        warnings.append(f"segment {number}: has no {missing}; skipped")
        return []
    speaker = segment.get("speaker")
    speaker = diarised_label(speaker) if isinstance(speaker, str) and speaker.strip() else ""
    words = segment.get("words")
    runs = _speaker_runs(words, speaker, start) if isinstance(words, list) else []
    if len(runs) > 1:
        return [Cue(run_start, run_end if run_end is not None else run_start,
                    _words_text(run_words), run_speaker)
                for run_speaker, run_start, run_end, run_words in runs]
    return [Cue(start, end if end is not None else start, " ".join(text.split()), speaker)]


def _speaker_runs(words: list[Any], speaker: str, start: float
                  ) -> list[tuple[str, float, float | None, list[str]]]:
    """Consecutive words of one speaker: (speaker, start, end, words)."""
    runs: list[tuple[str, float, float | None, list[str]]] = []
    current = speaker
    for word in words:
        if not isinstance(word, dict) or not isinstance(word.get("word"), str):
            continue
        label = word.get("speaker")
        if isinstance(label, str) and label.strip():
            current = diarised_label(label)
        word_start, word_end = _time(word.get("start")), _time(word.get("end"))
        if runs and runs[-1][0] == current:
            who, run_start, run_end, texts = runs[-1]
            texts.append(word["word"])
            runs[-1] = (who, run_start, word_end if word_end is not None else run_end, texts)
        else:
            begin = word_start if word_start is not None else (runs[-1][2] if runs else start)
            runs.append((current, begin if begin is not None else start, word_end,
                         [word["word"]]))
    return runs


def _words_text(words: list[str]) -> str:
    """Whisper's words carry their leading space (" Good"), WhisperX's do not ("Good")."""
    if all(w[:1].isspace() or not w for w in words[1:]):
        return " ".join("".join(words).split())
    return " ".join(w.strip() for w in words if w.strip())


def _time(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def _tsv(text: str, name: str) -> RawDocument:
    lines = text.split("\n")
    if [c.strip().lower() for c in lines[0].lstrip("\ufeff").split("\t")] != \
            ["start", "end", "text"]:
        raise IngestError("not a Whisper TSV: the first line must be start<TAB>end<TAB>text")
    cues: list[Cue] = []
    warnings: list[str] = []
    for number, line in enumerate(lines[1:], start=2):
        if not line.strip():
            continue
        cells = line.split("\t", 2)
        if len(cells) < 3 or not (cells[0].strip().isdigit() and cells[1].strip().isdigit()):
            warnings.append(f"line {number}: expected start and end in milliseconds, then the "
                            f"text; skipped {line.strip()[:60]!r}")
            continue
        cues.append(Cue(int(cells[0]) / 1000, int(cells[1]) / 1000, " ".join(cells[2].split())))
    if not cues:
        raise IngestError("empty transcript: no timed line with text"
                          + (f" ({warnings[0]})" if warnings else ""))
    raw = timed_document(cues, name)
    raw.warnings[:0] = warnings
    return raw


READER = Reader("whisper", EXTENSIONS["whisper"], parse)
