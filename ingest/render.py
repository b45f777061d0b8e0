"""A document as readable plain text, the way `kb extract --format text` shows it.

``Document.text`` joins passage texts only: it is what the index searches, and headings and
speakers live in ``Passage.heading`` and ``Passage.speaker`` so that they are not counted
twice. A reader checking what ingest kept needs them too: each heading once, above the
passages under it, and each speaker's name where their turn begins.
"""

from __future__ import annotations

from kb.model import Document


def render_text(document: Document) -> str:
    """The passages, with each heading (path) printed once above its first passage and a
    speaker's name before the first passage of each turn ("Michele Woods: Welcome ...").

    A heading with nothing under it is its own passage (so no words are lost): it is printed
    once, not as a heading over itself. Blocks are separated by a blank line.
    """
    lines: list[str] = []
    heading = speaker = ""
    for passage in document.passages:
        if passage.heading and passage.heading != heading and passage.heading != passage.text:
            lines.append(passage.heading)
        text = passage.text
        if passage.speaker and passage.speaker != speaker:
            text = f"{passage.speaker}: {text}"
        heading, speaker = passage.heading, passage.speaker
        lines.append(text)
    return "\n\n".join(lines)
