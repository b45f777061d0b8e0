"""What every reader returns: the document's text as typed blocks, plus what the format knows.

Readers only parse; they do not decide what is boilerplate or where passages end. Keeping their
output this plain lets each later stage be tested on a hand-written list of blocks.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

#: Block kinds: a heading, a paragraph of prose, a speaker turn (or caption cue group).
HEADING, PARAGRAPH, TURN = "heading", "paragraph", "turn"


@dataclass
class Block:
    text: str
    kind: str = PARAGRAPH
    speaker: str = ""
    #: Seconds from the start of the recording (captions only).
    start: float | None = None
    #: Index of the blank-line-separated group a plain-text line came from.
    group: int = 0

    def __reduce__(self) -> tuple[type[Block], tuple[str, str, str, float | None, int]]:
        """Pickled as its fields in order (blocks go to the reading workers and back by the
        thousand): half the work of pickling the attribute dictionary, names included."""
        return type(self), (self.text, self.kind, self.speaker, self.start, self.group)


@dataclass
class RawDocument:
    """One document as a reader sees it, before cleaning and enrichment."""

    blocks: list[Block]
    title: str = ""
    date: str = ""
    url: str = ""
    language: str = ""
    #: A type the format itself implies (captions are transcripts), else "".
    doc_type: str = ""
    sessions: list[int] = field(default_factory=list)
    speakers: list[str] = field(default_factory=list)
    #: For multi-record files (JSON Lines): the record's id, which becomes the doc_id.
    record_id: str = ""
    #: True for text taken from web pages, which gets page-level boilerplate cleaning.
    web: bool = False
    #: True when a record failed: ``error`` says why (other records of the file still count).
    error: str = ""
    #: Metadata a record carries (JSON Lines), validated like a sidecar by the pipeline.
    metadata: dict[str, Any] = field(default_factory=dict)
    #: Problems that cost part of the file, not all of it (cues dropped, reordered, ...).
    warnings: list[str] = field(default_factory=list)
    #: Which day of its session a recording is (1, 2, ...), when its name or header says so.
    day: int = 0
    #: "am" or "pm" when the name says which half-day a recording is.
    half: str = ""
    #: The address of the recording a timed transcript was made from.
    recording: str = ""


@dataclass(frozen=True)
class Reader:
    """A format: the extensions it claims and how to parse a file's bytes into documents."""

    name: str
    extensions: tuple[str, ...]
    parse: Callable[[bytes, str], list[RawDocument]]
