"""Writing records to the terminal in the formats every command shares.

``--format table|json|jsonl|csv`` means the same thing for every command that prints records,
so the emitting is written once here (as sqlite-utils does): JSON for a whole answer, JSON Lines
streamed one record at a time, CSV with lists joined by ``;``, and a plain aligned table.
"""

from __future__ import annotations

import csv
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


def emit_json(data: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


def emit_records(rows: Iterable[dict[str, Any]], fmt: str, columns: Sequence[str]) -> None:
    """Print dict records as a table, JSON array, JSON Lines or CSV with the given columns."""
    if fmt == "jsonl":
        for row in rows:
            click.echo(json.dumps(row, ensure_ascii=False))
        return
    rows = list(rows)
    if fmt == "json":
        emit_json(rows)
    elif fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(columns)
        for row in rows:
            writer.writerow([_cell(row.get(c)) for c in columns])
        click.echo(buffer.getvalue(), nl=False)
    else:
        click.echo(table(rows, columns))


def table(rows: Sequence[dict[str, Any]], columns: Sequence[str]) -> str:
    """A left-aligned text table; the last column takes what width is left and wraps."""
    cells = [[_cell(r.get(c)) for c in columns] for r in rows]
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
