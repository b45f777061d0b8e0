"""Plain text (.txt): text saved from web pages, or a transcript in one of its text shapes."""

from __future__ import annotations

from ..encoding import decode
from . import EXTENSIONS, transcripts
from .base import RawDocument, Reader
from .structure import text_to_blocks


def parse(data: bytes, name: str) -> list[RawDocument]:
    text = decode(data)
    shaped = transcripts.parse_transcript(text, name)
    if shaped is not None:
        return [shaped]
    return [RawDocument(blocks=text_to_blocks(text), web=True)]


READER = Reader("text", EXTENSIONS["text"], parse)
