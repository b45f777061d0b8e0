"""Reading a query through the glossary (kb.glossary): each typed term also searches its
forms in the other languages and its acronym or spelled-out form, ranked below the words typed.

A form matches typed words as the index reads words: folded, stop words aside, each word by
its stem in the form's own language ("deepfakes" is the form "deepfake", "fouille de texte et
de données" is "fouille de textes et de données"). A form of several words matches a run of the
query's plain words, or a typed phrase equal to it; the longest form wins, from the left
("generative AI" is the generative-AI term, not "AI" plus a stray "generative"). Words after
NOT, words in a field (``title:``, ``speaker:``) and prefixes are never expanded.

Only the forms of the languages searched are added (the language facet's selection, else the
languages the index holds): a Chinese form cannot match in an index without Chinese, and is
not analysed (nor jieba loaded) until a Chinese query or index needs it.

An acronym of the glossary typed in lower case with a plural "s" ("smes", "daos") is that
acronym, expansion on or off: analysis cannot tell "smes" from a word, the glossary can.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from index.analysis import analysis_key, fold, has_chinese, is_stop, query_words, stem
from index.query import AnyOf, Expanded, Group, Node, Phrase, Word
from kb.glossary import Glossary

#: How much an expanded term weighs beside a typed word (its BM25 contribution is multiplied
#: by this, shared among the words of a form of several words).
EXPANSION_WEIGHT = 0.5
#: Analysis keys of the glossary's languages (Chinese is "xx": folded, not stemmed).
_KEYS = ("en", "fr", "es", "ru", "ar", "xx")


@dataclass
class _Form:
    """One written form of a glossary term, in one language."""

    term: int
    language: str
    text: str
    words: tuple[str, ...] = ()  # as typed, for the query nodes (empty until analysed)


@dataclass
class Lookup:
    """A glossary made searchable: analysed forms by their key in each language."""

    forms: list[_Form] = field(default_factory=list)
    #: analysis key -> stems of a form's content words -> term numbers
    by_key: dict[str, dict[tuple[str, ...], set[int]]] = field(default_factory=dict)
    #: folded acronym (e.g. "sme") -> the acronym as written ("SME")
    acronyms: dict[str, str] = field(default_factory=dict)
    longest: int = 1
    #: Forms written in Chinese, analysed on first need (segmenting loads jieba's dictionary).
    chinese: list[_Form] = field(default_factory=list)

    @classmethod
    def build(cls, glossary: Glossary) -> Lookup:
        lookup = cls()
        for number, term in enumerate(glossary.terms):
            for language, text in term.all_forms():
                form = _Form(number, language, text)
                lookup.forms.append(form)
                if has_chinese(text):
                    lookup.chinese.append(form)
                else:
                    lookup.analyse(form)
        return lookup

    def analyse(self, form: _Form) -> None:
        form.words = tuple(query_words(form.text))
        if len(form.words) == 1 and form.words[0].isupper() and len(form.words[0]) >= 2:
            self.acronyms.setdefault(fold(form.words[0]), form.words[0])
        key = analysis_key(form.language)
        stems = _content(form.words, key)
        if stems:
            self.by_key.setdefault(key, {}).setdefault(stems, set()).add(form.term)
            self.longest = max(self.longest, len(stems))

    def need_chinese(self) -> None:
        """Analyse the Chinese forms (once): a Chinese query, or an index holding Chinese."""
        pending, self.chinese = self.chinese, []
        for form in pending:
            self.analyse(form)

    def terms_of(self, words: Sequence[str]) -> set[int]:
        """Terms one of whose forms is exactly ``words`` (stop words aside), in any language."""
        if self.chinese and any(has_chinese(w) for w in words):
            self.need_chinese()
        found: set[int] = set()
        for key, table in self.by_key.items():
            stems = _content(words, key)
            if stems:
                found |= table.get(stems, set())
        return found


def _content(words: Iterable[str], key: str) -> tuple[str, ...]:
    """Stems of the words that are not stop words in language ``key``."""
    return _content_of(tuple(words), key)


@lru_cache(maxsize=50_000)
def _content_of(words: tuple[str, ...], key: str) -> tuple[str, ...]:
    # Kept: a query is matched against the glossary by every run of its words in each of six
    # languages, several hundred lookups for a question, mostly the same from one query to
    # the next.
    return tuple(stem(fold(w), key) for w in words if not is_stop(w.lower(), key))


@dataclass
class Expansion:
    """A query read through the glossary: the tree to match, and the forms it added."""

    root: Node | None
    also: list[str] = field(default_factory=list)
    #: Typed words read as a glossary acronym ("smes" -> "SME"): known, never respelled.
    read_as: dict[str, str] = field(default_factory=dict)


class _Expander:
    def __init__(self, lookup: Lookup, keys: tuple[str, ...], expand: bool) -> None:
        self.lookup, self.expand = lookup, expand
        #: Analysis keys of the languages whose forms are added (the languages searched).
        self.keys = keys
        self.also: list[str] = []
        self.read_as: dict[str, str] = {}

    def node(self, node: Node, loose: bool = False) -> Node:
        if isinstance(node, Word) and not node.field:
            return self.word(node)
        if isinstance(node, Phrase) and not node.field:
            return self.wrap(node, self.lookup.terms_of(node.words), node.words)
        if isinstance(node, AnyOf):
            return AnyOf(tuple(self.node(item) for item in node.items))
        if isinstance(node, Group):
            return Group(self.loose(node.any_of), tuple(self.node(n) for n in node.all_of),
                         node.none_of)
        return node

    def word(self, node: Word) -> Node:
        lowered = fold(node.text)
        if lowered.endswith("s") and lowered[:-1] in self.lookup.acronyms \
                and lowered not in self.lookup.acronyms:
            self.read_as[node.text] = self.lookup.acronyms[lowered[:-1]]
            node = Word(self.lookup.acronyms[lowered[:-1]])  # "smes" is "SME"
        return self.wrap(node, self.lookup.terms_of((node.text,)), (node.text,))

    def loose(self, items: tuple[Node, ...]) -> tuple[Node, ...]:
        """Plain words side by side: the longest run that is a form, from the left."""
        out: list[Node] = []
        i = 0
        while i < len(items):
            item = items[i]
            if not (isinstance(item, Word) and not item.field):
                out.append(self.node(item))
                i += 1
                continue
            run = [item]
            while i + len(run) < len(items) and isinstance(items[i + len(run)], Word) \
                    and not items[i + len(run)].field:  # type: ignore[union-attr]
                run.append(items[i + len(run)])  # type: ignore[arg-type]
            taken = self.longest_form(run)
            if taken <= 1:
                out.append(self.word(item))
                i += 1
                continue
            words = tuple(w.text for w in run[:taken])
            out += run[:taken]
            added = self.wrap(None, self.lookup.terms_of(words), words)
            if isinstance(added, Expanded):
                out.append(added)
            i += taken
        return tuple(out)

    def longest_form(self, run: list[Word]) -> int:
        """How many words from the start of ``run`` make the longest form (0 for none)."""
        limit = min(len(run), self.lookup.longest * 3)  # stop words may sit between
        for size in range(limit, 1, -1):
            if self.lookup.terms_of(tuple(w.text for w in run[:size])):
                return size
        return 0

    def wrap(self, typed: Node | None, terms: set[int], words: Sequence[str]) -> Node:
        """``typed`` with the other forms of ``terms`` beside it (or alone, for a run of loose
        words that stay in their group)."""
        if not terms or not self.expand:
            return typed if typed is not None else Group()
        typed_keys = {_content(words, key) for key in _KEYS}
        alternatives: list[Node] = []
        for form in self.lookup.forms:
            if form.term not in terms:
                continue
            key = analysis_key(form.language)
            if key not in self.keys:
                continue
            if not form.words:
                self.lookup.need_chinese()
            if not form.words:
                continue
            if _content(form.words, key) in typed_keys:
                continue  # the typed words themselves ("deepfake" in the French list)
            alternatives.append(_alternative(form, key))
            if form.text not in self.also:
                self.also.append(form.text)
        if not alternatives:
            return typed if typed is not None else Group()
        return Expanded(typed, tuple(dict.fromkeys(alternatives)), EXPANSION_WEIGHT)


def _alternative(form: _Form, key: str) -> Node:
    """A form as a query: one word, or all its words (each by its stem, so "large language
    model" finds "large language models", which a phrase of written forms would not)."""
    words = [w for w in form.words if not is_stop(w.lower(), key)] or list(form.words)
    if len(words) == 1:
        return Word(words[0])
    return Group(all_of=tuple(Word(w) for w in words))


def expand(root: Node | None, lookup: Lookup | None, keys: tuple[str, ...] = _KEYS,
           expand: bool = True) -> Expansion:
    """``root`` read through the glossary.

    :param keys: analysis keys of the languages searched: only their forms are added.
    :param expand: False reads the glossary's lower-case acronym plurals only, adding nothing.
    """
    if root is None or lookup is None or not lookup.forms:
        return Expansion(root)
    expander = _Expander(lookup, keys, expand)
    return Expansion(expander.node(root), expander.also, expander.read_as)
