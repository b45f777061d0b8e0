"""Reading back every reference to a document or passage that kb prints.

`kb search` prints ``002_page.txt#p-7cb6f6246b37fd84``, the JSON has ``doc_id`` and
``passage_id``, the web UI links ``/doc/<doc_id>?q=...#p-<passage_id>``: a researcher pastes
whichever is at hand into `kb show` or `kb similar`, so each command reads them all here, the
same way, and says which forms it takes when a reference is none of them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qs, unquote, urlsplit

#: What a reference may look like, for messages.
FORMS = ("a doc_id or passage_id, p-<passage_id>, <source>#p-<passage_id> (as `kb search` "
         "prints it), or a link to /doc/<doc_id>#p-<passage_id> (a full http:// URL too)")

#: The characters of an id: 16 hex digits, or a JSON Lines record's own id.
_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,63}")


@dataclass(frozen=True)
class Reference:
    """What a reference names: a passage, a document, or an id that may be either.

    ``candidates`` are ``(kind, id)`` pairs to look up in order, ``kind`` being
    ``"document"`` or ``"passage"``; the first that exists is what was meant.
    """

    text: str
    candidates: tuple[tuple[str, str], ...]


def parse_reference(text: str) -> Reference | None:
    """The ids ``text`` may name, or None when it is none of :data:`FORMS`."""
    text = text.strip()
    if "://" in text or text.startswith("/doc/"):
        return _from_link(text)
    if "#" in text:
        # source#p-<id>: a file name may itself hold '#', so the id is after the last one.
        _, _, fragment = text.rpartition("#")
        passage = _passage_fragment(fragment)
        return Reference(text, (("passage", passage),)) if passage else None
    if not _ID.fullmatch(text):
        return None
    candidates = [("document", text), ("passage", text)]
    if text.startswith("p-") and _ID.fullmatch(text[2:]):
        candidates.append(("passage", text[2:]))
    return Reference(text, tuple(candidates))


def _from_link(text: str) -> Reference | None:
    parts = urlsplit(text)
    if not parts.path.startswith("/doc/"):
        return None
    doc_id = unquote(parts.path[len("/doc/"):]).strip("/")
    if not _ID.fullmatch(doc_id):
        return None
    passage = _passage_fragment(parts.fragment) or "".join(parse_qs(parts.query).get("p", [])[:1])
    if passage and _ID.fullmatch(passage):
        return Reference(text, (("passage", passage), ("document", doc_id)))
    return Reference(text, (("document", doc_id),))


def _passage_fragment(fragment: str) -> str:
    if fragment.startswith("p-") and _ID.fullmatch(fragment[2:]):
        return fragment[2:]
    return ""
