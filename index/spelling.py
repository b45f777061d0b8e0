"""'Did you mean': respelling a word from the words in the index, with bounded work.

Whoosh's ``Searcher.suggest`` builds a Levenshtein automaton for the word and walks the term
dictionary with it, on the searcher's shared file handles: the audit's 1,000-character word
took about 2 s there, holding the index lock, so every other query waited. kb keeps the
unstemmed vocabulary of one generation in memory instead, grouped by first letter and length,
and compares a word only with the words of its first letter within two letters of its length,
with RapidFuzz's edit distance (C, and it stops as soon as the distance exceeds two). The work
per word is bounded by that group's size, words longer than :data:`MAX_WORD_CHARS` are not
respelled at all, and a :class:`Speller` is immutable once built, so it runs without any lock.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

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
        groups: dict[tuple[str, int], list[tuple[str, int]]] = {}
        for word, frequency in words:
            if word:
                groups.setdefault((word[0], len(word)), []).append((word, frequency))
        self._words = {key: [w for w, _ in pairs] for key, pairs in groups.items()}
        self._frequencies = {key: [f for _, f in pairs] for key, pairs in groups.items()}

    @classmethod
    def from_sorted(cls, words: list[str], frequencies: list[int],
                    bounds: list[int]) -> Speller:
        """The speller of ``words`` already ordered by :func:`vocabulary_order`, whose groups
        (one first letter and length each) start at ``bounds`` (:func:`group_bounds`, with the
        end last): as the generation's file keeps them, so nothing is done per word."""
        speller = cls(())
        for start, end in zip(bounds, bounds[1:], strict=False):
            if end > start and words[start]:
                key = (words[start][0], len(words[start]))
                speller._words[key] = words[start:end]
                speller._frequencies[key] = frequencies[start:end]
        return speller

    def suggest(self, word: str, refused: Callable[[str], bool] = lambda _: False) -> str:
        """The closest indexed word (fewest edits, then most frequent, then alphabetical) that
        shares ``word``'s first letter, or "" when none is within :data:`MAX_DISTANCE`.

        The first letter is kept because typos there are rare, and it keeps the search small.
        A word shorter than the one typed is offered only when the typed word merely doubled
        one of its letters ("trainning"): dropping other letters turns a rare word into a
        commoner one that means something else. ``refused`` words (stop words) are never
        offered.
        """
        if not MIN_WORD_CHARS <= len(word) <= MAX_WORD_CHARS:
            return ""
        from rapidfuzz import process  # not at import: kb search rarely respells (cold start)
        from rapidfuzz.distance import OSA

        best: tuple[int, int, str] | None = None
        for length in range(len(word) - MAX_DISTANCE, len(word) + MAX_DISTANCE + 1):
            key = (word[0], length)
            candidates = self._words.get(key)
            if not candidates:
                continue
            frequencies = self._frequencies[key]
            for candidate, distance, i in process.extract(
                    word, candidates, scorer=OSA.distance, score_cutoff=MAX_DISTANCE,
                    limit=None):
                if candidate != word and _may_become(word, candidate) and not refused(candidate):
                    ranked = (int(distance), -frequencies[i], candidate)
                    best = ranked if best is None or ranked < best else best
        return best[2] if best else ""


def _may_become(typed: str, candidate: str) -> bool:
    """Whether ``candidate`` is an acceptable respelling by length (see Speller.suggest)."""
    if len(candidate) >= len(typed):
        return True
    return any(typed[i] == typed[i + 1] and typed[:i] + typed[i + 1:] == candidate
               for i in range(len(typed) - 1))


def edit_distance(a: str, b: str, limit: int) -> int:
    """Edits (insertions, deletions, substitutions, adjacent swaps) turning ``a`` into ``b``;
    any value above ``limit`` is returned as ``limit + 1``."""
    from rapidfuzz.distance import OSA

    return int(OSA.distance(a, b, score_cutoff=limit))


def vocabulary_order(word: str) -> tuple[str, int, str]:
    """The order :meth:`Speller.from_sorted` reads a vocabulary in."""
    return word[:1], len(word), word


def group_bounds(words: list[str]) -> list[int]:
    """Where each group of ``words`` (ordered by :func:`vocabulary_order`) starts, and the
    end."""
    return [i for i in range(len(words)) if i == 0 or words[i][:1] != words[i - 1][:1]
            or len(words[i]) != len(words[i - 1])] + [len(words)]
