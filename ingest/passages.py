"""Blocks to passages: bounded, readable units a search hit can point to.

A passage is a few paragraphs under one heading (40 to 250 words, grouped up to about 150), or
one speaker turn.
Long paragraphs and turns are split between sentences, never inside one. Headings that follow each
other with nothing between are kept as a path ("Previous sessions › Data and IP"), so no words
are lost. A paragraph that opens
by naming what it describes (an overview page's "The eighth session covered ...") starts a new
passage, so that each passage can carry the session it is about.

A fragment too short to stand alone (fewer than :data:`FRAGMENT_WORDS` words outside a speaker
turn: a dateline "Geneva, April 22, 2026", a "Photo: WIPO/Berrod" line, a lone date) never
becomes a passage of its own, which would rank for the document's words with nothing to show:
it joins the passage before it, or, when there is none under its heading (a dateline opening
the page), the passage after it. A fragment that is the only text under its own heading stays
a passage, since joining it would move it under another heading.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass

from kb.model import HEADING_SEPARATOR as HEADING_SEPARATOR

from .readers.base import HEADING, TURN, Block
from .sentences import split_sentences
from .textutil import word_count

#: Joins a heading and the sub-heading that directly follows it ("Previous sessions › Data").
MIN_WORDS = 40
#: Paragraphs are grouped up to about this size: short enough for a hit to be specific.
TARGET_WORDS = 150
MAX_WORDS = 250
#: A "sentence" longer than this (unpunctuated speech-to-text) is cut at word boundaries.
_MAX_SENTENCE_WORDS = 600
#: No passage is longer than this many characters, whatever its words (the index highlights
#: at most 32,768 characters; a pasted data blob is one very long "word").
MAX_CHARS = 4000
#: Paragraph text of fewer words than this cannot stand alone as a passage (see above).
FRAGMENT_WORDS = 8


@dataclass
class PassageDraft:
    text: str
    heading: str = ""
    speaker: str = ""
    start: float | None = None


LeadKey = Callable[[str], Hashable | None]


def build_passages(blocks: list[Block], lead_key: LeadKey | None = None) -> list[PassageDraft]:
    """Group blocks into passages.

    :param lead_key: for a paragraph, what its opening words say it is about (e.g. the sessions
        it names as its subject), or None; a new non-empty key starts a new passage.
    """
    builder = _Builder(lead_key)
    for block in blocks:
        if block.kind == HEADING:
            builder.heading(block.text)
        elif block.kind == TURN:
            builder.turn(block)
        else:
            builder.paragraph(block.text)
    builder.finish()
    return builder.passages


class _Builder:
    def __init__(self, lead_key: LeadKey | None) -> None:
        self.lead_key = lead_key
        self.passages: list[PassageDraft] = []
        self.current_heading = ""
        self.pending_heading = ""
        self.parts: list[str] = []
        self.words = 0
        self.lead: Hashable | None = None
        #: A fragment waiting for the next passage under its heading (see the module docstring).
        self.carry: PassageDraft | None = None

    def heading(self, text: str) -> None:
        """A heading directly under another one (nothing between) extends it as a path."""
        self.flush()
        if self.pending_heading:
            self.current_heading = f"{self.current_heading}{HEADING_SEPARATOR}{text}"
        else:
            self.current_heading = text
        self.pending_heading = self.current_heading

    def paragraph(self, text: str) -> None:
        key = self.lead_key(text) if self.lead_key else None
        if key and key != self.lead:
            self.flush()
            self.lead = key
        n = word_count(text)
        if self.parts and self.words + n > TARGET_WORDS and self.words >= MIN_WORDS:
            self.flush()
        if n > MAX_WORDS or len(text) > MAX_CHARS:
            self.flush()
            for chunk in split_long(text):
                self._emit(chunk)
            return
        self.parts.append(text)
        self.words += n
        self.pending_heading = ""

    def turn(self, block: Block) -> None:
        self.flush()
        self._settle_carry()
        for chunk in split_long(block.text):
            self.passages.append(PassageDraft(chunk, self.current_heading, block.speaker,
                                              block.start))
        self.pending_heading = ""

    def flush(self) -> None:
        if self.parts:
            self._emit(" ".join(self.parts) if len(self.parts) == 1 else "\n\n".join(self.parts),
                       self.words)
        self.parts = []
        self.words = 0
        self.lead = None

    def finish(self) -> None:
        self.flush()
        self._settle_carry()
        if self.pending_heading:  # a last heading with nothing under it still holds words
            self.passages.append(PassageDraft(self.pending_heading, self.pending_heading))

    def _emit(self, text: str, words: int | None = None) -> None:
        """A passage of ``text`` (of ``words`` words, when known), or a fragment held over."""
        heading = self.current_heading
        carry, self.carry = self.carry, None
        if carry is not None and (carry.heading in ("", heading)) \
                and len(carry.text) + len(text) + 2 <= MAX_CHARS:
            text = f"{carry.text}\n\n{text}"
        elif carry is not None:
            self.passages.append(carry)
        # Text of several paragraphs is never a fragment: its words need no count then.
        if "\n\n" not in text and (word_count(text) if words is None else words) \
                < FRAGMENT_WORDS:
            previous = self.passages[-1] if self.passages else None
            if previous is not None and not previous.speaker and previous.heading == heading \
                    and len(previous.text) + len(text) + 2 <= MAX_CHARS:
                previous.text = f"{previous.text}\n\n{text}"
            else:
                self.carry = PassageDraft(text, heading)
            self.pending_heading = ""
            return
        self.passages.append(PassageDraft(text, heading))
        self.pending_heading = ""

    def _settle_carry(self) -> None:
        """No passage followed a held fragment under its heading: without a heading of its own
        it joins the passage before it; else (or with none before it) it stands alone."""
        carry, self.carry = self.carry, None
        if carry is None:
            return
        previous = self.passages[-1] if self.passages else None
        if previous is not None and not previous.speaker \
                and carry.heading in ("", previous.heading) \
                and len(previous.text) + len(carry.text) + 2 <= MAX_CHARS:
            previous.text = f"{previous.text}\n\n{carry.text}"
        else:
            self.passages.append(carry)


def split_long(text: str, max_words: int = MAX_WORDS) -> list[str]:
    """Split text longer than ``max_words`` between sentences into chunks of at most that size."""
    if word_count(text) <= max_words and len(text) <= MAX_CHARS:
        return [text]
    chunks: list[str] = []
    current: list[str] = []
    size = 0
    for sentence in _bounded_sentences(text):
        n = word_count(sentence)
        if current and (size + n > max_words
                        or sum(len(s) + 1 for s in current) + len(sentence) > MAX_CHARS):
            chunks.append(_join(current))
            current, size = [], 0
        current.append(sentence)
        size += n
    if current:
        chunks.append(_join(current))
    return chunks


def _join(sentences: list[str]) -> str:
    """Sentences back into text: no space after a Chinese full stop, one elsewhere."""
    out = sentences[0]
    for sentence in sentences[1:]:
        out += sentence if out.endswith(("。", "！", "？")) else f" {sentence}"
    return out


def _bounded_sentences(text: str) -> list[str]:
    out: list[str] = []
    for sentence in split_sentences(" ".join(text.split())):
        tokens = sentence.split()
        if len(tokens) <= _MAX_SENTENCE_WORDS and len(sentence) <= MAX_CHARS:
            out.append(sentence)
            continue
        for i in range(0, len(tokens), MAX_WORDS):
            piece = " ".join(tokens[i:i + MAX_WORDS])
            out.extend(piece[j:j + MAX_CHARS] for j in range(0, len(piece), MAX_CHARS))
    return out
