"""Bytes to text without mojibake: UTF-8 (with or without BOM), UTF-16, Windows-1252 and friends.

Researchers save pages from browsers, Word and old mail archives, so a corpus mixes encodings.
A file that is really binary (an image renamed .txt) must be refused with a clear reason rather
than indexed as noise.
"""

from __future__ import annotations

import codecs
import re

from charset_normalizer import from_bytes

from .errors import IngestError

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
#: Single-byte Latin encodings a detector cannot tell from Windows-1252 on short Western text.
_LATIN_COUSINS = frozenset({"cp1250", "cp1252", "cp1254", "cp1257", "latin_1", "iso8859_2",
                            "iso8859_4", "iso8859_9", "iso8859_10", "iso8859_13", "iso8859_14",
                            "iso8859_15", "iso8859_16", "mac_roman", "mac_latin2", "cp850",
                            "cp437"})
#: Control characters other than tab, newline, carriage return and form feed mark binary data.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f]")
#: Every byte but the control characters of ``_CONTROL``: deleting them from ASCII text leaves
#: its control characters.
_NOT_CONTROL = bytes(b for b in range(256) if not _CONTROL.match(chr(b)))


def decode(data: bytes) -> str:
    """Decode ``data`` to text, trying a BOM, then strict UTF-8, then detection.

    :raises IngestError: when the bytes are empty or look binary.
    """
    if not data.strip():
        raise IngestError("the file is empty")
    for bom, codec in _BOMS:
        if data.startswith(bom):
            return _checked(data.decode(codec, errors="replace"))
    utf16 = _bomless_utf16(data)
    if utf16 is not None:
        return _checked(utf16)
    if b"\x00" in data[:8192]:
        raise IngestError("binary data, not text (NUL bytes found)")
    try:
        return _checked(data.decode("utf-8"))
    except UnicodeDecodeError:
        pass
    best = from_bytes(data[:200_000]).best()
    codec = best.encoding if best is not None else "cp1252"
    if codec in _LATIN_COUSINS:
        codec = "cp1252"  # the single-byte encoding Windows and old web pages actually use
    try:
        return _checked(data.decode(codec))
    except (UnicodeDecodeError, LookupError):
        return _checked(data.decode("cp1252", errors="replace"))


def _bomless_utf16(data: bytes) -> str | None:
    """UTF-16 without a BOM shows as NUL in every other byte of ASCII-heavy text."""
    sample = data[:4096]
    if len(sample) < 4:
        return None
    even, odd = sample[0::2], sample[1::2]
    codec = None
    if odd.count(0) > 0.4 * len(odd) and even.count(0) < 0.05 * len(even):
        codec = "utf-16-le"
    elif even.count(0) > 0.4 * len(even) and odd.count(0) < 0.05 * len(odd):
        codec = "utf-16-be"
    if codec is None:
        return None
    try:
        return data.decode(codec)
    except UnicodeDecodeError:
        return None


def _checked(text: str) -> str:
    text = text.lstrip("\ufeff")
    sample = text[:20_000]
    controls = _controls(sample)
    replaced = sample.count("\ufffd")
    if sample and (controls + replaced) > 0.01 * len(sample) + 2:
        raise IngestError("binary data, not text (control characters found)")
    if not text.strip():
        raise IngestError("the file is empty")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _controls(text: str) -> int:
    """How many control characters (``_CONTROL``) ``text`` holds. ASCII text (nearly every
    file) is counted by one byte deletion in C, where the pattern tested each character."""
    if text.isascii():
        return len(text.encode("ascii").translate(None, _NOT_CONTROL))
    return len(_CONTROL.findall(text))
