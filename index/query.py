"""The query language, parsed into a small tree that both scoring and counting walk.

Parsing is kept apart from running (as sqlite-utils keeps ``search_sql()`` apart from
``search()``) so that "the query as understood" costs nothing extra. The parser never raises:
anything it cannot make sense of is read as plain words and explained in ``notes``.

Grammar, loosely: ``expr := and ("OR" and)*``, ``and := unary+`` (juxtaposed plain words are a
natural-language group: any of them may match, all of them rank first; an explicit ``AND``
makes every item of its group required), ``unary := ("NOT" | "-") atom | atom``,
``atom := "(" expr ")" | "phrase" | field:value | word | prefix*``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field

from index.analysis import has_chinese, query_words, with_symbol_units
from kb.facets import DECLARED
from kb.model import MAX_QUERY_CHARS

#: Most word-like items used from one query (a pasted paragraph stays fast).
MAX_ITEMS = 32
#: Deepest parenthesis nesting read as structure; deeper queries are read as plain words (a
#: person never nests this deep, and every walk over the tree stays far from Python's
#: recursion limit).
MAX_DEPTH = 16

#: Field names the user may type -> canonical field: the text fields, the date range, and each
#: facet's prefixes as kb.facets declares them.
FIELD_ALIASES: dict[str, str] = {
    "title": "title", "speaker": "speaker", "heading": "heading", "date": "date", "year": "date",
    **{prefix: facet.name for facet in DECLARED for prefix in facet.query_prefixes},
}
TEXT_QUERY_FIELDS = {"title", "speaker", "heading"}

_TOKEN = re.compile(
    r'''\s*(?:(?P<lparen>\()|(?P<rparen>\))|(?P<neg>-)(?=[\w"(])|'''
    r'''(?P<field>[A-Za-z]+):(?=\S)|(?P<quote>")|(?P<word>[^\s()"]+))'''
)


@dataclass(frozen=True)
class Word:
    """One word as typed, found with the indexed words that share its stem."""

    text: str
    field: str = ""  # "" = title, heading and text; else one of TEXT_QUERY_FIELDS


@dataclass(frozen=True)
class Prefix:
    """A word typed with a trailing ``*``: every indexed word it begins."""

    text: str
    field: str = ""  # like Word.field: a prefix typed after ``title:`` stays in the title


@dataclass(frozen=True)
class Phrase:
    """Words that must occur in a row (quoted, or a compound such as \"state-of-the-art\")."""

    words: tuple[str, ...]
    field: str = ""


@dataclass(frozen=True)
class Filter:
    """A restriction on a facet-like field: the value must match, it adds no score."""

    facet: str
    value: str


@dataclass(frozen=True)
class DateRange:
    """``date:2023..2024``: passages dated within the bounds."""

    start: str  # inclusive lower bound as an ISO prefix, "" = open
    end: str    # inclusive upper bound as an ISO prefix, "" = open


@dataclass(frozen=True)
class Group:
    """Juxtaposed items: ``any_of`` (at least one must match), ``all_of``, ``none_of``."""

    any_of: tuple[Node, ...] = ()
    all_of: tuple[Node, ...] = ()
    none_of: tuple[Node, ...] = ()


@dataclass(frozen=True)
class AnyOf:
    """Explicit OR between groups."""

    items: tuple[Node, ...]


@dataclass(frozen=True)
class Expanded:
    """A typed word or phrase with the glossary's other forms of its term (see
    index.expansion): any of them matches; the others score ``weight`` times a typed word.
    ``typed`` is None when the typed words stay where they were, in their group."""

    typed: Node | None
    also: tuple[Node, ...]
    weight: float


Node = Word | Prefix | Phrase | Filter | DateRange | Group | AnyOf | Expanded


@dataclass
class ParsedQuery:
    """The query as understood, and what was ignored in it (the notes shown)."""

    root: Node | None
    notes: list[str] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return self.root is None


class _Fallback(Exception):
    """The structured reading failed; read the text as plain words instead."""


def clean(text: str) -> str:
    """Drop control and format characters (keep letters of every script, and spaces)."""
    chars = []
    for ch in text:
        category = unicodedata.category(ch)
        if category.startswith("Z") or ch in "\t\n\r":
            chars.append(" ")
        elif category in ("Cc", "Cf", "Cs", "Co", "Cn"):
            continue
        else:
            chars.append(ch)
    return "".join(chars).strip()


def parse(text: str) -> ParsedQuery:
    """Read ``text`` as kb's query language; never raises."""
    notes: list[str] = []
    original = text or ""
    # Cleaning looks at every character: cut a pasted book first (cleaning only shortens).
    text = clean(original[:4 * MAX_QUERY_CHARS])
    if len(text) > MAX_QUERY_CHARS or len(original) > 4 * MAX_QUERY_CHARS:
        text = text[:MAX_QUERY_CHARS].rsplit(" ", 1)[0]
        notes.append(f"The query was cut to its first {MAX_QUERY_CHARS} characters.")
    if not text:
        return ParsedQuery(None, notes)
    text = with_symbol_units(text)
    try:
        root = _Parser(_tokens(text), notes).parse()
    except _Fallback as why:
        notes.append(f"{why} — searched for the words instead.")
        root = _plain(text)
    if root is None:
        notes.append("The query has no words to search for; everything is listed instead.")
    return ParsedQuery(_limit(root, notes), notes)


def _plain(text: str) -> Node | None:
    words = query_words(text)
    return Group(any_of=tuple(Word(w) for w in words)) if words else None


def _limit(root: Node | None, notes: list[str]) -> Node | None:
    if isinstance(root, Group) and len(root.any_of) > MAX_ITEMS:
        notes.append(f"Only the first {MAX_ITEMS} words of the query were used.")
        return Group(root.any_of[:MAX_ITEMS], root.all_of[:MAX_ITEMS], root.none_of[:MAX_ITEMS])
    return root


def _tokens(text: str) -> list[tuple[str, str]]:
    tokens: list[tuple[str, str]] = []
    pos = 0
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if not match or match.end() == pos:
            break
        pos = match.end()
        kind = match.lastgroup or "word"
        if kind == "quote":
            close = text.find('"', pos)
            if close < 0:
                raise _Fallback("A quotation mark was not closed")
            tokens.append(("phrase", text[pos:close]))
            pos = close + 1
        else:
            tokens.append((kind, match.group(kind)))
    return tokens


class _Parser:
    def __init__(self, tokens: list[tuple[str, str]], notes: list[str]) -> None:
        self.tokens, self.i, self.notes = tokens, 0, notes

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def take(self) -> tuple[str, str]:
        token = self.tokens[self.i]
        self.i += 1
        return token

    def parse(self) -> Node | None:
        node = self.expr(depth=0)
        if self.peek() is not None:
            raise _Fallback("A closing parenthesis had no opening one")
        return node

    def expr(self, depth: int) -> Node | None:
        options = [self.group(depth)]
        while self.peek() == ("word", "OR"):
            self.take()
            options.append(self.group(depth))
        present = [o for o in options if o is not None]
        if not present:
            return None
        return present[0] if len(present) == 1 else AnyOf(tuple(present))

    def group(self, depth: int) -> Node | None:
        loose: list[Node] = []
        required: list[Node] = []
        excluded: list[Node] = []
        explicit_and = False
        while (token := self.peek()) is not None:
            kind, value = token
            if kind == "rparen":
                if depth == 0:
                    raise _Fallback("A closing parenthesis had no opening one")
                break
            if kind == "word" and value == "OR":
                break
            self.take()
            if kind == "word" and value == "AND":
                explicit_and = True
                continue
            negate = kind == "neg" or (kind == "word" and value == "NOT")
            if negate:
                if self.peek() is None:
                    break
                kind, value = self.take()
            for node in self.atom(kind, value, depth):
                self.place(node, negate, loose, required, excluded)
        if explicit_and:
            required, loose = required + loose, []
        if not (loose or required or excluded):
            return None
        if len(loose) == 1 and not required and not excluded and isinstance(
                loose[0], (Group, AnyOf)):
            return loose[0]
        return Group(tuple(loose), tuple(required), tuple(excluded))

    @staticmethod
    def place(node: Node, negate: bool, loose: list[Node], required: list[Node],
              excluded: list[Node]) -> None:
        if negate:
            excluded.append(node)
        elif isinstance(node, (Filter, DateRange)) or (
                isinstance(node, (Word, Prefix, Phrase)) and node.field):
            required.append(node)
        else:
            loose.append(node)

    def atom(self, kind: str, value: str, depth: int) -> list[Node]:
        if kind == "lparen":
            if depth + 1 > MAX_DEPTH:
                raise _Fallback(f"Parentheses were nested more than {MAX_DEPTH} deep")
            inner = self.expr(depth + 1)
            if self.peek() is None:
                raise _Fallback("A parenthesis was not closed")
            self.take()
            return [inner] if inner is not None else []
        if kind == "rparen":
            raise _Fallback("A closing parenthesis had no opening one")
        if kind == "phrase":
            return _listed(_phrase(value, ""))
        if kind == "field":
            return _listed(self.field(value))
        if kind == "neg" or (kind == "word" and value in ("AND", "NOT")):
            return []
        return _word(value, "")

    def field(self, name: str) -> Node | None:
        canonical = FIELD_ALIASES.get(name.lower())
        token = self.peek()
        if token is None:
            return None
        kind, value = self.take()
        if kind == "lparen":
            raise _Fallback(f"A field ({name}:) cannot take a parenthesised group")
        if canonical is None:
            self.notes.append(f"There is no field '{name}:'; it was read as a word.")
            self.tokens.insert(self.i, (kind, value))
            return Word(name)
        if canonical in TEXT_QUERY_FIELDS:
            if kind == "phrase":
                return _phrase(value, canonical)
            words = _word(value, canonical)
            return words[0] if len(words) == 1 else _phrase(value, canonical)
        if canonical == "date":
            node = _date(value)
            if node is None:
                self.notes.append(f"'{value}' is not a date or range like 2023..2024; ignored.")
            return node
        value = value.strip()
        return Filter(canonical, value) if value else None


def _listed(node: Node | None) -> list[Node]:
    return [node] if node is not None else []


_COMPOUND = re.compile(r"\w+(?:[-'’.&/]\w+)+")


def _word(text: str, field_name: str) -> list[Node]:
    """One typed token: a word, a prefix, a compound read as a phrase, or several words."""
    text = text.strip(".,;:!?'’`")
    if text.endswith("*"):
        stem = text.rstrip("*")
        if stem and re.fullmatch(r"\w+", stem):
            return [Prefix(stem.lower(), field_name)]
        text = stem
    words = query_words(text)
    if len(words) > 1 and (_COMPOUND.fullmatch(text) or has_chinese(text)):
        return [Phrase(tuple(words), field_name)]
    return [Word(w, field_name) for w in words]


def _phrase(text: str, field_name: str) -> Node | None:
    words = tuple(query_words(text))
    if not words:
        return None
    return Word(words[0], field_name) if len(words) == 1 else Phrase(words, field_name)


_DATE = r"\d{4}(?:-\d{2}(?:-\d{2})?)?"


def _date(value: str) -> DateRange | None:
    value = value.strip()
    if re.fullmatch(_DATE, value):
        return DateRange(value, value)
    match = re.fullmatch(rf"({_DATE})?\.\.({_DATE})?", value)
    if match and (match.group(1) or match.group(2)):
        return DateRange(match.group(1) or "", match.group(2) or "")
    return None


def render(node: Node | None, is_stop: Callable[[str], bool] | None = None) -> str:
    """The tree in readable form, shown to the user as "searched for".

    A group of plain words is told as it is ranked: "all of (a b c) first, then most of
    them"; with ``is_stop``, the stop words it drops (they are not indexed) are left out.
    """
    if node is None:
        return ""
    if isinstance(node, Word):
        return f"{node.field}:{node.text}" if node.field else node.text
    if isinstance(node, Prefix):
        return f"{node.field}:{node.text}*" if node.field else f"{node.text}*"
    if isinstance(node, Phrase):
        quoted = '"' + " ".join(node.words) + '"'
        return f"{node.field}:{quoted}" if node.field else quoted
    if isinstance(node, Filter):
        return f"{node.facet}:{node.value}"
    if isinstance(node, DateRange):
        if node.start == node.end:
            return f"date:{node.start}"
        return f"date:{node.start}..{node.end}"
    if isinstance(node, Expanded):
        return render(node.typed, is_stop)  # the glossary's forms are listed apart
    if isinstance(node, AnyOf):
        return " OR ".join(_wrapped(item, is_stop) for item in node.items)
    parts = []
    kept = [n for n in node.any_of if not (is_stop and isinstance(n, Word)
                                           and n.field != "speaker" and is_stop(n.text))
            and not (isinstance(n, Expanded) and n.typed is None)]
    kept = kept or list(node.any_of)  # only stop words: shown as typed (a note says why)
    if len(kept) > 1:
        ranked = "all of (" + " ".join(_wrapped(n, is_stop) for n in kept) + \
            ") first, then most of them"
        parts.append(f"({ranked})" if node.all_of or node.none_of else ranked)
    elif kept:
        parts.append(render(kept[0], is_stop))
    parts += [_wrapped(n, is_stop) for n in node.all_of]
    parts += ["NOT " + _wrapped(n, is_stop) for n in node.none_of]
    return " AND ".join(parts)


def _wrapped(node: Node, is_stop: Callable[[str], bool] | None = None) -> str:
    text = render(node, is_stop)
    return f"({text})" if isinstance(node, (Group, AnyOf)) and " " in text else text


def positive_nodes(node: Node | None) -> list[Node]:
    """Word-like nodes that add to the score and are marked in snippets."""
    if node is None:
        return []
    if isinstance(node, (Word, Prefix, Phrase)):
        return [node]
    if isinstance(node, Expanded):
        return [n for item in (node.typed, *node.also) for n in positive_nodes(item)]
    if isinstance(node, AnyOf):
        return [n for item in node.items for n in positive_nodes(item)]
    if isinstance(node, Group):
        return [n for item in node.any_of + node.all_of for n in positive_nodes(item)]
    return []


def weighted_nodes(node: Node | None, weight: float = 1.0) -> list[tuple[Node, float]]:
    """:func:`positive_nodes` with the weight each scores at: 1 for the words typed; for each
    of the glossary's forms an :class:`Expanded` node adds, its weight, shared among the form's
    words (a form of three words weighs as much as a form of one)."""
    if isinstance(node, Expanded):
        pairs = weighted_nodes(node.typed, weight)
        for item in node.also:
            words = positive_nodes(item)
            pairs += [(n, weight * node.weight / len(words)) for n in words]
        return pairs
    if isinstance(node, AnyOf):
        return [pair for item in node.items for pair in weighted_nodes(item, weight)]
    if isinstance(node, Group):
        return [pair for item in node.any_of + node.all_of
                for pair in weighted_nodes(item, weight)]
    return [(n, weight) for n in positive_nodes(node)]
