"""'Did you mean': respelling a word from the words in the index, with bounded work.

Whoosh's ``Searcher.suggest`` builds a Levenshtein automaton for the word and walks the term
dictionary with it, on the searcher's shared file handles: the audit's 1,000-character word
took about 2 s there, holding the index lock, so every other query waited. kb keeps the
unstemmed vocabulary of one generation in memory instead, grouped by first letter and length,
and compares a word only with the words of its first letter within two letters of its length,
with an edit distance that stops as soon as it exceeds two. The work per word is bounded by
that group's size, words longer than :data:`MAX_WORD_CHARS` are not respelled at all, and a
:class:`Speller` is immutable once built, so it runs without any lock.
"""

from __future__ import annotations

from collections.abc import Iterable

#: Words longer than this are not respelled (no typo of a real word is this long).
MAX_WORD_CHARS = 24
#: Shortest word respelled: shorter ones have too many neighbours to guess from.
MIN_WORD_CHARS = 3
#: Most edits (insert, delete, substitute, swap two neighbours) between a word and its respelling.
MAX_DISTANCE = 2


class Speller:
    """The vocabulary of one generation, ready to respell words."""

    def __init__(self, words: Iterable[tuple[str, int]]) -> None:
        """:param words: (indexed word, number of passages holding it)."""
        self._groups: dict[tuple[str, int], list[tuple[str, int]]] = {}
        for word, frequency in words:
            if word:
                self._groups.setdefault((word[0], len(word)), []).append((word, frequency))

    def suggest(self, word: str) -> str:
        """The closest indexed word (fewest edits, then most frequent, then alphabetical) that
        shares ``word``'s first letter, or "" when none is within :data:`MAX_DISTANCE`.

        The first letter is kept because typos there are rare, and it keeps the search small.
        """
        if not MIN_WORD_CHARS <= len(word) <= MAX_WORD_CHARS:
            return ""
        best: tuple[int, int, str] | None = None
        for length in range(len(word) - MAX_DISTANCE, len(word) + MAX_DISTANCE + 1):
            for candidate, frequency in self._groups.get((word[0], length), ()):
                if candidate == word:
                    continue
                distance = edit_distance(word, candidate, MAX_DISTANCE)
                if distance <= MAX_DISTANCE:
                    key = (distance, -frequency, candidate)
                    if best is None or key < best:
                        best = key
        return best[2] if best else ""


def edit_distance(a: str, b: str, limit: int) -> int:
    """Edits (insertions, deletions, substitutions, adjacent swaps) turning ``a`` into ``b``;
    any value above ``limit`` is returned as ``limit + 1`` as soon as it is certain."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        current = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            value = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if (i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]
                    and previous2[j - 2] + 1 < value):
                value = previous2[j - 2] + 1
            current[j] = value
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return min(previous[len(b)], limit + 1)
