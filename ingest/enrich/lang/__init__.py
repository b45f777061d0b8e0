"""Per-language words, as data: one TOML file per UN language (en, fr, es, ru, zh, ar).

Each file says how that language names the Conversation and its sessions (series names, the
noun for a session, ordinals, list joiners), how it writes dates (month names, day-range
joiners), which words mark a session mentioned in passing or another body's session, its most
common words (for language detection) and WIPO's site menu labels in it. Adding a language, or
a word to one, is an edit to a file here, never to the code that uses them.

In word lists a ``*`` stands for any word ending (Russian declines: ``сесси*`` is сессия,
сессии, сессию).
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

_DIR = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Language:
    code: str
    series: tuple[str, ...]
    series_words: tuple[str, ...]
    session_words: tuple[str, ...]
    between: tuple[str, ...]
    articles: tuple[str, ...]
    list_joiners: tuple[str, ...]
    number_prefixes: tuple[str, ...]
    ordinal_suffixes: tuple[str, ...]
    first_n: str
    counts: dict[str, int]
    passing: tuple[str, ...]
    other_bodies: tuple[str, ...]
    ordinals: dict[str, int]
    months: dict[str, int]
    day_joiners: tuple[str, ...]
    stopwords: frozenset[str]
    menu: tuple[str, ...]
    #: The ordinal follows the noun (Arabic: الدورة الثانية).
    ordinal_after: bool = False

    @property
    def spaced(self) -> bool:
        """Words are separated by spaces (every language here but Chinese)."""
        return self.code != "zh"


def _load(path: Path) -> Language:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    lists = {name: tuple(data.get(name, ())) for name in (
        "series", "series_words", "session_words", "between", "articles", "list_joiners",
        "number_prefixes", "ordinal_suffixes", "passing", "other_bodies", "day_joiners", "menu")}
    return Language(
        code=data["code"], first_n=data.get("first_n", ""),
        counts=dict(data.get("counts", {})), ordinals=dict(data.get("ordinals", {})),
        months=dict(data.get("months", {})),
        stopwords=frozenset(data.get("stopwords", "").split()),
        ordinal_after=bool(data.get("ordinal_after", False)), **lists)


@cache
def languages() -> dict[str, Language]:
    """Every language file, by code, English first."""
    found = {lang.code: lang for lang in map(_load, sorted(_DIR.glob("*.toml")))}
    return dict(sorted(found.items(), key=lambda kv: (kv[0] != "en", kv[0])))


def word_pattern(word: str) -> str:
    """A table word as a regular expression: literal, with ``*`` for any word ending."""
    return r"\w*".join(re.escape(part) for part in word.split("*"))


def alternation(words: Iterable[str]) -> str:
    """Table words as one alternation, longest first (so "第十一" wins over "第十")."""
    unique = sorted(set(words), key=lambda w: (-len(w), w))
    return "(?:" + "|".join(word_pattern(w) for w in unique) + ")" if unique else "(?!)"
