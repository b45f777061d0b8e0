"""Topics from the topic registry: a passage has every topic one of whose signals occurs in it.

Signals are matched on words, case-insensitively: the text is split into word tokens once and
every run of one to a few tokens is looked up in a table of all signals of all topics, so tagging
a passage costs one pass over its words whatever the size of the taxonomy. A signal ending in
``*`` also matches longer words ("invent*" matches "inventor"). Punctuation inside a signal
counts as a word break ("copyright-protected" is the two words "copyright protected").
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from kb.registry import Registry

from .registry_cache import per_registry

_WORD = re.compile(r"\w+")


class TopicMatcher:
    def __init__(self, registry: Registry) -> None:
        self.order = {topic_id: i for i, topic_id in enumerate(registry.topics)}
        self._exact: dict[tuple[str, ...], set[str]] = {}
        #: (words before the last, prefix of the last word) -> topics, for signals ending in *
        self._prefixed: dict[tuple[str, ...], list[tuple[str, set[str]]]] = {}
        self._longest = 1
        #: Every leading run of words of a signal: a scan stops as soon as it leaves these.
        self._starts: set[tuple[str, ...]] = set()
        for topic in registry.topics.values():
            for signal in topic.signals:
                self._add(signal, topic.id)
        self._single_prefixes = tuple(p for p, _ in self._prefixed.get((), []))

    def _add(self, signal: str, topic_id: str) -> None:
        prefix = signal.rstrip().endswith("*")
        words = tuple(_WORD.findall(signal.lower()))
        if not words:
            return
        self._longest = max(self._longest, len(words))
        stem = words[:-1] if prefix else words
        self._starts.update(stem[:k] for k in range(1, len(stem) + 1))
        if prefix:
            entries = self._prefixed.setdefault(words[:-1], [])
            for last, topics in entries:
                if last == words[-1]:
                    topics.add(topic_id)
                    return
            entries.append((words[-1], {topic_id}))
        else:
            self._exact.setdefault(words, set()).add(topic_id)

    def topics(self, text: str) -> list[str]:
        """Topic ids signalled in ``text``, in registry order."""
        tokens = _WORD.findall(text.lower())
        found: set[str] = set()
        exact, prefixed, starts = self._exact, self._prefixed, self._starts
        singles = self._single_prefixes
        count = len(tokens)
        for i in range(count):
            for n in range(1, min(self._longest, count - i) + 1):
                gram = tuple(tokens[i:i + n])
                if n > 1 or (singles and gram[0].startswith(singles)):
                    for last, topics in prefixed.get(gram[:-1], ()):
                        if gram[-1].startswith(last):
                            found |= topics
                hit = exact.get(gram)
                if hit:
                    found |= hit
                if gram not in starts:
                    break
        return sorted(found, key=self.order.__getitem__)

    def roll_up(self, lists: Iterable[list[str]]) -> list[str]:
        found = {topic for topics in lists for topic in topics}
        return sorted(found, key=self.order.__getitem__)


matcher_for = per_registry(TopicMatcher)
