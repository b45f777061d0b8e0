"""Machine speech-to-text streams: sentences grouped into turns, speakers found from cues.

The recognizer writes one unbroken text per recording segment after a ``[[...]]`` disclaimer,
with no speaker labels; a change of speaker shows only in what is said ("I give the floor to
the Delegation of Japan", "my name is ..."). File names carry meeting, date and half-day
(``SCP_31_2019-12-03_AM_1_..._hyp.txt``), which give the title and date.
"""

from __future__ import annotations

import re

from ..enrich.speakers import normalise_speaker
from ..sentences import split_sentences
from .base import TURN, Block, RawDocument

_BRACKETED = re.compile(r"\[\[.*?\]\]", re.DOTALL)
_FLOOR = re.compile(
    r"\b(?:give|giving|pass|passing|hand|handing|turn|turning|open)\s+(?:the\s+)?floor\s+"
    r"(?:over\s+)?to\s+(?P<a>[^.,;!?]{3,60})"
    r"|\b(?:invite|inviting|call\s+(?:up)?on|recognize|recognise)\s+(?P<b>(?:the\s+)?"
    r"(?:distinguished\s+)?(?:delegation|representative|delegate|ambassador|chair|"
    r"[A-Z][a-z]+\s+delegation)[^.,;!?]{0,50})",
    re.IGNORECASE,
)
_MY_NAME = re.compile(r"\bmy name is\s+(?P<name>(?:[A-Z][\w'’-]+\s*){1,4})")
_FILE_DATE = re.compile(r"(\d{4}-\d{2}-\d{2})")
_TRAILING_WORDS = re.compile(r"\s+(?:please|now|again|first|next)$", re.IGNORECASE)
_STREAM_WORDS = 160
_INTRODUCTION_WORDS = 20


def parse_stream(text: str, name: str) -> RawDocument:
    body = " ".join(_BRACKETED.sub(" ", text).split())
    blocks: list[Block] = []
    speaker = ""
    words = 0
    for sentence in split_sentences(body):
        named = _MY_NAME.search(sentence)
        if named:
            speaker = normalise_speaker(named.group("name"))
            if blocks and words < _INTRODUCTION_WORDS:
                blocks[-1].speaker = speaker  # the turn just opened: now we know who speaks
            else:
                words = _STREAM_WORDS  # a self-introduction opens a new turn
        if blocks and words < _STREAM_WORDS and blocks[-1].speaker == speaker:
            blocks[-1].text = f"{blocks[-1].text} {sentence}"
            words += len(sentence.split())
        else:
            blocks.append(Block(sentence, TURN, speaker=speaker))
            words = len(sentence.split())
        floor = _FLOOR.search(sentence)
        if floor:
            target = floor.group("a") or floor.group("b") or ""
            speaker = _speaker_from_cue(target)
            words = _STREAM_WORDS
    date = _FILE_DATE.search(name)
    return RawDocument(blocks=blocks, doc_type="transcript", title=title_from_name(name),
                       date=date.group(1) if date else "")


def _speaker_from_cue(target: str) -> str:
    target = _TRAILING_WORDS.sub("", target.strip())
    target = re.sub(r"^(?:the\s+)?(?:distinguished\s+|honourable\s+|honorable\s+)?", "",
                    target, flags=re.IGNORECASE)
    adjective = re.match(r"^([A-Z][a-z]+)\s+delegation$", target, re.IGNORECASE)
    if adjective:
        return f"{adjective.group(1).capitalize()} Delegation"
    words = target.split()
    return normalise_speaker(" ".join(w if w.lower() not in ("delegation", "representative")
                                      else w.capitalize() for w in words))


def title_from_name(name: str) -> str:
    """A readable title from a file name: "SCP_31_2019-12-03_AM_1_hyp.txt" -> "SCP 31 ..."."""
    stem = re.sub(r"(?:_hyp)?\.[A-Za-z0-9]+$", "", name)
    return " ".join(stem.replace("_", " ").split())
