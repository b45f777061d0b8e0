"""Speaker-labelled transcripts: one turn per label, names normalised.

Live captions and minutes write ``>> MICHELE WOODS: ...``, ``The CHAIR: ...`` or
``Mr. GURRY (Director General): ...``; a caption file opens with a disclaimer paragraph about
accuracy, which is not content.
"""

from __future__ import annotations

import re

from ..enrich.speakers import normalise_speaker
from ..textutil import clean_line
from .base import TURN, Block, RawDocument
from .stream import title_from_name

_NAME = r"[A-Z][A-Z.'\-]*(?:\s+[A-Z][A-Z.'\-]*){0,4}"
LABEL = re.compile(
    rf"^\s*(?:>>\s*)?(?P<label>(?:(?:Mr|Mrs|Ms|Dr|Prof|H\.\s?E)\.?\s+|The\s+)?{_NAME}"
    r"(?:\s*\([^)\n]{1,80}\))?)\s*:\s*(?P<rest>.*)$"
)
_CHEVRON_TURN = re.compile(r"^\s*>>\s*(?P<rest>.*)$")
#: After a caption marker a mixed-case name is safe to read as a label: ">> Ms. Woods: ...".
_CHEVRON_LABEL = re.compile(
    r"^\s*>>\s*(?P<label>(?:(?:Mr|Mrs|Ms|Dr|Prof)\.?\s+)?[A-Z][\w'.-]*(?:\s+[A-Z][\w'.-]*){0,3}"
    r"(?:\s*\([^)\n]{1,80}\))?)\s*:\s+(?P<rest>.*)$"
)
_DISCLAIMER = re.compile(
    r"rough[- ]draft|realtime|real-time|\bCART\b|verbatim record|not be (?:a )?totally|"
    r"captioning|provided in order to facilitate",
    re.IGNORECASE,
)
MIN_LABELS = 3


def is_speaker_label(label: str) -> bool:
    """Upper-case names or roles, not headings such as "NOTE" or "AGENDA ITEM 2"."""
    core = re.sub(r"\([^)]*\)", "", label)
    core = re.sub(r"^(?:(?:Mr|Mrs|Ms|Dr|Prof|H\.\s?E)\.?\s+|The\s+)", "", core).strip()
    letters = [c for c in core if c.isalpha()]
    return (len(letters) >= 3 and all(c.isupper() for c in letters)
            and not re.match(r"^(?:NOTE|AGENDA|ITEM|ANNEX|PAGE|DATE|ORIGINAL)\b", core))


def parse_labelled(text: str, name: str = "") -> RawDocument:
    paragraphs = [clean_line(p) for p in re.split(r"\n\s*\n", text)]
    blocks: list[Block] = []
    current: Block | None = None
    for index, paragraph in enumerate(p for p in paragraphs if p):
        if index == 0 and current is None and _DISCLAIMER.search(paragraph) \
                and not LABEL.match(paragraph):
            continue
        for line in _label_lines(paragraph):
            match = LABEL.match(line)
            if match and is_speaker_label(match.group("label")):
                current = Block(match.group("rest"), TURN,
                                speaker=normalise_speaker(match.group("label")))
                blocks.append(current)
                continue
            named = _CHEVRON_LABEL.match(line)
            if named:
                current = Block(named.group("rest"), TURN,
                                speaker=normalise_speaker(named.group("label")))
                blocks.append(current)
                continue
            chevron = _CHEVRON_TURN.match(line)
            if chevron or current is None:
                current = Block(chevron.group("rest") if chevron else line, TURN)
                blocks.append(current)
            else:
                current.text = f"{current.text} {line}".strip()
    return RawDocument(blocks=[b for b in blocks if b.text], doc_type="transcript",
                       title=title_from_name(name))


def _label_lines(paragraph: str) -> list[str]:
    """A paragraph may hold several turns when labels follow each other without blank lines."""
    if ">>" not in paragraph:  # no turn marker (most paragraphs): no scan for one
        return [paragraph]
    starts = _markers(paragraph)
    if len(starts) <= 1:
        return [paragraph]
    pieces = [paragraph[:starts[0]]] if starts[0] else []
    pieces += [paragraph[a:b] for a, b in zip(starts, [*starts[1:], len(paragraph)], strict=True)]
    return [p.strip() for p in pieces if p.strip()]


def _markers(paragraph: str) -> list[int]:
    """Where the turn markers of ``paragraph`` are: each ">>" at its start or after a space,
    outside the spaces that follow the marker before it (the matches of
    ``(?:(?<=\\s)|^)>>\\s*``, found by ``str.find``: the pattern, which opens on a
    look-behind, was tried at every character)."""
    found: list[int] = []
    at = paragraph.find(">>")
    while at >= 0:
        if at == 0 or paragraph[at - 1].isspace():
            found.append(at)
            end = at + 2
            while end < len(paragraph) and paragraph[end].isspace():
                end += 1
        else:
            end = at + 1
        at = paragraph.find(">>", end)
    return found
