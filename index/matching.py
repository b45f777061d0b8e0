"""Turning a parsed query into the passages it matches and the terms that score them.

Matching is exact set algebra over boolean masks (it gives the true total and the facet
counts); scoring is BM25F over only the positive words, restricted to the matched set.
Keeping the two apart means a filter or a NOT never changes a score.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from index.analysis import analysis_key, fold, is_stop, stem
from index.query import (
    AnyOf,
    DateRange,
    Expanded,
    Filter,
    Group,
    Node,
    Phrase,
    Prefix,
    Word,
    positive_nodes,
    weighted_nodes,
)
from index.snapshot import ScoreTerm, Snapshot
from kb.facets import BY_NAME

#: Most terms a prefix expands to (the most frequent ones are kept).
MAX_PREFIX_TERMS = 64
_PREFIX_SCAN = 2000
#: The index field a ``speaker:`` word or prefix searches (names, folded, stop words kept).
SPEAKER_WORDS = "speaker_words"

@dataclass
class Matched:
    """What a query matched: the passages, the terms BM25 scores, the words to mark."""

    docs: np.ndarray
    score_terms: list[ScoreTerm]
    #: Folded indexed words (every form found) to mark in snippets.
    highlight_words: set[str] = field(default_factory=set)
    notes: list[str] = field(default_factory=list)


class Matcher:
    """Evaluates one parsed query against one snapshot."""

    def __init__(self, snapshot: Snapshot, typed_bonus: float,
                 languages: tuple[str, ...] = ()) -> None:
        """:param languages: the language codes searched (the language facet's selection);
            empty means every language present. Query words are stemmed, and their stop words
            dropped, in these languages only."""
        self.snap = snapshot
        self.typed_bonus = typed_bonus
        present = snapshot.analysis_keys
        chosen = tuple(k for k in dict.fromkeys(analysis_key(c) for c in languages)
                       if k in present)
        #: Analysis keys the query is read in; None when they are all those present.
        self.keys: tuple[str, ...] | None = chosen if chosen and len(chosen) < len(present) \
            else None
        self.notes: list[str] = []
        self._prefixes: dict[Prefix, list[str]] = {}

    def run(self, root: Node | None) -> Matched:
        positives = positive_nodes(root)
        words = [n for n in positives if isinstance(n, Word) and n.field != "speaker"]
        if words and len(words) == len(positives) and all(self.is_stop(w.text) for w in words):
            self.notes.append("The query has only very common words, which are not indexed; "
                              "add a more specific word.")
        docs = self.docs(root) if root is not None else self.snap.passages.copy()
        terms = [replace(term, weight=weight) if weight != 1.0 else term
                 for node, weight in weighted_nodes(root) for term in self.score_terms(node)]
        # Marked words come from the positive items only: a NOT's words made no passage match.
        highlight = {form for term in terms if term.field != SPEAKER_WORDS
                     for form in term.forms}
        return Matched(docs, terms, highlight, self.notes)

    # -- set algebra ------------------------------------------------------------------------
    def docs(self, node: Node) -> np.ndarray:
        if isinstance(node, Word):
            term = self.word_term(node)
            return self.snap.union((term.field, f) for f in term.forms) if term else \
                self.snap.empty()
        if isinstance(node, Prefix):
            target = _index_field(node.field)
            return self.snap.union((target, t) for t in self.prefix_terms(node))
        if isinstance(node, Phrase):
            return self.phrase_docs(node)
        if isinstance(node, Filter):
            return self.filter_docs(node)
        if isinstance(node, DateRange):
            return self.date_docs(node)
        if isinstance(node, (AnyOf, Expanded)):
            mask = self.snap.empty()
            items = node.items if isinstance(node, AnyOf) else \
                tuple(n for n in (node.typed, *node.also) if n is not None)
            for item in items:
                mask |= self.docs(item)
            return mask
        return self.group_docs(node)

    def group_docs(self, node: Group) -> np.ndarray:
        if node.any_of:
            docs = self.snap.empty()
            for item in node.any_of:
                docs |= self.docs(item)
        else:
            docs = self.snap.passages.copy()
        # A required stop word is not indexed: it restricts nothing (as in a phrase).
        required = [item for item in node.all_of
                    if not (isinstance(item, Word) and self.word_term(item) is None)]
        if node.all_of and not required and not node.any_of:
            return self.snap.empty()
        for item in sorted(required, key=_cheap_first):
            if not docs.any():
                break
            docs &= self.docs(item)
        for item in node.none_of:
            if not docs.any():
                break
            docs &= ~self.docs(item)
        return docs & self.snap.passages

    def word_term(self, node: Word) -> ScoreTerm | None:
        """The word's indexed forms in its field; None for a stop word."""
        lowered = node.text.lower()
        field_name = _index_field(node.field)
        if field_name == SPEAKER_WORDS:
            return ScoreTerm(field_name, (fold(lowered),))
        if self.is_stop(node.text):
            return None
        typed = fold(lowered)
        forms = self.snap.forms(field_name, typed)
        if self.keys is not None:
            stems = {stem(typed, key) for key in self.keys}
            forms = tuple(f for f in forms if f == typed
                          or any(stem(f, key) in stems for key in self.keys))
        return ScoreTerm(field_name, forms, typed, self.typed_bonus)

    def is_stop(self, word: str) -> bool:
        """A stop word in a language searched (so "les" does not match every English text).

        An acronym typed in capitals that the index holds is never one: French drops "ai" (of
        avoir) as a stop word, but "AI" is this corpus's most searched word, indexed in every
        English text, and must not vanish from a query because a French page is present.
        """
        keys = self.keys if self.keys is not None else self.snap.analysis_keys
        lowered = word.lower()
        if not any(is_stop(lowered, key) for key in keys):
            return False
        return not (len(word) > 1 and word.isupper()
                    and self.snap.reader.doc_frequency("body", fold(lowered)) > 0)

    def prefix_terms(self, node: Prefix) -> list[str]:
        """The indexed words of the prefix's own field that start with it."""
        if node not in self._prefixes:
            self._prefixes[node] = self._expand(node)
        return self._prefixes[node]

    def _expand(self, node: Prefix) -> list[str]:
        target = _index_field(node.field)
        found = []
        for i, term in enumerate(self.snap.reader.expand_prefix(target, fold(node.text))):
            if i >= _PREFIX_SCAN:
                break
            found.append(term.decode("utf-8") if isinstance(term, bytes) else term)
        if len(found) > MAX_PREFIX_TERMS:
            freq = self.snap.reader.doc_frequency
            found = sorted(found, key=lambda t: (-freq(target, t), t))[:MAX_PREFIX_TERMS]
            self.notes.append(f"{node.text}* matched many words; the {MAX_PREFIX_TERMS} most "
                              "frequent were used.")
        return found

    def phrase_words(self, node: Phrase) -> tuple[str, list[str]]:
        """The field and the indexed words a phrase is matched on (stop words are not indexed
        in text fields, and positions skip them, so "right to be heard" still matches)."""
        target = _index_field(node.field)
        if target == SPEAKER_WORDS:
            return target, [fold(w) for w in node.words]
        return target, [fold(w) for w in node.words if not self.is_stop(w)]

    def phrase_docs(self, node: Phrase) -> np.ndarray:
        target, words = self.phrase_words(node)
        if not words:
            return self.snap.empty()
        candidates = self.snap.passages.copy()
        for word in words:
            candidates &= self.snap.union([(target, word)])
        if len(words) == 1 or not candidates.any():
            return candidates
        return candidates & self.snap.mask(self.snap.phrase(target, tuple(words)))

    def filter_docs(self, node: Filter) -> np.ndarray:
        values = self.snap.facet_table(node.facet).values
        wanted = resolve_value(node.facet, node.value, values)
        if not wanted:
            self.notes.append(missing_value_note(node.facet, node.value))
        return self.snap.facet_mask(node.facet, wanted)

    def date_docs(self, node: DateRange) -> np.ndarray:
        chosen = [d for d in self.snap.terms("date")
                  if (not node.start or d[:len(node.start)] >= node.start)
                  and (not node.end or d[:len(node.end)] <= node.end)]
        return self.snap.union(("date", d) for d in chosen)

    # -- scoring ----------------------------------------------------------------------------
    def score_terms(self, node: Node) -> list[ScoreTerm]:
        if isinstance(node, Word):
            term = self.word_term(node)
            return [term] if term and term.forms else []
        if isinstance(node, Prefix):
            target = _index_field(node.field)
            return [ScoreTerm(target, (t,)) for t in self.prefix_terms(node)]
        if isinstance(node, Phrase):
            target, words = self.phrase_words(node)
            return [ScoreTerm(target, (w,)) for w in words]
        return []


def _index_field(field_name: str) -> str:
    """The index field a query field's words live in ("" = title, heading and text)."""
    if field_name == "speaker":
        return SPEAKER_WORDS
    return field_name or "body"


def _cheap_first(node: Node) -> int:
    """Evaluate restrictions before phrases, which need positions."""
    return 1 if isinstance(node, Phrase) else 0


def missing_value_note(facet: str, typed: str) -> str:
    """Why a filter found nothing: one wording for ``lang:fr`` and ``--lang fr`` alike."""
    return f"No {facet} '{typed}' in the index."


def resolve_value(facet: str, typed: str, values: list[str]) -> list[str]:
    """Index values a typed filter value means: exact, case-insensitive, or by label."""
    if typed in values:
        return [typed]
    lowered = typed.lower()
    labels = BY_NAME[facet].choices if facet in BY_NAME else {}
    found = [v for v in values if v.lower() == lowered or labels.get(v, "").lower() == lowered]
    if not found and facet in ("topic", "speaker", "source"):
        found = [v for v in values if lowered in v.lower()]
    return found
