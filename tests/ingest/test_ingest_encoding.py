"""Encodings: the same words come out whatever the file was saved as."""

from __future__ import annotations

import codecs

import pytest

from ingest.encoding import decode
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
