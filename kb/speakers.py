"""Speakers: the one place that turns a person's name into the id their pages are found under.

The web's `/speakers/<id>` pages, the links from every speaker name and the CLI all need the
same id for the same person, so the rule lives here and nowhere else.
"""

from __future__ import annotations

import re
import unicodedata

_NOT_WORD = re.compile(r"[^\w]+")


def speaker_id(name: str) -> str:
    """A stable, readable URL id for a speaker's name: "Daren Tang" -> "daren-tang".

    Accents are folded so that "Francis Gurry" and "Francis Gürry" share an id; letters of
    other scripts (Chinese, Arabic, Cyrillic) are kept as they are, because a URL carries them
    and folding them to nothing would merge different people.
    """
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    folded = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _NOT_WORD.sub("-", folded).strip("-_").replace("_", "-")
