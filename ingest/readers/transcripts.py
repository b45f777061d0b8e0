"""Transcripts in plain text: which of the three shapes a text is, then its parser.

- speaker-labelled turns (:mod:`.turns`);
- machine speech-to-text streams (:mod:`.stream`);
- formal meeting reports (:mod:`.report`);
- Whisper's ``.txt``, one line per segment, named after a recording (:mod:`.timed`).

:func:`parse_transcript` returns None for text of none of these shapes (a web page).
"""

from __future__ import annotations

import re

from .base import RawDocument
from .report import NUMBERED, RUNNING_HEADER, SYMBOL_LINE, parse_report
from .stream import parse_stream
from .timed import segment_lines
from .turns import LABEL, MIN_LABELS, is_speaker_label, parse_labelled


def parse_transcript(text: str, name: str) -> RawDocument | None:
    """The transcript in ``text``, or None when the text is not a transcript."""
    stripped = text.lstrip()
    if stripped.startswith("[[") or name.lower().endswith("_hyp.txt"):
        return parse_stream(text, name)
    segments = segment_lines(text, name)
    if segments is not None:
        return segments
    head = text[:6000]
    if re.search(r"^\s*ORIGINAL\s*:", head, re.MULTILINE | re.IGNORECASE) or (
            len(NUMBERED.findall(text[:20000])) >= 8
            and any(RUNNING_HEADER.match(line) or SYMBOL_LINE.match(line)
                    for line in text[:20000].split("\n"))):
        return parse_report(text)
    labels = [m for m in (LABEL.match(line) for line in text.split("\n")[:400])
              if m and is_speaker_label(m.group("label"))]
    if len(labels) >= MIN_LABELS:
        return parse_labelled(text, name)
    return None
