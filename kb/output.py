"""Writing records to the terminal in the formats every command shares.

``--format table|json|jsonl|csv`` means the same thing for every command that prints records,
so the emitting is written once here (as sqlite-utils does): JSON for a whole answer, JSON Lines
streamed one record at a time, CSV with lists joined by ``;``, and a plain aligned table.

Everything kb prints comes from documents, file names and queries that anyone may have written,
so every line goes through one sanitiser here (:func:`echo`, :func:`one_line`): a control
character is shown as ``\\x1b`` instead of reaching the terminal, where it could retitle the
window, clear the screen or write the clipboard (OSC 52). CSV cells are also defused for
spreadsheets (:func:`csv_text`), and JSON escapes what JSON's own escaping lets through.
"""

from __future__ import annotations

import csv
import dataclasses
import functools
import html
import io
import json
import re
import shutil
import textwrap
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import click

FORMATS = ("table", "json", "jsonl", "csv")

#: C0 controls (but newline and tab), DEL, C1 controls, the bidirectional overrides that can
#: make text read differently from what it is, and lone surrogates (the undecodable bytes of
#: a file name or argument, which Python carries as U+DC80..U+DCFF).
_UNSAFE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
#: The same plus newline and tab, for values that must stay on one line (names, cells).
_UNSAFE_IN_LINE = re.compile(r"[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
#: What JSON's escaping lets through (it escapes only U+0000..U+001F).
_UNSAFE_IN_JSON = re.compile(r"[\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
#: Cells a spreadsheet would read as a formula (OWASP's list).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

_MARK = re.compile(r"<mark>(.*?)</mark>", re.S)
_TAG = re.compile(r"<[^>]+>")


def output_options(formats: Sequence[str] = FORMATS) -> Callable[[Callable[..., Any]], Any]:
    """``--format`` plus the ``--json`` shorthand, for any command that prints records."""

    def decorate(func: Callable[..., Any]) -> Any:
        func = click.option("--json", "as_json", is_flag=True,
                            help="Shorthand for --format json.")(func)
        return click.option("--format", "fmt", type=click.Choice(list(formats)),
                            default="table", show_default=True, help="Output format.")(func)

    return decorate


def chosen_format(fmt: str, as_json: bool) -> str:
    return "json" if as_json else fmt


def plain_snippet(snippet: str) -> str:
    """A snippet for the terminal: matched words in [brackets], HTML entities decoded."""
    marked = _MARK.sub(lambda m: f"[{m.group(1)}]", snippet)
    return html.unescape(_TAG.sub("", marked))


def visible(char: str) -> str:
    """How an unsafe character is shown: ``\\x1b``, ``\\n``, ``\\u202e``; an undecodable byte
    (a surrogate-escaped file name or argument) as the byte it was, ``\\xff``."""
    code = ord(char)
    if 0xDC80 <= code <= 0xDCFF:
        return f"\\x{code - 0xDC00:02x}"
    named = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}.get(char)
    if named:
        return named
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def terminal_safe(text: str) -> str:
    """``text`` with every control character shown visibly; newlines and tabs are kept."""
    return _UNSAFE.sub(lambda m: visible(m.group()), text)


def one_line(value: Any) -> str:
    """A value that must stay on its line (a file name in a report, a title, a table cell):
    newlines and tabs are shown as ``\\n`` and ``\\t`` too."""
    return _UNSAFE_IN_LINE.sub(lambda m: visible(m.group()), str(value))


def echo(message: Any = "", *, err: bool = False, nl: bool = True) -> None:
    """click.echo through the sanitiser: what every kb command prints goes through here."""
    click.echo(terminal_safe(str(message)), err=err, nl=nl)


def json_text(data: Any, indent: int | None = None, *, compact: bool = False,
              default: Callable[[Any], Any] | None = None) -> str:
    """JSON as kb prints it: UTF-8 text, with the characters JSON leaves raw escaped too.

    ``compact`` leaves out the spaces after ``,`` and ``:`` (what a server sends); ``default``
    turns what JSON has no type for into something it has, as :func:`json.dumps`'s does.
    """
    text = json.dumps(data, ensure_ascii=False, indent=indent, default=default,
                      separators=(",", ":") if compact else None)
    # These characters can occur only inside JSON strings, where \uXXXX means the same.
    return _UNSAFE_IN_JSON.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def json_bytes(data: Any, default: Callable[[Any], Any] | None = None) -> bytes:
    """Compact JSON as kb serves it: ``json_text(data, compact=True, default=default)`` as
    UTF-8 bytes, written by orjson.

    A search answer holds hundreds of small objects (a facet value per speaker): a dict built
    per value and the standard library's encoder over them were, after the search itself, the
    largest cost of an /api/search request, several times what orjson takes over the records
    themselves. A dataclass record is written field by field, in the order it declares
    them, which is its ``to_dict()`` for records whose ``to_dict()`` is their fields (Hit,
    FacetValue: see ``SearchResult.to_dict(records=True)``), so no dict is built per value.
    What orjson refuses (a lone surrogate from an undecodable file name, a key that is not a
    string, an integer past 64 bits) is written by :func:`json_text` instead; a date or time is
    handed to ``default``, as the standard library's encoder does.
    """
    import orjson  # a server's dependency: the CLI's commands never load it

    try:
        encoded = orjson.dumps(data, default=default, option=orjson.OPT_PASSTHROUGH_DATETIME)
    except orjson.JSONEncodeError:
        return json_text(data, compact=True,
                         default=_records if default is None else default).encode()
    return _escape_unsafe(encoded)


def _records(value: Any) -> Any:
    """The standard library's stand-in for orjson's own writing of a dataclass record."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: getattr(value, f.name) for f in dataclasses.fields(value)}
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def _escape_unsafe(encoded: bytes) -> bytes:
    """``encoded`` with each character of ``_UNSAFE_IN_JSON`` (found as its UTF-8) written as
    ``\\uXXXX``, as :func:`json_text` writes it.

    A regular expression over a whole answer took as long as orjson's writing of it (Python's
    ``re`` tries each byte in turn); ``bytes.find`` runs in C, so only the bytes that can start
    such a character (three, and the commonest of them is rare) cost a step in Python.
    """
    found: list[tuple[int, int, bytes]] = []
    for lead, (size, escapes) in _unsafe_utf8().items():
        at = encoded.find(lead)
        while at >= 0:
            escaped = escapes.get(encoded[at:at + size])
            if escaped is not None:
                found.append((at, size, escaped))
            at = encoded.find(lead, at + 1)
    if not found:
        return encoded
    found.sort()
    parts, done = [], 0
    for at, size, escaped in found:
        parts += [encoded[done:at], escaped]
        done = at + size
    parts.append(encoded[done:])
    return b"".join(parts)


@functools.cache
def _unsafe_utf8() -> dict[bytes, tuple[int, dict[bytes, bytes]]]:
    """The characters of ``_UNSAFE_IN_JSON`` that UTF-8 can hold (not lone surrogates), by the
    byte their UTF-8 starts with: (its length, {their UTF-8: their JSON escape})."""
    table: dict[bytes, tuple[int, dict[bytes, bytes]]] = {}
    for char in _UNSAFE_IN_JSON.findall("".join(map(chr, range(0xD800)))):
        utf8 = char.encode()
        table.setdefault(utf8[:1], (len(utf8), {}))[1][utf8] = b"\\u%04x" % ord(char)
    return table


def formula_safe(text: str) -> str:
    """Text a spreadsheet shows as text: a cell starting with = + - @ (or a tab or carriage
    return) gets a leading apostrophe, the OWASP remedy for CSV injection. Every CSV kb writes,
    from the CLI, the web and the exports, goes through this one rule."""
    return "'" + text if text.startswith(_FORMULA_START) else text


def csv_cell(value: Any) -> str:
    """One CSV cell: text that a spreadsheet would run as a formula (``=cmd|' /C calc'!A0``)
    gets a leading ``'``, as OWASP recommends; numbers are left as numbers."""
    text = _cell(value)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return text
    return one_line(formula_safe(text))


