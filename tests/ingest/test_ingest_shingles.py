"""Shingle hashes from one encoded buffer are the very hashes of one string per shingle.

Site signatures and page fingerprints are stored in manifests, so :class:`ingest.shingles.Shingles`
must give, for every run of words, ``crc32(" ".join(run).encode("utf-8"))``: the definition
the stored hashes were made with, kept here as the reference.
"""

from __future__ import annotations

import zlib

from hypothesis import example, given, settings
from hypothesis import strategies as st

from ingest import dedupe, sitewide
from ingest.readers.base import PARAGRAPH, Block
from ingest.shingles import Shingles, hex_list
from ingest.textutil import normal_words, normalise, word_count, words


def _reference(tokens: list[str], size: int) -> list[int]:
    return [zlib.crc32(" ".join(tokens[i:i + size]).encode("utf-8"))
            for i in range(len(tokens) - size + 1)]


def _reference_fingerprint(tokens: list[str]) -> dedupe.Fingerprint:
    sampled = {h for h in _reference(tokens, 5) if h % 4 == 0}
    cap = 0xFFFFFFFF
    if len(sampled) > 1024:
        kept = sorted(sampled)[:1024]
        cap, sampled = kept[-1], set(kept)
    return dedupe.Fingerprint(len(tokens), 0, cap, frozenset(sampled))


def _reference_signature(tokens: list[str]) -> frozenset[int]:
    if not tokens:
        return frozenset()
    if len(tokens) <= 8:
        return frozenset({1 << 40 | zlib.crc32(" ".join(tokens).encode("utf-8"))})
    hashes = {h & 0xFFFFFF for h in _reference(tokens, 3)}
    if len(tokens) > 40:
        hashes = {h for h in hashes if h % 2 == 0} or {min(hashes)}
    return frozenset(hashes)


#: Words as the pages give them (ASCII, accented, CJK, emoji: 1 to 4 bytes a character), and
#: any other text without surrogates (which no word holds), empty strings included.
_WORD = st.sampled_from(["wipo", "ai", "été", "naïve", "数据", "İstanbul", "ß", "🎼", "a"])
_TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=6)
TOKENS = st.lists(st.one_of(_WORD, _TEXT), max_size=80)


@settings(max_examples=300, deadline=None)
@given(TOKENS, st.integers(1, 6), st.data())
@example(["the", "first", "session", "s", "report"], 5, None)
def test_hashes_are_those_of_each_shingle_joined_and_encoded(
        tokens: list[str], size: int, data: st.DataObject | None) -> None:
    page = Shingles(tokens)
    assert len(page) == len(tokens)
    assert page.hashes(size) == _reference(tokens, size)
    if data is None:
        assert page.hashes(size) == [zlib.crc32(b"the first session s report")] == [530047737]
        return
    first = data.draw(st.integers(0, len(tokens)))
    end = data.draw(st.integers(first, len(tokens)))
    assert page.hashes(size, first, end) == _reference(tokens[first:end], size)
    if end > first:
        assert page.whole(first, end) == \
            zlib.crc32(" ".join(tokens[first:end]).encode("utf-8"))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(st.one_of(_WORD, st.from_regex(r"\w+", fullmatch=True)), max_size=60),
                max_size=70))
def test_page_signatures_and_fingerprint_match_the_stored_definition(
        blocks_words: list[list[str]]) -> None:
    """Blocks of 0 to 60 words (a short block is hashed whole, a long one sampled), and pages
    of up to 70 blocks (over 60, the middle blocks get no signature)."""
    blocks = [Block(" ".join(found), PARAGRAPH) for found in blocks_words]
    tokens = [sitewide.block_words(block) for block in blocks]
    words = [word for found in tokens for word in found]
    page = Shingles(words)
    edge = set(range(len(blocks))) if len(blocks) <= 60 else \
        {*range(30), *range(len(blocks) - 30, len(blocks))}
    expected = [_reference_signature(found) if i in edge else frozenset()
                for i, found in enumerate(tokens)]
    assert sitewide.document_signatures(blocks, tokens, page) == expected
    assert sitewide.document_signatures(blocks) == expected
    assert dedupe.fingerprint_of(words, page=page) == _reference_fingerprint(words)
    fingerprint = dedupe.fingerprint_of(words)
    assert fingerprint == _reference_fingerprint(words)
    # The manifest string made in the worker is the one made from the hashes themselves.
    assert fingerprint.hex_hashes is not None
    assert fingerprint.dumps() == _reference_fingerprint(words).dumps()
    assert _reference_fingerprint(words).hex_hashes is None


def test_runs_longer_than_the_words_asked_for_give_no_hash() -> None:
    page = Shingles(["a", "b", "c", "d", "e", "f", "g", "h", "i"])
    assert page.hashes(3, 0, 1) == page.hashes(3, 0, 2) == page.hashes(5, 7) == []
    assert page.hashes(3, 0, 3) == [zlib.crc32(b"a b c")] == [3358461392]
    assert page.hashes(3, 6) == [zlib.crc32(b"g h i")]
    assert page.whole(8, 9) == zlib.crc32(b"i")


def test_manifest_strings_list_hashes_in_increasing_order_in_hex() -> None:
    assert hex_list({255, 16, 0, 1 << 40 | 10}, ".") == "0.10.ff.1000000000a"
    assert hex_list([], " ") == ""
    assert hex_list([7], " ") == "7"


def test_manifest_strings_keep_any_separator_as_written() -> None:
    """The hashes are formatted through one template: a "%" in the separator stays a "%"."""
    assert hex_list([3, 1, 2], "") == "123"
    assert hex_list([10, 11], "%x") == "a%xb"
    assert hex_list([26, 1], " % ") == "1 % 1a"


def test_normal_words_are_the_words_of_the_comparison_key() -> None:
    """An ASCII text's words are its key's words without building the key; other text is
    normalised first (NFKC folds the ligature, quotes and dashes are folded)."""
    assert normal_words("Hello,\tWorld  foo_bar 12\x1cend") == \
        ["hello", "world", "foo_bar", "12", "end"]
    assert normal_words("“Été” — ÉTÉ \ufb01ne") == ["été", "été", "fine"]
    for text in ("Hello,\tWorld  foo_bar 12\x1cend", "“Été” — ÉTÉ \ufb01ne", " \n "):
        assert normal_words(text) == words(normalise(text))


def test_the_comparison_key_has_one_space_between_words_and_none_around() -> None:
    """ASCII text: line breaks and runs of spaces are one space, the ends trimmed; a tab or
    another control character takes the general path, with the same result."""
    assert normalise("  The Ninth\n\nSession   met \n") == "the ninth session met"
    assert normalise("a\tb\x1cc\r\nd \x0b e") == "a b c d e"
    assert normalise("a\x00b  c") == "a\x00b c"
    assert normalise("\n \n") == normalise("") == ""
    assert normalise("«Été»\u00a0 ÉTÉ\n") == "«été» été"


def test_the_words_of_ascii_text_are_its_runs_of_word_characters_lower_cased() -> None:
    every = "".join(map(chr, range(128)))
    letters = "abcdefghijklmnopqrstuvwxyz"
    assert words(every) == ["0123456789", letters, "_", letters]
    assert word_count(every) == 4
    assert words("Hi\x1fTHERE\x7fyou_2") == ["hi", "there", "you_2"]
    assert word_count("") == 0 and words(" \t\n") == []
