"""A document as readable plain text, the way `kb extract --format text` shows it.

``Document.text`` joins passage texts only: it is what the index searches, and headings and
speakers live in ``Passage.heading`` and ``Passage.speaker`` so that they are not counted
twice. A reader checking what ingest kept needs them too: each heading once, above the
passages under it, and each speaker's name where their turn begins.
"""

from __future__ import annotations

from collections import Counter

from kb.model import Document, Passage

from .readers.timed import clock


def render_text(document: Document) -> str:
    """The passages, with each heading (path) printed once above its first passage and a
    speaker's name before the first passage of each turn ("Michele Woods: Welcome ...").

    A heading with nothing under it is its own passage (so no words are lost): it is printed
    once, not as a heading over itself. Blocks are separated by a blank line.
    """
    lines: list[str] = _turns_summary(document)
    heading = speaker = ""
    for passage in document.passages:
        if passage.heading and passage.heading != heading and passage.heading != passage.text:
            lines.append(passage.heading)
        text = passage.text
        if passage.speaker and passage.speaker != speaker:
            text = f"{passage.speaker}: {text}"
        if passage.start is not None:
            text = f"[{clock(passage.start)}] {text}"
        heading, speaker = passage.heading, passage.speaker
        lines.append(text)
    return "\n\n".join(lines)


def _turns_summary(document: Document) -> list[str]:
    """For a transcript: each speaker found (with the label the file gave them), their turns
    and when they first speak, so a researcher can check a speaker map before ingesting."""
    if document.doc_type != "transcript":
        return []
    turns: Counter[str] = Counter()
    first: dict[str, Passage] = {}
    previous = None
    for passage in document.passages:
        if passage.speaker and passage.speaker != previous:
            turns[passage.speaker] += 1
            first.setdefault(passage.speaker, passage)
        previous = passage.speaker
    labels = {name: label for label, name in document.speaker_labels.items()}
    rows = [f"Speakers found: {len(turns)}"]
    for name, count in turns.items():
        label = f" ({labels[name]})" if name in labels else ""
        start = first[name].start
        when = f", first at {clock(start)}" if start is not None else ""
        rows.append(f"  {name}{label}: {count} turn{'s' if count != 1 else ''}{when}")
    if document.recording:
        rows.append(f"Recording: {document.recording}")
    return ["\n".join(rows)]
