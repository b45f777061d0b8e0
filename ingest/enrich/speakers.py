"""Speaker names as one person is known across a transcript.

Captions write ">> MICHELE WOODS", minutes write "Mr. GURRY (Director General)", reports write
"The Delegation of Japan": the speaker facet must show one name per person, so capitals are
folded to title case, honorifics and roles in parentheses are dropped, and within one document a
surname alone ("Ms. Woods") is mapped to the full name used elsewhere ("Michele Woods").
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_HONORIFIC = re.compile(
    r"^(?:(?:mr|mrs|ms|miss|dr|prof|professor|h\.\s?e|his excellency|her excellency|"
    r"ambassador|sir|madam|mme|m)\.?\s+)+",
    re.IGNORECASE,
)
_PARENS = re.compile(r"\s*[(\[][^)\]]*[)\]]\s*")
_LEADING = re.compile(r"^(?:>>\s*|-\s*|the\s+)", re.IGNORECASE)
_LOWER_PARTICLES = frozenset({"of", "the", "and", "de", "del", "la", "van", "von", "der", "da"})


def normalise_speaker(raw: str) -> str:
    """A display name: "Mr. GURRY (Director General)" -> "Gurry", "The CHAIR" -> "Chair"."""
    name = _PARENS.sub(" ", raw).strip(" :,-")
    name = _LEADING.sub("", name).strip()
    name = _HONORIFIC.sub("", name).strip()
    name = " ".join(name.split())
    if not name:
        return ""
    words = []
    for i, word in enumerate(name.split(" ")):
        if word.isupper() or word.islower():
            word = word.lower() if (i and word.lower() in _LOWER_PARTICLES) else _cap(word)
        words.append(word)
    return " ".join(words)


def _cap(word: str) -> str:
    return "-".join(part[:1].upper() + part[1:].lower() for part in word.split("-"))


def unify(names: Iterable[str]) -> dict[str, str]:
    """Map each name to the fullest name in the document that ends with the same surname."""
    names = [n for n in dict.fromkeys(names) if n]
    full = [n for n in names if len(n.split()) > 1]
    mapping: dict[str, str] = {}
    for name in names:
        target = name
        if len(name.split()) == 1:
            candidates = [f for f in full if f.split()[-1].lower() == name.lower()]
            if len(candidates) == 1:
                target = candidates[0]
        mapping[name] = target
    return mapping
