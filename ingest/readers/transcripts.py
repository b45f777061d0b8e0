"""Transcripts in plain text: which of the three shapes a text is, then its parser.

- speaker-labelled turns (:mod:`.turns`);
- machine speech-to-text streams (:mod:`.stream`);
- formal meeting reports (:mod:`.report`);
- Whisper's ``.txt``, one line per segment, named after a recording (:mod:`.timed`).

:func:`parse_transcript` returns None for text of none of these shapes (a web page).
"""

from __future__ import annotations

import re
from itertools import islice

from .base import RawDocument
from .report import NUMBERED, RUNNING_HEADER, SYMBOL_LINE, parse_report
from .stream import parse_stream
from .timed import segment_lines
from .turns import LABEL, MIN_LABELS, is_speaker_label, parse_labelled

#: A formal report's "ORIGINAL: English" line.
_ORIGINAL = re.compile(r"^\s*ORIGINAL\s*:", re.MULTILINE | re.IGNORECASE)
#: Speaker labels are looked for in a text's first lines only.
_LABEL_LINES = 400


def parse_transcript(text: str, name: str) -> RawDocument | None:
    """The transcript in ``text``, or None when the text is not a transcript."""
    stripped = text.lstrip()
    if stripped.startswith("[[") or name.lower().endswith("_hyp.txt"):
        return parse_stream(text, name)
    segments = segment_lines(text, name)
    if segments is not None:
        return segments
    head = text[:6000]
    if _has_original_line(head) or (
            _numbered_paragraphs(text[:20000])
            and any(RUNNING_HEADER.match(line) or SYMBOL_LINE.match(line)
                    for line in text[:20000].split("\n"))):
        return parse_report(text)
    lines = text.split("\n", _LABEL_LINES)[:_LABEL_LINES]
    labels = (m for m in map(LABEL.match, lines) if m and is_speaker_label(m.group("label")))
    if len(list(islice(labels, MIN_LABELS))) == MIN_LABELS:  # counting stops there
        return parse_labelled(text, name)
    return None


#: Numbered paragraphs ("12. The Chair said ...") that, with a running header, make a report.
_MIN_NUMBERED = 8


def _numbered_paragraphs(text: str) -> bool:
    """Does ``text`` hold :data:`_MIN_NUMBERED` numbered paragraphs (matches of ``NUMBERED``)?

    Each match's digit is the first character of its line but spaces (``^\\s*`` may run over
    blank lines, never past another character), so lines that open on a digit are at least as
    many as the matches: a text with fewer (a web page, a transcript) is not scanned by the
    pattern, which tests every character for a line start.
    """
    opening = [line.lstrip()[:1] for line in text.split("\n")]
    if sum(map(str.isdecimal, opening)) < _MIN_NUMBERED:
        return False
    return len(NUMBERED.findall(text)) >= _MIN_NUMBERED


def _has_original_line(head: str) -> bool:
    """Does ``head`` hold a report's "ORIGINAL:" line? ASCII text without "original" in its
    lower case has none (a substring test where the pattern tries every line; elsewhere "İ"
    and "ı" match "i" when case is ignored, so the pattern decides)."""
    if head.isascii() and "original" not in head.lower():
        return False
    return _ORIGINAL.search(head) is not None
