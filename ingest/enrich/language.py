"""Language of a text among the six UN languages, with no model download.

Scripts settle Arabic, Russian (Cyrillic) and Chinese (Han); among Latin-script texts, the share
of very common function words of English, French and Spanish decides (the words are data, in
:mod:`ingest.enrich.lang`), helped on short texts by the letters only French or only Spanish
uses (ç, è, ê, œ; ñ, ¿, ¡). Too little evidence gives "und" rather than a guess: a wrong
language facet is worse than an undetermined one.

A document that mixes languages (an English page with a French section, a French report
quoting an English statement) is in the language most of its words are in: each paragraph
votes with its word count (:func:`majority_language`).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence

from ..textutil import word_count
from .lang import languages
from .words import Paragraph, paragraph_words

_STOPWORDS = {code: lang.stopwords for code, lang in languages().items() if lang.stopwords}
#: A stop word of any language: most words of a text are none, and are dropped once before the
#: count per language.
_ANY_STOPWORD = frozenset().union(*_STOPWORDS.values())
_LATIN_WORD = re.compile(r"[a-zA-ZÀ-ÿ]+")
#: The languages with a stop word in Latin letters, and their stop words: only they can count
#: a hit among Latin words (Russian's stay at zero, without a pass over the words).
_LATIN_STOPWORDS = {code: words for code, words in _STOPWORDS.items()
                    if any(_LATIN_WORD.fullmatch(word) for word in words)}
#: Letters that only one of the Latin-script languages uses; each counts as half a word.
_LETTERS = {"fr": re.compile(r"[çèêëîïôœûù«»]|\b(?:l|d|qu|n|s)['’]\w", re.IGNORECASE),
            "es": re.compile(r"[ñ¿¡]|ción\b|ciones\b", re.IGNORECASE)}
_SCRIPTS = {
    "ar": re.compile(r"[\u0600-\u06FF\u0750-\u077F]"),
    "ru": re.compile(r"[\u0400-\u04FF]"),
    "zh": re.compile(r"[\u4E00-\u9FFF\u3400-\u4DBF]"),
    "latin": re.compile(r"[A-Za-z\u00C0-\u024F]"),
}
#: A letter of any script but Latin: most texts have none, and then need no count by script.
_OTHER_SCRIPTS = re.compile("|".join(p.pattern for s, p in _SCRIPTS.items() if s != "latin"))
_MIN_HITS = 2.5
_MIN_SHORT_WORDS = 5
#: Characters of a text its language is detected from.
_SAMPLE = 5000


def detect_language(text: str, sample: int = _SAMPLE) -> str:
    """An ISO 639-1 code from kb.model.LANGUAGES, "und" when unsure."""
    text = text[:sample]
    if _OTHER_SCRIPTS.search(text) is None:
        # The usual case: no letter of another script, so Latin wins wherever it has a letter
        # (counting every Latin letter, the general case below, was half the cost of a call).
        if _SCRIPTS["latin"].search(text) is None:
            return "und"
        return _latin_language(text, _LATIN_WORD.findall(text.lower()))
    counts = {script: len(pattern.findall(text)) for script, pattern in _SCRIPTS.items()}
    counts["zh"] *= 3  # one Han character carries about a word's worth of text
    script = max(counts, key=counts.__getitem__)
    if counts[script] == 0:
        return "und"
    if script != "latin":
        return script
    return _latin_language(text, _LATIN_WORD.findall(text.lower()))


def _latin_language(text: str, words: list[str]) -> str:
    """English, French or Spanish by their function words (and letters), "und" when unsure.

    ``words`` are the text's Latin words, lower-cased."""
    stopwords = list(filter(_ANY_STOPWORD.__contains__, words))
    hits = dict.fromkeys(_STOPWORDS, 0.0)
    for lang, stop in _LATIN_STOPWORDS.items():
        hits[lang] = float(sum(map(stop.__contains__, stopwords)))
    ranked = sorted(hits.values(), reverse=True)
    if ranked[0] < 2 * _MIN_HITS or ranked[0] <= ranked[1] * 2:  # close: letters help decide
        for lang, letters in _LETTERS.items():
            hits[lang] += 0.5 * len(letters.findall(text))
        ranked = sorted(hits.values(), reverse=True)
    best = max(hits, key=hits.__getitem__)
    if hits[best] >= _MIN_HITS and ranked[0] > ranked[1] * 1.2:
        return best
    # A short text (a list of names, a title) with a word or two of one language and nothing
    # of the others.
    if hits[best] >= 1 and ranked[1] == 0 and len(words) >= _MIN_SHORT_WORDS:
        return best
    return "und"


#: A paragraph with the language it is in and its word count, as :func:`detect_paragraphs`
#: gives them.
Detected = tuple[str, str, int]


def detect_paragraphs(paragraphs: Iterable[str | Paragraph]) -> list[Detected]:
    """Each paragraph's language and word count, computed once for a document and reused for
    its passages (:func:`majority_of`). A paragraph may come with its words
    (:mod:`.words`), tokenised once for every enricher."""
    return [_detect(p if isinstance(p, Paragraph) else paragraph_words(p)) for p in paragraphs]


def _detect(paragraph: Paragraph) -> Detected:
    """:func:`detect_language` and :func:`word_count` of one paragraph, from its words in the
    usual case: an ASCII paragraph (within the sample) whose words are all letters, where the
    words counted are its Latin words too. In any ASCII text the words counted are the
    paragraph's words (:func:`word_count` counts runs of word characters there)."""
    text, words = paragraph.text, paragraph.words
    if words is None:
        return text, detect_language(text), word_count(text)
    if paragraph.letters and len(text) <= _SAMPLE:  # false for no words: "und" below
        return text, _latin_language(text, words), len(words)
    return text, detect_language(text), len(words)


def majority_language(paragraphs: Iterable[str]) -> str:
    """The language most words of the document are in, each paragraph voting with its words.

    Paragraphs too short to tell give no vote; when none can tell, the whole text decides
    (many short paragraphs together hold enough evidence).
    """
    return majority_of(detect_paragraphs(paragraphs))


def majority_of(detected: Sequence[Detected]) -> str:
    """:func:`majority_language` of paragraphs already detected."""
    found = {language for _, language, _ in detected if language != "und"}
    if len(found) == 1:  # one language has every vote (most passages): it wins, unranked
        return found.pop()
    votes: Counter[str] = Counter()
    for _, language, words in detected:
        if language != "und":
            votes[language] += words
    if not votes:
        return detect_language("\n\n".join(text for text, _, _ in detected))
    ranked = votes.most_common(2)
    if len(ranked) == 2 and ranked[0][1] == ranked[1][1]:
        return "und"
    return ranked[0][0]
