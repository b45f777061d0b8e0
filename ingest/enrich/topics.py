"""Topics from the topic registry: a passage has a topic when the topic is a subject of it, and a
document when the topic covers a real share of it.

A single passing mention does not make a subject: a recap that lists "litigation, contractual
frameworks and AI regulation" in one sentence is not about each of them, and a page naming
"performers" once is not about their voice and likeness. So a passage gets a topic when its
signals occur at least :data:`MIN_SIGNALS` times in its text, or once in its heading or its
first sentence (where a passage states what it is about). A document gets a topic when the
passages that have it hold at least :data:`DOCUMENT_SHARE` of its words, or when its title
signals it. ``tests/ingest/fixtures/topic_labels.json`` holds hand-labelled passages that
measure both rules (``bench/topics.py``).

Signals are matched on words, case-insensitively: the text is split into word tokens once and
every run of one to a few tokens is looked up in a table of all signals of all topics, so tagging
a passage costs one pass over its words whatever the size of the taxonomy. A signal ending in
``*`` also matches longer words ("invent*" matches "inventor"). Punctuation inside a signal
counts as a word break ("copyright-protected" is the two words "copyright protected").
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from itertools import compress

from kb.registry import Registry

from .registry_cache import per_registry, remembered
from .words import Paragraph, PassageWords, passage_words

_WORD = re.compile(r"\w+")
#: The end of a sentence: a stop, then optional closing quotes or brackets, then a space.
_SENTENCE_END = re.compile(r"[.!?…][\"'”’)\]]*(?=\s|$)")

#: Occurrences of a topic's signals in a passage's text that make the topic one of its subjects.
MIN_SIGNALS = 2
#: A first sentence signalling more topics than this is a list ("earlier sessions covered
#: inventorship, data, the metaverse and generative AI"), not a statement of the subject.
MAX_LEAD_TOPICS = 3
#: Share of a document's words that its passages about a topic must hold for the document to
#: have the topic.
DOCUMENT_SHARE = 0.2
#: A paragraph shorter than this (a dateline, a caption) is not where a passage states its
#: subject, and a "sentence" shorter than this ended at an abbreviation ("Mr.", "H.E.").
_LEAD_MIN_WORDS = 6
#: Words whose part in signals is remembered (see TopicMatcher._word), at most.
_WORD_CACHE = 200_000
#: Headings whose topics are remembered (see TopicMatcher._heading_topics), at most.
_HEADING_CACHE = 2048
#: What most words are to the scan: no topic alone, no longer signal starting with them.
_NOTHING: tuple[frozenset[str], bool] = (frozenset(), False)


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
        #: Word -> (topics the word alone signals, whether longer signals start with it),
        #: filled as words are met: most words of a text have been seen before.
        self._words: dict[str, tuple[frozenset[str], bool]] = {}
        #: The words of ``_words`` that have a part in some signal, and those that start a
        #: signal of more than one word.
        self._hot: set[str] = set()
        self._walks: set[str] = set()
        #: Pair of words -> (the topics of the signals starting at the first of them and
        #: ending at the second at the latest, whether longer signals start with the pair).
        self._pairs: dict[tuple[str, str], tuple[frozenset[str], bool]] = {}
        #: :meth:`occurrences` of the headings met last: a heading is shared by its passages.
        self._headings: dict[str, frozenset[str]] = {}

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

    def occurrences(self, text: str) -> Counter[str]:
        """How many times each topic is signalled in ``text``: once per word position, however
        many of its signals start there ("copyright-protected" is one occurrence)."""
        return self._count(_WORD.findall(text.lower()))

    def _count(self, tokens: list[str]) -> Counter[str]:
        """:meth:`occurrences` of a text's lower-cased word tokens."""
        found: Counter[str] = Counter()
        singles, walked = self._present(tokens)
        for token, alone in singles:
            times = tokens.count(token)
            for topic in alone:
                found[topic] += times
        if walked:
            found.update(self._walked(tokens))
        return found

    def _signalled(self, tokens: list[str]) -> set[str]:
        """The topics :meth:`_count` finds at least once in ``tokens``, without counting them
        (what a passage's opening sentence needs)."""
        singles, walked = self._present(tokens)
        found: set[str] = set()
        for _, alone in singles:
            found |= alone
        if walked:
            found.update(self._walked(tokens))
        return found

    def _present(self, tokens: list[str]
                 ) -> tuple[list[tuple[str, frozenset[str]]], bool]:
        """The distinct ``tokens`` that are a whole signal and start no longer one, with the
        topics they signal (wherever such a word is, it signals them: counted per distinct
        word, not per position), and whether another token starts longer signals (then
        :meth:`_walked` must look at the words after it)."""
        words, hot, walks = self._learn(tokens)
        present = hot.intersection(tokens)
        singles = [(token, alone) for token in present
                   for alone, longer in (words[token],) if not longer]
        return singles, not walks.isdisjoint(present)

    def _walked(self, tokens: list[str]) -> list[str]:
        """The topics of the signals starting at each word that starts longer signals, once
        per position however many of its signals start there."""
        pairs = self._pairs
        count = len(tokens)
        last = count - 1
        hits: list[str] = []
        # The positions of the walking words, picked in C: most words walk nowhere.
        for i in compress(range(count), map(self._walks.__contains__, tokens)):
            known = pairs.get((tokens[i], tokens[i + 1])) if i < last else None
            # Most walks stop at the next word: a known pair that starts no longer signal.
            hits.extend(known[0] if known is not None and not known[1]
                        else self._walk(tokens, i, count))
        return hits

    def _walk(self, tokens: list[str], i: int, count: int) -> frozenset[str] | set[str]:
        """The topics of every signal starting at word ``i`` (of ``count``), a word that starts
        longer signals. Most walks stop at the next word: their outcome is remembered per
        pair of words."""
        words = self._words
        if count - i < 2:
            return words[tokens[i]][0]
        pair = (tokens[i], tokens[i + 1])
        known = self._pairs.get(pair)
        if known is None:
            here = set(words[pair[0]][0]) | self._step(pair)
            if len(self._pairs) >= _WORD_CACHE:
                self._pairs.clear()
            known = self._pairs[pair] = (frozenset(here), pair in self._starts)
        here_pair, goes_on = known
        if not goes_on or self._longest < 3 or count - i < 3:
            return here_pair
        here = set(here_pair)
        for n in range(3, min(self._longest, count - i) + 1):
            gram = tuple(tokens[i:i + n])
            here |= self._step(gram)
            if gram not in self._starts:
                break
        return here

    def _step(self, gram: tuple[str, ...]) -> set[str]:
        """The topics of the signals that are ``gram``, or its words but the last and a prefix
        of its last word."""
        found = set(self._exact.get(gram, ()))
        for last, topics in self._prefixed.get(gram[:-1], ()):
            if gram[-1].startswith(last):
                found |= topics
        return found

    def _learn(self, tokens: list[str]
               ) -> tuple[dict[str, tuple[frozenset[str], bool]], set[str], set[str]]:
        """The word table, the words with a part in signals and those that start longer
        signals, knowing every one of ``tokens`` (new words are looked up once; most words of
        a text have been seen)."""
        words, hot, walks = self._words, self._hot, self._walks
        new = set(tokens).difference(words)
        if new:
            if len(words) + len(new) > _WORD_CACHE:
                words.clear()
                hot.clear()
                walks.clear()
                new = set(tokens)
            for token in new:
                entry = words[token] = self._word(token)
                if entry is not _NOTHING:
                    hot.add(token)
                    if entry[1]:
                        walks.add(token)
        return words, hot, walks

    def _word(self, token: str) -> tuple[frozenset[str], bool]:
        """What one word is to the scan: the topics it signals alone (an exact one-word signal,
        or a one-word prefix such as "invent*"), and whether a longer signal starts with it."""
        alone = set(self._exact.get((token,), ()))
        for last, topics in self._prefixed.get((), ()):
            if token.startswith(last):
                alone |= topics
        longer = (token,) in self._starts
        return (frozenset(alone), longer) if alone or longer else _NOTHING

    def signalled(self, text: str) -> list[str]:
        """Every topic with at least one signal in ``text``, in registry order: mentions, not
        subjects (the rule kb used before :meth:`passage_topics`; ``bench/topics.py`` compares
        the two)."""
        return self._ordered(self.occurrences(text))

    def passage_topics(self, heading: str, text: str) -> list[str]:
        """The topics that are a subject of a passage, in registry order: signalled at least
        :data:`MIN_SIGNALS` times in its text, or once in its heading or first sentence.
        ``heading`` must not be the document's title (the title speaks for the document,
        see :meth:`document_topics`)."""
        return self.passage_subjects(heading, text)[0]

    def passage_subjects(self, heading: str, text: str, words: PassageWords | None = None
                         ) -> tuple[list[str], int]:
        """:meth:`passage_topics`, with the text's :func:`word_count` (which document topics
        weigh passages by), from the same tokenising where the text is ASCII.

        :param words: ``text``'s paragraphs and words, when the caller has them
            (:func:`.words.passage_words`, shared with the other enrichers).
        """
        if words is None:
            words = passage_words(text)
        # In ASCII the lower-cased text has the text's words, so one tokenising serves both the
        # word count and the signals (``_WORD`` is :mod:`.words`' word pattern); elsewhere
        # lower-casing can split a word ("İ" is "i" and a combining dot), so the words are
        # counted in the text itself.
        tokens = words.words
        if tokens is None:
            tokens = _WORD.findall(text.lower())
            count = word_count(text)
        else:
            count = len(tokens)
        if count < _LEAD_MIN_WORDS:
            return [], count  # a dateline or a caption under a heading is about nothing yet
        chosen = {topic for topic, n in self._count(tokens).items() if n >= MIN_SIGNALS}
        lead, before, taken = _lead(words.paragraphs)
        # In ASCII the lead sentence's words are the text's, from ``before`` on (it begins a
        # paragraph and ends at punctuation, where no word runs across).
        lead_tokens = tokens[before:before + taken] if words.words is not None \
            else _WORD.findall(lead.lower())
        in_lead = self._signalled(lead_tokens)
        if len(in_lead) <= MAX_LEAD_TOPICS:
            chosen |= in_lead
        return self._ordered(chosen | self._heading_topics(heading)), count

    def _heading_topics(self, heading: str) -> frozenset[str]:
        return remembered(self._headings, heading,
                          lambda text: frozenset(self.occurrences(text)), _HEADING_CACHE)

    def document_topics(self, title: str, passages: Sequence[tuple[Sequence[str], int]]) -> \
            list[str]:
        """A document's topics from its title and its ``(topics, word count)`` passages: those
        its title signals, and those whose passages hold :data:`DOCUMENT_SHARE` of its words."""
        total = sum(words for _, words in passages)
        share: Counter[str] = Counter()
        for topics, words in passages:
            share.update(dict.fromkeys(topics, words))
        chosen = {topic for topic, words in share.items()
                  if total and words / total >= DOCUMENT_SHARE}
        return self._ordered(chosen | set(self.occurrences(title)))

    def roll_up(self, lists: Iterable[Sequence[str]]) -> list[str]:
        """Every topic of any of ``lists``, in registry order."""
        return self._ordered({topic for topics in lists for topic in topics})

    def _ordered(self, topics: Iterable[str]) -> list[str]:
        return sorted(topics, key=self.order.__getitem__)


def lead_sentence(text: str) -> str:
    """The sentence a passage opens with: the first of its first paragraph that is longer than
    a dateline, cut at the first sentence end that leaves at least a few words."""
    return _lead(passage_words(text).paragraphs)[0]


def _lead(paragraphs: Iterable[Paragraph]) -> tuple[str, int, int]:
    """:func:`lead_sentence` of a text's paragraphs, the number of words before it and the
    number of its words. An ASCII paragraph's words are counted from its tokens (the same runs
    of ``_WORD`` as in its text)."""
    before = 0
    for part in paragraphs:
        paragraph = part.text
        words = len(part.words) if part.words is not None else len(_WORD.findall(paragraph))
        if words < _LEAD_MIN_WORDS:
            before += words
            continue
        # A sentence end is punctuation, which no word runs across: the words before it are
        # the words of the paragraph cut there.
        for end in _SENTENCE_END.finditer(paragraph):
            taken = len(_WORD.findall(paragraph, 0, end.end()))
            if taken >= _LEAD_MIN_WORDS:
                return paragraph[:end.end()], before, taken
        return paragraph, before, words
    return "", before, 0


def word_count(text: str) -> int:
    return len(_WORD.findall(text))


matcher_for = per_registry(TopicMatcher)
