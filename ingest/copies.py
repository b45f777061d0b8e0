"""What a near-duplicate copy says that its canonical document does not, kept searchable there.

A copy is collapsed into its canonical document (it is listed under "also at" and not indexed
on its own), so a paragraph only the copy has would vanish from search. Such paragraphs are
added to the canonical document as passages of their own, headed by the copy's source, with
the topics, sessions and speaker the copy's enrichment gave them.
"""

from __future__ import annotations

from dataclasses import replace

from kb.model import Document, Passage

from .identity import passage_ids
from .passages import HEADING_SEPARATOR
from .textutil import normalise

#: Up to this size, a copy's paragraph found inside a longer paragraph of the canonical
#: document also counts as known (the two may split their text differently).
_SUBSTRING_CHARS = 500_000


def absorb(canonical: Document, copies: list[Document]) -> None:
    """Collapse ``copies`` into ``canonical``: remember where each came from, keep its words."""
    canonical.duplicate_urls = {copy.source: copy.url for copy in copies if copy.url}
    keep_unique(canonical, copies)


def keep_unique(canonical: Document, copies: list[Document]) -> None:
    """Append to ``canonical`` the passages of ``copies`` it lacks (only their new paragraphs)."""
    body = normalise(canonical.text)
    known = {normalise(par) for p in canonical.passages for par in p.text.split("\n\n")}
    added: list[Passage] = []
    for copy in sorted(copies, key=lambda d: d.source):
        for passage in copy.passages:
            new = [par for par in passage.text.split("\n\n") if _is_new(par, known, body)]
            if not new:
                continue
            known.update(normalise(par) for par in new)
            heading = f"{copy.source}{HEADING_SEPARATOR}{passage.heading}" if passage.heading \
                else copy.source
            added.append(replace(passage, doc_id=canonical.doc_id, text="\n\n".join(new),
                                 heading=heading))
    if not added:
        return
    texts = [p.text for p in canonical.passages] + [p.text for p in added]
    ids = passage_ids(canonical.doc_id, texts)[len(canonical.passages):]
    start = len(canonical.passages)
    for offset, (passage, passage_id) in enumerate(zip(added, ids, strict=True)):
        passage.passage_id, passage.position = passage_id, start + offset
    canonical.passages.extend(added)


def _is_new(paragraph: str, known: set[str], body: str) -> bool:
    key = normalise(paragraph)
    if not key or key in known:
        return False
    return len(body) > _SUBSTRING_CHARS or key not in body
