"""Markdown (.md): headings from ``#`` lines, paragraphs and list items, inline markup removed.

A YAML-like front matter block (``---`` lines with ``key: value``) may give title, date and url;
only those simple keys are read, so no YAML library is needed.
"""

from __future__ import annotations

import re

from ..encoding import decode
from ..textutil import clean_line
from . import EXTENSIONS
from .base import HEADING, PARAGRAPH, Block, RawDocument, Reader

_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_SETEXT = re.compile(r"^(=+|-+)\s*$")
_ITEM = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+")
_FENCE = re.compile(r"^\s*(```|~~~)")
_IMAGE = re.compile(r"!\[([^\]]*)\]\([^)]*\)")
_LINK = re.compile(r"\[([^\]]+)\]\([^)]*\)")
_REF_LINK = re.compile(r"\[([^\]]+)\]\[[^\]]*\]")
_EMPHASIS = re.compile(r"(\*\*|__|\*|_|`)(?=\S)(.+?)(?<=\S)\1")
_HTML_TAG = re.compile(r"</?[a-zA-Z][^>]*>")
_FRONT_KEY = re.compile(r"^(title|date|url|lang|language)\s*:\s*(.+?)\s*$", re.IGNORECASE)


def parse(data: bytes, name: str) -> list[RawDocument]:
    text = decode(data)
    lines = text.split("\n")
    meta, lines = _front_matter(lines)
    blocks = _blocks(lines)
    return [RawDocument(blocks=blocks, title=meta.get("title", ""), date=meta.get("date", ""),
                        url=meta.get("url", ""),
                        language=meta.get("lang", meta.get("language", "")), web=True)]


def _front_matter(lines: list[str]) -> tuple[dict[str, str], list[str]]:
    if not lines or lines[0].strip() != "---":
        return {}, lines
    for end in range(1, min(len(lines), 200)):
        if lines[end].strip() in ("---", "..."):
            meta = {}
            for line in lines[1:end]:
                match = _FRONT_KEY.match(line)
                if match:
                    meta[match.group(1).lower()] = match.group(2).strip("'\"")
            return meta, lines[end + 1:]
    return {}, lines


def _blocks(lines: list[str]) -> list[Block]:
    blocks: list[Block] = []
    paragraph: list[str] = []
    in_fence = False

    def flush() -> None:
        if paragraph:
            text = clean_line(" ".join(paragraph))
            if text:
                blocks.append(Block(_inline(text), PARAGRAPH))
            paragraph.clear()

    for line in lines:
        if _FENCE.match(line):
            flush()
            in_fence = not in_fence
            continue
        if in_fence:
            if line.strip():
                paragraph.append(line.strip())
            continue
        heading = _HEADING.match(line)
        if heading:
            flush()
            blocks.append(Block(_inline(clean_line(heading.group(2))), HEADING))
            continue
        if _SETEXT.match(line) and len(paragraph) == 1:
            text = paragraph.pop()
            flush()
            blocks.append(Block(_inline(clean_line(text)), HEADING))
            continue
        if not line.strip():
            flush()
            continue
        if _ITEM.match(line):
            flush()
            paragraph.append(_ITEM.sub("", line, count=1))
            continue
        paragraph.append(line.strip().lstrip(">").strip())
    flush()
    return [b for b in blocks if b.text]


def _inline(text: str) -> str:
    """The text without inline markup; each pattern runs only where its opening character
    occurs (most lines have none: scanning for a character is far cheaper than a pattern)."""
    if "[" in text:
        text = _IMAGE.sub(r"\1", text)
        text = _LINK.sub(r"\1", text)
        text = _REF_LINK.sub(r"\1", text)
    if "<" in text:
        text = _HTML_TAG.sub("", text)
    for _ in range(2):
        if "*" in text or "_" in text or "`" in text:
            text = _EMPHASIS.sub(r"\2", text)
    return clean_line(text)


READER = Reader("markdown", EXTENSIONS["markdown"], parse)
