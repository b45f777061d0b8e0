"""Encodings: the same words come out whatever the file was saved as."""

from __future__ import annotations

import codecs

import pytest

from ingest.encoding import _controls, decode
from ingest.errors import IngestError

TEXT = "Les délégués ont débattu du « droit d’auteur » – café, naïveté, 50 € et “guillemets”."


@pytest.mark.parametrize("data", [
    TEXT.encode("utf-8"),
    codecs.BOM_UTF8 + TEXT.encode("utf-8"),
    TEXT.encode("utf-16"),  # with BOM
    TEXT.encode("utf-16-le"),  # without BOM
    TEXT.encode("utf-16-be"),
    TEXT.encode("cp1252"),
], ids=["utf8", "utf8-bom", "utf16-bom", "utf16le", "utf16be", "windows-1252"])
def test_text_decodes_without_mojibake(data: bytes) -> None:
    assert decode(data) == TEXT


def test_line_endings_are_normalised() -> None:
    assert decode(b"one\r\ntwo\rthree\n") == "one\ntwo\nthree\n"


@pytest.mark.parametrize(("data", "reason"), [
    (b"", "the file is empty"),
    (b"\n\n  ", "the file is empty"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary data, not text (NUL bytes found)"),
    (bytes([1, 2, 3, 4, 5, 6, 7, 8, 11, 14, 15, 16]) * 20,
     "binary data, not text (control characters found)"),
])
def test_binary_and_empty_input_is_refused(data: bytes, reason: str) -> None:
    with pytest.raises(IngestError, match=reason.replace("(", r"\(").replace(")", r"\)")):
        decode(data)


def test_control_characters_are_counted_alike_in_ascii_and_other_text() -> None:
    # Tab, line feed, form feed and carriage return are text; the other C0 controls are not.
    ascii_text = "a\tb\nc\x0cd\re\x00f\x08g\x0bh\x0ei\x1fj\x7f"
    assert _controls(ascii_text) == 5
    assert _controls(ascii_text + "é") == 5
    # Two stray controls in 300 characters of text pass; as many as the text has letters fail.
    assert decode(b"plain words " * 25 + b"\x01\x02") == "plain words " * 25 + "\x01\x02"
    with pytest.raises(IngestError, match="control characters"):
        decode(b"a\x01" * 50)
