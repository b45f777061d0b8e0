"""Finding a query's occurrences in a passage's text, with the index's own analysis.

A concordance must show exactly what search matched: the same folding, the same stop words
(skipped inside phrases, as positions skip them), and for a plain word every indexed form that
shares its stem ("protect" finds "protected", "protection"). So the patterns are built from the
matcher's own expansion of the query, and the text is tokenised as the index tokenised it.
"""

from __future__ import annotations

from dataclasses import dataclass

from index.analysis import analysis_key, index_word, word_spans
from index.matching import Matcher
from index.query import Node, Phrase, Prefix, Word, positive_nodes


@dataclass(frozen=True)
class Pattern:
    """Consecutive indexed words: one set of accepted forms per word (one word, or a phrase)."""

    words: tuple[frozenset[str], ...]
    #: The query words this pattern stands for, as typed.
    label: str


def query_patterns(matcher: Matcher, root: Node | None) -> list[Pattern]:
    """What to look for in text for each positive word, prefix and phrase of the query.

    Words searched in another field (``title:``, ``speaker:``) are left out: a concordance
    reads passage text.
    """
    patterns: list[Pattern] = []
    for node in positive_nodes(root):
        if isinstance(node, Word) and not node.field:
            term = matcher.word_term(node)
            if term:  # None for a stop word; a word the index lacks matches nothing
                patterns.append(Pattern((frozenset(term.forms or (term.typed,)),), node.text))
        elif isinstance(node, Prefix):
            found = matcher.prefix_terms(node)
            if found:
                patterns.append(Pattern((frozenset(found),), f"{node.text}*"))
        elif isinstance(node, Phrase) and not node.field:
            _, words = matcher.phrase_words(node)
            if words:
                patterns.append(Pattern(tuple(frozenset([w]) for w in words),
                                        " ".join(node.words)))
    return list(dict.fromkeys(patterns))


def occurrences(text: str, language: str, patterns: list[Pattern]) -> list[tuple[int, int]]:
    """(start, end) character spans of every occurrence, left to right, never overlapping
    (where two patterns start at one word, the longer wins)."""
    key = analysis_key(language)
    tokens = [(start, end, term) for start, end, word in word_spans(text)
              if (term := index_word(word, key)) is not None]
    ordered = sorted(patterns, key=lambda p: -len(p.words))
    found: list[tuple[int, int]] = []
    i = 0
    while i < len(tokens):
        for pattern in ordered:
            width = len(pattern.words)
            window = tokens[i:i + width]
            if len(window) == width and all(t[2] in forms
                                            for t, forms in zip(window, pattern.words,
                                                                strict=True)):
                found.append((window[0][0], window[-1][1]))
                i += width
                break
        else:
            i += 1
    return found