def csv_text(rows: Iterable[dict[str, Any]], columns: Sequence[str]) -> str:
    """The CSV kb writes, from the CLI and the web alike: a header, then one line per row."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([csv_cell(row.get(c)) for c in columns])
    return buffer.getvalue()


def emit_json(data: Any) -> None:
    click.echo(json_text(data, indent=2))


def emit_records(rows: Iterable[dict[str, Any]], fmt: str, columns: Sequence[str]) -> None:
    """Print dict records as a table, JSON array, JSON Lines or CSV with the given columns."""
    if fmt == "jsonl":
        for row in rows:
            click.echo(json_text(row))
        return
    rows = list(rows)
    if fmt == "json":
        emit_json(rows)
    elif fmt == "csv":
        click.echo(csv_text(rows, columns), nl=False)
    else:
        click.echo(table(rows, columns))


def table(rows: Sequence[dict[str, Any]], columns: Sequence[str]) -> str:
    """A left-aligned text table; the last column takes what width is left and wraps."""
    cells = [[one_line(_cell(r.get(c))) for c in columns] for r in rows]
    widths = [max([len(c)] + [len(row[i]) for row in cells]) for i, c in enumerate(columns)]
    total = shutil.get_terminal_size((120, 24)).columns
    fixed = sum(widths[:-1]) + 2 * (len(columns) - 1)
    widths[-1] = max(20, min(widths[-1], total - fixed))
    lines = ["  ".join(c.upper().ljust(w) for c, w in zip(columns, widths, strict=True)).rstrip()]
    for row in cells:
        wrapped = textwrap.wrap(row[-1], widths[-1]) or [""]
        head = [v.ljust(w) for v, w in zip(row[:-1], widths[:-1], strict=True)]
        lines.append("  ".join([*head, wrapped[0]]).rstrip())
        lines.extend((" " * fixed + w).rstrip() for w in wrapped[1:])
    return "\n".join(lines)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return "; ".join(str(v) for v in value)
    if isinstance(value, float):
        return f"{value:.3f}"
    return str(value)
